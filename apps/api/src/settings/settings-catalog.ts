import type { SettingGroup, SettingInput } from '@mcp-proxy/shared/dto';
import { type AppEnv, LOG_LEVELS } from '../core/config/env.schema';

export interface CatalogEntry {
  group: SettingGroup;
  description: string;
  input: SettingInput;
}

const text: SettingInput = { type: 'text' };
const list: SettingInput = { type: 'list' };
const flag: SettingInput = { type: 'boolean' };
const port: SettingInput = { type: 'integer', min: 1, max: 65535 };
const whole = (min: number, max: number, unit?: string): SettingInput => ({ type: 'integer', min, max, ...(unit ? { unit } : {}) });

/**
 * Every setting the Settings page lists, with its one-line description. An allow-list: a key missing
 * here is not shown at all, so a secret added to the environment can never leak through this page
 * (a spec checks that every key is either listed or a secret). Ranges repeat the environment's rules
 * for the form's benefit; the server still checks with the environment's own parser.
 */
export const SETTINGS_CATALOG: { [K in keyof AppEnv]?: CatalogEntry } = {
  LOG_LEVEL: {
    group: 'logging',
    description: 'Level of the server log; lower levels add detail (debug, trace).',
    input: { type: 'choice', choices: [...LOG_LEVELS] },
  },
  LOG_DIR: { group: 'logging', description: "Directory of the MCP servers' own logs (<service>.log, rotated).", input: text },
  ENABLE_METRICS: { group: 'logging', description: 'Prometheus text at GET /metrics.', input: flag },
  OTEL_EXPORTER_OTLP_ENDPOINT: {
    group: 'logging',
    description: 'OTLP/HTTP collector for the spans of every MCP call; empty: tracing off.',
    input: text,
  },
  OTEL_SERVICE_NAME: { group: 'logging', description: 'service.name of the spans.', input: text },
  CALL_LOG: {
    group: 'logging',
    description:
      'Record every tool call, resource read and prompt get (who, which tool, outcome, duration; arguments only as a hash unless the service keeps payloads) at GET /api/calls.',
    input: flag,
  },
  CALL_LOG_RETENTION_DAYS: {
    group: 'logging',
    description: 'Recorded calls older than this many days are deleted; 0 keeps them until the row limit.',
    input: whole(0, 36500, 'days'),
  },
  CALL_LOG_MAX_ROWS: {
    group: 'logging',
    description: 'At most this many recorded calls are kept, the oldest deleted first; 0: no limit by count.',
    input: whole(0, 1_000_000_000, 'rows'),
  },
  CALL_LOG_REDACT_PATTERNS: {
    group: 'logging',
    description:
      'Regular expressions (a JSON array) whose matches are replaced in the payloads a service keeps; empty: the built-in ones (keys, bearer tokens, JWTs, e-mail addresses).',
    input: text,
  },
  CALL_LOG_PAYLOAD_MAX_BYTES: {
    group: 'logging',
    description: 'Kept arguments and results are cut to this many bytes each, after redaction.',
    input: whole(256, 1_048_576, 'bytes'),
  },
  METRICS_PER_TOOL: {
    group: 'logging',
    description: 'Prometheus counts calls and durations per service and tool (at most 1,000 pairs; one series per tool).',
    input: flag,
  },
  OTEL_BSP_SCHEDULE_DELAY: {
    group: 'logging',
    description: 'How long finished spans wait to be exported in one batch.',
    input: whole(10, 60_000, 'ms'),
  },

  API_RATE_LIMIT: {
    group: 'security',
    description: 'REST requests per minute per client address.',
    input: whole(1, 1_000_000, 'per minute'),
  },
  AUTH_FAILURE_LIMIT: {
    group: 'security',
    description:
      'Wrong credentials per address (and kind of credential) per 15 minutes before 429; five times as many per user name for password logins. Requests without a credential are not counted.',
    input: whole(1, 100_000),
  },
  SESSION_TTL_MINUTES: {
    group: 'security',
    description: 'Lifetime of admin UI sessions started from now on.',
    input: whole(1, 60 * 24 * 30, 'minutes'),
  },
  AUDIT_RETENTION_DAYS: {
    group: 'security',
    description: 'Audit events older than this many days are deleted; 0 keeps them forever.',
    input: whole(0, 36500, 'days'),
  },
  ALLOWED_HOSTS: {
    group: 'security',
    description:
      "Host names or IP addresses, besides localhost, loopback, this machine's own addresses and DOMAIN, that clients may use to reach /mcp.",
    input: list,
  },
  PUBLIC_URL: {
    group: 'security',
    description: 'Origin remote clients use; the OAuth issuer and resource URLs (default: an allowed Host).',
    input: text,
  },
  TRUSTED_PROXIES: {
    group: 'security',
    description: 'Reverse proxies (IPs, CIDRs, loopback) whose X-Forwarded-For/-Proto/-Host are believed; empty: none.',
    input: list,
  },
  OIDC_ISSUER: { group: 'security', description: 'Issuer URL of the OpenID provider behind "Sign in with…"; empty: off.', input: text },
  OIDC_CLIENT_ID: { group: 'security', description: 'Client id registered at the OpenID provider.', input: text },
  OIDC_SCOPES: { group: 'security', description: 'Scopes asked of the OpenID provider (openid always).', input: text },
  OIDC_PROVIDER_NAME: { group: 'security', description: 'Name on the "Sign in with…" button; default: the issuer\'s host.', input: text },
  OIDC_AUTO_CREATE: { group: 'security', description: 'Create a user at the first sign-in through the provider.', input: flag },
  OIDC_ROLE_CLAIM: { group: 'security', description: 'Claim the role comes from (dotted path for nested claims).', input: text },
  OIDC_ROLE_MAP: {
    group: 'security',
    description: 'value=role pairs for that claim (* matches anyone); no match refuses the sign-in.',
    input: list,
  },
  OIDC_SERVICES_CLAIM: {
    group: 'security',
    description: 'Claim listing the services a provider user is limited to; empty: none.',
    input: text,
  },
  OIDC_ONLY: { group: 'security', description: 'Refuse password sign-in (the API key still works).', input: flag },
  OAUTH_ACCESS_TOKEN_TTL_SEC: { group: 'security', description: 'Lifetime of an OAuth access token.', input: whole(10, 86_400, 'seconds') },
  OAUTH_REFRESH_TOKEN_TTL_DAYS: {
    group: 'security',
    description: 'Lifetime of an OAuth refresh token (rotated on each use).',
    input: whole(1, 365, 'days'),
  },
  OAUTH_KEY_ROTATION_DAYS: { group: 'security', description: 'How often the OAuth signing key is replaced.', input: whole(1, 365, 'days') },
  OAUTH_CIMD_ALLOW_HTTP_LOOPBACK: {
    group: 'security',
    description: 'Accept http:// loopback URLs as OAuth client metadata documents (tests and development only).',
    input: flag,
  },
  OAUTH_DYNAMIC_REGISTRATION: {
    group: 'security',
    description: 'Anonymous OAuth client registration: auto opens it only while a service uses OAuth.',
    input: { type: 'choice', choices: ['auto', 'true', 'false'] },
  },
  OAUTH_RATE_LIMIT: {
    group: 'security',
    description: 'Requests per minute per client address to OAuth registration and to authorize (each); 0 = unlimited.',
    input: whole(0, 100_000, 'per minute'),
  },

  HEALTH_CHECK_TIMEOUT_SEC: {
    group: 'processes',
    description: 'Seconds a health ping may take before it counts as a failure (3 in a row restart the server).',
    input: whole(1, 300, 'seconds'),
  },
  PROCESS_STOP_GRACE_SEC: {
    group: 'processes',
    description: "Seconds after SIGTERM before a stopping MCP server's process group gets SIGKILL.",
    input: whole(1, 300, 'seconds'),
  },
  CLONE_DIRECTORY: { group: 'processes', description: 'Where deployed repositories are cloned.', input: text },
  SHUTDOWN_GRACE_SEC: {
    group: 'processes',
    description: 'On SIGTERM, how long calls in progress may take to finish before the proxy stops.',
    input: whole(0, 600, 'seconds'),
  },
  STREAM_HEARTBEAT_MS: {
    group: 'processes',
    description: 'Heartbeat of idle MCP streams: an SSE comment, a WebSocket ping (two unanswered close it).',
    input: whole(100, 300_000, 'ms'),
  },
  SANDBOX_USER: {
    group: 'processes',
    description: 'Default sandbox user: auto runs each server as a user of its own when the proxy is root.',
    input: { type: 'choice', choices: ['auto', 'none'] },
  },
  SANDBOX_FILESYSTEM: {
    group: 'processes',
    description:
      "Default filesystem sandbox: bubblewrap hides the proxy's files and processes from servers; auto uses it whenever servers would run as the proxy's own user.",
    input: { type: 'choice', choices: ['auto', 'bubblewrap', 'none'] },
  },
  SANDBOX_UID_BASE: {
    group: 'processes',
    description: "First uid of the range given to services' own users.",
    input: whole(1000, 2_000_000_000),
  },
  SANDBOX_MEMORY_MB: {
    group: 'processes',
    description: 'Default memory cap of a server (cgroup); 0 = none.',
    input: whole(0, 1_048_576, 'MB'),
  },
  SANDBOX_CPU_PERCENT: {
    group: 'processes',
    description: 'Default CPU cap of a server, in percent of one core; 0 = none.',
    input: whole(0, 100_000, '%'),
  },
  SANDBOX_MAX_PROCESSES: { group: 'processes', description: 'Default process limit of a server; 0 = none.', input: whole(0, 1_000_000) },
  SANDBOX_MAX_OPEN_FILES: { group: 'processes', description: 'Default open-file limit of a server; 0 = none.', input: whole(0, 1_048_576) },
  SANDBOX_CPU_SECONDS: {
    group: 'processes',
    description: 'Default CPU-time limit of a server; 0 = none.',
    input: whole(0, 31_536_000, 'seconds'),
  },
  SANDBOX_ADDRESS_SPACE_MB: {
    group: 'processes',
    description: 'Default address-space limit of a server; 0 = none.',
    input: whole(0, 1_048_576, 'MB'),
  },

  SERVICE_DEFAULT_RATE_LIMIT: {
    group: 'service-defaults',
    description: 'Requests per minute per client of a new service that names none (0 = unlimited).',
    input: whole(0, 1_000_000, 'per minute'),
  },
  SERVICE_DEFAULT_CACHE: { group: 'service-defaults', description: 'Response cache of a new service that names none.', input: flag },
  SERVICE_DEFAULT_AUTO_RESTART: {
    group: 'service-defaults',
    description: "Restart a new service's crashed process, unless the service says otherwise.",
    input: flag,
  },
  SERVICE_DEFAULT_MAX_RESTARTS: {
    group: 'service-defaults',
    description: 'Crash restarts a new service may make within its window, unless it says otherwise.',
    input: whole(0, 1000),
  },
  REGISTRY_URL: {
    group: 'service-defaults',
    description: 'MCP Registry the Catalog page browses and installs from (empty or off: no catalog).',
    input: text,
  },
  REGISTRY_CACHE_TTL_SEC: {
    group: 'service-defaults',
    description: 'How long answers of the MCP Registry are reused; 0: asked every time.',
    input: whole(0, 86_400, 'seconds'),
  },

  BACKEND_PORT: { group: 'general', description: 'Port of the API and the MCP endpoints (HTTP).', input: port },
  FRONTEND_PORT: { group: 'general', description: 'Port of the admin UI.', input: port },
  HOST: { group: 'general', description: 'Address the server binds to (127.0.0.1 for local only).', input: text },
  DATA_DIR: { group: 'general', description: 'Keys, certificates and the SQLite file live here.', input: text },
  ADMIN_DIST_DIR: { group: 'general', description: 'Built admin app served by the server; empty disables it.', input: text },
  CONFIG_FILE: {
    group: 'general',
    description: 'YAML configuration (services, groups) applied at start and on every change.',
    input: text,
  },

  DATABASE_URL: { group: 'storage', description: 'SQLite file path or PostgreSQL URL (shown without credentials).', input: text },
  REDIS_URL: {
    group: 'storage',
    description: 'Redis for shared rate limits and the deploy queue; empty: in-process (shown without credentials).',
    input: text,
  },
  INSTANCE_URL: {
    group: 'storage',
    description: 'Address other instances reach this one at; set: several instances share services (needs Redis and PostgreSQL).',
    input: text,
  },
  INSTANCE_ID: { group: 'storage', description: 'Name of this instance among several (default: generated).', input: text },
  LEASE_TTL_SEC: {
    group: 'storage',
    description: "How long a dead instance's services wait before another instance takes them over.",
    input: whole(2, 300, 'seconds'),
  },
  CLUSTER_KEY_PREFIX: { group: 'storage', description: 'Redis key prefix of the leases and news between instances.', input: text },

  HTTPS_PORT: { group: 'tls', description: 'Port of the API and MCP endpoints over TLS.', input: port },
  SSL_ENABLED: { group: 'tls', description: 'Serve over TLS on HTTPS_PORT.', input: flag },
  FORCE_SSL: { group: 'tls', description: 'Redirect HTTP to HTTPS (with HSTS).', input: flag },
  SSL_PROVIDER: {
    group: 'tls',
    description: 'letsencrypt (ACME) or self-signed.',
    input: { type: 'choice', choices: ['self-signed', 'letsencrypt'] },
  },
  DOMAIN: { group: 'tls', description: 'Certificate subject.', input: text },
  SSL_EMAIL: { group: 'tls', description: 'ACME account e-mail.', input: text },
  SSL_STAGING: { group: 'tls', description: "Let's Encrypt staging directory.", input: flag },
  ACME_DIRECTORY_URL: { group: 'tls', description: "ACME directory (default: Let's Encrypt by SSL_STAGING).", input: text },
  CLOUDFLARE_API_URL: { group: 'tls', description: "Cloudflare's API, for DNS-01 challenges.", input: text },
  ACME_DNS_RESOLVERS: { group: 'tls', description: 'DNS servers that must see a DNS-01 record before the CA is asked.', input: list },

  ENABLE_UPNP: { group: 'network', description: 'Map the ports on the router with UPnP.', input: flag },
  AUTO_MAP_PORTS: { group: 'network', description: 'Map the ports at start-up.', input: flag },
  PUBLIC_IP: { group: 'network', description: 'Public address override (default: detected).', input: text },
  PRIVATE_IP: { group: 'network', description: 'Private address override (default: detected).', input: text },
  UPNP_TIMEOUT_MS: { group: 'network', description: 'Longest a UPnP search or request may take.', input: whole(100, 60_000, 'ms') },
  UPNP_LEASE_SEC: { group: 'network', description: 'Lease of each UPnP mapping; 0 = permanent.', input: whole(0, 604_800, 'seconds') },
  PUBLIC_IP_URLS: { group: 'network', description: '"What is my IP" endpoints, asked in order.', input: list },
  PORT_CHECK_URLS: { group: 'network', description: 'External port reachability checkers, asked in order.', input: list },
  NETWORK_TIMEOUT_MS: {
    group: 'network',
    description: 'Longest an IP lookup or external port check may take.',
    input: whole(100, 60_000, 'ms'),
  },

  GITHUB_API_URL: { group: 'github', description: "GitHub's REST API (GitHub Enterprise: https://HOST/api/v3).", input: text },
  GITHUB_HOST: { group: 'github', description: 'Host of the repositories that get GITHUB_TOKEN and the API checks.', input: text },
  DEPLOY_QUEUE_PREFIX: { group: 'github', description: 'Redis key prefix of the deploy queue.', input: text },
  DEPLOY_ATTEMPTS: { group: 'github', description: 'Tries of a deploy whose clone failed for a passing reason.', input: whole(1, 10) },
  DEPLOY_BACKOFF_MS: { group: 'github', description: 'Back-off before the second try, doubled each time.', input: whole(0, 600_000, 'ms') },
  DEPLOY_STEP_TIMEOUT_SEC: {
    group: 'github',
    description: 'Longest a clone, install or build may take.',
    input: whole(5, 86_400, 'seconds'),
  },
};

/** Keys whose values may hold credentials in their user-info part: shown without it. */
export const URL_KEYS_WITH_CREDENTIALS = new Set<keyof AppEnv>(['DATABASE_URL', 'REDIS_URL']);

/** `postgres://user:pass@host/db?password=…` → `postgres://host/db`; anything that is not a URL (a SQLite path) as it is. */
export function withoutCredentials(value: string): string {
  try {
    const url = new URL(value);
    const secretParams = [...url.searchParams.keys()].filter((name) => /pass|secret|token|key/i.test(name));
    if (!url.username && !url.password && secretParams.length === 0) return value;
    url.username = '';
    url.password = '';
    for (const name of secretParams) url.searchParams.delete(name);
    return url.toString();
  } catch {
    return value;
  }
}
