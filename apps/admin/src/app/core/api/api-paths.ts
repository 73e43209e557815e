/**
 * Same-origin URLs of the gateway's HTTP surface.
 *
 * In production the API process serves this app and forwards these paths to itself;
 * in development `proxy.conf.json` forwards them to the API on port 8437. They mirror
 * `API_PREFIX` / `HEALTH_PATH` / `METRICS_PATH` in `@mcp-proxy/shared/dto`, written out
 * here so the admin bundle only ever needs type imports from that library (its barrel
 * also exports class-validator DTOs that must not end up in the browser bundle).
 */
export const API_BASE = '/api';
export const HEALTH_URL = '/health';
export const METRICS_URL = '/metrics';
export const LOGIN_URL = `${API_BASE}/auth/login`;
export const LOGOUT_URL = `${API_BASE}/auth/logout`;
export const ME_URL = `${API_BASE}/auth/me`;
export const SIGN_IN_OPTIONS_URL = `${API_BASE}/auth/sign-in-options`;
/** Hands over, once, the session a sign-in through the identity provider opened in this browser. */
export const PROVIDER_SESSION_URL = `${API_BASE}/auth/oidc/session`;

/** Sent with every gateway request: the API lets a state-changing request ride on the session cookie only with it (mirrors PORTAL_REQUEST_HEADER). */
export const PORTAL_REQUEST_HEADER = 'X-Requested-With';
export const PORTAL_REQUEST_VALUE = 'mcp-portal';

/** Builds `/api/<path>` from a path with or without a leading slash. */
export function apiUrl(path: string): string {
  return `${API_BASE}/${path.replace(/^\/+/, '')}`;
}

const GATEWAY_PATHS: readonly string[] = [API_BASE, HEALTH_URL, METRICS_URL];

/**
 * True when a request goes to this gateway (same origin, under /api, /health or /metrics).
 * Requests to any other origin never get the session token.
 */
export function isGatewayRequest(url: string, origin: string = currentOrigin()): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url, `${origin}/`);
  } catch {
    return false;
  }
  if (parsed.origin !== origin) return false;
  return GATEWAY_PATHS.some((prefix) => parsed.pathname === prefix || parsed.pathname.startsWith(`${prefix}/`));
}

/** True for the login call itself, whose 401 means "wrong key", not "session ended". */
export function isLoginRequest(url: string, origin: string = currentOrigin()): boolean {
  try {
    const parsed = new URL(url, `${origin}/`);
    return parsed.origin === origin && parsed.pathname === LOGIN_URL;
  } catch {
    return false;
  }
}

function currentOrigin(): string {
  const origin = globalThis.location?.origin;
  return origin && origin !== 'null' ? origin : 'http://localhost';
}
