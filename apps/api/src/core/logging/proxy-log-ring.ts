import type { ProxyLogLineView } from '@mcp-proxy/shared/dto';

/** Lines kept; a longer one is cut (a stack trace is still readable in its first few KiB). */
export const PROXY_LOG_CAPACITY = 2000;
const MAX_LINE_CHARS = 4096;

/**
 * The proxy's own recent log lines, kept in memory beside stdout (a pino destination stream), for the
 * admin's log view. Lines are stored as pino wrote them (its redaction applied) and turned into views on read.
 */
export class ProxyLogRing {
  private readonly lines: string[] = [];
  /** Where the next line goes once the ring is full. */
  private next = 0;

  /** pino's stream interface: one JSON line per call. */
  write(line: string): void {
    const kept = line.length > MAX_LINE_CHARS ? line.slice(0, MAX_LINE_CHARS) : line.replace(/\n$/, '');
    if (this.lines.length < PROXY_LOG_CAPACITY) this.lines.push(kept);
    else {
      this.lines[this.next] = kept;
      this.next = (this.next + 1) % PROXY_LOG_CAPACITY;
    }
  }

  /** The newest `count` lines, oldest first, each passed through `mask`. */
  tail(count: number, mask: (text: string) => string): ProxyLogLineView[] {
    const ordered = [...this.lines.slice(this.next), ...this.lines.slice(0, this.next)];
    return ordered.slice(Math.max(0, ordered.length - count)).map((line) => toView(line, mask));
  }
}

function toView(line: string, mask: (text: string) => string): ProxyLogLineView {
  try {
    const { time, level, msg, ...fields } = JSON.parse(line) as Record<string, unknown>;
    const extra = Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields)}` : '';
    return {
      at: typeof time === 'string' ? time : new Date(0).toISOString(),
      level: typeof level === 'string' ? level : 'info',
      text: mask(`${typeof msg === 'string' ? msg : ''}${extra}`.trim()),
    };
  } catch {
    // Cut mid-JSON (a very long line): shown as it is.
    return { at: new Date(0).toISOString(), level: 'info', text: mask(line) };
  }
}
