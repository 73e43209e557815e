/**
 * MCP protocol constants: HTTP header names, protocol versions and their
 * negotiation, `_meta` keys and method names. Pure module.
 */

// ---------------------------------------------------------------------------
// HTTP headers (lower-case, as Node exposes them in `req.headers`)
// ---------------------------------------------------------------------------

/** Legacy session id (2025-03-26 … 2025-11-25). Removed in 2026-07-28. */
export const HEADER_MCP_SESSION_ID = 'mcp-session-id';
/** Protocol version header (2025-06-18+; required on every POST in 2026-07-28). */
export const HEADER_MCP_PROTOCOL_VERSION = 'mcp-protocol-version';
/** Mirrors the JSON-RPC `method` (2026-07-28). */
export const HEADER_MCP_METHOD = 'mcp-method';
/** Mirrors `params.name` / `params.uri` for tools/call, prompts/get, resources/read (2026-07-28). */
export const HEADER_MCP_NAME = 'mcp-name';
/** Prefix of headers mirrored from tool arguments annotated with `x-mcp-header` (2026-07-28). */
export const HEADER_MCP_PARAM_PREFIX = 'mcp-param-';
/** SSE resumption (2025-03-26 … 2025-11-25). Ignored in 2026-07-28. */
export const HEADER_LAST_EVENT_ID = 'last-event-id';

export const MCP_HEADERS = {
  SESSION_ID: HEADER_MCP_SESSION_ID,
  PROTOCOL_VERSION: HEADER_MCP_PROTOCOL_VERSION,
  METHOD: HEADER_MCP_METHOD,
  NAME: HEADER_MCP_NAME,
  PARAM_PREFIX: HEADER_MCP_PARAM_PREFIX,
  LAST_EVENT_ID: HEADER_LAST_EVENT_ID,
} as const;

/** Canonical spellings for responses / documentation (header names are case-insensitive). */
export const MCP_HEADER_DISPLAY_NAMES = {
  SESSION_ID: 'Mcp-Session-Id',
  PROTOCOL_VERSION: 'MCP-Protocol-Version',
  METHOD: 'Mcp-Method',
  NAME: 'Mcp-Name',
  LAST_EVENT_ID: 'Last-Event-ID',
} as const;

export const CONTENT_TYPE_JSON = 'application/json';
export const CONTENT_TYPE_SSE = 'text/event-stream';

// ---------------------------------------------------------------------------
// Protocol versions
// ---------------------------------------------------------------------------

export const PROTOCOL_VERSION_2024_11_05 = '2024-11-05';
export const PROTOCOL_VERSION_2025_03_26 = '2025-03-26';
export const PROTOCOL_VERSION_2025_06_18 = '2025-06-18';
export const PROTOCOL_VERSION_2025_11_25 = '2025-11-25';
export const PROTOCOL_VERSION_2026_07_28 = '2026-07-28';

/** All versions the proxy understands, oldest first. */
export const SUPPORTED_PROTOCOL_VERSIONS = [
  PROTOCOL_VERSION_2024_11_05,
  PROTOCOL_VERSION_2025_03_26,
  PROTOCOL_VERSION_2025_06_18,
  PROTOCOL_VERSION_2025_11_25,
  PROTOCOL_VERSION_2026_07_28,
] as const;

export type KnownProtocolVersion = (typeof SUPPORTED_PROTOCOL_VERSIONS)[number];

export const LATEST_PROTOCOL_VERSION: KnownProtocolVersion = PROTOCOL_VERSION_2026_07_28;

/** First "modern" revision: per-request `_meta`, no `initialize`, no sessions. */
export const FIRST_STATELESS_PROTOCOL_VERSION: KnownProtocolVersion = PROTOCOL_VERSION_2026_07_28;

/** Versions negotiated through the `initialize` handshake ("legacy" era). */
export const INITIALIZE_PROTOCOL_VERSIONS = SUPPORTED_PROTOCOL_VERSIONS.filter((v) => v < FIRST_STATELESS_PROTOCOL_VERSION);

/** Latest version that uses the `initialize` handshake. */
export const LATEST_INITIALIZE_PROTOCOL_VERSION: KnownProtocolVersion = PROTOCOL_VERSION_2025_11_25;

/**
 * Version a Streamable HTTP server SHOULD assume when a request has no
 * `MCP-Protocol-Version` header and no other way to tell (2025-06-18 and 2025-11-25
 * transports; 2026-07-28 MAY treat it so when serving pre-2025-06-18 clients).
 */
export const DEFAULT_PROTOCOL_VERSION_WITHOUT_HEADER: KnownProtocolVersion = PROTOCOL_VERSION_2025_03_26;

const VERSION_SHAPE = /^\d{4}-\d{2}-\d{2}$/;

/** True for strings shaped like an MCP revision (`YYYY-MM-DD`). */
export function isProtocolVersionString(value: unknown): value is string {
  return typeof value === 'string' && VERSION_SHAPE.test(value);
}

/**
 * Order two revision strings (they are dates, so lexical order is chronological).
 * Returns <0, 0 or >0.
 */
export function compareProtocolVersions(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function isSupportedProtocolVersion(
  version: unknown,
  supported: readonly string[] = SUPPORTED_PROTOCOL_VERSIONS,
): version is string {
  return typeof version === 'string' && supported.includes(version);
}

/** True for revisions using per-request metadata instead of `initialize` (2026-07-28 and later). */
export function isStatelessProtocolVersion(version: unknown): boolean {
  return isProtocolVersionString(version) && compareProtocolVersions(version, FIRST_STATELESS_PROTOCOL_VERSION) >= 0;
}

/** True if the revision supports JSON-RPC batching over MCP (2025-03-26 only). */
export function protocolVersionAllowsBatch(version: string): boolean {
  return version === PROTOCOL_VERSION_2025_03_26;
}

/** Newest entry of a version list (by date, not by position). */
export function latestProtocolVersion(supported: readonly string[]): string | undefined {
  let best: string | undefined;
  for (const v of supported) {
    if (best === undefined || compareProtocolVersions(v, best) > 0) best = v;
  }
  return best;
}

/**
 * The `initialize` version rule (lifecycle, all handshake revisions): if the
 * server supports the requested version it MUST answer with the same version,
 * otherwise it answers with another version it supports, which SHOULD be the
 * latest. The client disconnects if it cannot use the answer.
 *
 * @param requested value of `params.protocolVersion` (validated here)
 * @param supported versions the server supports; must not be empty
 */
export function negotiateProtocolVersion(requested: unknown, supported: readonly string[] = SUPPORTED_PROTOCOL_VERSIONS): string {
  if (supported.length === 0) {
    throw new RangeError('negotiateProtocolVersion: no supported versions');
  }
  if (isSupportedProtocolVersion(requested, supported)) return requested;
  return latestProtocolVersion(supported) as string;
}

/**
 * {@link negotiateProtocolVersion} restricted to handshake-era versions: an
 * `initialize` request is never answered with a stateless (2026-07-28+)
 * revision, which has no `initialize`.
 */
export function negotiateInitializeProtocolVersion(requested: unknown, supported: readonly string[] = SUPPORTED_PROTOCOL_VERSIONS): string {
  return negotiateProtocolVersion(
    requested,
    supported.filter((v) => !isStatelessProtocolVersion(v)),
  );
}

// ---------------------------------------------------------------------------
// `_meta` keys (2026-07-28)
// ---------------------------------------------------------------------------

export const META_PROTOCOL_VERSION = 'io.modelcontextprotocol/protocolVersion';
export const META_CLIENT_INFO = 'io.modelcontextprotocol/clientInfo';
export const META_CLIENT_CAPABILITIES = 'io.modelcontextprotocol/clientCapabilities';
export const META_LOG_LEVEL = 'io.modelcontextprotocol/logLevel';
export const META_SERVER_INFO = 'io.modelcontextprotocol/serverInfo';
export const META_SUBSCRIPTION_ID = 'io.modelcontextprotocol/subscriptionId';
export const META_PROGRESS_TOKEN = 'progressToken';

/** `_meta` keys every 2026-07-28 request MUST carry (missing → -32602, HTTP 400). */
export const REQUIRED_REQUEST_META_KEYS = [META_PROTOCOL_VERSION, META_CLIENT_CAPABILITIES] as const;

// ---------------------------------------------------------------------------
// Methods
// ---------------------------------------------------------------------------

export const MCP_METHODS = {
  // lifecycle (handshake era)
  INITIALIZE: 'initialize',
  INITIALIZED: 'notifications/initialized',
  PING: 'ping',
  // stateless era
  SERVER_DISCOVER: 'server/discover',
  SUBSCRIPTIONS_LISTEN: 'subscriptions/listen',
  SUBSCRIPTIONS_ACKNOWLEDGED: 'notifications/subscriptions/acknowledged',
  // utilities
  CANCELLED: 'notifications/cancelled',
  PROGRESS: 'notifications/progress',
  LOGGING_SET_LEVEL: 'logging/setLevel',
  LOG_MESSAGE: 'notifications/message',
  COMPLETION_COMPLETE: 'completion/complete',
  // tools
  TOOLS_LIST: 'tools/list',
  TOOLS_CALL: 'tools/call',
  TOOLS_LIST_CHANGED: 'notifications/tools/list_changed',
  // resources
  RESOURCES_LIST: 'resources/list',
  RESOURCES_TEMPLATES_LIST: 'resources/templates/list',
  RESOURCES_READ: 'resources/read',
  RESOURCES_SUBSCRIBE: 'resources/subscribe',
  RESOURCES_UNSUBSCRIBE: 'resources/unsubscribe',
  RESOURCES_LIST_CHANGED: 'notifications/resources/list_changed',
  RESOURCES_UPDATED: 'notifications/resources/updated',
  // prompts
  PROMPTS_LIST: 'prompts/list',
  PROMPTS_GET: 'prompts/get',
  PROMPTS_LIST_CHANGED: 'notifications/prompts/list_changed',
  // client features (server → client requests in handshake era)
  ROOTS_LIST: 'roots/list',
  ROOTS_LIST_CHANGED: 'notifications/roots/list_changed',
  SAMPLING_CREATE_MESSAGE: 'sampling/createMessage',
  ELICITATION_CREATE: 'elicitation/create',
} as const;

export type McpMethod = (typeof MCP_METHODS)[keyof typeof MCP_METHODS];

/** `list_changed` notifications a proxy may need to fan out. */
export const LIST_CHANGED_NOTIFICATIONS: readonly string[] = [
  MCP_METHODS.TOOLS_LIST_CHANGED,
  MCP_METHODS.RESOURCES_LIST_CHANGED,
  MCP_METHODS.PROMPTS_LIST_CHANGED,
];

/**
 * Requests whose results carry `ttlMs` / `cacheScope` in 2026-07-28
 * (`CacheableResult`; `server/discover` as well per its result type).
 */
export const CACHEABLE_RESULT_METHODS: readonly string[] = [
  MCP_METHODS.TOOLS_LIST,
  MCP_METHODS.PROMPTS_LIST,
  MCP_METHODS.RESOURCES_LIST,
  MCP_METHODS.RESOURCES_TEMPLATES_LIST,
  MCP_METHODS.RESOURCES_READ,
  MCP_METHODS.SERVER_DISCOVER,
];

/**
 * Which `params` field the `Mcp-Name` header mirrors, per method (2026-07-28).
 * Methods not listed carry no `Mcp-Name`.
 */
export const MCP_NAME_SOURCE_FIELD: Readonly<Record<string, 'name' | 'uri'>> = {
  [MCP_METHODS.TOOLS_CALL]: 'name',
  [MCP_METHODS.PROMPTS_GET]: 'name',
  [MCP_METHODS.RESOURCES_READ]: 'uri',
};
