/**
 * Server-Sent Events: encoder and incremental parser.
 *
 * The parser follows the WHATWG HTML "event stream interpretation" rules:
 * UTF-8 decoding with a leading BOM ignored, lines terminated by CRLF, LF or
 * CR, `:` comment lines, `field: value` with one leading space stripped from
 * the value, dispatch on a blank line, and no dispatch of an incomplete event
 * at end of stream. Pure module (uses the global `TextDecoder` only).
 */

// ---------------------------------------------------------------------------
// Encoding
// ---------------------------------------------------------------------------

export interface SseEventInit {
  /** Event type (`event:` field). Omitted → the client sees type `message`. */
  event?: string;
  /** Event id (`id:` field); becomes the client's last event ID. */
  id?: string;
  /** Payload; split on CRLF / CR / LF into one `data:` line per line. */
  data?: string;
  /** Reconnection time in milliseconds (`retry:` field). */
  retry?: number;
  /** Comment emitted before the fields (one `:` line per line of text). */
  comment?: string;
}

const LINE_BREAK = /\r\n|\r|\n/;
const LINE_END = /[\r\n]/g;

function assertSingleLine(name: string, value: string): void {
  if (/[\r\n]/.test(value)) {
    throw new RangeError(`SSE ${name} must not contain CR or LF`);
  }
}

/**
 * Encode one event, terminated by the blank line that dispatches it.
 * Throws `RangeError` for values that cannot be represented (CR/LF in `event`
 * or `id`, NUL in `id`, a non-integer or negative `retry`).
 */
export function encodeSseEvent(init: SseEventInit): string {
  let out = '';
  if (init.comment !== undefined) out += commentLines(init.comment);
  if (init.event !== undefined) {
    assertSingleLine('event', init.event);
    out += `event: ${init.event}\n`;
  }
  if (init.id !== undefined) {
    assertSingleLine('id', init.id);
    if (init.id.includes('\0')) throw new RangeError('SSE id must not contain NUL');
    out += `id: ${init.id}\n`;
  }
  if (init.retry !== undefined) {
    if (!Number.isSafeInteger(init.retry) || init.retry < 0) {
      throw new RangeError('SSE retry must be a non-negative integer');
    }
    out += `retry: ${init.retry}\n`;
  }
  if (init.data !== undefined) {
    for (const line of init.data.split(LINE_BREAK)) {
      out += `data: ${line}\n`;
    }
  }
  return out + '\n';
}

/** Encode a JSON-RPC (or any JSON) message as a `message` event. */
export function encodeSseJson(message: unknown, id?: string): string {
  const data = JSON.stringify(message);
  if (data === undefined) throw new TypeError('encodeSseJson: value is not JSON-serialisable');
  return encodeSseEvent(id === undefined ? { data } : { id, data });
}

function commentLines(text: string): string {
  let out = '';
  for (const line of text.split(LINE_BREAK)) {
    out += line === '' ? ':\n' : `: ${line}\n`;
  }
  return out;
}

/**
 * A comment block usable as keep-alive. It is followed by a blank line so that
 * intermediaries flush it; a blank line with an empty data buffer dispatches nothing.
 */
export function encodeSseComment(text = ''): string {
  return commentLines(text) + '\n';
}

/** A standalone `retry:` instruction. */
export function encodeSseRetry(ms: number): string {
  return encodeSseEvent({ retry: ms });
}

// ---------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------

export interface SseMessage {
  /** Event type; `message` when no `event:` field was given. */
  type: string;
  /** Data lines joined with `\n`. */
  data: string;
  /** The last event ID in effect when the event was dispatched (`''` if none). */
  lastEventId: string;
}

export interface SseParserOptions {
  onEvent: (event: SseMessage) => void;
  /** A valid `retry:` field was seen (value in ms). */
  onRetry?: (ms: number) => void;
  /** A comment line was seen (text after the colon, leading space stripped). */
  onComment?: (text: string) => void;
  /**
   * Guard against unbounded buffering: if the pending line plus the event's
   * data exceed this many UTF-16 code units, `onOversize` is called and the
   * rest of the event (up to the next blank line) is discarded.
   * Default: unlimited.
   */
  maxEventSize?: number;
  onOversize?: (size: number) => void;
}

/**
 * Incremental SSE parser. Feed bytes (decoded as streaming UTF-8) or strings.
 * Do not mix the two within one stream while a multi-byte sequence is pending.
 */
export class SseParser {
  private readonly opts: SseParserOptions;
  private readonly decoder = new TextDecoder('utf-8');
  private readonly maxEventSize: number;

  /** Fragments of the current incomplete line. */
  private linePieces: string[] = [];
  private lineSize = 0;
  /** Previous chunk ended with '\r': a '\n' at the start of the next one belongs to it. */
  private skipLeadingLf = false;
  private atStreamStart = true;

  private dataLines: string[] = [];
  private hasData = false;
  private dataSize = 0;
  private eventType = '';
  private lastEventIdBuffer = '';
  /** Discarding the rest of an oversize event, up to the next blank line. */
  private discarding = false;
  /** The line in progress crossed the size limit; its remainder is skipped. */
  private skipRestOfLine = false;

  private _lastEventId = '';
  private _retry: number | undefined;

  constructor(options: SseParserOptions) {
    this.opts = options;
    this.maxEventSize = options.maxEventSize ?? Number.POSITIVE_INFINITY;
  }

  /** The stream's last event ID (what a client would send as `Last-Event-ID`). */
  get lastEventId(): string {
    return this._lastEventId;
  }

  /** The most recent valid `retry` value, if any. */
  get retry(): number | undefined {
    return this._retry;
  }

  push(chunk: string | Uint8Array): void {
    let text = typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true });
    if (this.atStreamStart && text.length > 0) {
      this.atStreamStart = false;
      // TextDecoder already drops a BOM from byte input; strings are handled here.
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    this.feed(text);
  }

  /**
   * End of stream. Pending data is discarded, as the WHATWG rules require: an
   * incomplete event (no closing blank line) is not dispatched, and a final
   * line lacking its terminator is ignored.
   */
  end(): void {
    this.decoder.decode(); // flush decoder state; an incomplete trailing sequence is dropped
    this.linePieces = [];
    this.lineSize = 0;
    this.skipLeadingLf = false;
    this.skipRestOfLine = false;
    this.discarding = false;
    this.atStreamStart = true;
    this.resetEvent();
  }

  private feed(text: string): void {
    let pos = 0;
    const n = text.length;
    if (this.skipLeadingLf && n > 0) {
      this.skipLeadingLf = false;
      if (text.charCodeAt(0) === 0x0a) pos = 1;
    }
    while (pos < n) {
      LINE_END.lastIndex = pos;
      const match = LINE_END.exec(text);
      if (match === null) {
        if (this.discarding) {
          // Remember that the line in progress is not blank, so its end is not
          // mistaken for the blank line that ends the discarded event.
          this.skipRestOfLine = true;
        } else {
          const piece = text.slice(pos);
          this.linePieces.push(piece);
          this.lineSize += piece.length;
          if (this.lineSize + this.dataSize > this.maxEventSize) {
            this.startDiscarding(this.lineSize + this.dataSize);
            this.skipRestOfLine = true;
          }
        }
        return;
      }
      const end = match.index;
      let line = text.slice(pos, end);
      if (this.linePieces.length > 0) {
        this.linePieces.push(line);
        line = this.linePieces.join('');
        this.linePieces = [];
      }
      this.lineSize = 0;
      if (text.charCodeAt(end) === 0x0d) {
        if (end + 1 < n) {
          pos = text.charCodeAt(end + 1) === 0x0a ? end + 2 : end + 1;
        } else {
          this.skipLeadingLf = true;
          pos = end + 1;
        }
      } else {
        pos = end + 1;
      }
      if (this.skipRestOfLine) {
        // Tail of the line that crossed the size limit; not a blank line.
        this.skipRestOfLine = false;
        continue;
      }
      this.handleLine(line);
    }
  }

  private startDiscarding(size: number): void {
    this.discarding = true;
    this.linePieces = [];
    this.lineSize = 0;
    this.resetEvent();
    this.opts.onOversize?.(size);
  }

  private handleLine(line: string): void {
    if (this.discarding) {
      if (line === '') this.discarding = false;
      return;
    }
    this.processLine(line);
  }

  private processLine(line: string): void {
    if (line === '') {
      this.dispatch();
      return;
    }
    if (line.charCodeAt(0) === 0x3a /* ':' */) {
      if (this.opts.onComment) {
        const text = line.charCodeAt(1) === 0x20 ? line.slice(2) : line.slice(1);
        this.opts.onComment(text);
      }
      return;
    }
    const colon = line.indexOf(':');
    let field: string;
    let value: string;
    if (colon === -1) {
      field = line;
      value = '';
    } else {
      field = line.slice(0, colon);
      value = line.charCodeAt(colon + 1) === 0x20 ? line.slice(colon + 2) : line.slice(colon + 1);
    }
    switch (field) {
      case 'event':
        this.eventType = value;
        break;
      case 'data':
        this.dataLines.push(value);
        this.hasData = true;
        this.dataSize += value.length + 1;
        if (this.dataSize > this.maxEventSize) this.startDiscarding(this.dataSize);
        break;
      case 'id':
        if (!value.includes('\0')) this.lastEventIdBuffer = value;
        break;
      case 'retry':
        if (/^[0-9]+$/.test(value)) {
          this._retry = parseInt(value, 10);
          this.opts.onRetry?.(this._retry);
        }
        break;
      default:
        // Unknown fields are ignored.
        break;
    }
  }

  private dispatch(): void {
    this._lastEventId = this.lastEventIdBuffer;
    if (!this.hasData) {
      this.resetEvent();
      return;
    }
    const event: SseMessage = {
      type: this.eventType === '' ? 'message' : this.eventType,
      data: this.dataLines.join('\n'),
      lastEventId: this._lastEventId,
    };
    this.resetEvent();
    this.opts.onEvent(event);
  }

  private resetEvent(): void {
    this.dataLines = [];
    this.hasData = false;
    this.dataSize = 0;
    this.eventType = '';
  }
}

/** Parse a complete SSE document (convenience for tests and small bodies). */
export function parseSse(input: string | Uint8Array): {
  events: SseMessage[];
  lastEventId: string;
  retry?: number;
} {
  const events: SseMessage[] = [];
  const parser = new SseParser({ onEvent: (e) => events.push(e) });
  parser.push(input);
  parser.end();
  return parser.retry === undefined
    ? { events, lastEventId: parser.lastEventId }
    : { events, lastEventId: parser.lastEventId, retry: parser.retry };
}
