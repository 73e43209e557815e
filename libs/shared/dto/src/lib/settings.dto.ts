/**
 * PATCH /api/settings: the runtime settings to change, each optional; `null` resets one to its
 * environment value. The server checks each value with the environment's own rules (JSON type, range,
 * choices), so a value is accepted at runtime exactly when it is at start-up; any other key is refused
 * by name. No class-validator rules here on purpose: one set of rules, the environment's.
 */
export class UpdateSettingsDto {
  /** fatal, error, warn, info, debug, trace or silent. */
  LOG_LEVEL?: string | null;

  /** REST requests per minute per client address. */
  API_RATE_LIMIT?: number | null;

  /** Failed authentications per address per 15 minutes before 429. */
  AUTH_FAILURE_LIMIT?: number | null;

  /** Lifetime of UI session tokens issued from now on, in minutes. */
  SESSION_TTL_MINUTES?: number | null;

  /** Host names or IP addresses (besides localhost, loopback, this machine's own addresses and DOMAIN) that clients may use to reach the MCP endpoints. */
  ALLOWED_HOSTS?: string[] | null;

  /** Prometheus text at GET /metrics. */
  ENABLE_METRICS?: boolean | null;

  /** Seconds a health ping may take before it counts as a failure. */
  HEALTH_CHECK_TIMEOUT_SEC?: number | null;

  /** Seconds after SIGTERM before a stopped MCP server's process group gets SIGKILL. */
  PROCESS_STOP_GRACE_SEC?: number | null;

  /** proxy.rateLimit of a new service that names none (0 = unlimited). */
  SERVICE_DEFAULT_RATE_LIMIT?: number | null;

  /** proxy.cache of a new service that names none. */
  SERVICE_DEFAULT_CACHE?: boolean | null;

  /** process.autoRestart of a new service that names none. */
  SERVICE_DEFAULT_AUTO_RESTART?: boolean | null;

  /** process.maxRestarts of a new service that names none. */
  SERVICE_DEFAULT_MAX_RESTARTS?: number | null;
}
