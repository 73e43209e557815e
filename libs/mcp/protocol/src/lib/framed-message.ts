/**
 * Large messages held as the bytes they came in. Parsing reads only the envelope (see json-scan):
 * `params` and `result` become objects whose members are parsed one by one when read, so routing
 * (`params.name`, `params._meta`, `result.isError`) never decodes the bulk. Serializing writes the
 * envelope afresh (a rewritten `id` included) around the untouched bytes of the bulk: slices of the
 * pieces the message arrived in, never joined into one buffer. Small messages keep the plain
 * JSON.parse path (faster there).
 */
import { isUtf8 } from 'node:buffer';
import { type ByteRange, scanJsonEnvelope } from './json-scan';
import { type JsonRpcMessage, PARSE_ERROR, type ParseResult, parseMessage, validateMessage } from './json-rpc';

/** From this size on a message travels as bytes; below it JSON.parse is cheaper than the bookkeeping. */
export const FRAMED_MESSAGE_MIN_BYTES = 16 * 1024;

/** A message's bytes: one buffer, or the pieces it arrived in (socket or pipe reads), in order. */
export type MessageBytes = Buffer | readonly Buffer[];

/** Top-level members a framed message may have; any other sends it down the plain path (kept exactly). */
const ENVELOPE_KEYS = new Set(['jsonrpc', 'id', 'method', 'params', 'result', 'error']);

/** The raw bytes behind a lazy `params` or `result` object. */
const RAW = Symbol('raw JSON bytes');

interface RawBody {
  bytes: Pieces;
  range: ByteRange;
  /** Where each member's value is in `bytes`. */
  ranges: Map<string, ByteRange>;
  /** Members parsed (on first read) or assigned so far. */
  values: Map<string, unknown> | null;
  /** Members when made: a member added or deleted since means the bytes no longer tell the truth. */
  members: number;
  /** A member was assigned. */
  changed: boolean;
  /** Told once a transport has written the message on (see onceWritten). */
  written?: Array<() => void>;
}

type LazyObject = Record<string, unknown> & { [RAW]?: RawBody };

/**
 * A message's pieces, addressed by offsets into their concatenation. Joining them would allocate a
 * buffer as large as the message, and V8 counts every such buffer towards its next full collection.
 */
class Pieces {
  /** Where each piece starts in the whole. */
  private readonly starts: number[] = [];
  readonly length: number;

  constructor(private readonly pieces: readonly Buffer[]) {
    let offset = 0;
    for (const piece of pieces) {
      this.starts.push(offset);
      offset += piece.length;
    }
    this.length = offset;
  }

  /** The bytes of `[start, end)` as slices of the pieces (no copy). */
  slices(range: ByteRange): Buffer[] {
    const out: Buffer[] = [];
    for (let index = this.pieceAt(range.start); index < this.pieces.length && this.starts[index] < range.end; index++) {
      const from = Math.max(range.start - this.starts[index], 0);
      const to = Math.min(range.end - this.starts[index], this.pieces[index].length);
      if (to > from) out.push(this.pieces[index].subarray(from, to));
    }
    return out;
  }

  text(range: ByteRange): string {
    const slices = this.slices(range);
    return slices.length === 1 ? slices[0].toString('utf8') : Buffer.concat(slices).toString('utf8');
  }

  /** Copies the whole into `target` (at least `length` bytes). */
  copyTo(target: Buffer): void {
    this.pieces.forEach((piece, index) => piece.copy(target, this.starts[index]));
  }

  /** The piece holding byte `offset` (binary search: a message read from a socket has a piece per 64 KiB). */
  private pieceAt(offset: number): number {
    let low = 0;
    let high = this.pieces.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (this.starts[middle] <= offset) low = middle;
      else high = middle - 1;
    }
    return low;
  }
}

/**
 * Where a message in several pieces is put together to be scanned: the scan needs its bytes in one
 * piece, but only while it runs, so one buffer serves every message (it grows to the largest seen).
 * Past SCRATCH_KEPT_BYTES it serves a burst of very large messages and is let go once they stop.
 */
const SCRATCH_KEPT_BYTES = 4 * 1024 * 1024;
const LARGE_SCRATCH_IDLE_MS = 5000;
let scanScratch = Buffer.alloc(0);
let scratchRelease: ReturnType<typeof setTimeout> | null = null;

function contiguous(pieces: Pieces): Buffer {
  if (scanScratch.length < pieces.length) scanScratch = Buffer.allocUnsafeSlow(Math.max(pieces.length, scanScratch.length * 2));
  if (scanScratch.length > SCRATCH_KEPT_BYTES) {
    if (scratchRelease) scratchRelease.refresh();
    else {
      scratchRelease = setTimeout(() => {
        scanScratch = Buffer.alloc(0);
        scratchRelease = null;
      }, LARGE_SCRATCH_IDLE_MS);
      scratchRelease.unref();
    }
  }
  pieces.copyTo(scanScratch);
  return scanScratch.subarray(0, pieces.length);
}

/**
 * The getter and setter of each member name, shared by every lazy object: they find their message through
 * `this`. Accessors made per message (closures over it) gave the first message of each shape a hidden class
 * of its own holding them, in the old generation, so its pieces stayed until a full mark-compact, and made
 * every later message a slow dictionary object. Shared ones keep one fast hidden class per shape that holds
 * nothing of any message. Names beyond the first few hundred (a client can send any) get accessors of their own.
 */
const SHARED_ACCESSORS_MAX = 256;
const sharedAccessors = new Map<string, PropertyDescriptor>();

function memberAccessor(key: string): PropertyDescriptor {
  const shared = sharedAccessors.get(key);
  if (shared) return shared;
  const accessor: PropertyDescriptor = {
    enumerable: true,
    configurable: true,
    get(this: LazyObject) {
      return memberValue(this[RAW] as RawBody, key);
    },
    set(this: LazyObject, next: unknown) {
      const raw = this[RAW] as RawBody;
      (raw.values ??= new Map()).set(key, next);
      raw.changed = true;
    },
  };
  if (sharedAccessors.size < SHARED_ACCESSORS_MAX) sharedAccessors.set(key, accessor);
  return accessor;
}

function memberValue(raw: RawBody, key: string): unknown {
  if (raw.values?.has(key)) return raw.values.get(key);
  const value: unknown = JSON.parse(raw.bytes.text(raw.ranges.get(key) as ByteRange));
  (raw.values ??= new Map()).set(key, value);
  return value;
}

/** An object whose members are parsed from their bytes on first read; assigning one marks the bytes stale. */
function lazyObject(bytes: Pieces, range: ByteRange, members: Map<string, ByteRange>): LazyObject {
  const target: LazyObject = {};
  const raw: RawBody = { bytes, range, ranges: members, values: null, members: members.size, changed: false };
  Object.defineProperty(target, RAW, { value: raw, enumerable: false });
  for (const key of members.keys()) Object.defineProperty(target, key, memberAccessor(key));
  return target;
}

/** The raw body of a lazy object whose bytes still equal what it holds, or null. */
function untouchedBody(value: unknown): RawBody | null {
  if (typeof value !== 'object' || value === null) return null;
  const raw = (value as LazyObject)[RAW];
  if (!raw || raw.changed || Object.keys(value).length !== raw.members) return null;
  return raw;
}

/** Listeners a wire form carries to the transport that writes it (see writtenCallback). */
const WRITTEN = Symbol('told when written');
type WireParts = Buffer[] & { [WRITTEN]?: Array<() => void> };

/**
 * Calls `listener` once a transport has written the bytes of `message` on (or handed them to the
 * kernel): the moment the pieces it arrived in are no longer needed. False, and nothing is kept,
 * when the message is not held as bytes. Add it before the message is handed on: a listener added
 * once the message was written is never called.
 */
export function onceWritten(message: JsonRpcMessage, listener: () => void): boolean {
  const record = message as unknown as Record<string, unknown>;
  const raw = untouchedBody(record['params']) ?? untouchedBody(record['result']);
  if (!raw) return false;
  (raw.written ??= []).push(listener);
  return true;
}

/** What a transport calls once `wire` has been written (undefined when nobody listens): pass it as the last write's callback. */
export function writtenCallback(wire: WireMessage): (() => void) | undefined {
  const listeners = typeof wire === 'string' ? undefined : (wire as WireParts)[WRITTEN];
  return listeners && (() => listeners.splice(0).forEach((listener) => listener()));
}

let framedBytes = 0;

/** Bytes of the messages read as bytes (the large ones) since start: how much went through as buffers. */
export function framedMessageBytes(): number {
  return framedBytes;
}

/**
 * Parses one message from bytes with the same verdicts as `parseMessage(text)`: large ones by their
 * envelope (lazy `params`/`result` over the given pieces), the rest (small, not UTF-8, batches,
 * repeated keys) as text.
 */
export function parseMessageBytes(input: MessageBytes): ParseResult {
  const list = Buffer.isBuffer(input) ? [input] : input;
  const single = list.length === 1 ? list[0] : null;
  if (encodedLength(input) < FRAMED_MESSAGE_MIN_BYTES) return parseMessage((single ?? Buffer.concat(list)).toString('utf8'));
  const pieces = new Pieces(list);
  framedBytes += pieces.length;
  // Scanned in one piece (the scratch buffer for a message in several); kept as the pieces it came in.
  const whole = single ?? contiguous(pieces);
  if (!isUtf8(whole)) return parseMessage(whole.toString('utf8'));
  const scan = scanJsonEnvelope(whole);
  if (!scan.ok) {
    return {
      ok: false,
      error: { code: PARSE_ERROR, message: 'Parse error', data: { detail: `${scan.reason} at byte ${scan.offset}` } },
      id: null,
    };
  }
  // Repeated keys could be read differently by the server than by us: those messages are normalised by a full parse.
  if (!scan.topIsObject || scan.duplicateKeys || [...scan.members.keys()].some((key) => !ENVELOPE_KEYS.has(key)))
    return parseMessage(whole.toString('utf8'));
  const message: Record<string, unknown> = {};
  for (const [key, range] of scan.members) {
    const inner = key === 'params' ? scan.params : key === 'result' ? scan.result : null;
    message[key] = inner ? lazyObject(pieces, range, inner) : JSON.parse(whole.toString('utf8', range.start, range.end));
  }
  return validateMessage(message);
}

/** A serialized message: JSON text, or the pieces of one held as bytes (written one after the other, never joined). */
export type WireMessage = string | Buffer[];

/** The wire form of a message in one piece (a WebSocket frame). */
export function encodeMessage(message: JsonRpcMessage): string | Buffer {
  const wire = encodeMessageParts(message);
  return typeof wire === 'string' ? wire : Buffer.concat(wire);
}

/**
 * The wire form of a message: pieces around the untouched bytes of a lazy part (no copy of the
 * bulk: V8 counts every large buffer allocated towards its next full collection), else JSON text.
 */
export function encodeMessageParts(message: JsonRpcMessage): WireMessage {
  const record = message as unknown as Record<string, unknown>;
  const params = untouchedBody(record['params']);
  const result = params ? null : untouchedBody(record['result']);
  const body = params ?? result;
  if (!body) return JSON.stringify(message);
  const parts: WireParts = [];
  let head = '{';
  for (const key of Object.keys(record)) {
    const value = record[key];
    if (value === undefined) continue;
    const raw = (key === 'params' && params) || (key === 'result' && result);
    head += `${head === '{' ? '' : ','}${JSON.stringify(key)}:`;
    if (raw) {
      parts.push(Buffer.from(head), ...raw.bytes.slices(raw.range));
      head = '';
    } else head += JSON.stringify(value);
  }
  parts.push(Buffer.from(`${head}}`));
  // The body's listeners, also the ones added after this encoding (until the write completes).
  parts[WRITTEN] = body.written ??= [];
  return parts;
}

/** Byte length of an encoded or received message (what Content-Length and size limits count). */
export function encodedLength(encoded: WireMessage | MessageBytes): number {
  if (typeof encoded === 'string') return Buffer.byteLength(encoded);
  if (Buffer.isBuffer(encoded)) return encoded.length;
  return (encoded as readonly Buffer[]).reduce<number>((sum, part) => sum + part.length, 0);
}

/** A serialized message as text (tests, and transports that can only send strings). */
export function wireText(wire: WireMessage): string {
  return typeof wire === 'string' ? wire : Buffer.concat(wire).toString('utf8');
}
