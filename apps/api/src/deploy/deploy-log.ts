import { MASKED_VALUE } from '@mcp-proxy/shared/dto';
import { SecretMasker } from '../supervisor/logging/secret-masker';

export interface DeployLogSink {
  /** Stores the whole log so far. */
  persist(text: string): Promise<void>;
  /** Announces new lines (live). */
  announce(lines: string[]): void;
}

/** One line longer than this is cut; a build that prints more than the total is cut short with a note. */
const MAX_LINE_CHARS = 8 * 1024;
const MAX_TOTAL_CHARS = 4 * 1024 * 1024;
const FLUSH_DELAY_MS = 300;

/** Credentials in URLs (`https://user:secret@host`) and HTTP authorization values, whatever printed them. */
const CREDENTIAL_PATTERNS: [RegExp, string][] = [
  [/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@:]+:[^\s/@]+@/gi, `$1${MASKED_VALUE}@`],
  [/\b(authorization:\s*(?:basic|bearer|token)\s+)\S+/gi, `$1${MASKED_VALUE}`],
];

/**
 * The build log of one deployment: every line masked (known secrets, credentials in URLs,
 * authorization headers), kept whole, written to the database a moment after it arrives (a burst of
 * npm output is one write), and announced live.
 */
export class DeployLog {
  private readonly lines: string[];
  private chars: number;
  private truncated = false;
  private masker: SecretMasker;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    readonly deploymentId: string,
    previous: string,
    private readonly sink: DeployLogSink,
    /** The proxy's own secret values: masked in every line, whatever else is set later. */
    private readonly alwaysMasked: readonly string[] = [],
  ) {
    this.lines = previous === '' ? [] : previous.split('\n');
    this.chars = previous.length;
    this.masker = new SecretMasker(alwaysMasked);
  }

  /** The deployment's own secrets (the service's values, the request's), masked besides the proxy's. */
  setSecrets(values: Iterable<string>): void {
    this.masker = new SecretMasker([...this.alwaysMasked, ...values]);
  }

  /** Text about the deploy kept outside the log (its error), masked the same way. */
  masked(text: string): string {
    return this.mask(text);
  }

  /** Masks and stores the text (split into lines); returns the lines as stored. */
  line(text: string): string[] {
    const added: string[] = [];
    for (const raw of text.split(/\r?\n/)) {
      if (this.truncated) break;
      let line = this.mask(raw);
      if (line.length > MAX_LINE_CHARS) line = `${line.slice(0, MAX_LINE_CHARS)}… (line cut)`;
      if (this.chars + line.length > MAX_TOTAL_CHARS) {
        this.truncated = true;
        line = `… the log is over ${MAX_TOTAL_CHARS / 1024 / 1024} MiB: further output is not kept`;
      }
      this.lines.push(line);
      this.chars += line.length + 1;
      added.push(line);
    }
    if (added.length > 0) {
      this.sink.announce(added);
      this.timer ??= setTimeout(() => void this.flush(), FLUSH_DELAY_MS);
    }
    return added;
  }

  /** A message for people about the deploy itself, told apart from the tools' output. */
  step(text: string): void {
    this.line(`==> ${text}`);
  }

  get text(): string {
    return this.lines.join('\n');
  }

  get all(): readonly string[] {
    return this.lines;
  }

  /** Writes what is not yet stored; writes never overlap, so the last one holds the whole log. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const text = this.text;
    this.writing = this.writing.then(() => this.sink.persist(text)).catch(() => undefined);
    return this.writing;
  }

  private mask(text: string): string {
    let masked = this.masker.mask(text);
    for (const [pattern, replacement] of CREDENTIAL_PATTERNS) masked = masked.replace(pattern, replacement);
    return masked;
  }
}
