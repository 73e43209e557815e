/**
 * When a supervised child dies on its own, decide whether to start it again and after how long.
 * Pure: the supervisor passes the time and keeps the state between calls.
 */

export interface RestartPolicyConfig {
  autoRestart: boolean;
  /** Unexpected exits tolerated within `restartWindowSec` before the service is parked. */
  maxRestarts: number;
  restartWindowSec: number;
  /** First back-off delay; doubles at every consecutive failure up to `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A child that stayed up this long was healthy: its next failure starts the back-off afresh. */
  stableAfterMs: number;
}

export const DEFAULT_BACKOFF = { baseDelayMs: 500, maxDelayMs: 30_000, stableAfterMs: 60_000 } as const;

export interface RestartState {
  /** Times (ms) of the unexpected exits still inside the window. */
  recentFailures: readonly number[];
  /** Failures since the child was last up for `stableAfterMs`: the back-off exponent. */
  consecutiveFailures: number;
}

export const FRESH_RESTART_STATE: RestartState = { recentFailures: [], consecutiveFailures: 0 };

export interface ExitFacts {
  /** A stop or restart the user (or shutdown) asked for: never counts as a failure. */
  expected: boolean;
  /** How long the child had been up when it exited. */
  uptimeMs: number;
  /** When it exited. */
  at: number;
}

export type RestartDecision =
  | { action: 'none'; state: RestartState }
  | { action: 'restart'; delayMs: number; state: RestartState }
  | { action: 'park'; why: string; state: RestartState };

export function decideAfterExit(config: RestartPolicyConfig, state: RestartState, exit: ExitFacts): RestartDecision {
  if (exit.expected) return { action: 'none', state };

  const windowMs = config.restartWindowSec * 1000;
  const recentFailures = [...state.recentFailures.filter((time) => exit.at - time < windowMs), exit.at];
  const streak = exit.uptimeMs >= config.stableAfterMs ? 0 : state.consecutiveFailures;
  const next: RestartState = { recentFailures, consecutiveFailures: streak + 1 };

  if (!config.autoRestart) return { action: 'park', why: 'auto-restart is off', state: next };
  if (recentFailures.length > config.maxRestarts) {
    return {
      action: 'park',
      why: `gave up after ${config.maxRestarts} restart${config.maxRestarts === 1 ? '' : 's'} within ${config.restartWindowSec} s`,
      state: next,
    };
  }
  const delayMs = Math.min(config.baseDelayMs * 2 ** streak, config.maxDelayMs);
  return { action: 'restart', delayMs, state: next };
}
