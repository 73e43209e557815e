/**
 * A byte scanner for one JSON-RPC message held as UTF-8 bytes: checks that the whole text is
 * valid JSON (the same verdict as `JSON.parse`) without building any value, and returns where
 * the members of the top-level object (and of its `params` object) sit, as byte ranges.
 * Routing needs only the envelope (`jsonrpc`, `id`, `method`, `params.name`, `params._meta`);
 * the rest of a large message can then travel as the bytes it came in.
 * Iterative (any nesting depth), one pass, no strings made except for keys at those two levels.
 */

import { controlByteAt } from './control-bytes';

/** A value's bytes: `[start, end)` in the scanned buffer. */
export interface ByteRange {
  start: number;
  end: number;
}

export interface JsonEnvelopeScan {
  ok: true;
  /** The top-level value is an object (a message) or something else (a batch, a scalar). */
  topIsObject: boolean;
  /** Members of the top-level object, in order of their last occurrence (JSON.parse keeps the last). */
  members: Map<string, ByteRange>;
  /** Members of `params` when it is an object (the last `params` member); null otherwise. */
  params: Map<string, ByteRange> | null;
  /** Members of `result` when it is an object, likewise. */
  result: Map<string, ByteRange> | null;
  /** A key repeated in the top-level object or in `params` (JSON.parse would keep the last one). */
  duplicateKeys: boolean;
}

export interface JsonScanFailure {
  ok: false;
  /** Byte offset where the text stopped being JSON. */
  offset: number;
  reason: string;
}

export type JsonScanResult = JsonEnvelopeScan | JsonScanFailure;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const SLASH = 0x2f;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;

/** Characters a JSON string may escape with a backslash. */
const SIMPLE_ESCAPES = new Set([QUOTE, BACKSLASH, SLASH, 0x62, 0x66, 0x6e, 0x72, 0x74]);
/** Top-level members whose own members are recorded. */
const INNER = new Set(['params', 'result']);
const TRUE = [0x74, 0x72, 0x75, 0x65];
const FALSE = [0x66, 0x61, 0x6c, 0x73, 0x65];
const NULL = [0x6e, 0x75, 0x6c, 0x6c];

function isWhitespace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function isHex(c: number): boolean {
  return (c >= ZERO && c <= NINE) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

function isDigit(c: number): boolean {
  return c >= ZERO && c <= NINE;
}

class Failure extends Error {
  constructor(
    readonly offset: number,
    readonly reason: string,
  ) {
    super(reason);
  }
}

/** One open container: an object's key bookkeeping when its members are wanted. */
interface Frame {
  isObject: boolean;
  /** Members to record (top level, params), or null. */
  record: Map<string, ByteRange> | null;
  /** The key whose value comes next (recorded frames only). */
  key: string | null;
  /** Where that member's value started. */
  valueStart: number;
}

/** Scans `bytes` (UTF-8 JSON); never throws. */
export function scanJsonEnvelope(bytes: Uint8Array): JsonScanResult {
  try {
    return new Scanner(bytes).run();
  } catch (error) {
    if (error instanceof Failure) return { ok: false, offset: error.offset, reason: error.reason };
    throw error;
  }
}

class Scanner {
  private pos = 0;
  private readonly stack: Frame[] = [];
  private readonly members = new Map<string, ByteRange>();
  /** Members of the top-level `params` and `result` objects. */
  private readonly inner = new Map<string, Map<string, ByteRange> | null>();
  private duplicateKeys = false;
  private topIsObject = false;
  /** The next backslash at or after the last search (-1: none left), so a long text is searched once. */
  private nextBackslash = -2;

  constructor(private readonly bytes: Uint8Array) {}

  run(): JsonEnvelopeScan {
    const bytes = this.bytes;
    this.skipWhitespace();
    if (this.pos >= bytes.length) this.fail('empty input');
    this.topIsObject = bytes[this.pos] === OPEN_OBJECT;
    this.value();
    this.skipWhitespace();
    if (this.pos !== bytes.length) this.fail('unexpected data after the JSON value');
    return {
      ok: true,
      topIsObject: this.topIsObject,
      members: this.members,
      params: this.inner.get('params') ?? null,
      result: this.inner.get('result') ?? null,
      duplicateKeys: this.duplicateKeys,
    };
  }

  /** Reads one complete value from `pos` (containers iteratively, with an explicit stack). */
  private value(): void {
    const bytes = this.bytes;
    const base = this.stack.length;
    /** The top-level member whose value starts now, when its own members are recorded too. */
    let pendingInner: string | null = null;
    for (;;) {
      // Here a value starts.
      this.skipWhitespace();
      const c = bytes[this.pos];
      if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
        const isObject = c === OPEN_OBJECT;
        const depth = this.stack.length;
        const record = isObject && depth === 0 ? this.members : isObject && pendingInner ? new Map<string, ByteRange>() : null;
        if (pendingInner && depth === 1) this.inner.set(pendingInner, record);
        this.stack.push({ isObject, record, key: null, valueStart: 0 });
        this.pos++;
        this.skipWhitespace();
        if (bytes[this.pos] === (isObject ? CLOSE_OBJECT : CLOSE_ARRAY)) {
          this.pos++;
          this.stack.pop();
        } else {
          pendingInner = isObject ? this.key() : null;
          continue;
        }
      } else {
        this.scalar(c);
      }
      // A value ended: close containers, or move on to the next member or element.
      for (;;) {
        if (this.stack.length === base) return;
        const frame = this.stack[this.stack.length - 1];
        this.endMember(frame);
        this.skipWhitespace();
        const next = bytes[this.pos];
        if (next === COMMA) {
          this.pos++;
          pendingInner = frame.isObject ? this.key() : null;
          break;
        }
        if (next === (frame.isObject ? CLOSE_OBJECT : CLOSE_ARRAY)) {
          this.pos++;
          this.stack.pop();
          continue;
        }
        this.fail(frame.isObject ? 'expected "," or "}"' : 'expected "," or "]"');
      }
    }
  }

  /** Reads `"key" :` of the innermost object; the key when it is a top-level member whose members are recorded too. */
  private key(): string | null {
    this.skipWhitespace();
    const frame = this.stack[this.stack.length - 1];
    if (this.bytes[this.pos] !== QUOTE) this.fail('expected a string key');
    const start = this.pos;
    const escaped = this.string();
    const end = this.pos;
    this.skipWhitespace();
    if (this.bytes[this.pos] !== COLON) this.fail('expected ":"');
    this.pos++;
    this.skipWhitespace();
    if (!frame.record) return null;
    frame.key = this.keyText(start, end, escaped);
    frame.valueStart = this.pos;
    return this.stack.length === 1 && INNER.has(frame.key) ? frame.key : null;
  }

  /** The key's text, `[start, end)` being the quoted string. */
  private keyText(start: number, end: number, escaped: boolean): string {
    const raw = Buffer.from(this.bytes.buffer, this.bytes.byteOffset + start, end - start).toString('utf8');
    return escaped ? (JSON.parse(raw) as string) : raw.slice(1, -1);
  }

  private endMember(frame: Frame): void {
    if (!frame.record || frame.key === null) return;
    const key = frame.key;
    frame.key = null;
    if (frame.record.has(key)) {
      this.duplicateKeys = true;
      // JSON.parse keeps the last value, in the first key's place; a Map re-inserted keeps it too.
    }
    frame.record.set(key, { start: frame.valueStart, end: this.pos });
    // A later scalar or array `params` replaces an object one.
    if (this.stack.length === 1 && INNER.has(key) && this.bytes[frame.valueStart] !== OPEN_OBJECT) this.inner.set(key, null);
  }

  private scalar(c: number): void {
    if (c === QUOTE) this.string();
    else if (c === MINUS || isDigit(c)) this.number();
    else if (c === 0x74) this.literal(TRUE);
    else if (c === 0x66) this.literal(FALSE);
    else if (c === 0x6e) this.literal(NULL);
    else this.fail(this.pos >= this.bytes.length ? 'unexpected end of input' : 'unexpected character');
  }

  /** A string from its opening quote; returns whether it had escapes. */
  private string(): boolean {
    const bytes = this.bytes;
    let pos = this.pos + 1;
    let escaped = false;
    for (;;) {
      // Fast path: the next quote or backslash, then check the bytes between for control characters.
      const quote = bytes.indexOf(QUOTE, pos);
      if (quote === -1) this.fail('unterminated string', bytes.length);
      if (this.nextBackslash !== -1 && this.nextBackslash < pos) this.nextBackslash = bytes.indexOf(BACKSLASH, pos);
      const backslash = this.nextBackslash;
      const stop = backslash !== -1 && backslash < quote ? backslash : quote;
      const control = controlByteAt(bytes, pos, stop);
      if (control !== -1) this.fail('control character in a string', control);
      if (stop === quote) {
        this.pos = quote + 1;
        return escaped;
      }
      escaped = true;
      const e = bytes[stop + 1];
      if (SIMPLE_ESCAPES.has(e)) pos = stop + 2;
      else if (e === 0x75) {
        for (let i = stop + 2; i < stop + 6; i++) if (!isHex(bytes[i])) this.fail('bad \\u escape', i);
        pos = stop + 6;
      } else this.fail('bad escape', stop + 1);
    }
  }

  private number(): void {
    const bytes = this.bytes;
    let pos = this.pos;
    if (bytes[pos] === MINUS) pos++;
    if (bytes[pos] === ZERO) pos++;
    else if (isDigit(bytes[pos])) while (isDigit(bytes[pos])) pos++;
    else this.fail('bad number', pos);
    if (bytes[pos] === DOT) {
      pos++;
      if (!isDigit(bytes[pos])) this.fail('bad fraction', pos);
      while (isDigit(bytes[pos])) pos++;
    }
    if (bytes[pos] === 0x65 || bytes[pos] === 0x45) {
      pos++;
      if (bytes[pos] === PLUS || bytes[pos] === MINUS) pos++;
      if (!isDigit(bytes[pos])) this.fail('bad exponent', pos);
      while (isDigit(bytes[pos])) pos++;
    }
    this.pos = pos;
  }

  private literal(word: number[]): void {
    for (let i = 0; i < word.length; i++) if (this.bytes[this.pos + i] !== word[i]) this.fail('bad literal', this.pos + i);
    this.pos += word.length;
  }

  private skipWhitespace(): void {
    const bytes = this.bytes;
    let pos = this.pos;
    while (pos < bytes.length && isWhitespace(bytes[pos])) pos++;
    this.pos = pos;
  }

  private fail(reason: string, offset = this.pos): never {
    throw new Failure(offset, reason);
  }
}
