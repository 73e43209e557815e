import { RateLimiter } from './rate-limiter';

describe('RateLimiter (in-process)', () => {
  const limiter = new RateLimiter(null);
  afterAll(() => limiter.onModuleDestroy());

  it('allows `limit` requests per client per minute, then says when to retry', async () => {
    const start = 1_800_000_000_000 - (1_800_000_000_000 % 60_000);
    for (let i = 0; i < 3; i++) expect((await limiter.take('svc', 'alice', 3, start + i)).allowed).toBe(true);
    expect(await limiter.take('svc', 'alice', 3, start + 15_000)).toEqual({ allowed: false, retryAfterSec: 45 });
    expect((await limiter.take('svc', 'bob', 3, start + 15_000)).allowed).toBe(true);
    expect((await limiter.take('other', 'alice', 3, start + 15_000)).allowed).toBe(true);
    expect((await limiter.take('svc', 'alice', 3, start + 60_000)).allowed).toBe(true);
  });

  it('never limits when the limit is 0', async () => {
    for (let i = 0; i < 1000; i++) expect((await limiter.take('svc', 'carol', 0)).allowed).toBe(true);
  });
});
