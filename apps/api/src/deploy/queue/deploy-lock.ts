import { Inject, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';

export const DEPLOY_LOCK_REDIS = Symbol('DEPLOY_LOCK_REDIS');

/** Held this long unless renewed; a worker that died lets go of it by itself. */
export const DEPLOY_LOCK_TTL_MS = 60_000;

const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/**
 * One deployment per service at a time, across every worker on the Redis: a key per service holding
 * the deployment that runs, with an expiry, renewed while it runs and deleted only by its holder.
 */
export class DeployLock implements OnApplicationShutdown {
  constructor(
    @Inject(DEPLOY_LOCK_REDIS) private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async acquire(serviceId: string, deploymentId: string): Promise<boolean> {
    const held = await this.redis.set(this.key(serviceId), deploymentId, 'PX', DEPLOY_LOCK_TTL_MS, 'NX');
    if (held === 'OK') return true;
    // The same deployment again (a job taken back after its worker stalled): still ours.
    return (await this.redis.get(this.key(serviceId))) === deploymentId;
  }

  async renew(serviceId: string, deploymentId: string): Promise<void> {
    await this.redis.eval(RENEW, 1, this.key(serviceId), deploymentId, String(DEPLOY_LOCK_TTL_MS));
  }

  async release(serviceId: string, deploymentId: string): Promise<void> {
    await this.redis.eval(RELEASE, 1, this.key(serviceId), deploymentId);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => undefined);
  }

  private key(serviceId: string): string {
    return `${this.prefix}:deploy-lock:${serviceId}`;
  }
}
