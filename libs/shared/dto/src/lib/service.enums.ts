export const SERVICE_STATUSES = ['stopped', 'starting', 'running', 'restarting', 'crashed', 'deploying', 'failed'] as const;
export type ServiceStatus = (typeof SERVICE_STATUSES)[number];

/** `remote`: an MCP server elsewhere, reached over Streamable HTTP or legacy SSE instead of a child process. */
export const SERVICE_TRANSPORTS = ['stdio', 'http', 'remote'] as const;
export type ServiceTransport = (typeof SERVICE_TRANSPORTS)[number];

/**
 * `shared`: one child multiplexed for every client; `session`: one child per client session, spawned when the
 * session opens; `pool`: one child per session too, taken from children kept started and initialized ahead.
 */
export const ISOLATION_MODES = ['shared', 'session', 'pool'] as const;
export type IsolationMode = (typeof ISOLATION_MODES)[number];

/** Whether each client session gets a child of its own (`session` and `pool`). */
export function childPerSession(isolation: IsolationMode): boolean {
  return isolation !== 'shared';
}

export const RESPONSE_MODES = ['auto', 'json', 'sse'] as const;
export type ResponseMode = (typeof RESPONSE_MODES)[number];

/** How MCP clients authenticate to a service: static keys and client tokens, or OAuth 2.1 (plus the static keys). */
export const SERVICE_AUTH_MODES = ['apiKey', 'oauth'] as const;
export type ServiceAuthMode = (typeof SERVICE_AUTH_MODES)[number];
/**
 * What the proxy does when a server's tools differ from the ones pinned for the service: `warn` serves the new
 * definitions and records the change for review, `block` hides a changed or new tool (and refuses calls to it)
 * until an admin approves it, `off` does not look.
 */
export const DRIFT_POLICIES = ['warn', 'block', 'off'] as const;
export type DriftPolicy = (typeof DRIFT_POLICIES)[number];

/** How a remote MCP server is spoken to: Streamable HTTP (2025-03-26 and later) or HTTP+SSE (2024-11-05). */
export const REMOTE_PROTOCOLS = ['streamable-http', 'sse'] as const;
export type RemoteProtocol = (typeof REMOTE_PROTOCOLS)[number];

/** How a remote MCP server is authenticated: the configured `headers`, or `oauth` (the proxy as an OAuth client of the server). */
export const REMOTE_AUTH_MODES = ['headers', 'oauth'] as const;
export type RemoteAuthMode = (typeof REMOTE_AUTH_MODES)[number];

/** Upstream OAuth: `shared` (one connection an admin makes, used by every caller) or `perUser` (each principal connects its own account). */
export const REMOTE_OAUTH_CONNECTIONS = ['shared', 'perUser'] as const;
export type RemoteOAuthConnection = (typeof REMOTE_OAUTH_CONNECTIONS)[number];
