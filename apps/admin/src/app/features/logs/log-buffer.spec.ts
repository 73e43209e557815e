import type { ServiceLogLineView } from '@mcp-proxy/shared/dto';
import { EMPTY_LOG_BUFFER, LogLevel, applyLogEvent, filterLines, formatLogLine, logFileContent, logFileName } from './log-buffer';

function line(text: string, level: LogLevel = 'info', stream: ServiceLogLineView['stream'] = 'stderr'): ServiceLogLineView {
  return { serviceId: 's1', serviceName: 'everything', time: '2026-01-01T00:00:00.000Z', stream, level, text };
}

describe('applyLogEvent', () => {
  it('loads the backlog, then appends each line with a growing number', () => {
    let buffer = applyLogEvent(EMPTY_LOG_BUFFER, { kind: 'backlog', lines: [line('a'), line('b')] });
    buffer = applyLogEvent(buffer, { kind: 'line', line: line('c') });
    expect(buffer.loaded).toBe(true);
    expect(buffer.lines.map((item) => [item.seq, item.text])).toEqual([
      [1, 'a'],
      [2, 'b'],
      [3, 'c'],
    ]);
  });

  it('replaces everything with a new backlog (after a reconnect), so no line shows twice', () => {
    let buffer = applyLogEvent(EMPTY_LOG_BUFFER, { kind: 'backlog', lines: [line('a')] });
    buffer = applyLogEvent(buffer, { kind: 'line', line: line('b') });
    buffer = applyLogEvent(buffer, { kind: 'backlog', lines: [line('a'), line('b'), line('c')] });
    expect(buffer.lines.map((item) => item.text)).toEqual(['a', 'b', 'c']);
    expect(buffer.lines.map((item) => item.seq)).toEqual([3, 4, 5]);
  });

  it('keeps only the newest lines', () => {
    let buffer = applyLogEvent(EMPTY_LOG_BUFFER, { kind: 'backlog', lines: [line('1'), line('2'), line('3')] }, 2);
    expect(buffer.lines.map((item) => item.text)).toEqual(['2', '3']);
    buffer = applyLogEvent(buffer, { kind: 'line', line: line('4') }, 2);
    expect(buffer.lines.map((item) => item.text)).toEqual(['3', '4']);
  });

  it('ignores channel errors (the page shows them)', () => {
    expect(applyLogEvent(EMPTY_LOG_BUFFER, { kind: 'error', message: 'nope' })).toBe(EMPTY_LOG_BUFFER);
  });
});

describe('filterLines', () => {
  const lines = [line('Server started', 'info'), line('Slow reply', 'warn'), line('Crash: boom', 'error'), line('started worker', 'info')];
  it.each<[string, LogLevel[], string[]]>([
    ['', ['info', 'warn', 'error'], ['Server started', 'Slow reply', 'Crash: boom', 'started worker']],
    ['START', ['info', 'warn', 'error'], ['Server started', 'started worker']],
    ['', ['error'], ['Crash: boom']],
    ['boom', ['info'], []],
    ['  reply ', ['warn'], ['Slow reply']],
  ])('query %j, levels %j', (query, levels, expected) => {
    expect(filterLines(lines, { query, levels: new Set(levels) }).map((item) => item.text)).toEqual(expected);
  });
});

describe('log file', () => {
  it('writes one line per entry with time, level and stream', () => {
    expect(formatLogLine(line('hello', 'warn', 'system'))).toBe('2026-01-01T00:00:00.000Z WARN  [system] hello');
    expect(logFileContent([line('a'), line('b', 'error')])).toBe(
      '2026-01-01T00:00:00.000Z INFO  [stderr] a\n2026-01-01T00:00:00.000Z ERROR [stderr] b\n',
    );
  });

  it('names the file after the service and the time', () => {
    expect(logFileName('everything', new Date('2026-03-04T05:06:07.891Z'))).toBe('everything-2026-03-04T05-06-07Z.log');
  });
});
