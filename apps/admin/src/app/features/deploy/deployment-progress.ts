import type { DeploymentStatus, DeploymentSummaryView } from '@mcp-proxy/shared/dto';
import type { StatusTone } from '../../shared/ui/status-chip/status-tone';

/** The steps a deployment goes through, in order, before it ends `succeeded` or `failed`. */
export const DEPLOY_STEPS = ['queued', 'cloning', 'installing', 'building', 'starting'] as const;
export type DeployStep = (typeof DEPLOY_STEPS)[number];

/**
 * `skipped`: passed without running (a rollback reuses a build; a commit built before is not built
 * again). `failed`: the step the deployment was in when it failed, when that was seen.
 * `unfinished`: a failed deployment's step without a time, when where it failed was not seen.
 */
export type StepState = 'done' | 'active' | 'pending' | 'skipped' | 'failed' | 'unfinished';

/** A rollback starts a build kept on disk: nothing is cloned, installed or built. */
const ROLLBACK_SKIPS: readonly DeployStep[] = ['cloning', 'installing', 'building'];

export interface StepView {
  step: DeployStep;
  label: string;
  state: StepState;
  /** How long the step took, when it ran and the API timed it. */
  durationMs: number | null;
}

const STEP_LABELS: Record<DeployStep, string> = {
  queued: 'Queued',
  cloning: 'Clone',
  installing: 'Install',
  building: 'Build',
  starting: 'Start and check',
};

export const DEPLOYMENT_TONES: Record<DeploymentStatus, StatusTone> = {
  queued: 'neutral',
  cloning: 'progress',
  installing: 'progress',
  building: 'progress',
  starting: 'progress',
  'awaiting-approval': 'progress',
  succeeded: 'positive',
  failed: 'negative',
};

export function isFinished(status: DeploymentStatus): boolean {
  return status === 'succeeded' || status === 'failed';
}

export function isStep(status: DeploymentStatus): status is DeployStep {
  return (DEPLOY_STEPS as readonly string[]).includes(status);
}

/** The first 12 characters, as git shows commits; an em dash before the clone has one. */
export function shortCommit(commit: string | null): string {
  return commit ? commit.slice(0, 12) : '—';
}

function msBetween(from: string | null, to: string | null): number | null {
  if (!from || !to) return null;
  const ms = Date.parse(to) - Date.parse(from);
  return Number.isFinite(ms) && ms >= 0 ? ms : null;
}

function stepDuration(deployment: DeploymentSummaryView, step: DeployStep): number | null {
  const { timings } = deployment;
  switch (step) {
    case 'queued':
      return msBetween(timings.queuedAt, timings.startedAt);
    case 'cloning':
      return timings.cloneMs;
    case 'installing':
      return timings.installMs;
    case 'building':
      return timings.buildMs;
    case 'starting':
      return timings.startMs;
  }
}

/**
 * Each step with its state and time. Statuses only move forward, so the current one says which
 * steps are behind; a step behind without a time was skipped. A failed deployment no longer says
 * where it failed: `failedAt` (the last step seen live) marks it, otherwise only what ran is shown.
 */
export function deploymentSteps(deployment: DeploymentSummaryView, failedAt: DeployStep | null = null): StepView[] {
  const { status } = deployment;
  const current = isStep(status) ? DEPLOY_STEPS.indexOf(status) : -1;
  const failedIndex = status === 'failed' && failedAt ? DEPLOY_STEPS.indexOf(failedAt) : -1;
  return DEPLOY_STEPS.map((step, index) => {
    const durationMs = stepDuration(deployment, step);
    let state: StepState;
    if (deployment.trigger === 'rollback' && ROLLBACK_SKIPS.includes(step)) state = 'skipped';
    else if (status === 'succeeded') state = durationMs === null ? 'skipped' : 'done';
    // Started and checked, then parked: its tool changes wait for an admin before it takes over.
    else if (status === 'awaiting-approval') state = step === 'starting' ? 'active' : durationMs === null ? 'skipped' : 'done';
    else if (status === 'failed') {
      if (index === failedIndex) state = 'failed';
      else if (durationMs !== null) state = 'done';
      else if (failedIndex < 0) state = 'unfinished';
      else state = index > failedIndex ? 'pending' : 'skipped';
    } else if (index < current) state = durationMs === null ? 'skipped' : 'done';
    else if (index === current) state = 'active';
    else state = 'pending';
    return { step, label: STEP_LABELS[step], state, durationMs: state === 'active' ? null : durationMs };
  });
}

/** From queued to finished, or to `now` while it runs. */
export function totalDuration(deployment: DeploymentSummaryView, now: number): number | null {
  const { queuedAt, finishedAt } = deployment.timings;
  if (finishedAt) return msBetween(queuedAt, finishedAt);
  const start = Date.parse(queuedAt);
  return Number.isFinite(start) ? Math.max(0, now - start) : null;
}

/** A short account of the timed steps for a history row: `clone 1.2 s · install 2.0 s`. */
export function stepSummary(deployment: DeploymentSummaryView, format: (ms: number) => string): string {
  const parts: string[] = [];
  const named: [string, number | null][] = [
    ['clone', deployment.timings.cloneMs],
    ['install', deployment.timings.installMs],
    ['build', deployment.timings.buildMs],
    ['start', deployment.timings.startMs],
  ];
  for (const [name, ms] of named) if (ms !== null) parts.push(`${name} ${format(ms)}`);
  return parts.join(' · ');
}
