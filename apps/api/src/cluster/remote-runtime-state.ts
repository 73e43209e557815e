import { Logger } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type { ServiceView } from '@mcp-proxy/shared/dto';
import { SERVICE_EVENTS } from '../supervisor/child-handle';
import { ServiceRuntimes } from '../services/service-runtimes';
import { ServicesService } from '../services/services.service';
import { ClusterBus } from './cluster-bus';
import { ClusterStatus, fromPublished, PublishedRuntime, toPublished } from './cluster-status';

/**
 * Every instance shows the owner's runtime state of each service: the owner writes it to Redis and
 * announces it on the bus whenever it changes; the others keep the latest copy for their views and
 * pass each change on to their live `/ws` clients. The Redis copy expires with the lease, so the
 * state of an owner that died goes away with it.
 */
export class RemoteRuntimeState {
  private readonly logger = new Logger('Cluster');
  /** What was last applied per service run elsewhere, to tell a change from a repeat. */
  private readonly applied = new Map<string, string>();

  constructor(
    private readonly selfId: string,
    private readonly store: ClusterStatus,
    private readonly bus: ClusterBus,
    private readonly runtimes: ServiceRuntimes,
    private readonly services: ServicesService,
    private readonly emitter: EventEmitter2,
    private readonly holds: (serviceId: string) => boolean,
  ) {}

  start(): void {
    this.runtimes.identifyAs(this.selfId);
    this.emitter.on(SERVICE_EVENTS.status, (view: ServiceView) => {
      // Only what this instance runs; a view of another owner's state is not ours to publish.
      if (this.holds(view.id)) this.publish(view.id, true);
    });
  }

  /** A `status` message from the owner. */
  received(serviceId: string, runtime: PublishedRuntime | undefined): void {
    if (!runtime || this.holds(serviceId)) return;
    this.apply(serviceId, runtime);
  }

  /**
   * Each cluster pass: the owner rewrites the state of what it holds (renewing its TTL with the
   * lease); for everything else the copy here is brought in line with Redis (an expired one is dropped).
   */
  async refresh(heldIds: string[], otherIds: string[]): Promise<void> {
    for (const id of heldIds) this.publish(id, false);
    const others = [...new Set([...otherIds, ...this.runtimes.remoteIds()])].filter((id) => !this.holds(id));
    for (const [id, runtime] of await this.store.read(others)) this.apply(id, runtime);
    for (const id of heldIds) this.apply(id, null);
  }

  private publish(serviceId: string, announce: boolean): void {
    const runtime = toPublished(this.runtimes.local(serviceId), this.selfId);
    void this.store
      .write(serviceId, runtime)
      .catch((error: unknown) => this.logger.warn(`Could not publish the state of ${serviceId}: ${(error as Error).message}`));
    if (announce) this.bus.publish(serviceId, 'status', runtime);
  }

  private apply(serviceId: string, runtime: PublishedRuntime | null): void {
    const text = runtime ? JSON.stringify(runtime) : '';
    if ((this.applied.get(serviceId) ?? '') === text) return;
    if (runtime) this.applied.set(serviceId, text);
    else this.applied.delete(serviceId);
    this.runtimes.setRemote(serviceId, runtime ? fromPublished(runtime) : null);
    void this.services
      .entityOf(serviceId)
      .then((entity) => this.emitter.emit(SERVICE_EVENTS.status, this.services.viewOf(entity)))
      .catch(() => undefined);
  }
}
