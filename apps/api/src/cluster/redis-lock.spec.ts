import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { RedisLocks } from './redis-lock';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Locks on the local Redis (CI starts it when down), each instance on a connection of its own (upstream-connections-refresh.spec.ts: the refresh they serialize). */
describe('RedisLocks', () => {
  const url = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
  const prefix = `lock-spec-${randomUUID()}`;
  const connections: Redis[] = [];
  const instance = (ttlMs?: number, waitMs?: number): RedisLocks => {
    const redis = new Redis(url, { maxRetriesPerRequest: 1 });
    connections.push(redis);
    return new RedisLocks(redis, prefix, ttlMs, waitMs);
  };

  afterAll(async () => {
    const keys = await connections[0].keys(`${prefix}:*`);
    if (keys.length > 0) await connections[0].del(...keys);
    await Promise.all(connections.map((redis) => redis.quit()));
  });

  it('runs the sections one at a time, and each of them', async () => {
    const locks = [instance(), instance(), instance()];
    let inside = 0;
    let most = 0;
    const ran: number[] = [];
    await Promise.all(
      locks.map((lock, index) =>
        lock.around('section', async () => {
          inside++;
          most = Math.max(most, inside);
          await pause(40);
          ran.push(index);
          inside--;
        }),
      ),
    );
    expect(most).toBe(1);
    expect(ran.sort()).toEqual([0, 1, 2]);
  });

  it('releases the lock when the work fails, and a holder that died frees it when its TTL runs out', async () => {
    const lock = instance(400, 5_000);
    await expect(lock.around('failing', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await lock.around('failing', async () => 'again')).toBe('again');
    // A holder that never releases (its instance died): the key stays until its TTL.
    await connections[0].set(`${prefix}:lock:orphaned`, 'dead-instance', 'PX', 400);
    const started = Date.now();
    expect(await lock.around('orphaned', async () => 'taken')).toBe('taken');
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
  });

  it('gives up after its wait, naming the lock', async () => {
    const lock = instance(30_000, 200);
    await connections[0].set(`${prefix}:lock:held`, 'someone', 'PX', 5_000);
    await expect(lock.around('held', async () => 'never')).rejects.toThrow('"held"');
  });
});
