import { Inject, Injectable, OnModuleDestroy, Optional } from '@nestjs/common';
import type Redis from 'ioredis';
import type { AppConfig } from '../../core/config/app-config';

export const RATE_LIMIT_REDIS = Symbol('RATE_LIMIT_REDIS');

export interface RateDecision {
  allowed: boolean;
  /** Seconds until the current window ends (for Retry-After). */
  retryAfterSec: number;
}

const WINDOW_MS = 60_000;

/** The Redis connection of a rate limiter shared by every instance; loaded only when configured (the client library is dead weight otherwise). */
export async function sharedRateLimitRedis(config: AppConfig): Promise<Redis | null> {
  const url = config.get('REDIS_URL');
  if (!url) return null;
  const { default: RedisClient } = await import('ioredis');
  return new RedisClient(url, { maxRetriesPerRequest: 2 });
}
const ALLOWED: RateDecision = { allowed: true, retryAfterSec: 0 };

/**
 * Requests per minute per (service, client), in fixed one-minute windows. With Redis the counters
 * live there (INCR + PEXPIRE), so every instance of the proxy shares one budget per client.
 */
@Injectable()
export class RateLimiter implements OnModuleDestroy {
  private readonly windows = new Map<string, { start: number; count: number }>();
  private readonly sweeper = setInterval(() => this.sweep(), WINDOW_MS).unref();

  constructor(@Optional() @Inject(RATE_LIMIT_REDIS) private readonly redis: Redis | null = null) {}

  /** `limit` 0 means unlimited and costs nothing. */
  async take(serviceId: string, clientId: string, limit: number, now = Date.now()): Promise<RateDecision> {
    if (limit <= 0) return ALLOWED;
    const windowStart = now - (now % WINDOW_MS);
    const retryAfterSec = Math.max(1, Math.ceil((windowStart + WINDOW_MS - now) / 1000));
    const key = `${serviceId}:${clientId}`;
    const count = this.redis ? await this.incrementShared(`mcp-proxy:rate:${key}:${windowStart}`) : this.increment(key, windowStart);
    return count <= limit ? ALLOWED : { allowed: false, retryAfterSec };
  }

  onModuleDestroy(): void {
    clearInterval(this.sweeper);
    if (this.redis && this.redis.status !== 'end') void this.redis.quit().catch(() => undefined);
  }

  private increment(key: string, windowStart: number): number {
    const window = this.windows.get(key);
    if (!window || window.start !== windowStart) {
      this.windows.set(key, { start: windowStart, count: 1 });
      return 1;
    }
    return ++window.count;
  }

  private async incrementShared(key: string): Promise<number> {
    const [[, count]] = (await (this.redis as Redis)
      .multi()
      .incr(key)
      .pexpire(key, WINDOW_MS * 2)
      .exec()) as [[unknown, number]];
    return count;
  }

  private sweep(now = Date.now()): void {
    for (const [key, window] of this.windows) if (now - window.start >= WINDOW_MS) this.windows.delete(key);
  }
}
