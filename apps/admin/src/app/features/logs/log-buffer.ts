import type { ServiceLogLineView } from '@mcp-proxy/shared/dto';
import type { LogChannelEvent } from '../../core/live/live-socket.service';

export type LogLevel = ServiceLogLineView['level'];
export const LOG_LEVELS: readonly LogLevel[] = ['info', 'warn', 'error'];

/** The most lines kept in the page; older ones drop off (the file on the server keeps more). */
export const MAX_LOG_LINES = 2000;

/** A line with a number that stays the same while it is shown (for rendering and counting). */
export interface NumberedLine extends ServiceLogLineView {
  seq: number;
}

export interface LogBuffer {
  lines: NumberedLine[];
  /** Sequence number of the newest line ever received (0: none). */
  lastSeq: number;
  /** A backlog has arrived for the current subscription. */
  loaded: boolean;
}

export const EMPTY_LOG_BUFFER: LogBuffer = { lines: [], lastSeq: 0, loaded: false };

/** The buffer after one event of a `logs:<service>` channel. A backlog (also after a reconnect) replaces it. */
export function applyLogEvent(buffer: LogBuffer, event: LogChannelEvent, max = MAX_LOG_LINES): LogBuffer {
  if (event.kind === 'error') return buffer;
  let seq = buffer.lastSeq;
  const number = (line: ServiceLogLineView): NumberedLine => ({ ...line, seq: ++seq });
  if (event.kind === 'backlog') {
    return { lines: event.lines.slice(-max).map(number), lastSeq: seq, loaded: true };
  }
  const lines = [...buffer.lines, number(event.line)];
  return { lines: lines.length > max ? lines.slice(lines.length - max) : lines, lastSeq: seq, loaded: buffer.loaded };
}

export interface LogFilter {
  /** Case-insensitive text to look for; blank matches everything. */
  query: string;
  levels: ReadonlySet<LogLevel>;
}

export function filterLines<T extends ServiceLogLineView>(lines: readonly T[], filter: LogFilter): T[] {
  const query = filter.query.trim().toLowerCase();
  return lines.filter((line) => filter.levels.has(line.level) && (!query || line.text.toLowerCase().includes(query)));
}

/** One line of a downloaded .log file: `time LEVEL [stream] text`. */
export function formatLogLine(line: ServiceLogLineView): string {
  return `${line.time} ${line.level.toUpperCase().padEnd(5)} [${line.stream}] ${line.text}`;
}

export function logFileContent(lines: readonly ServiceLogLineView[]): string {
  return lines.map((line) => `${formatLogLine(line)}\n`).join('');
}

/** `everything-2026-01-01T00-00-00Z.log` */
export function logFileName(service: string, now: Date): string {
  const stamp = now
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/:/g, '-');
  return `${service}-${stamp}.log`;
}
