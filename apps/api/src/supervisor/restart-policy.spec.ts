import { decideAfterExit, FRESH_RESTART_STATE, RestartPolicyConfig, RestartState } from './restart-policy';

const config: RestartPolicyConfig = {
  autoRestart: true,
  maxRestarts: 3,
  restartWindowSec: 60,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  stableAfterMs: 60_000,
};

const state = (recentFailures: number[], consecutiveFailures: number): RestartState => ({ recentFailures, consecutiveFailures });

describe('decideAfterExit', () => {
  it.each<[string, Partial<RestartPolicyConfig>, RestartState, { expected?: boolean; uptimeMs: number; at: number }, string]>([
    ['an expected stop never counts', {}, state([1, 2, 3], 3), { expected: true, uptimeMs: 10, at: 100 }, 'none'],
    ['first crash: restart after the base delay', {}, FRESH_RESTART_STATE, { uptimeMs: 100, at: 1_000 }, 'restart 500'],
    ['second quick crash: delay doubles', {}, state([1_000], 1), { uptimeMs: 100, at: 2_000 }, 'restart 1000'],
    ['third quick crash: doubles again', {}, state([1_000, 2_000], 2), { uptimeMs: 100, at: 3_000 }, 'restart 2000'],
    ['one crash too many within the window: parked', {}, state([1_000, 2_000, 3_000], 3), { uptimeMs: 100, at: 4_000 }, 'park'],
    ['old crashes fall out of the window', {}, state([1_000, 2_000, 3_000], 3), { uptimeMs: 100, at: 70_000 }, 'restart 4000'],
    ['sustained uptime resets the back-off', {}, state([1_000], 5), { uptimeMs: 60_000, at: 61_500 }, 'restart 500'],
    ['the delay is capped', { maxRestarts: 100 }, state([], 12), { uptimeMs: 10, at: 1_000 }, 'restart 30000'],
    ['auto-restart off: parked at the first crash', { autoRestart: false }, FRESH_RESTART_STATE, { uptimeMs: 10, at: 1 }, 'park'],
    ['maxRestarts 0: parked at the first crash', { maxRestarts: 0 }, FRESH_RESTART_STATE, { uptimeMs: 10, at: 1 }, 'park'],
  ])('%s', (_title, overrides, before, exit, expected) => {
    const decision = decideAfterExit({ ...config, ...overrides }, before, { expected: false, ...exit });
    const summary = decision.action === 'restart' ? `restart ${decision.delayMs}` : decision.action;
    expect(summary).toBe(expected);
  });

  it('keeps the state unchanged for an expected exit and records a failure otherwise', () => {
    const before = state([1_000], 1);
    expect(decideAfterExit(config, before, { expected: true, uptimeMs: 5, at: 2_000 }).state).toBe(before);
    expect(decideAfterExit(config, before, { expected: false, uptimeMs: 5, at: 2_000 }).state).toEqual(state([1_000, 2_000], 2));
  });

  it('says why it parked a service', () => {
    const decision = decideAfterExit({ ...config, maxRestarts: 1 }, state([1_000], 1), { expected: false, uptimeMs: 5, at: 2_000 });
    expect(decision).toMatchObject({ action: 'park', why: 'gave up after 1 restart within 60 s' });
  });
});
