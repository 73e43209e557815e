import type Redis from 'ioredis';
import { randomBytes } from 'node:crypto';

/** Deletes the lock only if it is still ours (the value we set), so a lock that expired and was taken is left alone. */
const UNLOCK = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
const POLL_MS = 50;

/** Runs work under a named lock; one cluster-wide (Redis) or, alone, none beyond the instance's own ordering. */
export interface NamedLocks {
  around<T>(name: string, work: () => Promise<T>): Promise<T>;
}

/** Alone there is nobody to exclude: the work runs at once (callers keep their own in-process ordering). */
export const NO_LOCKS: NamedLocks = { around: (_name, work) => work() };

/**
 * Short exclusive locks shared by the instances of a cluster (`<prefix>:lock:<name>`): SET NX with a TTL,
 * waited for by polling, released only by their holder. The TTL bounds how long a crashed holder blocks the
 * others; work that outlives it loses the exclusivity, so it is for short sections (a token refresh).
 */
export class RedisLocks implements NamedLocks {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly ttlMs = 30_000,
    private readonly waitMs = 35_000,
  ) {}

  async around<T>(name: string, work: () => Promise<T>): Promise<T> {
    const key = `${this.prefix}:lock:${name}`;
    const mine = randomBytes(12).toString('base64url');
    const deadline = Date.now() + this.waitMs;
    while ((await this.redis.set(key, mine, 'PX', this.ttlMs, 'NX')) !== 'OK') {
      if (Date.now() > deadline)
        throw new Error(`another instance has held the lock "${name}" for over ${Math.round(this.waitMs / 1000)} s`);
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    try {
      return await work();
    } finally {
      await this.redis.eval(UNLOCK, 1, key, mine).catch(() => undefined);
    }
  }
}
