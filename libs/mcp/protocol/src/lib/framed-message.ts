/**
 * Large messages held as the bytes they came in. Parsing reads only the envelope (see json-scan):
 * `params` and `result` become objects whose members are parsed one by one when read, so routing
 * (`params.name`, `params._meta`, `result.isError`) never decodes the bulk. Serializing writes the
 * envelope afresh (a rewritten `id` included) around the untouched bytes of the bulk: a memory copy
 * instead of a parse and a stringify. Small messages keep the plain JSON.parse path (faster there).
 */
import { isUtf8 } from 'node:buffer';
import { type ByteRange, scanJsonEnvelope } from './json-scan';
import { type JsonRpcMessage, PARSE_ERROR, type ParseResult, parseMessage, validateMessage } from './json-rpc';

/** From this size on a message travels as bytes; below it JSON.parse is cheaper than the bookkeeping. */
export const FRAMED_MESSAGE_MIN_BYTES = 16 * 1024;

/** Top-level members a framed message may have; any other sends it down the plain path (kept exactly). */
const ENVELOPE_KEYS = new Set(['jsonrpc', 'id', 'method', 'params', 'result', 'error']);

/** The raw bytes behind a lazy `params` or `result` object. */
const RAW = Symbol('raw JSON bytes');

interface RawBody {
  bytes: Buffer;
  range: ByteRange;
  /** Members when made: a member added or deleted since means the bytes no longer tell the truth. */
  members: number;
  /** A member was assigned. */
  changed: boolean;
}

type LazyObject = Record<string, unknown> & { [RAW]?: RawBody };

function slice(bytes: Buffer, range: ByteRange): string {
  return bytes.toString('utf8', range.start, range.end);
}

/** An object whose members are parsed from their bytes on first read; assigning one marks the bytes stale. */
function lazyObject(bytes: Buffer, range: ByteRange, members: Map<string, ByteRange>): LazyObject {
  const target: LazyObject = {};
  const raw: RawBody = { bytes, range, members: members.size, changed: false };
  Object.defineProperty(target, RAW, { value: raw, enumerable: false });
  for (const [key, member] of members) {
    let parsed = false;
    let value: unknown;
    Object.defineProperty(target, key, {
      enumerable: true,
      configurable: true,
      get() {
        if (!parsed) {
          value = JSON.parse(slice(bytes, member));
          parsed = true;
        }
        return value;
      },
      set(next: unknown) {
        value = next;
        parsed = true;
        raw.changed = true;
      },
    });
  }
  return target;
}

/** The bytes of a lazy object still equal to what it holds, or null. */
function untouchedBytes(value: unknown): Buffer | null {
  if (typeof value !== 'object' || value === null) return null;
  const raw = (value as LazyObject)[RAW];
  if (!raw || raw.changed || Object.keys(value).length !== raw.members) return null;
  return raw.bytes.subarray(raw.range.start, raw.range.end);
}

/**
 * Parses one message from bytes with the same verdicts as `parseMessage(text)`: large ones by their
 * envelope (lazy `params`/`result`), the rest (small, not UTF-8, batches, repeated keys) as text.
 */
export function parseMessageBytes(bytes: Buffer): ParseResult {
  if (bytes.length < FRAMED_MESSAGE_MIN_BYTES || !isUtf8(bytes)) return parseMessage(bytes.toString('utf8'));
  const scan = scanJsonEnvelope(bytes);
  if (!scan.ok) {
    return {
      ok: false,
      error: { code: PARSE_ERROR, message: 'Parse error', data: { detail: `${scan.reason} at byte ${scan.offset}` } },
      id: null,
    };
  }
  // Repeated keys could be read differently by the server than by us: those messages are normalised by a full parse.
  if (!scan.topIsObject || scan.duplicateKeys || [...scan.members.keys()].some((key) => !ENVELOPE_KEYS.has(key)))
    return parseMessage(bytes.toString('utf8'));
  const message: Record<string, unknown> = {};
  for (const [key, range] of scan.members) {
    const inner = key === 'params' ? scan.params : key === 'result' ? scan.result : null;
    message[key] = inner ? lazyObject(bytes, range, inner) : JSON.parse(slice(bytes, range));
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
 * bulk: the allocation of large buffers is what makes V8 collect garbage), else JSON text.
 */
export function encodeMessageParts(message: JsonRpcMessage): WireMessage {
  const record = message as unknown as Record<string, unknown>;
  const params = untouchedBytes(record['params']);
  const result = params ? null : untouchedBytes(record['result']);
  if (!params && !result) return JSON.stringify(message);
  const parts: Buffer[] = [];
  let head = '{';
  for (const key of Object.keys(record)) {
    const value = record[key];
    if (value === undefined) continue;
    const raw = key === 'params' ? params : key === 'result' ? result : null;
    head += `${head === '{' ? '' : ','}${JSON.stringify(key)}:`;
    if (raw) {
      parts.push(Buffer.from(head), raw);
      head = '';
    } else head += JSON.stringify(value);
  }
  parts.push(Buffer.from(`${head}}`));
  return parts;
}

/** Byte length of an encoded message (what Content-Length and size limits count). */
export function encodedLength(encoded: WireMessage | Buffer): number {
  if (typeof encoded === 'string') return Buffer.byteLength(encoded);
  if (Buffer.isBuffer(encoded)) return encoded.length;
  return encoded.reduce((sum, part) => sum + part.length, 0);
}

/** A serialized message as text (tests, and transports that can only send strings). */
export function wireText(wire: WireMessage): string {
  return typeof wire === 'string' ? wire : Buffer.concat(wire).toString('utf8');
}
