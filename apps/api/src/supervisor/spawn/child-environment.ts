import { isForbiddenEnvKey } from '@mcp-proxy/shared/dto';

/**
 * What a child inherits from the proxy's environment: enough to find programs, a home for caches
 * (npx), and the locale. Nothing else, so the proxy's own settings and secrets never reach a child.
 */
export const INHERITED_ENV_KEYS = ['PATH', 'HOME', 'USER', 'LOGNAME', 'LANG', 'LC_ALL', 'LC_CTYPE', 'TZ', 'TMPDIR'] as const;

export interface ChildEnvironmentInput {
  /** The inherited keys' values in the proxy's environment. */
  inherited: Record<string, string>;
  /** What the service's tool needs (uv/pip caches under its home, a container engine's address): over the inherited ones. */
  tooling?: Record<string, string>;
  /** The service's own (decrypted) variables: they win over inherited and tooling ones. */
  service: Record<string, string>;
  /** `http` services: the port the proxy chose, passed as PORT. */
  port?: number | null;
}

export function buildChildEnvironment({ inherited, tooling, service, port }: ChildEnvironmentInput): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of INHERITED_ENV_KEYS) if (inherited[key] !== undefined) env[key] = inherited[key];
  // Servers must not paint colours or draw progress bars into a pipe the proxy parses.
  env['TERM'] = 'dumb';
  env['NO_COLOR'] = '1';
  Object.assign(env, tooling ?? {});
  for (const [key, value] of Object.entries(service)) {
    // Refused when the service was saved; checked again here for rows written before the rule existed.
    if (!isForbiddenEnvKey(key)) env[key] = value;
  }
  if (port) env['PORT'] = String(port);
  return env;
}

/**
 * Service variables whose value is (or contains) one of the proxy's own secrets: almost certainly a
 * pasting mistake, and handing it to a third-party server would leak the proxy's keys.
 */
export function variablesHoldingProxySecrets(service: Record<string, string>, proxySecrets: readonly string[]): string[] {
  const secrets = proxySecrets.filter((secret) => secret.length >= 8);
  return Object.entries(service)
    .filter(([, value]) => secrets.some((secret) => value.includes(secret)))
    .map(([key]) => key);
}
