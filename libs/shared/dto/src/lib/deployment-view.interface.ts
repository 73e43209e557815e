import type { DeploymentToolDriftView } from './tool-pins.dto';

/**
 * A deployment moves forward through these, and ends in `succeeded` or `failed`. `awaiting-approval`: the new
 * version's tools differ from the pinned ones under the drift policy `block`; it waits (not running) until an
 * admin approves (then it is promoted) or rejects it.
 */
export const DEPLOYMENT_STATUSES = [
  'queued',
  'cloning',
  'installing',
  'building',
  'starting',
  'awaiting-approval',
  'succeeded',
  'failed',
] as const;
export type DeploymentStatus = (typeof DEPLOYMENT_STATUSES)[number];

/** What asked for the deployment. */
export const DEPLOYMENT_TRIGGERS = ['api', 'webhook', 'rollback'] as const;
export type DeploymentTrigger = (typeof DEPLOYMENT_TRIGGERS)[number];

export interface DeploymentTimingsView {
  queuedAt: string;
  /** When a worker took it (first attempt). */
  startedAt: string | null;
  finishedAt: string | null;
  cloneMs: number | null;
  installMs: number | null;
  buildMs: number | null;
  /** Starting the new version and checking it answers MCP, up to the swap. */
  startMs: number | null;
}

/**
 * How the install and build steps of a deployment were confined: the same layers the service's server
 * gets (its own user, bubblewrap, cgroup and rlimit caps). Null until those steps ran, or when none ran
 * (a rollback, a commit built already).
 */
export interface BuildSandboxView {
  /**
   * False when the steps ran with the proxy's own user and no filesystem sandbox: the repository's
   * scripts could read the proxy's keys and data. The portal shows this on the deployment.
   */
  isolated: boolean;
  applied: string[];
  notApplied: string[];
}

/** A deployment without its log: the history list and the live status messages. */
export interface DeploymentSummaryView {
  id: string;
  serviceId: string;
  serviceName: string;
  status: DeploymentStatus;
  trigger: DeploymentTrigger;
  repositoryUrl: string;
  branch: string | null;
  /** The commit deployed, once the clone has it. */
  commit: string | null;
  /** Why it failed, in words the user can act on. */
  error: string | null;
  attempts: number;
  timings: DeploymentTimingsView;
  buildSandbox: BuildSandboxView | null;
  /** How the new version's tools compare with the pinned ones; null when they match, nothing was pinned yet, or the policy is `off`. */
  toolDrift: DeploymentToolDriftView | null;
}

/** `GET /api/deployments/:id`: the summary and the whole build log (tokens and secret values masked). */
export interface DeploymentView extends DeploymentSummaryView {
  log: string;
}

/** `202` answer of `POST /api/github/deploy` and `POST /api/services/:id/rollback`. */
export interface DeployAcceptedView {
  deploymentId: string;
  serviceId: string;
}

/** `POST /api/github/webhook` answers. */
export interface WebhookResultView {
  /** `pong`, `queued` (deployments started), or `ignored` with the reason. */
  result: 'pong' | 'queued' | 'ignored';
  deploymentIds?: string[];
  reason?: string;
}

/** Live channel of one deployment on `/ws`. */
export const DEPLOY_CHANNEL_PREFIX = 'deploy:';
