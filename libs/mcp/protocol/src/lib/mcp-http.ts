/**
 * Streamable HTTP helpers for the stateless (2026-07-28) request form:
 * era detection, `Mcp-Name` / `Mcp-Param-*` value encoding and validation of
 * the mirrored request headers against the JSON-RPC body. Pure module
 * (uses the global `TextEncoder`/`TextDecoder`/`btoa`/`atob`).
 */

import {
  errorResponse,
  INVALID_PARAMS,
  JsonRpcErrorResponse,
  JsonRpcId,
  JsonRpcNotification,
  JsonRpcRequest,
  MCP_HEADER_MISMATCH,
  MCP_UNSUPPORTED_PROTOCOL_VERSION,
} from './json-rpc';
import {
  HEADER_MCP_METHOD,
  HEADER_MCP_NAME,
  HEADER_MCP_PROTOCOL_VERSION,
  isStatelessProtocolVersion,
  MCP_HEADER_DISPLAY_NAMES,
  MCP_METHODS,
  MCP_NAME_SOURCE_FIELD,
  META_CLIENT_CAPABILITIES,
  META_PROTOCOL_VERSION,
  SUPPORTED_PROTOCOL_VERSIONS,
} from './mcp-constants';
import { requestMeta } from './meta';

type Headers = Readonly<Record<string, string | readonly string[] | undefined>>;
type JsonObject = { [key: string]: unknown };

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Read a header from a Node-style header map (keys lower-case). Arrays (repeated headers) → `null`. */
function readHeader(headers: Headers, name: string): string | null | undefined {
  const v = headers[name];
  if (v === undefined) return undefined;
  if (typeof v === 'string') return v;
  return v.length === 1 ? v[0] : null;
}

function paramsOf(message: JsonRpcRequest | JsonRpcNotification): JsonObject | undefined {
  return isObject(message.params) ? message.params : undefined;
}

// ---------------------------------------------------------------------------
// Era detection
// ---------------------------------------------------------------------------

export type RequestEra = 'stateless' | 'legacy';

/**
 * How a dual-era server tells the two request forms apart (2026-07-28
 * versioning): `initialize` selects legacy (session/handshake) semantics; a
 * request carrying `_meta["io.modelcontextprotocol/protocolVersion"]`, or an
 * `MCP-Protocol-Version` header naming a stateless revision, is served
 * statelessly. Anything else is legacy.
 */
export function detectRequestEra(message: JsonRpcRequest | JsonRpcNotification, headers: Headers = {}): RequestEra {
  if (message.method === MCP_METHODS.INITIALIZE) return 'legacy';
  const meta = requestMeta(message);
  if (meta && Object.prototype.hasOwnProperty.call(meta, META_PROTOCOL_VERSION)) return 'stateless';
  const header = readHeader(headers, HEADER_MCP_PROTOCOL_VERSION);
  if (typeof header === 'string' && isStatelessProtocolVersion(header.trim())) return 'stateless';
  return 'legacy';
}

// ---------------------------------------------------------------------------
// Header value encoding (`=?base64?…?=` sentinel)
// ---------------------------------------------------------------------------

const SENTINEL_PREFIX = '=?base64?';
const SENTINEL_SUFFIX = '?=';
const BASE64_BODY = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function looksLikeSentinel(value: string): boolean {
  return (
    value.length >= SENTINEL_PREFIX.length + SENTINEL_SUFFIX.length && value.startsWith(SENTINEL_PREFIX) && value.endsWith(SENTINEL_SUFFIX)
  );
}

/** True if every character is printable ASCII (0x20–0x7E) and there is no leading/trailing space. */
function isPlainHeaderSafe(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return false;
  }
  return !(value.startsWith(' ') || value.endsWith(' '));
}

function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]);
  return btoa(binary);
}

/**
 * Encode a value for `Mcp-Name` / `Mcp-Param-{Name}`: as-is when it is plain
 * printable ASCII without surrounding spaces, otherwise (or if it already looks
 * like the sentinel) as `=?base64?{base64 of UTF-8}?=`.
 */
export function encodeMcpHeaderValue(value: string): string {
  if (isPlainHeaderSafe(value) && !looksLikeSentinel(value)) return value;
  return SENTINEL_PREFIX + bytesToBase64(new TextEncoder().encode(value)) + SENTINEL_SUFFIX;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decode a `Mcp-Name` / `Mcp-Param-{Name}` header value. Returns `undefined`
 * when the value uses the sentinel but is not valid base64 / UTF-8, or when a
 * plain value contains characters outside printable ASCII.
 */
export function decodeMcpHeaderValue(raw: string): string | undefined {
  if (looksLikeSentinel(raw)) {
    const body = raw.slice(SENTINEL_PREFIX.length, raw.length - SENTINEL_SUFFIX.length);
    if (!BASE64_BODY.test(body)) return undefined;
    const binary = atob(body);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    try {
      return strictUtf8.decode(bytes);
    } catch {
      return undefined;
    }
  }
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09) || c > 0x7e) return undefined;
  }
  return raw;
}

// ---------------------------------------------------------------------------
// Error builders
// ---------------------------------------------------------------------------

/** `UnsupportedProtocolVersionError` (-32022; HTTP 400). */
export function unsupportedProtocolVersionError(
  id: JsonRpcId | null | undefined,
  requested: string,
  supported: readonly string[],
): JsonRpcErrorResponse {
  return errorResponse(id, MCP_UNSUPPORTED_PROTOCOL_VERSION, 'Unsupported protocol version', {
    supported: [...supported],
    requested,
  });
}

/** `HeaderMismatchError` (-32020; HTTP 400). */
export function headerMismatchError(id: JsonRpcId | null | undefined, detail: string): JsonRpcErrorResponse {
  return errorResponse(id, MCP_HEADER_MISMATCH, `Header mismatch: ${detail}`);
}

// ---------------------------------------------------------------------------
// Stateless request validation
// ---------------------------------------------------------------------------

export interface StatelessValidationInput {
  /** Node-style request headers (lower-case keys). */
  headers: Headers;
  /** The already-parsed JSON-RPC body. */
  message: JsonRpcRequest | JsonRpcNotification;
  /** Stateless versions this endpoint serves. Default: the stateless subset of SUPPORTED_PROTOCOL_VERSIONS. */
  supportedVersions?: readonly string[];
}

export type StatelessValidationResult = { ok: true; protocolVersion: string } | { ok: false; httpStatus: 400; error: JsonRpcErrorResponse };

const DEFAULT_STATELESS_VERSIONS: readonly string[] = SUPPORTED_PROTOCOL_VERSIONS.filter((v) => isStatelessProtocolVersion(v));

/**
 * Check the request-metadata rules of 2026-07-28 Streamable HTTP for a POST:
 *
 * 1. `MCP-Protocol-Version` present and well-formed, else -32020.
 * 2. Requests: `_meta` carries `io.modelcontextprotocol/protocolVersion` (string)
 *    and `io.modelcontextprotocol/clientCapabilities` (object), else -32602.
 * 3. Header equals the `_meta` version, else -32020.
 * 4. Version supported, else -32022 with `data: { supported, requested }`.
 * 5. `Mcp-Method` present and equal to `method`, else -32020.
 * 6. For tools/call, prompts/get, resources/read: `Mcp-Name` present, decodable
 *    and equal to `params.name` / `params.uri`, else -32020.
 *
 * Every failure is HTTP 400. Notifications only get checks 1 and 4 (the
 * revision defines no header rules for notification POSTs).
 * `Mcp-Param-*` checks need the tool's `inputSchema` and are not done here.
 */
export function validateStatelessRequest(input: StatelessValidationInput): StatelessValidationResult {
  const { headers, message } = input;
  const supported = input.supportedVersions ?? DEFAULT_STATELESS_VERSIONS;
  const id: JsonRpcId | null = 'id' in message ? message.id : null;
  const fail = (error: JsonRpcErrorResponse): StatelessValidationResult => ({
    ok: false,
    httpStatus: 400,
    error,
  });
  const names = MCP_HEADER_DISPLAY_NAMES;

  const rawVersion = readHeader(headers, HEADER_MCP_PROTOCOL_VERSION);
  if (rawVersion === undefined) return fail(headerMismatchError(id, `missing ${names.PROTOCOL_VERSION} header`));
  if (rawVersion === null || rawVersion.trim() === '') {
    return fail(headerMismatchError(id, `malformed ${names.PROTOCOL_VERSION} header`));
  }
  const headerVersion = rawVersion.trim();
  const isRequest = 'id' in message;

  if (isRequest) {
    const meta = requestMeta(message);
    const bodyVersion = meta?.[META_PROTOCOL_VERSION];
    if (!meta || typeof bodyVersion !== 'string' || !isObject(meta[META_CLIENT_CAPABILITIES])) {
      return {
        ok: false,
        httpStatus: 400,
        error: errorResponse(
          id,
          INVALID_PARAMS,
          `Invalid params: _meta must include "${META_PROTOCOL_VERSION}" and "${META_CLIENT_CAPABILITIES}"`,
        ),
      };
    }
    if (bodyVersion !== headerVersion) {
      return fail(
        headerMismatchError(id, `${names.PROTOCOL_VERSION} header value '${headerVersion}' does not match body value '${bodyVersion}'`),
      );
    }
  }

  if (!supported.includes(headerVersion)) {
    return fail(unsupportedProtocolVersionError(id, headerVersion, supported));
  }
  if (!isRequest) return { ok: true, protocolVersion: headerVersion };

  const method = readHeader(headers, HEADER_MCP_METHOD);
  if (method === undefined) return fail(headerMismatchError(id, `missing ${names.METHOD} header`));
  if (method === null || method !== message.method) {
    return fail(headerMismatchError(id, `${names.METHOD} header value '${method ?? ''}' does not match body value '${message.method}'`));
  }

  const sourceField = MCP_NAME_SOURCE_FIELD[message.method];
  if (sourceField !== undefined) {
    const rawName = readHeader(headers, HEADER_MCP_NAME);
    if (rawName === undefined) return fail(headerMismatchError(id, `missing ${names.NAME} header`));
    const decoded = rawName === null ? undefined : decodeMcpHeaderValue(rawName);
    if (decoded === undefined) return fail(headerMismatchError(id, `malformed ${names.NAME} header`));
    const bodyValue = paramsOf(message)?.[sourceField];
    if (typeof bodyValue !== 'string' || bodyValue !== decoded) {
      return fail(headerMismatchError(id, `${names.NAME} header value '${decoded}' does not match body params.${sourceField}`));
    }
  }
  return { ok: true, protocolVersion: headerVersion };
}
