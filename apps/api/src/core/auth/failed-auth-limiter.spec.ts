import { FailedAuthLimiter } from './failed-auth-limiter';

describe('FailedAuthLimiter', () => {
  it('blocks an address after the limit within 15 minutes and lets it go when the window passes', () => {
    let now = 1_000_000;
    const limiter = new FailedAuthLimiter(() => 3, () => now);
    for (let i = 0; i < 3; i++) {
      expect(limiter.retryAfterMs('10.0.0.1')).toBe(0);
      limiter.recordFailure('10.0.0.1');
      now += 1000;
    }
    expect(limiter.retryAfterMs('10.0.0.1')).toBe(15 * 60 * 1000 - 3000);
    expect(limiter.retryAfterMs('10.0.0.2')).toBe(0);
    now += 15 * 60 * 1000;
    expect(limiter.retryAfterMs('10.0.0.1')).toBe(0);
  });
});
