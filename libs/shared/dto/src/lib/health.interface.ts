import type { HostLimitsView } from './service-limits';

/**
 * How the children are kept away from the proxy's secrets by default, as `/health` and the portal report it:
 * `own-users` (the proxy is root and runs each server as a user of its own), `bubblewrap` (same uid, but a
 * filesystem and pid namespace without the proxy's files and processes), `none` (children run with the
 * proxy's own rights).
 */
export type ChildIsolationLevel = 'own-users' | 'bubblewrap' | 'none';

export interface ChildIsolationView {
  isolation: ChildIsolationLevel;
  /** False when a child can read the proxy's keys (its data dir, its environment): said plainly, never hidden. */
  proxySecretsProtected: boolean;
  /** One sentence for the operator: what a child can reach and, when unprotected, what would fix it. */
  summary: string;
  /** Which resource limits are enforced on this host and which are not. */
  limits: HostLimitsView;
}

export interface HealthView {
  status: 'ok';
  version: string;
  /** Seconds since the API started. */
  uptime: number;
  services: { running: number; total: number };
  /** The default isolation of MCP server processes on this host. */
  children: ChildIsolationView;
}
