import type Redis from 'ioredis';
import { RuntimeView, ServiceRuntime, toRuntimeView } from '../services/service-view.mapper';

/** A service's runtime facts as its owner publishes them: the runtime part of its view, without the sandbox. */
export type PublishedRuntime = Omit<RuntimeView, 'sandbox'>;

export function toPublished(runtime: ServiceRuntime, instance: string | null): PublishedRuntime {
  const { sandbox: _sandbox, ...view } = toRuntimeView(runtime);
  // A stopped service runs nowhere: no instance to name.
  return { ...view, instance: runtime.status === 'stopped' ? null : instance };
}

export function fromPublished(published: PublishedRuntime): ServiceRuntime {
  return { ...published, startedAt: published.startedAt ? new Date(published.startedAt) : null };
}

/** Parses what another instance wrote; null for anything that is not a published runtime. */
export function parsePublished(raw: string | null | undefined): PublishedRuntime | null {
  if (!raw) return null;
  try {
    const value = JSON.parse(raw) as PublishedRuntime;
    return typeof value?.status === 'string' && typeof value.restarts === 'number' ? value : null;
  } catch {
    return null;
  }
}

/**
 * The owner's view of each service it runs, in Redis (`<prefix>:state:<serviceId>`), for the other
 * instances to show. It expires with the lease time, and the owner rewrites it each time it renews
 * its leases, so the facts of an owner that died disappear with its lease.
 */
export class ClusterStatus {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly ttlMs: number,
  ) {}

  async write(serviceId: string, runtime: PublishedRuntime): Promise<void> {
    await this.redis.set(this.key(serviceId), JSON.stringify(runtime), 'PX', this.ttlMs);
  }

  /** The published facts of each service asked for; a service nobody publishes for maps to null. */
  async read(serviceIds: string[]): Promise<Map<string, PublishedRuntime | null>> {
    const found = new Map<string, PublishedRuntime | null>();
    if (serviceIds.length === 0) return found;
    const values = await this.redis.mget(serviceIds.map((id) => this.key(id)));
    serviceIds.forEach((id, index) => found.set(id, parsePublished(values[index])));
    return found;
  }

  private key(serviceId: string): string {
    return `${this.prefix}:state:${serviceId}`;
  }
}
