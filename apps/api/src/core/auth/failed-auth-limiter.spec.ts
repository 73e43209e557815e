import type { Principal } from './principal';
import { AuthBucket, FailedAuthLimiter } from './failed-auth-limiter';

const WINDOW = 15 * 60 * 1000;
const ADMIN: Principal = { kind: 'admin', id: 'admin', role: 'admin' };
const STRONG_KEY = `test_${'0123456789abcdef'.repeat(3)}`;

describe('FailedAuthLimiter', () => {
  let now: number;
  let limiter: FailedAuthLimiter;
  beforeEach(() => {
    now = 1_000_000;
    limiter = new FailedAuthLimiter(
      () => 3,
      () => now,
    );
  });

  it('blocks a bucket after the limit within 15 minutes and lets it go when the window passes', () => {
    const bucket = AuthBucket.credential('10.0.0.1', 'weak');
    for (let i = 0; i < 3; i++) {
      expect(limiter.retryAfterMs(bucket)).toBe(0);
      limiter.recordFailure(bucket);
      now += 1000;
    }
    expect(limiter.retryAfterMs(bucket)).toBe(WINDOW - 3000);
    expect(limiter.retryAfterMs(AuthBucket.credential('10.0.0.2', 'weak'))).toBe(0);
    expect(limiter.retryAfterMs(AuthBucket.passwordLogin('10.0.0.1'))).toBe(0);
    now += WINDOW;
    expect(limiter.retryAfterMs(bucket)).toBe(0);
  });

  it('reserves attempts before their outcome: the limit holds for attempts made at once, and a success is taken back', () => {
    const buckets = [AuthBucket.passwordLogin('10.0.0.1'), AuthBucket.account('vera')];
    const reservations = Array.from({ length: 10 }, () => limiter.reserve(buckets));
    expect(reservations.filter((reservation) => reservation.ok)).toHaveLength(3);
    const first = reservations[0];
    if (!first.ok) throw new Error('the first attempt was refused');
    first.attempt.release();
    expect(limiter.reserve(buckets).ok).toBe(true);
    expect(limiter.reserve(buckets).ok).toBe(false);
  });

  it('an account has a wider budget than an address, shared by every address', () => {
    for (let i = 0; i < 15; i++)
      expect(limiter.reserve([AuthBucket.passwordLogin(`10.0.1.${i}`), AuthBucket.account('Vera')]).ok).toBe(true);
    expect(limiter.reserve([AuthBucket.passwordLogin('10.0.2.1'), AuthBucket.account('vera')]).ok).toBe(false);
  });

  describe('verify', () => {
    const check = (credential: string): Promise<Principal | null> => Promise.resolve(credential === STRONG_KEY ? ADMIN : null);

    it('a missing credential is answered 401 and counted nowhere', async () => {
      for (let i = 0; i < 10; i++)
        expect(await limiter.verify('10.0.0.1', undefined, check)).toMatchObject({ principal: null, status: 401 });
      expect(limiter.size).toBe(0);
    });

    it('guessable credentials are refused up front once their address failed too often; a strong right key still passes', async () => {
      for (let i = 0; i < 3; i++)
        expect(await limiter.verify('10.0.0.1', 'wrong', check)).toMatchObject({
          status: 401,
        });
      let checked = 0;
      const counting = (credential: string): Promise<Principal | null> => {
        checked++;
        return check(credential);
      };
      expect(await limiter.verify('10.0.0.1', 'wrong', counting)).toMatchObject({ status: 429, retryAfterMs: expect.any(Number) });
      expect(checked).toBe(0);
      expect(await limiter.verify('10.0.0.1', STRONG_KEY, counting)).toEqual({
        principal: ADMIN,
      });
      expect(await limiter.verify('10.0.0.2', 'wrong', check)).toMatchObject({
        status: 401,
      });
    });

    it('wrong strong credentials are counted (429 past the limit) but the right one is never refused', async () => {
      const wrongStrong = `test_${'fedcba9876543210'.repeat(3)}`;
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) {
        const verdict = await limiter.verify('10.0.0.1', wrongStrong, check);
        if (!verdict.principal) statuses.push(verdict.status);
      }
      expect(statuses).toEqual([401, 401, 401, 429, 429]);
      expect(await limiter.verify('10.0.0.1', STRONG_KEY, check)).toEqual({
        principal: ADMIN,
      });
    });
  });

  it('does bounded work per failure with 100,000 addresses, and forgets them once the window has passed', () => {
    let clockReads = 0;
    const counted = new FailedAuthLimiter(
      () => 3,
      () => {
        clockReads++;
        return now;
      },
    );
    for (let i = 0; i < 100_000; i++) {
      counted.recordFailure(AuthBucket.credential(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, 'weak'));
      now += 1;
    }
    expect(counted.size).toBe(100_000);
    // A scan of every entry per failure would read the clock billions of times: the reads are the measure of the
    // work, not the wall clock of a shared machine.
    expect(clockReads).toBeLessThanOrEqual(2 * 100_000);
    now += WINDOW;
    counted.recordFailure(AuthBucket.credential('10.9.9.9', 'weak'));
    expect(counted.size).toBe(1);
  }, 30_000);
});
