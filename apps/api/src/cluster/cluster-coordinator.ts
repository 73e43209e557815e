import { BeforeApplicationShutdown, Logger, OnModuleInit } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { SERVICE_EVENTS } from '../supervisor/child-handle';
import { ProcessSupervisor } from '../supervisor/process-supervisor';
import { ServicesService } from '../services/services.service';
import type { ServerResponse } from 'node:http';
import { ClusterBalancer } from './cluster-balancer';
import { ClusterBus } from './cluster-bus';
import { InstanceIdentity } from './instance-identity';
import { LeaseOwner, LeaseStore } from './lease-store';
import { RemoteRuntimeState } from './remote-runtime-state';

/** A change that came from another instance: not published again. */
interface ServiceChanged {
  serviceId: string;
  fromInstance?: string;
}

/**
 * Several instances on one database and one Redis: each service that should run is run by exactly one
 * instance, the holder of its lease. Every third of the lease time this instance renews its leases
 * (stopping what it lost), stops what is no longer wanted, and takes over wanted services whose
 * owner is gone. Changes are announced to the other instances so their route tables follow. (Whether
 * the supervisor may start a service at all is the placement of ClusterLink: it asks the lease.)
 */
export class ClusterCoordinator implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger('Cluster');
  private timer: ReturnType<typeof setInterval> | null = null;
  private ticking: Promise<void> | null = null;
  private readonly adopting = new Map<string, Promise<boolean>>();
  private stopped = false;

  // Built by ClusterModule's factory: the Redis parts exist only in cluster mode.
  constructor(
    private readonly identity: InstanceIdentity,
    private readonly leases: LeaseStore | null,
    private readonly bus: ClusterBus | null,
    private readonly tickMs: number,
    private readonly supervisor: ProcessSupervisor,
    private readonly services: ServicesService,
    private readonly emitter: EventEmitter2,
    private readonly remoteState: RemoteRuntimeState | null = null,
    private readonly balancer: ClusterBalancer | null = null,
  ) {}

  get enabled(): boolean {
    return this.leases !== null;
  }

  async onModuleInit(): Promise<void> {
    const leases = this.leases;
    if (!leases) return;
    this.remoteState?.start();
    this.emitter.on(SERVICE_EVENTS.changed, (change: ServiceChanged) => {
      if (!change.fromInstance) this.bus?.publish(change.serviceId);
    });
    await this.bus?.listen(({ serviceId, from, kind, runtime, to }) => {
      if (kind === 'handover') {
        if (to === this.identity.id) void this.adopt(serviceId);
        return;
      }
      if (kind === 'status') {
        this.remoteState?.received(serviceId, runtime);
        return;
      }
      if (kind === 'restart') {
        if (leases.holds(serviceId))
          void this.supervisor
            .restart(serviceId)
            .catch((error: unknown) => this.logger.warn(`Restart asked by ${from} failed: ${(error as Error).message}`));
        return;
      }
      this.emitter.emit(SERVICE_EVENTS.changed, { serviceId, fromInstance: from } satisfies ServiceChanged);
      void this.tick();
    });
    this.timer = setInterval(() => void this.tick(), this.tickMs);
    this.timer.unref();
    this.logger.log(`Instance ${this.identity.id} at ${this.identity.url} joins the cluster`);
  }

  /** Who runs the service now, as the lease says; null when nobody does. */
  ownerOf(serviceId: string): Promise<LeaseOwner | null> {
    return this.leases ? this.leases.ownerOf(serviceId) : Promise.resolve(null);
  }

  /** Whether this instance holds the service's lease. */
  holds(serviceId: string): boolean {
    return this.leases?.holds(serviceId) ?? false;
  }

  /**
   * Nobody holds the lease of a service a request is for: this instance takes it and starts the
   * service, if it is wanted running. True when it runs here now.
   */
  adopt(serviceId: string): Promise<boolean> {
    let pending = this.adopting.get(serviceId);
    if (!pending) {
      pending = this.takeOver(serviceId).finally(() => this.adopting.delete(serviceId));
      this.adopting.set(serviceId, pending);
    }
    return pending;
  }

  /** Settles when a takeover of the service in progress here has (or has not) started it; at once otherwise. */
  async adoption(serviceId: string): Promise<void> {
    await this.adopting.get(serviceId);
  }

  /** Settles when this instance is no longer handing the service over to another one; at once otherwise. */
  handover(serviceId: string): Promise<void> {
    return this.balancer?.handover(serviceId) ?? Promise.resolve();
  }

  /** A call answered here for a service this instance runs: a handover waits for it. */
  track(serviceId: string, response: ServerResponse): void {
    this.balancer?.track(serviceId, response);
  }

  /** Whether the service was offered to another instance (its owner handing it over): that one takes it. */
  offeredElsewhere(serviceId: string): Promise<boolean> {
    return this.balancer?.offeredElsewhere(serviceId) ?? Promise.resolve(false);
  }

  /** One pass; passes never overlap. */
  tick(): Promise<void> {
    if (!this.leases || this.stopped) return Promise.resolve();
    this.ticking ??= this.pass(this.leases)
      .catch((error: unknown) => this.logger.warn(`Cluster pass failed: ${(error as Error).message}`))
      .finally(() => (this.ticking = null));
    return this.ticking;
  }

  beforeApplicationShutdown(): void {
    // The supervisor stops the children next and gives their leases up as each one is down (ClusterLink closes Redis after).
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    void this.balancer?.leave();
  }

  private async pass(leases: LeaseStore): Promise<void> {
    for (const lost of await leases.renewAll()) {
      this.logger.warn(`Lost the lease of service ${lost}; stopping it here`);
      await this.supervisor.relinquish(lost);
    }
    const wanted = await this.services.listDesiredRunning();
    const wantedIds = new Set(wanted.map((entity) => entity.id));
    for (const id of leases.heldIds()) if (!wantedIds.has(id)) await this.supervisor.relinquish(id);
    for (const entity of wanted) {
      if (this.stopped) return;
      // A service held here is the supervisor's (restarts, a park after crashes); only orphans are taken.
      if (!leases.holds(entity.id)) await this.adopt(entity.id);
    }
    await this.remoteState?.refresh(leases.heldIds(), [...wantedIds]);
    if (!this.stopped) await this.balancer?.balance([...wantedIds]);
  }

  private async takeOver(serviceId: string): Promise<boolean> {
    const leases = this.leases;
    if (!leases || this.stopped) return false;
    const entity = await this.services.entityOf(serviceId).catch(() => null);
    if (!entity || entity.desiredState !== 'running') return false;
    if (await this.offeredElsewhere(serviceId)) return false;
    if (!(await leases.acquire(serviceId))) return false;
    if (this.supervisor.runsHere(serviceId)) return true;
    this.logger.log(`Taking over service "${entity.name}"`);
    await this.supervisor
      .start(serviceId)
      .catch((error: unknown) => this.logger.warn(`Could not start "${entity.name}": ${(error as Error).message}`));
    return this.supervisor.runsHere(serviceId);
  }
}
