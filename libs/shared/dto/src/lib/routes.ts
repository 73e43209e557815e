/** Header and route names shared by the API and the admin app. */
export const API_PREFIX = 'api';
export const API_KEY_HEADER = 'x-api-key';
export const REQUEST_ID_HEADER = 'x-request-id';
export const HEALTH_PATH = '/health';
/** For load balancers: 200 while this instance takes traffic, 503 while it starts or drains. */
export const READY_PATH = '/health/ready';
export const METRICS_PATH = '/metrics';
export const MCP_PATH_PREFIX = '/mcp';

/**
 * Path words a service may not take as its name or its `proxy.path` word, since the router gives them a
 * meaning: `/mcp/all` is the built-in group of every service, `/mcp/ws` MCP over WebSocket, `/mcp/g/…`
 * the groups, `…/sse` and `…/messages` the legacy SSE transport.
 */
export const RESERVED_SERVICE_NAMES = ['all', 'ws', 'g', 'sse', 'messages', 'health'] as const;

/** The `proxy.path` values those words would make. */
export const RESERVED_PROXY_PATHS: readonly string[] = RESERVED_SERVICE_NAMES.map((word) => `${MCP_PATH_PREFIX}/${word}`);

/** For validation messages: "all, ws, g, …". */
export const RESERVED_SERVICE_NAMES_TEXT = RESERVED_SERVICE_NAMES.join(', ');

/**
 * The portal's session cookie (httpOnly: page scripts never read it). A request that relies on it to
 * change something must carry PORTAL_REQUEST_HEADER, which a cross-site form cannot set.
 */
export const SESSION_COOKIE = 'mcp_session';
export const PORTAL_REQUEST_HEADER = 'x-requested-with';
