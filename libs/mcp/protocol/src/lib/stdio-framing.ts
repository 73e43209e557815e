/**
 * Newline-delimited JSON framing for the MCP stdio transport.
 *
 * Works on raw bytes (`Uint8Array`, which includes Node `Buffer`) so that a
 * chunk boundary falling inside a multi-byte UTF-8 sequence is harmless: bytes
 * are only decoded once a whole line has been collected.
 *
 * Cost is linear in the input: each byte is scanned once, and the fragments of
 * a line are kept as views of the chunks they came in: delivered as those pieces
 * (`onBytes`, never joined) or decoded one after the other (`onLine`).
 */

const LF = 0x0a;
const CR = 0x0d;

/** Default maximum line size in bytes (excluding the terminator): 32 MiB. */
export const DEFAULT_MAX_LINE_BYTES = 32 * 1024 * 1024;

export interface OversizeLineInfo {
  /** The configured limit in bytes. */
  limit: number;
  /** Bytes of the offending line seen when the limit was crossed (at least `limit + 1`). */
  bytesSeen: number;
}

export interface LineSplitterOptions {
  /** Called once per complete, non-blank line (terminator and trailing `\r` removed). */
  onLine?: (line: string) => void;
  /**
   * Instead of `onLine`: the line's bytes, undecoded (a leading UTF-8 BOM removed), as the pieces
   * they arrived in (views of the pushed chunks, in order, never joined; at least one, some may be
   * empty), so a large message can be relayed as the bytes it came in.
   */
  onBytes?: (line: Buffer[]) => void;
  /**
   * Called once per line that exceeds `maxLineBytes`, as soon as the limit is
   * crossed. The rest of that line is discarded without buffering and the
   * splitter resynchronises after the next `\n`.
   */
  onOversize?: (info: OversizeLineInfo) => void;
  /** Maximum line length in bytes, excluding `\n` / `\r\n`. Default {@link DEFAULT_MAX_LINE_BYTES}. */
  maxLineBytes?: number;
  /** Deliver blank / whitespace-only lines too. Default `false` (they are skipped). */
  emitBlankLines?: boolean;
}

/**
 * Incremental splitter for a child process's stdout.
 *
 * Chunks are retained by reference until their line completes; callers must
 * not mutate a chunk after passing it to {@link push} (Node stream `data`
 * chunks satisfy this).
 *
 * Decoding: UTF-8 with replacement of invalid sequences (U+FFFD); a UTF-8 BOM
 * at the start of a line is dropped.
 */
export class LineSplitter {
  private readonly onLine: ((line: string) => void) | undefined;
  private readonly onBytes: ((line: Buffer[]) => void) | undefined;
  private readonly onOversize: ((info: OversizeLineInfo) => void) | undefined;
  private readonly maxLineBytes: number;
  private readonly emitBlankLines: boolean;
  private readonly decoder = new TextDecoder('utf-8');

  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  /** True while skipping the remainder of an oversize line. */
  private discarding = false;
  private ended = false;

  constructor(options: LineSplitterOptions) {
    const max = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    if (!Number.isInteger(max) || max < 1) {
      throw new RangeError('maxLineBytes must be a positive integer');
    }
    if (!options.onLine === !options.onBytes) throw new TypeError('LineSplitter: give exactly one of onLine and onBytes');
    this.onLine = options.onLine;
    this.onBytes = options.onBytes;
    this.onOversize = options.onOversize;
    this.maxLineBytes = max;
    this.emitBlankLines = options.emitBlankLines ?? false;
  }

  /** Bytes currently held for an incomplete line. */
  get bufferedBytes(): number {
    return this.pendingBytes;
  }

  /** Feed a chunk of bytes. */
  push(chunk: Uint8Array): void {
    if (this.ended) throw new Error('LineSplitter: push() after end()');
    const len = chunk.length;
    let start = 0;
    while (start < len) {
      const nl = chunk.indexOf(LF, start);
      if (nl === -1) {
        this.holdPartial(chunk, start, len);
        return;
      }
      this.completeLine(chunk, start, nl);
      start = nl + 1;
    }
  }

  /**
   * Signal end of input. A final line without a terminating `\n` is delivered
   * (a child may exit without flushing a newline); an oversize tail is dropped.
   */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.discarding) {
      this.discarding = false;
      return;
    }
    if (this.pendingBytes > 0) {
      const pieces = this.takePending(undefined, 0, 0);
      // A pending tail is at most maxLineBytes, or maxLineBytes + 1 when it ends
      // in '\r' (see holdPartial), so after stripping that '\r' it is within the limit.
      const last = pieces[pieces.length - 1];
      if (last[last.length - 1] === CR) pieces[pieces.length - 1] = last.subarray(0, last.length - 1);
      this.deliver(pieces);
    }
  }

  /** Drop any buffered partial line and accept input again. */
  reset(): void {
    this.pending = [];
    this.pendingBytes = 0;
    this.discarding = false;
    this.ended = false;
  }

  private holdPartial(chunk: Uint8Array, start: number, end: number): void {
    if (this.discarding) return;
    const size = end - start;
    const total = this.pendingBytes + size;
    // A trailing '\r' may still be followed by '\n' in the next chunk and would
    // then not count towards the line length, so allow one byte of slack for it.
    const limit = chunk[end - 1] === CR ? this.maxLineBytes + 1 : this.maxLineBytes;
    if (total > limit) {
      this.startDiscarding(total);
      return;
    }
    this.pending.push(start === 0 && end === chunk.length ? chunk : chunk.subarray(start, end));
    this.pendingBytes = total;
  }

  private completeLine(chunk: Uint8Array, start: number, nl: number): void {
    if (this.discarding) {
      // End of the oversize line: resynchronised.
      this.discarding = false;
      return;
    }
    let end = nl;
    const total = this.pendingBytes + (nl - start);
    // Strip a '\r' immediately before '\n' (it may sit at the end of a previous chunk).
    let lineBytes = total;
    if (nl > start) {
      if (chunk[nl - 1] === CR) {
        end = nl - 1;
        lineBytes--;
      }
    } else if (this.pendingBytes > 0) {
      const last = this.pending[this.pending.length - 1];
      if (last[last.length - 1] === CR) {
        this.pending[this.pending.length - 1] = last.subarray(0, last.length - 1);
        this.pendingBytes--;
        lineBytes--;
      }
    }
    if (lineBytes > this.maxLineBytes) {
      this.pending = [];
      this.pendingBytes = 0;
      this.onOversize?.({ limit: this.maxLineBytes, bytesSeen: lineBytes });
      return;
    }
    this.deliver(this.takePending(chunk, start, end));
  }

  /** The pending fragments plus `chunk[start, end)`: the line's pieces, not copied. */
  private takePending(chunk: Uint8Array | undefined, start: number, end: number): Uint8Array[] {
    const pieces = this.pending;
    if (chunk && (end > start || pieces.length === 0)) pieces.push(chunk.subarray(start, end));
    this.pending = [];
    this.pendingBytes = 0;
    return pieces;
  }

  private startDiscarding(bytesSeen: number): void {
    this.pending = [];
    this.pendingBytes = 0;
    this.discarding = true;
    this.onOversize?.({ limit: this.maxLineBytes, bytesSeen });
  }

  private deliver(pieces: Uint8Array[]): void {
    if (this.onBytes) {
      const views = withoutBom(pieces.map((piece) => Buffer.from(piece.buffer, piece.byteOffset, piece.length)));
      if (!this.emitBlankLines && views.every(isBlankBytes)) return;
      this.onBytes(views);
      return;
    }
    let line = '';
    for (const piece of pieces) line += this.decoder.decode(piece, { stream: true });
    line += this.decoder.decode();
    if (!this.emitBlankLines && isBlank(line)) return;
    this.onLine?.(line);
  }
}

const BOM = [0xef, 0xbb, 0xbf];

/** The pieces without a leading UTF-8 byte order mark (which may itself be split across pieces). */
function withoutBom(pieces: Buffer[]): Buffer[] {
  let skip = 0;
  for (const piece of pieces) {
    for (let i = 0; i < piece.length && skip < BOM.length; i++, skip++) if (piece[i] !== BOM[skip]) return pieces;
    if (skip === BOM.length) break;
  }
  if (skip < BOM.length) return pieces;
  return pieces.map((piece) => {
    const cut = Math.min(skip, piece.length);
    skip -= cut;
    return piece.subarray(cut);
  });
}

function isBlankBytes(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i];
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d && c !== 0x0a) return false;
  }
  return true;
}

function isBlank(line: string): boolean {
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    // JSON insignificant whitespace: space, tab, CR, LF.
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d && c !== 0x0a) return false;
  }
  return true;
}

/**
 * Convenience: split a complete sequence of chunks into lines.
 * Returns the lines and the oversize events, in order of occurrence.
 */
export function splitLines(
  chunks: Iterable<Uint8Array>,
  options: Omit<LineSplitterOptions, 'onLine' | 'onOversize'> = {},
): { lines: string[]; oversize: OversizeLineInfo[] } {
  const lines: string[] = [];
  const oversize: OversizeLineInfo[] = [];
  const splitter = new LineSplitter({
    ...options,
    onLine: (l) => lines.push(l),
    onOversize: (o) => oversize.push(o),
  });
  for (const c of chunks) splitter.push(c);
  splitter.end();
  return { lines, oversize };
}

/**
 * Serialise a message for a stdio peer: compact JSON plus a single `\n`.
 * `JSON.stringify` escapes control characters inside strings, so the output
 * never contains an embedded newline.
 */
export function encodeLine(message: unknown): string {
  const json = JSON.stringify(message);
  if (json === undefined) {
    throw new TypeError('encodeLine: value is not JSON-serialisable');
  }
  return json + '\n';
}
