import type { ServiceLogLine } from '../child-handle';
import { RingBuffer } from './ring-buffer';
import type { RotatingLogFile } from './rotating-log-file';
import { SecretMasker } from './secret-masker';

export interface ServiceLogOptions {
  /** Lines kept in memory for the logs endpoint and the live backlog. */
  capacity: number;
  /** Longer lines are cut (after masking, so a secret is never half shown). */
  maxLineLength: number;
  file: RotatingLogFile | null;
  /** Every stored line, for the live event. */
  onLine: (line: ServiceLogLine) => void;
  now: () => number;
  /** The proxy's own secret values: masked in every line, before and whatever the service's secrets are. */
  alwaysMasked?: readonly string[];
}

export const DEFAULT_LOG_CAPACITY = 5000;
export const DEFAULT_MAX_LINE_LENGTH = 8 * 1024;

/** One service's log: masks, truncates, keeps a tail in memory, appends to the file, announces each line. */
export class ServiceLog {
  private readonly lines: RingBuffer<ServiceLogLine>;
  private masker: SecretMasker;

  constructor(
    readonly serviceId: string,
    readonly serviceName: string,
    private readonly options: ServiceLogOptions,
  ) {
    this.lines = new RingBuffer(options.capacity);
    this.masker = new SecretMasker(options.alwaysMasked ?? []);
  }

  /** The values to hide from now on besides the proxy's own: the service's secrets, refreshed at every start. */
  setSecrets(values: Iterable<string>): void {
    this.masker = new SecretMasker([...(this.options.alwaysMasked ?? []), ...values]);
  }

  /** Stores one line and returns it as stored (masked, truncated). */
  append(stream: ServiceLogLine['stream'], raw: string, level: ServiceLogLine['level'] = levelOf(stream, raw)): ServiceLogLine {
    const line: ServiceLogLine = {
      serviceId: this.serviceId,
      serviceName: this.serviceName,
      time: new Date(this.options.now()).toISOString(),
      stream,
      level,
      text: truncate(this.masker.mask(raw), this.options.maxLineLength),
    };
    this.lines.push(line);
    this.options.file?.write(`${line.time} ${stream} ${line.text}`);
    this.options.onLine(line);
    return line;
  }

  tail(count: number): ServiceLogLine[] {
    return this.lines.last(count);
  }

  close(): Promise<void> {
    return this.options.file?.close() ?? Promise.resolve();
  }
}

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… [${text.length - max} more characters cut]`;
}

/** Servers write everything to stderr; only lines that say so are warnings or errors. */
export function levelOf(stream: ServiceLogLine['stream'], text: string): ServiceLogLine['level'] {
  if (stream === 'system') return 'info';
  if (/\b(error|exception|fatal|panic|traceback)\b/i.test(text)) return 'error';
  if (/\bwarn(ing)?\b/i.test(text)) return 'warn';
  return 'info';
}
