import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { isTrustedProxyEntry } from '../http/trusted-proxies';
import { DEFAULT_REDACT_PATTERNS, parseRegexList } from './redact-patterns';
import { defaultStatePath, stateDefault, UNDER_DATA_DIR } from './state-paths';

/** The validated, typed environment. Every key of the public contract, plus a few of our own. */
export interface AppEnv {
  BACKEND_PORT: number;
  FRONTEND_PORT: number;
  HTTPS_PORT: number;
  HOST: string;
  SSL_ENABLED: boolean;
  FORCE_SSL: boolean;
  SSL_PROVIDER: 'self-signed' | 'letsencrypt';
  DOMAIN: string | undefined;
  SSL_EMAIL: string | undefined;
  SSL_STAGING: boolean;
  ACME_DIRECTORY_URL: string | undefined;
  CLOUDFLARE_TOKEN: string | undefined;
  /** Cloudflare's v4 API (a local stand-in in tests). */
  CLOUDFLARE_API_URL: string;
  /** DNS servers (`ip` or `ip:port`) that must see a DNS-01 record before the CA is asked; empty: the zone's name servers. */
  ACME_DNS_RESOLVERS: string[];
  ENABLE_UPNP: boolean;
  AUTO_MAP_PORTS: boolean;
  PUBLIC_IP: string | undefined;
  PRIVATE_IP: string | undefined;
  /** Longest an SSDP search for the gateway, or one request to it, may take. */
  UPNP_TIMEOUT_MS: number;
  /** Lease asked for each UPnP mapping, renewed at half-time; 0 = permanent. */
  UPNP_LEASE_SEC: number;
  /** "What is my IP" endpoints (plain-text or `{"ip"}` answers), tried in order when the gateway cannot tell. */
  PUBLIC_IP_URLS: string[];
  /** External reachability checkers, tried in order (see README: Network); none = reachability is `unknown`. */
  PORT_CHECK_URLS: string[];
  /** Longest a "what is my IP" lookup or an external port check may take. */
  NETWORK_TIMEOUT_MS: number;
  DATABASE_URL: string;
  REDIS_URL: string | undefined;
  API_KEY: string | undefined;
  JWT_SECRET: string | undefined;
  ENCRYPTION_KEY: string | undefined;
  /** The key before a rotation: values sealed with it still open (several instances switch one by one); `rotate-key` reseals them. */
  ENCRYPTION_KEY_PREVIOUS: string | undefined;
  GITHUB_TOKEN: string | undefined;
  GITHUB_WEBHOOK_SECRET: string | undefined;
  /** GitHub's REST API (GitHub Enterprise: https://HOST/api/v3). */
  GITHUB_API_URL: string;
  /** Host (and port, if any) of repository URLs that are GitHub's: only those get GITHUB_TOKEN and the API checks. */
  GITHUB_HOST: string;
  CLONE_DIRECTORY: string;
  /** Key prefix of the BullMQ deploy queue in Redis (several proxies, or test runs, can share one Redis). */
  DEPLOY_QUEUE_PREFIX: string;
  /** Attempts per deploy when cloning fails for a reason that may pass (network), with exponential back-off. */
  DEPLOY_ATTEMPTS: number;
  /** Back-off before the second attempt; doubled for each further one. */
  DEPLOY_BACKOFF_MS: number;
  /** Longest a clone, install or build may take before it is killed and the deploy fails. */
  DEPLOY_STEP_TIMEOUT_SEC: number;
  LOG_LEVEL: LogLevel;
  LOG_DIR: string;
  ENABLE_METRICS: boolean;
  /** All the proxy's state: keys, certificates, backups, and (unless set apart) the SQLite file, logs and clones. */
  DATA_DIR: string;
  /** Built admin app served on FRONTEND_PORT (and the API port); empty string disables it. */
  ADMIN_DIST_DIR: string;
  /** Lifetime of a UI session token, in minutes. */
  SESSION_TTL_MINUTES: number;
  /** Audit events older than this many days are deleted; 0 keeps them forever. */
  AUDIT_RETENTION_DAYS: number;
  /** Record every MCP tool call, resource read and prompt get in the call history (GET /api/calls). */
  CALL_LOG: boolean;
  /** Recorded calls older than this many days are deleted; 0 keeps them until CALL_LOG_MAX_ROWS. */
  CALL_LOG_RETENTION_DAYS: number;
  /** At most this many recorded calls are kept (the oldest go first); 0: no bound by count. */
  CALL_LOG_MAX_ROWS: number;
  /** Regular expressions (a JSON array) whose matches are blanked in stored call payloads; empty: the built-in ones (keys, tokens, JWTs, e-mails). */
  CALL_LOG_REDACT_PATTERNS: string[];
  /** Stored call arguments and results are cut to this many bytes each (services with `callLog.payloads` only). */
  CALL_LOG_PAYLOAD_MAX_BYTES: number;
  /** Prometheus counters and latency histograms per tool (labels service and tool): off by default, for label cardinality. */
  METRICS_PER_TOOL: boolean;
  /** REST requests per minute per client address. */
  API_RATE_LIMIT: number;
  /** Failed authentication attempts per client address per 15 minutes before 429. */
  AUTH_FAILURE_LIMIT: number;
  /** How long a stopped MCP server's process group gets after SIGTERM before SIGKILL. */
  PROCESS_STOP_GRACE_SEC: number;
  /** After SIGTERM, how long calls in progress get to finish before the proxy stops anyway. */
  SHUTDOWN_GRACE_SEC: number;
  /** How often an idle MCP stream shows it is alive: an SSE comment line, a WebSocket ping (two unanswered cut it). */
  STREAM_HEARTBEAT_MS: number;
  /** This instance's name in a cluster (lease owner); default: host name and process id. */
  INSTANCE_ID: string | undefined;
  /** How other instances reach this one (`http://10.0.0.5:8437`); needed with REDIS_URL + PostgreSQL. */
  INSTANCE_URL: string | undefined;
  /** A child's lease: another instance takes the child over this long after its owner stopped renewing. */
  LEASE_TTL_SEC: number;
  /** Redis key prefix of the cluster's leases and messages (several clusters, or test runs, can share one Redis). */
  CLUSTER_KEY_PREFIX: string;
  /** How long a health `ping` (or HTTP probe) may take before it counts as a failure. */
  HEALTH_CHECK_TIMEOUT_SEC: number;
  /** Host names or IP addresses (besides loopback, this machine's own addresses, localhost and DOMAIN) that clients may use to reach the MCP endpoints. */
  ALLOWED_HOSTS: string[];
  /** A YAML configuration (services, groups) applied at start and whenever it changes. */
  CONFIG_FILE: string | undefined;
  /** Origin clients use to reach the proxy (`https://mcp.example.com`): the OAuth issuer and resource URLs. */
  PUBLIC_URL: string | undefined;
  /** Reverse proxies (IPs, CIDRs, `loopback`) whose X-Forwarded-For/-Proto/-Host are believed; empty: none. */
  TRUSTED_PROXIES: string[];
  /** The team's OpenID provider (its issuer URL, discovery at `<issuer>/.well-known/openid-configuration`); unset = no "Sign in with…". */
  OIDC_ISSUER: string | undefined;
  OIDC_CLIENT_ID: string | undefined;
  /** Absent for a public client (PKCE alone). */
  OIDC_CLIENT_SECRET: string | undefined;
  /** Scopes asked for, space-separated (`openid` is always among them). */
  OIDC_SCOPES: string;
  /** The provider's name on the sign-in button; default: the issuer's host. */
  OIDC_PROVIDER_NAME: string | undefined;
  /** Create a user at a subject's first sign-in (else only users already linked to the issuer may sign in). */
  OIDC_AUTO_CREATE: boolean;
  /** The claim the role comes from (a dotted path for nested claims: `realm_access.roles`). */
  OIDC_ROLE_CLAIM: string;
  /** `value=role` pairs (`mcp-admins=admin,mcp-ops=operator,*=viewer`); the highest match wins, none refuses the sign-in. */
  OIDC_ROLE_MAP: RoleMapping[];
  /** A claim listing the services a user is limited to (names or ids; `*` for all); unset = no limits from the provider. */
  OIDC_SERVICES_CLAIM: string | undefined;
  /** Refuse password sign-in (the API key still works): everyone signs in through the provider. */
  OIDC_ONLY: boolean;
  /** Lifetime of an OAuth access token. */
  OAUTH_ACCESS_TOKEN_TTL_SEC: number;
  /** Lifetime of an OAuth refresh token (each use rotates it). */
  OAUTH_REFRESH_TOKEN_TTL_DAYS: number;
  /** How often the OAuth signing key is replaced; the old one still verifies tokens until they expire. */
  OAUTH_KEY_ROTATION_DAYS: number;
  /** Let OAuth client_id metadata documents come from http:// on a loopback address (tests and local development only). */
  OAUTH_CIMD_ALLOW_HTTP_LOOPBACK: boolean;
  /** Anonymous client registration (RFC 7591): `auto` opens it only while some service uses `proxy.auth: oauth`. */
  OAUTH_DYNAMIC_REGISTRATION: 'auto' | 'true' | 'false';
  /** Requests per minute per client address to /oauth/register and to /oauth/authorize (each); 0 = unlimited. */
  OAUTH_RATE_LIMIT: number;
  /** OTLP/HTTP collector (spans go to `<endpoint>/v1/traces`); unset = tracing off, the SDK not even loaded. */
  OTEL_EXPORTER_OTLP_ENDPOINT: string | undefined;
  /** `key=value,key=value` sent with every export (a collector's credentials). */
  OTEL_EXPORTER_OTLP_HEADERS: Record<string, string>;
  /** `service.name` of the spans. */
  OTEL_SERVICE_NAME: string;
  /** How long finished spans wait to be exported in one batch. */
  OTEL_BSP_SCHEDULE_DELAY: number;
  /** Default of a service's `process.sandbox.user`: `auto` runs each child as a user of its own when the proxy is root. */
  SANDBOX_USER: 'auto' | 'none';
  /**
   * Default of `process.sandbox.filesystem`: `bubblewrap` hides the proxy's files and processes from children;
   * `auto` uses it whenever a child would otherwise run as the proxy's own user (not root, or SANDBOX_USER=none).
   */
  SANDBOX_FILESYSTEM: 'auto' | 'bubblewrap' | 'none';
  /** First uid of the range handed to services' own users (one per service, kept in the data dir). */
  SANDBOX_UID_BASE: number;
  /** Defaults of a service's `process.limits` (0 = no limit). */
  SANDBOX_MEMORY_MB: number;
  SANDBOX_CPU_PERCENT: number;
  SANDBOX_MAX_PROCESSES: number;
  SANDBOX_MAX_OPEN_FILES: number;
  SANDBOX_CPU_SECONDS: number;
  SANDBOX_ADDRESS_SPACE_MB: number;
  /** Defaults given to a new service when its create request leaves them out (see README: Settings). */
  SERVICE_DEFAULT_RATE_LIMIT: number;
  SERVICE_DEFAULT_CACHE: boolean;
  SERVICE_DEFAULT_AUTO_RESTART: boolean;
  SERVICE_DEFAULT_MAX_RESTARTS: number;
  /** The MCP Registry whose catalog the portal shows (`<url>/v0.1/servers`); '' (set empty or `off`): no catalog. */
  REGISTRY_URL: string;
  /** How long registry answers are reused; 0: asked every time. */
  REGISTRY_CACHE_TTL_SEC: number;
}

/** One entry of OIDC_ROLE_MAP: a claim value (`*`: any value, even none) and the role it gives. */
export interface RoleMapping {
  value: string;
  role: 'admin' | 'operator' | 'viewer';
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

type Parser<T> = (raw: string) => T;

interface KeySpec<T> {
  default?: string;
  parse: Parser<T>;
}

class InvalidValue extends Error {}

const port: Parser<number> = (raw) => {
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < 1 || value > 65535) throw new InvalidValue('must be a port number from 1 to 65535');
  return value;
};

const boolean: Parser<boolean> = (raw) => {
  const value = raw.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(value)) return true;
  if (['false', '0', 'no', 'off', ''].includes(value)) return false;
  throw new InvalidValue('must be true or false');
};

const text: Parser<string> = (raw) => raw;

/** A JSON array of regular expressions; empty: the built-in ones (DEFAULT_REDACT_PATTERNS), `[]`: none. */
const regexList: Parser<string[]> = (raw) => {
  if (raw.trim() === '') return [...DEFAULT_REDACT_PATTERNS];
  try {
    return parseRegexList(raw);
  } catch (error) {
    throw new InvalidValue(error instanceof Error ? error.message : String(error));
  }
};

const optional =
  <T>(parse: Parser<T>): Parser<T | undefined> =>
  (raw) =>
    raw.trim() === '' ? undefined : parse(raw);

const oneOf =
  <T extends string>(choices: readonly T[]): Parser<T> =>
  (raw) => {
    if (!(choices as readonly string[]).includes(raw)) throw new InvalidValue(`must be one of ${choices.join(', ')}`);
    return raw as T;
  };

const integer =
  (min: number, max: number): Parser<number> =>
  (raw) => {
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || value < min || value > max) throw new InvalidValue(`must be a whole number from ${min} to ${max}`);
    return value;
  };

const url =
  (...protocols: string[]): Parser<string> =>
  (raw) => {
    let parsed: URL;
    try {
      parsed = new URL(raw);
    } catch {
      throw new InvalidValue(`must be a URL (${protocols.join(' or ')})`);
    }
    if (!protocols.includes(parsed.protocol)) throw new InvalidValue(`must be a URL (${protocols.join(' or ')})`);
    return raw;
  };

const instanceId: Parser<string> = (raw) => {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(raw)) throw new InvalidValue('must be 1-63 letters, digits, ".", "_" or "-"');
  return raw;
};

const ip: Parser<string> = (raw) => {
  if (isIP(raw) === 0) throw new InvalidValue('must be an IPv4 or IPv6 address');
  return raw;
};

const hostname: Parser<string> = (raw) => {
  if (!/^(?=.{1,253}$)(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i.test(raw)) {
    throw new InvalidValue('must be a domain name');
  }
  return raw;
};

const bindAddress: Parser<string> = (raw) => {
  if (isIP(raw) === 0 && raw !== 'localhost') throw new InvalidValue('must be an IP address to bind to (0.0.0.0, 127.0.0.1, ::)');
  return raw;
};

/** Host names or IP addresses (a client may reach us by an address we cannot see on our own interfaces). */
const hostList: Parser<string[]> = (raw) =>
  raw
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '')
    .map((item) => (isIP(item.replace(/^\[|\]$/g, '')) !== 0 ? item.replace(/^\[|\]$/g, '') : hostname(item)));

const trustedProxyList: Parser<string[]> = (raw) =>
  raw
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '')
    .map((item) => {
      if (!isTrustedProxyEntry(item))
        throw new InvalidValue('must be comma-separated IP addresses, CIDR ranges (10.0.0.0/8) or "loopback"');
      return item;
    });

/** `github.com`, `ghe.example.com`, `127.0.0.1:8080`: what a URL's `host` holds. */
const hostAndPort: Parser<string> = (raw) => {
  const match = /^(.+?)(?::(\d{1,5}))?$/.exec(raw.trim().toLowerCase());
  if (!match || (isIP(match[1]) === 0 && !/^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/.test(match[1]))) {
    throw new InvalidValue('must be a host name, optionally with :port');
  }
  if (match[2]) port(match[2]);
  return match[0];
};

const keyPrefix: Parser<string> = (raw) => {
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(raw)) throw new InvalidValue('must be 1-64 letters, digits, dots, dashes or underscores');
  return raw;
};

/** `1.1.1.1`, `127.0.0.1:8053`, `[::1]:53`: what node's DNS resolver accepts as a server. */
const dnsServerList: Parser<string[]> = (raw) =>
  raw
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '')
    .map((item) => {
      const match = /^\[([^\]]+)\](?::(\d+))?$/.exec(item) ?? /^([^:]+)(?::(\d+))?$/.exec(item) ?? [item, item];
      if (isIP(match[1]) === 0) throw new InvalidValue('must be comma-separated IP addresses, each with an optional :port');
      if (match[2]) port(match[2]);
      return item;
    });

const urlList =
  (...protocols: string[]): Parser<string[]> =>
  (raw) =>
    raw
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '')
      .map((item) => url(...protocols)(item));

const email: Parser<string> = (raw) => {
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(raw)) throw new InvalidValue('must be an e-mail address');
  return raw;
};

const secret =
  (minLength: number): Parser<string> =>
  (raw) => {
    if (raw.length < minLength) throw new InvalidValue(`must be at least ${minLength} characters`);
    return raw;
  };

/** 32 bytes as 64 hex digits or base64: the AES-256-GCM key for secrets at rest. */
const encryptionKey: Parser<string> = (raw) => {
  const isHex = /^[0-9a-f]{64}$/i.test(raw);
  const isBase64 = /^[A-Za-z0-9+/]{43}=?$/.test(raw) && Buffer.from(raw, 'base64').length === 32;
  if (!isHex && !isBase64) throw new InvalidValue('must be 32 bytes as 64 hex digits or base64');
  return raw;
};

/** `https://host[:port]` with no path: a base that resource and issuer URLs are built on. */
const origin: Parser<string> = (raw) => {
  url('https:', 'http:')(raw);
  const parsed = new URL(raw);
  if ((parsed.pathname !== '/' && parsed.pathname !== '') || parsed.search || parsed.hash || parsed.username) {
    throw new InvalidValue('must be an origin like https://mcp.example.com (no path, query or credentials)');
  }
  return parsed.origin;
};

/** PostgreSQL URL, or a SQLite file path. */
const databaseUrl: Parser<string> = (raw) => {
  if (/^postgres(ql)?:\/\//.test(raw)) return url('postgres:', 'postgresql:')(raw);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) throw new InvalidValue('must be a postgres:// URL or a SQLite file path');
  if (raw.trim() === '') throw new InvalidValue('must not be empty');
  return raw;
};

/** `key=value,key=value` (the OTLP exporters' header syntax; values may be percent-encoded). */
const keyValueList: Parser<Record<string, string>> = (raw) => {
  const pairs: Record<string, string> = {};
  for (const item of raw
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)) {
    const match = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+)=(.*)$/.exec(item);
    if (!match) throw new InvalidValue('must be key=value pairs separated by commas');
    try {
      pairs[match[1]] = decodeURIComponent(match[2].trim());
    } catch {
      throw new InvalidValue(`has a badly percent-encoded value for ${match[1]}`);
    }
  }
  return pairs;
};

const roleMap: Parser<RoleMapping[]> = (raw) => {
  const mappings: RoleMapping[] = [];
  for (const item of raw.split(',')) {
    if (item.trim() === '') continue;
    const match = /^\s*([^=]+?)\s*=\s*(admin|operator|viewer)\s*$/.exec(item);
    if (!match)
      throw new InvalidValue(`must be value=role pairs separated by commas (role: admin, operator or viewer); "${item.trim()}" is not`);
    mappings.push({ value: match[1], role: match[2] as RoleMapping['role'] });
  }
  return mappings;
};

/** An OpenID issuer: https, or http on a loopback address only (a provider on the same host, tests). */
const issuerUrl: Parser<string> = (raw) => {
  const value = url('https:', 'http:')(raw).replace(/\/+$/, '');
  const parsed = new URL(value);
  if (parsed.protocol === 'http:' && !['localhost', '127.0.0.1', '[::1]'].includes(parsed.hostname))
    throw new InvalidValue('must be an https:// URL (http:// only on a loopback address)');
  return value;
};

/** Space-separated scopes, `openid` first whether or not it was listed. */
const scopeList: Parser<string> = (raw) => {
  const scopes = raw.split(/[\s,]+/).filter(Boolean);
  if (scopes.some((scope) => !/^[\x21\x23-\x5b\x5d-\x7e]+$/.test(scope))) throw new InvalidValue('must be scope names separated by spaces');
  return ['openid', ...scopes.filter((scope) => scope !== 'openid')].join(' ');
};

const claimPath: Parser<string> = (raw) => {
  if (!/^[\w:/.-]{1,200}$/.test(raw)) throw new InvalidValue('must be a claim name (a dotted path for nested claims)');
  return raw;
};

const serviceName: Parser<string> = (raw) => {
  if (!/^[\w.-]{1,100}$/.test(raw)) throw new InvalidValue('must be 1-100 letters, digits, dots, dashes or underscores');
  return raw;
};

/**
 * An http(s) base URL (a path is allowed: a registry may live under one); empty or `off` turns the feature
 * off, as '' (not undefined, which the config service would answer with the raw variable).
 */
const baseUrlOrOff: Parser<string> = (raw) => {
  const value = raw.trim();
  if (value === '' || value.toLowerCase() === 'off') return '';
  url('https:', 'http:')(value);
  const parsed = new URL(value);
  if (parsed.username || parsed.password || parsed.search || parsed.hash) {
    throw new InvalidValue('must be an http(s) URL without credentials, query or fragment (or "off")');
  }
  return value.replace(/\/+$/, '');
};

const DEFAULT_DATA_DIR = './data';

export const ENV_SCHEMA: { [K in keyof AppEnv]: KeySpec<AppEnv[K]> } = {
  BACKEND_PORT: { default: '8437', parse: port },
  FRONTEND_PORT: { default: '3437', parse: port },
  HTTPS_PORT: { default: '8443', parse: port },
  HOST: { default: '0.0.0.0', parse: bindAddress },
  SSL_ENABLED: { default: 'false', parse: boolean },
  FORCE_SSL: { default: 'false', parse: boolean },
  SSL_PROVIDER: { default: 'self-signed', parse: oneOf(['self-signed', 'letsencrypt'] as const) },
  DOMAIN: { parse: optional(hostname) },
  SSL_EMAIL: { parse: optional(email) },
  SSL_STAGING: { default: 'false', parse: boolean },
  ACME_DIRECTORY_URL: { parse: optional(url('https:', 'http:')) },
  CLOUDFLARE_TOKEN: { parse: optional(text) },
  CLOUDFLARE_API_URL: { default: 'https://api.cloudflare.com/client/v4', parse: url('https:', 'http:') },
  ACME_DNS_RESOLVERS: { default: '', parse: dnsServerList },
  ENABLE_UPNP: { default: 'false', parse: boolean },
  AUTO_MAP_PORTS: { default: 'false', parse: boolean },
  PUBLIC_IP: { parse: optional(ip) },
  PRIVATE_IP: { parse: optional(ip) },
  UPNP_TIMEOUT_MS: { default: '3000', parse: integer(100, 60_000) },
  UPNP_LEASE_SEC: { default: '3600', parse: integer(0, 604_800) },
  PUBLIC_IP_URLS: { default: 'https://api.ipify.org,https://ifconfig.me/ip,https://icanhazip.com', parse: urlList('https:', 'http:') },
  PORT_CHECK_URLS: { default: '', parse: urlList('https:', 'http:') },
  NETWORK_TIMEOUT_MS: { default: '5000', parse: integer(100, 60_000) },
  // These three follow DATA_DIR when unset (see validateEnv); the defaults shown are with DATA_DIR's default.
  DATABASE_URL: { default: stateDefault('DATABASE_URL', DEFAULT_DATA_DIR), parse: databaseUrl },
  REDIS_URL: { parse: optional(url('redis:', 'rediss:')) },
  API_KEY: { parse: optional(secret(16)) },
  JWT_SECRET: { parse: optional(secret(32)) },
  ENCRYPTION_KEY: { parse: optional(encryptionKey) },
  ENCRYPTION_KEY_PREVIOUS: { parse: optional(encryptionKey) },
  GITHUB_TOKEN: { parse: optional(text) },
  GITHUB_WEBHOOK_SECRET: { parse: optional(text) },
  GITHUB_API_URL: { default: 'https://api.github.com', parse: url('https:', 'http:') },
  GITHUB_HOST: { default: 'github.com', parse: hostAndPort },
  CLONE_DIRECTORY: { default: stateDefault('CLONE_DIRECTORY', DEFAULT_DATA_DIR), parse: text },
  DEPLOY_QUEUE_PREFIX: { default: 'mcp-proxy', parse: keyPrefix },
  DEPLOY_ATTEMPTS: { default: '3', parse: integer(1, 10) },
  DEPLOY_BACKOFF_MS: { default: '5000', parse: integer(0, 600_000) },
  DEPLOY_STEP_TIMEOUT_SEC: { default: '600', parse: integer(5, 86_400) },
  LOG_LEVEL: { default: 'info', parse: oneOf(LOG_LEVELS) },
  LOG_DIR: { default: stateDefault('LOG_DIR', DEFAULT_DATA_DIR), parse: text },
  ENABLE_METRICS: { default: 'true', parse: boolean },
  DATA_DIR: { default: DEFAULT_DATA_DIR, parse: text },
  ADMIN_DIST_DIR: { default: './dist/apps/admin/browser', parse: text },
  SESSION_TTL_MINUTES: { default: '720', parse: integer(1, 60 * 24 * 30) },
  AUDIT_RETENTION_DAYS: { default: '365', parse: integer(0, 36500) },
  CALL_LOG: { default: 'false', parse: boolean },
  CALL_LOG_RETENTION_DAYS: { default: '30', parse: integer(0, 36500) },
  CALL_LOG_MAX_ROWS: { default: '1000000', parse: integer(0, 1_000_000_000) },
  CALL_LOG_REDACT_PATTERNS: { default: '', parse: regexList },
  CALL_LOG_PAYLOAD_MAX_BYTES: { default: '4096', parse: integer(256, 1_048_576) },
  METRICS_PER_TOOL: { default: 'false', parse: boolean },
  API_RATE_LIMIT: { default: '600', parse: integer(1, 1_000_000) },
  AUTH_FAILURE_LIMIT: { default: '20', parse: integer(1, 100_000) },
  PROCESS_STOP_GRACE_SEC: { default: '5', parse: integer(1, 300) },
  SHUTDOWN_GRACE_SEC: { default: '10', parse: integer(0, 600) },
  STREAM_HEARTBEAT_MS: { default: '15000', parse: integer(100, 300_000) },
  INSTANCE_ID: { parse: optional(instanceId) },
  INSTANCE_URL: { parse: optional(url('http:', 'https:')) },
  LEASE_TTL_SEC: { default: '15', parse: integer(2, 300) },
  CLUSTER_KEY_PREFIX: { default: 'mcp-proxy', parse: keyPrefix },
  HEALTH_CHECK_TIMEOUT_SEC: { default: '10', parse: integer(1, 300) },
  ALLOWED_HOSTS: { default: '', parse: hostList },
  CONFIG_FILE: { parse: optional(text) },
  PUBLIC_URL: { parse: optional(origin) },
  TRUSTED_PROXIES: { default: '', parse: trustedProxyList },
  OIDC_ISSUER: { parse: optional(issuerUrl) },
  OIDC_CLIENT_ID: { parse: optional(text) },
  OIDC_CLIENT_SECRET: { parse: optional(text) },
  OIDC_SCOPES: { default: 'openid profile email', parse: scopeList },
  OIDC_PROVIDER_NAME: { parse: optional(text) },
  OIDC_AUTO_CREATE: { default: 'false', parse: boolean },
  OIDC_ROLE_CLAIM: { default: 'groups', parse: claimPath },
  OIDC_ROLE_MAP: { default: '', parse: roleMap },
  OIDC_SERVICES_CLAIM: { parse: optional(claimPath) },
  OIDC_ONLY: { default: 'false', parse: boolean },
  OAUTH_ACCESS_TOKEN_TTL_SEC: { default: '900', parse: integer(10, 86_400) },
  OAUTH_REFRESH_TOKEN_TTL_DAYS: { default: '30', parse: integer(1, 365) },
  OAUTH_KEY_ROTATION_DAYS: { default: '30', parse: integer(1, 365) },
  OAUTH_CIMD_ALLOW_HTTP_LOOPBACK: { default: 'false', parse: boolean },
  OAUTH_DYNAMIC_REGISTRATION: { default: 'auto', parse: oneOf(['auto', 'true', 'false'] as const) },
  OAUTH_RATE_LIMIT: { default: '20', parse: integer(0, 100_000) },
  OTEL_EXPORTER_OTLP_ENDPOINT: { parse: optional(url('https:', 'http:')) },
  OTEL_EXPORTER_OTLP_HEADERS: { default: '', parse: keyValueList },
  OTEL_SERVICE_NAME: { default: 'mcp-reverse-proxy', parse: serviceName },
  OTEL_BSP_SCHEDULE_DELAY: { default: '5000', parse: integer(10, 60_000) },
  SANDBOX_USER: { default: 'auto', parse: oneOf(['auto', 'none'] as const) },
  SANDBOX_FILESYSTEM: { default: 'auto', parse: oneOf(['auto', 'bubblewrap', 'none'] as const) },
  SANDBOX_UID_BASE: { default: '200000', parse: integer(1000, 2_000_000_000) },
  SANDBOX_MEMORY_MB: { default: '2048', parse: integer(0, 1_048_576) },
  SANDBOX_CPU_PERCENT: { default: '0', parse: integer(0, 100_000) },
  SANDBOX_MAX_PROCESSES: { default: '512', parse: integer(0, 1_000_000) },
  SANDBOX_MAX_OPEN_FILES: { default: '4096', parse: integer(0, 1_048_576) },
  SANDBOX_CPU_SECONDS: { default: '0', parse: integer(0, 31_536_000) },
  SANDBOX_ADDRESS_SPACE_MB: { default: '0', parse: integer(0, 1_048_576) },
  SERVICE_DEFAULT_RATE_LIMIT: { default: '100', parse: integer(0, 1_000_000) },
  SERVICE_DEFAULT_CACHE: { default: 'true', parse: boolean },
  SERVICE_DEFAULT_AUTO_RESTART: { default: 'true', parse: boolean },
  SERVICE_DEFAULT_MAX_RESTARTS: { default: '5', parse: integer(0, 1000) },
  REGISTRY_URL: { default: 'https://registry.modelcontextprotocol.io', parse: baseUrlOrOff },
  REGISTRY_CACHE_TTL_SEC: { default: '300', parse: integer(0, 86_400) },
};

/**
 * Whether a Redis is configured, from the raw environment: module wiring needs to know before the
 * validated configuration exists (the deploy queue is BullMQ with Redis, in-process without).
 */
export function redisConfigured(source: Record<string, string | undefined>): boolean {
  return (source['REDIS_URL'] ?? '').trim() !== '' || (source['REDIS_URL_FILE'] ?? '').trim() !== '';
}

/** Thrown when the environment holds a value the product cannot run with; names every bad key. */
export class InvalidEnvironmentError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'InvalidEnvironmentError';
  }
}

/** Parse and check every key; cross-key rules come last. A credential given as `<KEY>_FILE` is read here first. */
export function validateEnv(input: Record<string, string | undefined>): AppEnv {
  const { source, problems } = withSecretFiles(input);
  const env: Record<string, unknown> = {};
  // The database, logs and clones go under DATA_DIR when not set (or where an older install already has them).
  const dataDir = (source['DATA_DIR'] ?? '').trim() || DEFAULT_DATA_DIR;
  for (const key of Object.keys(UNDER_DATA_DIR) as (keyof typeof UNDER_DATA_DIR)[]) {
    if ((source[key] ?? '').trim() === '') source[key] = defaultStatePath(key, dataDir).path;
  }
  for (const [key, spec] of Object.entries(ENV_SCHEMA) as [keyof AppEnv, KeySpec<unknown>][]) {
    const raw = source[key] ?? spec.default ?? '';
    try {
      env[key] = spec.parse(raw);
    } catch (error) {
      if (!(error instanceof InvalidValue)) throw error;
      problems.push(`${key}=${JSON.stringify(shown(key, raw))} ${error.message}`);
    }
  }
  if (problems.length === 0) problems.push(...crossKeyProblems(env as unknown as AppEnv));
  if (problems.length > 0) throw new InvalidEnvironmentError(problems);
  return env as unknown as AppEnv;
}

// OTEL_EXPORTER_OTLP_HEADERS carries a collector's credentials.
const SECRET_KEYS = new Set<string>([
  'API_KEY',
  'JWT_SECRET',
  'ENCRYPTION_KEY',
  'ENCRYPTION_KEY_PREVIOUS',
  'GITHUB_TOKEN',
  'GITHUB_WEBHOOK_SECRET',
  'CLOUDFLARE_TOKEN',
  'OIDC_CLIENT_SECRET',
  'OTEL_EXPORTER_OTLP_HEADERS',
]);

/**
 * Settings that carry credentials (the secrets, and the URLs that may hold a password). Each may be given
 * as `<KEY>_FILE`, a file holding the value (the Docker-secrets convention), and none is left in the
 * process environment once the app is built (see scrub-environment.ts).
 */
export const CREDENTIAL_KEYS: readonly string[] = [...SECRET_KEYS, 'DATABASE_URL', 'REDIS_URL'];

/** Suffix of the variable naming a file that holds a credential setting's value. */
export const FILE_SUFFIX = '_FILE';

/**
 * The source with every `<KEY>_FILE` read into `<KEY>` (one trailing newline dropped, as `echo` and most
 * editors add one). The file wins over a plain `<KEY>`, which docker-compose.yml always sets (to its
 * default). A file that cannot be read is a problem naming the variable; its content is never shown.
 */
export function withSecretFiles(input: Record<string, string | undefined>): {
  source: Record<string, string | undefined>;
  problems: string[];
} {
  const source = { ...input };
  const problems: string[] = [];
  for (const key of CREDENTIAL_KEYS) {
    const path = (input[`${key}${FILE_SUFFIX}`] ?? '').trim();
    if (path === '') continue;
    try {
      source[key] = readFileSync(path, 'utf8').replace(/\r?\n$/, '');
    } catch (error) {
      problems.push(
        `${key}${FILE_SUFFIX}=${JSON.stringify(path)} cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
      );
    }
  }
  return { source, problems };
}

/** One key's value from its raw text, by the same rules as at start-up; throws `InvalidSettingValue` naming the rule. */
export function parseEnvValue<K extends keyof AppEnv>(key: K, raw: string): AppEnv[K] {
  try {
    return (ENV_SCHEMA[key] as KeySpec<AppEnv[K]>).parse(raw);
  } catch (error) {
    if (error instanceof InvalidValue) throw new InvalidSettingValue(key, error.message);
    throw error;
  }
}

/** The built-in default of a key (what applies when the environment does not set it), parsed; undefined when it has none. */
export function envDefault<K extends keyof AppEnv>(key: K): AppEnv[K] | undefined {
  const spec = ENV_SCHEMA[key] as KeySpec<AppEnv[K]>;
  return spec.default === undefined ? undefined : spec.parse(spec.default);
}

/** A value a key cannot take; the message starts with the key, e.g. `API_RATE_LIMIT must be a whole number from 1 to 1000000`. */
export class InvalidSettingValue extends Error {
  constructor(
    readonly key: string,
    readonly rule: string,
  ) {
    super(`${key} ${rule}`);
    this.name = 'InvalidSettingValue';
  }
}

/** Keys whose values are secrets: never shown, not even masked. */
export function isSecretEnvKey(key: string): boolean {
  return SECRET_KEYS.has(key);
}

/** Error messages must never echo a secret, even an invalid one. */
function shown(key: string, raw: string): string {
  return SECRET_KEYS.has(key) ? '<hidden>' : raw;
}

function crossKeyProblems(env: AppEnv): string[] {
  const problems: string[] = [];
  const ports = { BACKEND_PORT: env.BACKEND_PORT, FRONTEND_PORT: env.FRONTEND_PORT, HTTPS_PORT: env.HTTPS_PORT };
  const seen = new Map<number, string>();
  for (const [key, value] of Object.entries(ports)) {
    if (key === 'HTTPS_PORT' && !env.SSL_ENABLED) continue;
    const other = seen.get(value);
    if (other) problems.push(`${key}=${value} is already used by ${other}`);
    seen.set(value, key);
  }
  if (env.FORCE_SSL && !env.SSL_ENABLED) problems.push('FORCE_SSL=true needs SSL_ENABLED=true');
  if (env.INSTANCE_URL && !(env.REDIS_URL && /^postgres(ql)?:\/\//.test(env.DATABASE_URL))) {
    problems.push('INSTANCE_URL (several instances) needs REDIS_URL and a postgres:// DATABASE_URL shared by every instance');
  }
  if (env.AUTO_MAP_PORTS && !env.ENABLE_UPNP) problems.push('AUTO_MAP_PORTS=true needs ENABLE_UPNP=true');
  if (env.SSL_ENABLED && env.SSL_PROVIDER === 'letsencrypt' && !env.DOMAIN) {
    problems.push('DOMAIN is required when SSL_PROVIDER=letsencrypt');
  }
  if (env.SSL_ENABLED && env.SSL_PROVIDER === 'letsencrypt' && env.DOMAIN?.startsWith('*.') && !env.CLOUDFLARE_TOKEN) {
    problems.push(`DOMAIN=${env.DOMAIN} needs CLOUDFLARE_TOKEN: a wildcard can only be validated through DNS-01`);
  }
  if (env.OIDC_ISSUER && !env.OIDC_CLIENT_ID) problems.push('OIDC_ISSUER needs OIDC_CLIENT_ID (the client registered at the provider)');
  if (env.OIDC_ONLY && !env.OIDC_ISSUER) problems.push('OIDC_ONLY=true needs OIDC_ISSUER: nobody but the API key holder could sign in');
  return problems;
}
