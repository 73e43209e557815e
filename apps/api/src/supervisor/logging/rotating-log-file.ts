import { createWriteStream, existsSync, fstatSync, mkdirSync, openSync, renameSync, rmSync, WriteStream } from 'node:fs';
import { dirname } from 'node:path';

export interface RotationOptions {
  /** Size at which the file is rotated. */
  maxBytes: number;
  /** Rotated files kept beside the live one (`<file>.1` is the newest). */
  keep: number;
}

export const DEFAULT_ROTATION: RotationOptions = { maxBytes: 10 * 1024 * 1024, keep: 3 };

/**
 * An append-only log file that rotates by size. Writes go through a stream so a chatty child never
 * blocks the event loop; a file system error disables the file (reported once) instead of crashing.
 */
export class RotatingLogFile {
  private stream: WriteStream | null = null;
  private size = 0;
  private failed = false;

  constructor(
    readonly path: string,
    private readonly options: RotationOptions = DEFAULT_ROTATION,
    private readonly onError: (error: Error) => void = () => undefined,
  ) {}

  write(line: string): void {
    if (this.failed) return;
    const bytes = Buffer.byteLength(line) + 1;
    try {
      if (!this.stream) this.open();
      if (this.size > 0 && this.size + bytes > this.options.maxBytes) this.rotate();
      (this.stream as WriteStream).write(`${line}\n`);
      this.size += bytes;
    } catch (error) {
      this.fail(error);
    }
  }

  /** Resolves once everything written so far is on disk. */
  close(): Promise<void> {
    const stream = this.stream;
    this.stream = null;
    if (!stream) return Promise.resolve();
    return new Promise((resolve) => stream.end(resolve));
  }

  private open(): void {
    // Servers' output may hold secrets they print: LOG_DIR is the proxy's user's alone.
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    // Opened synchronously so a rotation in the same tick renames the file this stream really writes to.
    const fd = openSync(this.path, 'a', 0o600);
    this.size = fstatSync(fd).size;
    const stream = createWriteStream(this.path, { fd });
    stream.on('error', (error) => this.fail(error));
    this.stream = stream;
  }

  /** The old stream keeps its descriptor, so bytes still buffered in it land in the renamed file. */
  private rotate(): void {
    this.stream?.end();
    this.stream = null;
    rmSync(`${this.path}.${this.options.keep}`, { force: true });
    for (let index = this.options.keep - 1; index >= 1; index--) {
      if (existsSync(`${this.path}.${index}`)) renameSync(`${this.path}.${index}`, `${this.path}.${index + 1}`);
    }
    if (this.options.keep > 0) renameSync(this.path, `${this.path}.1`);
    else rmSync(this.path, { force: true });
    this.open();
  }

  private fail(error: unknown): void {
    if (this.failed) return;
    this.failed = true;
    this.stream?.destroy();
    this.stream = null;
    this.onError(error instanceof Error ? error : new Error(String(error)));
  }
}
