import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { RateLimiter } from '../src/proxy/limits/rate-limiter';

/** Two proxy instances on one Redis share each client's budget (the local Redis; CI starts it when down). */
describe('rate limits shared through Redis', () => {
  const url = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
  const connections: Redis[] = [];
  const instance = (): RateLimiter => {
    const redis = new Redis(url, { maxRetriesPerRequest: 1 });
    connections.push(redis);
    return new RateLimiter(redis);
  };

  afterAll(async () => {
    await Promise.all(connections.filter((redis) => redis.status !== 'end').map((redis) => redis.quit().catch(() => undefined)));
  });

  it('counts requests from every instance against one budget per client and service', async () => {
    const [a, b] = [instance(), instance()];
    const service = `svc-${randomUUID()}`;
    const now = Date.now();
    const decisions = [];
    for (let i = 0; i < 6; i++) decisions.push(await (i % 2 ? a : b).take(service, 'alice', 5, now));
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, true, true, false]);
    expect(decisions[5].retryAfterSec).toBeGreaterThan(0);
    expect((await a.take(service, 'bob', 5, now)).allowed).toBe(true);
    a.onModuleDestroy();
    b.onModuleDestroy();
  });
});
