import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { InjectRepository } from '@nestjs/typeorm';
import { serviceEventFor, type ServiceView } from '@mcp-proxy/shared/dto';
import { randomUUID } from 'node:crypto';
import { LessThan, Repository } from 'typeorm';
import { InstanceIdentity } from '../cluster/instance-identity';
import { Clock } from '../core/time/clock';
import { ServiceRuntimes } from '../services/service-runtimes';
import { SERVICE_EVENTS } from '../supervisor/child-handle';
import { ServiceEventEntity } from './service-event.entity';

/** The newest events kept in the database (every instance trims to it). */
export const SERVICE_EVENTS_KEPT = 1000;
/** Trim after this many writes, so the table stays near its bound on a flapping service. */
const TRIM_EVERY_WRITES = 50;

/**
 * Writes each status change this instance's supervisor makes (a view another instance owns is that one's to
 * write) to `service_events`, off the emitter: writes are chained, never awaited by the supervisor.
 */
@Injectable()
export class ServiceEventRecorder implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('ServiceEvents');
  /** The last status and restart count seen per service, to tell news from a repeat. */
  private readonly last = new Map<string, { status: ServiceView['status']; restarts: number }>();
  private writes: Promise<unknown> = Promise.resolve();
  private sinceTrim = 0;
  private readonly instanceId: string;

  constructor(
    @InjectRepository(ServiceEventEntity) private readonly events: Repository<ServiceEventEntity>,
    private readonly runtimes: ServiceRuntimes,
    private readonly clock: Clock,
    instance: InstanceIdentity,
  ) {
    this.instanceId = instance.id.slice(0, 100);
  }

  onApplicationBootstrap(): void {
    this.chain(() => this.trim());
  }

  beforeApplicationShutdown(): Promise<unknown> {
    return this.writes;
  }

  @OnEvent(SERVICE_EVENTS.status)
  onStatus(view: ServiceView): void {
    // Another owner's state passed on by the cluster: that instance records it.
    if (this.runtimes.local(view.id).status !== view.status && this.runtimes.remoteIds().includes(view.id)) return;
    const previous = this.last.get(view.id);
    this.last.set(view.id, { status: view.status, restarts: view.restarts });
    // A service first seen stopped has not changed: it was never up here.
    if (!previous && view.status === 'stopped') return;
    const event = serviceEventFor(previous, view);
    if (!event) return;
    const row: ServiceEventEntity = {
      id: randomUUID(),
      at: new Date(this.clock.now()),
      instance: this.instanceId,
      serviceId: view.id,
      serviceName: view.name,
      kind: event.kind,
      message: event.message.slice(0, 500),
    };
    this.chain(async () => {
      await this.events.insert(row);
      if (++this.sinceTrim >= TRIM_EVERY_WRITES) await this.trim();
    });
  }

  /** Waits for the writes queued so far (tests read right after a change). */
  settled(): Promise<unknown> {
    return this.writes;
  }

  private chain(task: () => Promise<unknown>): void {
    this.writes = this.writes.then(task).catch((error: unknown) => {
      this.logger.warn(`Could not record a service event: ${error instanceof Error ? error.message : String(error)}`);
    });
  }

  /** Deletes what is older than the SERVICE_EVENTS_KEPT-th newest. */
  private async trim(): Promise<void> {
    this.sinceTrim = 0;
    const [boundary] = await this.events.find({
      select: { id: true, at: true },
      order: { at: 'DESC' },
      skip: SERVICE_EVENTS_KEPT - 1,
      take: 1,
    });
    if (boundary) await this.events.delete({ at: LessThan(boundary.at) });
  }
}
