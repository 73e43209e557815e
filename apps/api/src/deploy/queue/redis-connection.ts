import type { RedisOptions } from 'ioredis';

/** ioredis options from a `redis://` or `rediss://` URL, for BullMQ (which opens its own connections from them). */
export function redisOptionsFrom(url: string): RedisOptions {
  const parsed = new URL(url);
  const db = parsed.pathname.replace(/^\//, '');
  return {
    host: parsed.hostname.replace(/^\[|\]$/g, ''),
    port: parsed.port ? Number(parsed.port) : 6379,
    username: parsed.username ? decodeURIComponent(parsed.username) : undefined,
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    db: db === '' ? undefined : Number(db),
    tls: parsed.protocol === 'rediss:' ? {} : undefined,
    // BullMQ's workers block on Redis; they must not give up on a command while it reconnects.
    maxRetriesPerRequest: null,
  };
}
