import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { LeaseStore } from './lease-store';

/** Leases on the local Redis (CI starts it when down), under a prefix of this run. */
describe('LeaseStore', () => {
  const url = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
  const prefix = `lease-spec-${randomUUID()}`;
  let redis: Redis;
  const store = (id: string, ttlMs = 5000): LeaseStore => new LeaseStore(redis, prefix, { id, url: `http://${id}.local:8437` }, ttlMs);

  beforeAll(() => (redis = new Redis(url, { maxRetriesPerRequest: 1 })));
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it('gives a service to one instance at a time and names it as the owner', async () => {
    const [a, b] = [store('a'), store('b')];
    const service = randomUUID();
    expect(await a.acquire(service)).toBe(true);
    expect(await b.acquire(service)).toBe(false);
    expect(await a.acquire(service)).toBe(true);
    expect(await b.ownerOf(service)).toEqual({ id: 'a', url: 'http://a.local:8437' });
    expect(a.holds(service)).toBe(true);
    expect(b.holds(service)).toBe(false);
  });

  it('lets only the holder release it; then another instance can take it', async () => {
    const [a, b] = [store('a'), store('b')];
    const service = randomUUID();
    await a.acquire(service);
    await b.release(service);
    expect((await b.ownerOf(service))?.id).toBe('a');
    await a.release(service);
    expect(await b.ownerOf(service)).toBeNull();
    expect(await b.acquire(service)).toBe(true);
  });

  it('keeps a renewed lease past its TTL; an owner that stops renewing loses it to the next one', async () => {
    const [a, b] = [store('a', 300), store('b', 300)];
    const service = randomUUID();
    await a.acquire(service);
    for (let i = 0; i < 4; i++) {
      await new Promise((resolve) => setTimeout(resolve, 120));
      expect(await a.renewAll()).toEqual([]);
    }
    expect(await b.acquire(service)).toBe(false);
    // `a` stops renewing (it died, or hangs): after the TTL the lease is free.
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(await b.acquire(service)).toBe(true);
    expect(await a.renewAll()).toEqual([service]);
    expect(a.holds(service)).toBe(false);
  });

  it('counts the instances whose heartbeat has not run out, and forgets the others', async () => {
    const [a, b, c] = [store('live-a'), store('live-b'), store('live-c')];
    await a.heartbeat(5000);
    await b.heartbeat(150);
    await c.heartbeat(5000);
    expect((await a.liveInstances()).sort()).toEqual(['live-a', 'live-b', 'live-c']);
    await c.leave();
    await new Promise((resolve) => setTimeout(resolve, 300));
    // b stopped beating: gone from the answer and from the set of ids; it comes back with its next beat.
    expect(await a.liveInstances()).toEqual(['live-a']);
    expect(await redis.smembers(`${prefix}:instances`)).toEqual(['live-a']);
    await b.heartbeat(5000);
    expect((await c.liveInstances()).sort()).toEqual(['live-a', 'live-b']);
  });
});
