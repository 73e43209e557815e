import type { ServiceLogLineView } from '@mcp-proxy/shared/dto';
import { EMPTY_LOG_BUFFER } from './log-buffer';
import { applyMergedLogEvent, proxyLogBuffer } from './merged-logs';

function line(serviceName: string, time: string, text: string): ServiceLogLineView {
  return { serviceId: serviceName, serviceName, time, stream: 'stderr', level: 'info', text };
}

describe('applyMergedLogEvent', () => {
  it('merges every service in time order, a backlog replacing only its own service', () => {
    let buffer = applyMergedLogEvent(EMPTY_LOG_BUFFER, 'a', { kind: 'backlog', lines: [line('a', '2026-01-01T00:00:01Z', 'a1')] });
    buffer = applyMergedLogEvent(buffer, 'b', {
      kind: 'backlog',
      lines: [line('b', '2026-01-01T00:00:00Z', 'b0'), line('b', '2026-01-01T00:00:02Z', 'b2')],
    });
    buffer = applyMergedLogEvent(buffer, 'a', { kind: 'line', line: line('a', '2026-01-01T00:00:03Z', 'a3') });
    expect(buffer.loaded).toBe(true);
    expect(buffer.lines.map((item) => item.text)).toEqual(['b0', 'a1', 'b2', 'a3']);
    buffer = applyMergedLogEvent(buffer, 'b', { kind: 'backlog', lines: [line('b', '2026-01-01T00:00:04Z', 'b4')] });
    expect(buffer.lines.map((item) => item.text)).toEqual(['a1', 'a3', 'b4']);
    expect(new Set(buffer.lines.map((item) => item.seq)).size).toBe(3);
  });

  it('keeps the newest lines within the bound', () => {
    const lines = [1, 2, 3].map((second) => line('a', `2026-01-01T00:00:0${second}Z`, `a${second}`));
    expect(applyMergedLogEvent(EMPTY_LOG_BUFFER, 'a', { kind: 'backlog', lines }, 2).lines.map((item) => item.text)).toEqual(['a2', 'a3']);
  });
});

describe('proxyLogBuffer', () => {
  it('shows the proxy log with the page levels', () => {
    const buffer = proxyLogBuffer([
      { at: '2026-01-01T00:00:00Z', level: 'fatal', text: 'down' },
      { at: '2026-01-01T00:00:01Z', level: 'debug', text: 'detail' },
      { at: '2026-01-01T00:00:02Z', level: 'warn', text: 'careful' },
    ]);
    expect(buffer.lines.map((item) => [item.level, item.serviceName, item.text])).toEqual([
      ['error', 'proxy', 'down'],
      ['info', 'proxy', 'detail'],
      ['warn', 'proxy', 'careful'],
    ]);
    expect(buffer.loaded).toBe(true);
  });
});
