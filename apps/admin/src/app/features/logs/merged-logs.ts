import type { ProxyLogLineView, ServiceLogLineView } from '@mcp-proxy/shared/dto';
import type { LogChannelEvent } from '../../core/live/live-socket.service';
import { LogBuffer, LogLevel, MAX_LOG_LINES, NumberedLine } from './log-buffer';

/**
 * The all-services view: each service's channel feeds one buffer in time order. A service's backlog (also
 * after a reconnect) replaces that service's lines only; the view counts as loaded once any backlog came.
 */
export function applyMergedLogEvent(buffer: LogBuffer, service: string, event: LogChannelEvent, max = MAX_LOG_LINES): LogBuffer {
  if (event.kind === 'error') return buffer;
  let seq = buffer.lastSeq;
  const number = (line: ServiceLogLineView): NumberedLine => ({ ...line, seq: ++seq });
  if (event.kind === 'backlog') {
    const others = buffer.lines.filter((line) => line.serviceName !== service);
    const lines = [...others, ...event.lines.map(number)].sort((a, b) => a.time.localeCompare(b.time) || a.seq - b.seq);
    return { lines: lines.slice(-max), lastSeq: seq, loaded: true };
  }
  const lines = [...buffer.lines, number(event.line)];
  return { lines: lines.length > max ? lines.slice(lines.length - max) : lines, lastSeq: seq, loaded: buffer.loaded };
}

/** The proxy's own levels (pino's) in the three the page filters by. */
function levelOf(level: string): LogLevel {
  if (level === 'error' || level === 'fatal') return 'error';
  if (level === 'warn') return 'warn';
  return 'info';
}

/** The proxy's own log as the page shows a service's: the same filters, search and download apply. */
export function proxyLogBuffer(lines: readonly ProxyLogLineView[]): LogBuffer {
  const numbered = lines.map(
    (line, index): NumberedLine => ({
      serviceId: 'proxy',
      serviceName: 'proxy',
      time: line.at,
      stream: 'system',
      level: levelOf(line.level),
      text: line.text,
      seq: index + 1,
    }),
  );
  return { lines: numbered, lastSeq: numbered.length, loaded: true };
}
