import type { RuntimeSettings } from '../core/config/runtime-settings';
import { DEFAULT_FAILURES_BEFORE_RESTART } from './health/health-check';
import { DEFAULT_BACKOFF } from './restart-policy';

/** Timings of the supervisor; from the configuration in the app, set directly in tests. */
export interface SupervisorOptions {
  /** After SIGTERM, how long a process group has before SIGKILL. */
  stopGraceMs: number;
  /** How long a health probe may take. */
  healthTimeoutMs: number;
  healthFailuresBeforeRestart: number;
  /** How often running process trees are sampled for memory and CPU. */
  sampleIntervalMs: number;
  backoff: { baseDelayMs: number; maxDelayMs: number; stableAfterMs: number };
}

export const SUPERVISOR_OPTIONS = Symbol('SUPERVISOR_OPTIONS');

/** The two timings an administrator may change at runtime are getters, so each stop and probe reads the live value. */
export function supervisorOptionsFrom(settings: RuntimeSettings): SupervisorOptions {
  return {
    get stopGraceMs() {
      return settings.get('PROCESS_STOP_GRACE_SEC') * 1000;
    },
    get healthTimeoutMs() {
      return settings.get('HEALTH_CHECK_TIMEOUT_SEC') * 1000;
    },
    healthFailuresBeforeRestart: DEFAULT_FAILURES_BEFORE_RESTART,
    sampleIntervalMs: 5000,
    backoff: { ...DEFAULT_BACKOFF },
  };
}
