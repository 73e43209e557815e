/** Header and route names shared by the API and the admin app. */
export const API_PREFIX = 'api';
export const API_KEY_HEADER = 'x-api-key';
export const REQUEST_ID_HEADER = 'x-request-id';
export const HEALTH_PATH = '/health';
export const METRICS_PATH = '/metrics';
export const MCP_PATH_PREFIX = '/mcp';

/** Path words a service name may not take, since they are routes of the proxy itself. */
export const RESERVED_SERVICE_NAMES = ['ws', 'g', 'sse', 'messages', 'health'] as const;
