import { OnApplicationShutdown } from '@nestjs/common';
import type Redis from 'ioredis';
import { AppConfig } from '../core/config/app-config';
import type { ChildPlacement } from '../supervisor/child-placement';
import { ClusterBus } from './cluster-bus';
import { ClusterStatus } from './cluster-status';
import { InstanceIdentity } from './instance-identity';
import { LeaseStore } from './lease-store';
import { RedisLocks } from './redis-lock';

/** The cluster's Redis side, or null when this instance runs alone. */
export const CLUSTER_LINK = Symbol('CLUSTER_LINK');

/**
 * The Redis side of a cluster, opened once at start-up: the leases (which instance runs which service),
 * the bus (news between instances), the published runtime states and short named locks. The supervisor's placement and the
 * coordinator are both built on it; it closes its connections last, after the supervisor gave its leases up.
 */
export class ClusterLink implements OnApplicationShutdown {
  constructor(
    readonly identity: InstanceIdentity,
    readonly leases: LeaseStore,
    readonly bus: ClusterBus,
    readonly status: ClusterStatus,
    readonly ttlMs: number,
    private readonly connections: Redis[],
    /** Short cluster-wide locks (e.g. one refresh of an upstream OAuth connection at a time). */
    readonly locks: RedisLocks,
  ) {}

  /** Which instance runs a service: the holder of its lease. Alone, there is no question to ask. */
  placement(): ChildPlacement {
    return {
      claim: (id) => this.leases.acquire(id),
      release: (id) => this.leases.release(id),
      restartElsewhere: (id) => this.askOwnerToRestart(id),
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled(this.connections.map((connection) => connection.quit()));
  }

  /** Another live instance holds the lease: it is told to restart the service (over pub/sub). */
  private async askOwnerToRestart(serviceId: string): Promise<boolean> {
    const owner = await this.leases.ownerOf(serviceId);
    if (!owner || owner.id === this.identity.id) return false;
    this.bus.publish(serviceId, 'restart');
    return true;
  }

  /** Cluster mode is on with INSTANCE_URL and REDIS_URL (and PostgreSQL, checked with the environment); null otherwise. */
  static async open(config: AppConfig, identity: InstanceIdentity): Promise<ClusterLink | null> {
    const redisUrl = config.get('REDIS_URL');
    if (!identity.clustered || !identity.url || !redisUrl) return null;
    const ttlMs = config.get('LEASE_TTL_SEC') * 1000;
    // Loaded only in cluster mode, like the rate limiter's client.
    const { default: Redis } = await import('ioredis');
    const commands = new Redis(redisUrl, { maxRetriesPerRequest: 2 });
    const subscriber = new Redis(redisUrl, { maxRetriesPerRequest: 2 });
    const prefix = config.get('CLUSTER_KEY_PREFIX');
    return new ClusterLink(
      identity,
      new LeaseStore(commands, prefix, { id: identity.id, url: identity.url }, ttlMs),
      new ClusterBus(commands, subscriber, prefix, identity.id),
      new ClusterStatus(commands, prefix, ttlMs),
      ttlMs,
      [commands, subscriber],
      new RedisLocks(commands, prefix),
    );
  }
}
