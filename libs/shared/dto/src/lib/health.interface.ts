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

/** `degraded`: the API serves, but something it should be doing is not done (see `problemCounts`). */
export type HealthStatus = 'ok' | 'degraded';

/** What a problem is about: a service wanted running, the HTTPS certificate, a UPnP port mapping, a deployment. */
export type HealthProblemKind = 'service' | 'certificate' | 'upnp' | 'deploy';

/** `crashed`/`failed` (a service), `renewal-failed` (certificate), `lease-lost` (UPnP), `stuck` (deploy). */
export type HealthProblemStatus = 'crashed' | 'failed' | 'renewal-failed' | 'lease-lost' | 'stuck';

/** One reason the gateway is degraded, for a caller allowed to see what it names. */
export interface HealthProblemView {
  kind: HealthProblemKind;
  /** The service (service, deploy), the certificate's domain, or the port mapping (`https 8443`). */
  name: string;
  status: HealthProblemStatus;
  /** One short line saying why; never log output. */
  reason: string;
}

export interface HealthView {
  status: HealthStatus;
  version: string;
  /** Seconds since the API started. */
  uptime: number;
  services: { running: number; total: number };
  /** The default isolation of MCP server processes on this host. */
  children: ChildIsolationView;
  /** How many problems of each kind make the status `degraded`: public, like the status itself. */
  problemCounts: Record<HealthProblemKind, number>;
  /**
   * The problems by name and reason, only for a caller whose credential (API key, session) is valid, and only
   * those the caller may see: a user limited to some services sees problems of those services, never others'
   * names. Absent for an anonymous caller.
   */
  problems?: HealthProblemView[];
}

/** `starting` until every listener is up (children restored before that), `draining` once a graceful stop began. */
export type ReadinessState = 'starting' | 'ready' | 'draining';

/** `GET /health/ready`: 200 with `ready`, 503 otherwise, for load balancers. */
export interface ReadinessView {
  ready: boolean;
  state: ReadinessState;
}
