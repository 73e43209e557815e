/**
 * JSON-RPC 2.0 message model, error codes and a validating parser.
 *
 * Pure module: no Node-only APIs. Messages are validated structurally and the
 * original decoded object is handed back untouched so that a proxy can forward
 * unknown members (`_meta`, extension fields) verbatim.
 */

export const JSON_RPC_VERSION = '2.0' as const;

/** Request id. MCP forbids `null` for requests; JSON-RPC uses `null` in error responses when the id is unknown. */
export type JsonRpcId = string | number;

/** Structured params: JSON-RPC allows an object or an array (MCP only uses objects). */
export type JsonRpcParams = { [key: string]: unknown } | unknown[];

export interface JsonRpcRequest {
  jsonrpc: typeof JSON_RPC_VERSION;
  id: JsonRpcId;
  method: string;
  params?: JsonRpcParams;
}

export interface JsonRpcNotification {
  jsonrpc: typeof JSON_RPC_VERSION;
  method: string;
  params?: JsonRpcParams;
}

export interface JsonRpcSuccessResponse {
  jsonrpc: typeof JSON_RPC_VERSION;
  id: JsonRpcId;
  result: unknown;
}

export interface JsonRpcError {
  code: number;
  message: string;
  data?: unknown;
}

export interface JsonRpcErrorResponse {
  jsonrpc: typeof JSON_RPC_VERSION;
  /**
   * `null` when the id of the offending request could not be determined.
   * Builders always set it; MCP 2026-07-28 lets senders omit it, and the parser
   * accepts that, so a parsed error response may have no `id`.
   */
  id?: JsonRpcId | null;
  error: JsonRpcError;
}

export type JsonRpcResponse = JsonRpcSuccessResponse | JsonRpcErrorResponse;
export type JsonRpcMessage = JsonRpcRequest | JsonRpcNotification | JsonRpcResponse;
export type JsonRpcMessageKind = 'request' | 'notification' | 'response';

// ---------------------------------------------------------------------------
// Error codes
// ---------------------------------------------------------------------------

/** Invalid JSON was received. */
export const PARSE_ERROR = -32700;
/** The JSON sent is not a valid Request object. */
export const INVALID_REQUEST = -32600;
/** The method does not exist / is not available. */
export const METHOD_NOT_FOUND = -32601;
/** Invalid method parameter(s). */
export const INVALID_PARAMS = -32602;
/** Internal JSON-RPC error. */
export const INTERNAL_ERROR = -32603;

/**
 * Codes defined by the MCP specification.
 *
 * - `-32002` resource not found: revisions 2024-11-05 … 2025-11-25. Replaced by
 *   `-32602` in 2026-07-28 (which forbids emitting -32002 but says clients should
 *   still accept it).
 * - `-32042` URL elicitation required: 2025-11-25 only.
 * - `-32020..-32022`: 2026-07-28 (the `-32020..-32099` sub-range is reserved
 *   for codes defined by the MCP specification).
 */
export const MCP_RESOURCE_NOT_FOUND = -32002;
export const MCP_URL_ELICITATION_REQUIRED = -32042;
/** Mirrored HTTP headers missing, malformed, or not matching the body (HTTP 400). */
export const MCP_HEADER_MISMATCH = -32020;
/** The request needs a client capability not declared in `_meta` (HTTP 400). */
export const MCP_MISSING_REQUIRED_CLIENT_CAPABILITY = -32021;
/** Requested protocol version not supported; `data: { supported, requested }` (HTTP 400). */
export const MCP_UNSUPPORTED_PROTOCOL_VERSION = -32022;

/**
 * Errors raised by the proxy itself (never by an upstream MCP server).
 *
 * MCP 2026-07-28 reserves `-32020..-32099` for the specification, marks
 * `-32000..-32019` as legacy (new implementations SHOULD NOT use it) and asks
 * for application-defined codes to live outside the JSON-RPC reserved range
 * `-32768..-32000`. The proxy therefore uses `-31099..-31000`.
 */
export const PROXY_ERROR_CODE_MAX = -31000;
export const PROXY_ERROR_CODE_MIN = -31099;

/** The upstream MCP server (stdio child) is not running, crashed, or is restarting. */
export const SERVER_UNAVAILABLE = -31000;
/** The upstream did not answer within the proxy's deadline. */
export const REQUEST_TIMEOUT = -31001;
/** The caller exceeded a rate limit or concurrency quota. */
export const RATE_LIMITED = -31002;
/** The request was cancelled (client disconnect or `notifications/cancelled`). */
export const REQUEST_CANCELLED = -31003;
/** A message exceeded the configured size limit. */
export const MESSAGE_TOO_LARGE = -31004;
/** The upstream produced output that is not valid JSON-RPC. */
export const UPSTREAM_PROTOCOL_ERROR = -31005;
/** A legacy (stateful) session id is unknown or expired. Normally paired with HTTP 404. */
export const SESSION_NOT_FOUND = -31006;

export const JSON_RPC_ERROR_CODES = {
  PARSE_ERROR,
  INVALID_REQUEST,
  METHOD_NOT_FOUND,
  INVALID_PARAMS,
  INTERNAL_ERROR,
} as const;

export const MCP_ERROR_CODES = {
  RESOURCE_NOT_FOUND: MCP_RESOURCE_NOT_FOUND,
  URL_ELICITATION_REQUIRED: MCP_URL_ELICITATION_REQUIRED,
  HEADER_MISMATCH: MCP_HEADER_MISMATCH,
  MISSING_REQUIRED_CLIENT_CAPABILITY: MCP_MISSING_REQUIRED_CLIENT_CAPABILITY,
  UNSUPPORTED_PROTOCOL_VERSION: MCP_UNSUPPORTED_PROTOCOL_VERSION,
} as const;

export const PROXY_ERROR_CODES = {
  SERVER_UNAVAILABLE,
  REQUEST_TIMEOUT,
  RATE_LIMITED,
  REQUEST_CANCELLED,
  MESSAGE_TOO_LARGE,
  UPSTREAM_PROTOCOL_ERROR,
  SESSION_NOT_FOUND,
} as const;

const DEFAULT_MESSAGES: ReadonlyMap<number, string> = new Map<number, string>([
  [PARSE_ERROR, 'Parse error'],
  [INVALID_REQUEST, 'Invalid Request'],
  [METHOD_NOT_FOUND, 'Method not found'],
  [INVALID_PARAMS, 'Invalid params'],
  [INTERNAL_ERROR, 'Internal error'],
  [MCP_RESOURCE_NOT_FOUND, 'Resource not found'],
  [MCP_URL_ELICITATION_REQUIRED, 'URL elicitation required'],
  [MCP_HEADER_MISMATCH, 'Header mismatch'],
  [MCP_MISSING_REQUIRED_CLIENT_CAPABILITY, 'Missing required client capability'],
  [MCP_UNSUPPORTED_PROTOCOL_VERSION, 'Unsupported protocol version'],
  [SERVER_UNAVAILABLE, 'MCP server unavailable'],
  [REQUEST_TIMEOUT, 'Request timed out'],
  [RATE_LIMITED, 'Rate limit exceeded'],
  [REQUEST_CANCELLED, 'Request cancelled'],
  [MESSAGE_TOO_LARGE, 'Message too large'],
  [UPSTREAM_PROTOCOL_ERROR, 'Upstream protocol error'],
  [SESSION_NOT_FOUND, 'Session not found'],
]);

/** Canonical short message for a known code, or `undefined`. */
export function defaultErrorMessage(code: number): string | undefined {
  return DEFAULT_MESSAGES.get(code);
}

/** True for codes in the proxy's own range (`-31099..-31000`). */
export function isProxyErrorCode(code: number): boolean {
  return Number.isInteger(code) && code >= PROXY_ERROR_CODE_MIN && code <= PROXY_ERROR_CODE_MAX;
}

/** True for codes in the JSON-RPC reserved range (`-32768..-32000`). */
export function isReservedJsonRpcErrorCode(code: number): boolean {
  return Number.isInteger(code) && code >= -32768 && code <= -32000;
}

// ---------------------------------------------------------------------------
// Builders
// ---------------------------------------------------------------------------

/**
 * Build an error response. `id` `undefined` is normalised to `null` (JSON-RPC:
 * "If there was an error in detecting the id in the Request object, it MUST be Null").
 */
export function errorResponse(id: JsonRpcId | null | undefined, code: number, message?: string, data?: unknown): JsonRpcErrorResponse {
  const error: JsonRpcError = {
    code,
    message: message ?? defaultErrorMessage(code) ?? 'Error',
  };
  if (data !== undefined) error.data = data;
  return { jsonrpc: JSON_RPC_VERSION, id: id ?? null, error };
}

export function successResponse(id: JsonRpcId, result: unknown): JsonRpcSuccessResponse {
  return { jsonrpc: JSON_RPC_VERSION, id, result };
}

export function createRequest(id: JsonRpcId, method: string, params?: JsonRpcParams): JsonRpcRequest {
  return params === undefined ? { jsonrpc: JSON_RPC_VERSION, id, method } : { jsonrpc: JSON_RPC_VERSION, id, method, params };
}

export function createNotification(method: string, params?: JsonRpcParams): JsonRpcNotification {
  return params === undefined ? { jsonrpc: JSON_RPC_VERSION, method } : { jsonrpc: JSON_RPC_VERSION, method, params };
}

// ---------------------------------------------------------------------------
// Parsing / validation
// ---------------------------------------------------------------------------

export interface ParseOptions {
  /**
   * Accept a top-level array (JSON-RPC batch). Only MCP 2025-03-26 allowed
   * batching; 2025-06-18 removed it. Default `false`: arrays yield -32600.
   */
  allowBatch?: boolean;
  /**
   * Accept `"id": null` on requests. JSON-RPC permits it (discouraged), MCP
   * forbids it. Default `false`: such a request yields -32600.
   */
  allowNullRequestId?: boolean;
}

export type ParsedMessage =
  | { ok: true; kind: 'request'; message: JsonRpcRequest }
  | { ok: true; kind: 'notification'; message: JsonRpcNotification }
  | { ok: true; kind: 'response'; message: JsonRpcResponse };

export interface ParseFailure {
  ok: false;
  /** Always -32700 (bad JSON) or -32600 (not a valid JSON-RPC message). */
  error: JsonRpcError;
  /** The id to answer with: the message's id when it could be read, else `null`. */
  id: JsonRpcId | null;
}

export type SingleParseResult = ParsedMessage | ParseFailure;

/** A batch: one entry per element, in order; invalid elements are failures. */
export interface ParsedBatch {
  ok: true;
  kind: 'batch';
  items: SingleParseResult[];
}

export type ParseResult = SingleParseResult | ParsedBatch;

type JsonObject = { [key: string]: unknown };

function isPlainObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isValidId(value: unknown): value is JsonRpcId {
  return typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value));
}

function hasOwn(obj: JsonObject, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(obj, key);
}

function invalid(reason: string, id: JsonRpcId | null): ParseFailure {
  return {
    ok: false,
    error: { code: INVALID_REQUEST, message: `Invalid Request: ${reason}` },
    id,
  };
}

/**
 * Validate a single decoded JSON value as a JSON-RPC 2.0 message.
 * Extra members are allowed and preserved.
 */
export function validateMessage(value: unknown, options: ParseOptions = {}): SingleParseResult {
  if (!isPlainObject(value)) {
    return invalid(Array.isArray(value) ? 'batch not allowed here' : 'message must be a JSON object', null);
  }
  const rawId = value['id'];
  const readableId: JsonRpcId | null = isValidId(rawId) ? rawId : null;

  if (value['jsonrpc'] !== JSON_RPC_VERSION) {
    return invalid(hasOwn(value, 'jsonrpc') ? 'jsonrpc must be exactly "2.0"' : 'missing "jsonrpc"', readableId);
  }

  if (hasOwn(value, 'method')) {
    if (typeof value['method'] !== 'string') {
      return invalid('"method" must be a string', readableId);
    }
    if (hasOwn(value, 'result') || hasOwn(value, 'error')) {
      return invalid('a request must not carry "result" or "error"', readableId);
    }
    if (hasOwn(value, 'params')) {
      const params = value['params'];
      if (typeof params !== 'object' || params === null) {
        return invalid('"params" must be an object or an array', readableId);
      }
    }
    if (!hasOwn(value, 'id')) {
      return {
        ok: true,
        kind: 'notification',
        message: value as unknown as JsonRpcNotification,
      };
    }
    if (rawId === null) {
      if (options.allowNullRequestId) {
        // JSON-RPC tolerates a null request id; the message type cannot express it, so it is cast.
        return {
          ok: true,
          kind: 'request',
          message: value as unknown as JsonRpcRequest,
        };
      }
      return invalid('request "id" must not be null', null);
    }
    if (!isValidId(rawId)) {
      return invalid('"id" must be a string or a number', null);
    }
    return {
      ok: true,
      kind: 'request',
      message: value as unknown as JsonRpcRequest,
    };
  }

  // No "method": must be a response.
  const hasResult = hasOwn(value, 'result');
  const hasError = hasOwn(value, 'error');
  if (hasResult && hasError) {
    return invalid('a response must not carry both "result" and "error"', readableId);
  }
  if (!hasResult && !hasError) {
    return invalid('missing "method" (request/notification) or "result"/"error" (response)', readableId);
  }
  if (hasResult) {
    if (!isValidId(rawId)) {
      return invalid('a result response needs a string or number "id"', null);
    }
    return {
      ok: true,
      kind: 'response',
      message: value as unknown as JsonRpcSuccessResponse,
    };
  }
  // Error response: id may be null (or absent, which MCP 2026-07-28 allows).
  if (hasOwn(value, 'id') && rawId !== null && !isValidId(rawId)) {
    return invalid('"id" must be a string, a number or null', null);
  }
  const err = value['error'];
  if (!isPlainObject(err)) {
    return invalid('"error" must be an object', readableId);
  }
  if (typeof err['code'] !== 'number' || !Number.isInteger(err['code'])) {
    return invalid('"error.code" must be an integer', readableId);
  }
  if (typeof err['message'] !== 'string') {
    return invalid('"error.message" must be a string', readableId);
  }
  return {
    ok: true,
    kind: 'response',
    message: value as unknown as JsonRpcErrorResponse,
  };
}

/** Validate an already-decoded JSON value (e.g. a framework-parsed body), honouring `allowBatch`. */
export function parseMessageValue(value: unknown, options: ParseOptions = {}): ParseResult {
  if (Array.isArray(value)) {
    if (!options.allowBatch) {
      return invalid('batch (array) messages are not supported by this protocol version', null);
    }
    if (value.length === 0) {
      return invalid('empty batch', null);
    }
    return {
      ok: true,
      kind: 'batch',
      items: value.map((item) => validateMessage(item, options)),
    };
  }
  return validateMessage(value, options);
}

/**
 * Parse JSON text into a validated JSON-RPC message.
 * Bad JSON yields -32700 with id `null`; structural problems yield -32600.
 */
export function parseMessage(text: string, options: ParseOptions = {}): ParseResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const detail = e instanceof Error ? e.message : String(e);
    return {
      ok: false,
      error: { code: PARSE_ERROR, message: 'Parse error', data: { detail } },
      id: null,
    };
  }
  return parseMessageValue(value, options);
}

// ---------------------------------------------------------------------------
// Guards (structural, consistent with the parser)
// ---------------------------------------------------------------------------

export function isRequest(value: unknown): value is JsonRpcRequest {
  const r = validateMessage(value);
  return r.ok && r.kind === 'request';
}

export function isNotification(value: unknown): value is JsonRpcNotification {
  const r = validateMessage(value);
  return r.ok && r.kind === 'notification';
}

export function isResponse(value: unknown): value is JsonRpcResponse {
  const r = validateMessage(value);
  return r.ok && r.kind === 'response';
}

export function isErrorResponse(value: unknown): value is JsonRpcErrorResponse {
  return isResponse(value) && hasOwn(value as unknown as JsonObject, 'error');
}

export function isSuccessResponse(value: unknown): value is JsonRpcSuccessResponse {
  return isResponse(value) && hasOwn(value as unknown as JsonObject, 'result');
}

/** Build the error response for a parse failure (convenience for transports). */
export function errorResponseFromFailure(failure: ParseFailure): JsonRpcErrorResponse {
  return errorResponse(failure.id, failure.error.code, failure.error.message, failure.error.data);
}
