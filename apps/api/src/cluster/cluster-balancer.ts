import { Logger } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import type { ProcessSupervisor } from '../supervisor/process-supervisor';
import type { ClusterBus } from './cluster-bus';
import type { LeaseStore } from './lease-store';

/** How long a handover waits for the calls in progress here to be answered before it stops the child anyway. */
const DRAIN_MS = 10_000;
const POLL_MS = 50;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Shares the services out when an instance joins: an instance holding at least two more services than the
 * least loaded live one gives one up to it, one at a time. New requests for that service wait here while the
 * calls in progress are answered, then the child stops, the lease is freed with an offer naming the taker (so
 * no other instance takes it), and the taker is told at once; the waiting requests then go to it. Children
 * never overlap: the taker starts only once the lease is free, which it is only once the child here is down.
 */
export class ClusterBalancer {
  private readonly logger = new Logger('Cluster');
  private readonly handovers = new Map<string, Promise<void>>();
  private readonly callsHere = new Map<string, number>();

  constructor(
    private readonly leases: LeaseStore,
    private readonly bus: ClusterBus,
    private readonly supervisor: ProcessSupervisor,
    private readonly selfId: string,
    private readonly ttlMs: number,
  ) {}

  /** Settles once a handover of the service from this instance is over; at once when there is none. */
  async handover(serviceId: string): Promise<void> {
    await this.handovers.get(serviceId);
  }

  /** A call this instance answers itself for the service, counted until its response is done. */
  track(serviceId: string, response: ServerResponse): void {
    this.callsHere.set(serviceId, (this.callsHere.get(serviceId) ?? 0) + 1);
    response.once('close', () => {
      const left = (this.callsHere.get(serviceId) ?? 1) - 1;
      if (left > 0) this.callsHere.set(serviceId, left);
      else this.callsHere.delete(serviceId);
    });
  }

  /** Whether another instance was offered the service: this one must not take it. */
  async offeredElsewhere(serviceId: string): Promise<boolean> {
    const to = await this.leases.offeredTo(serviceId);
    return to !== null && to !== this.selfId;
  }

  /** Part of each coordinator pass: beat, and give one service up if this instance holds too many. */
  async balance(wantedIds: string[]): Promise<void> {
    // Shorter than the leases, so a dead instance stops counting before its services are taken over.
    await this.leases.heartbeat(Math.floor((this.ttlMs * 2) / 3));
    if (this.handovers.size > 0) return;
    const live = await this.leases.liveInstances();
    if (live.length < 2) return;
    const counts = new Map(live.map((id) => [id, 0]));
    for (const holder of (await this.leases.holders(wantedIds)).values())
      if (holder && counts.has(holder)) counts.set(holder, (counts.get(holder) ?? 0) + 1);
    const mine = counts.get(this.selfId) ?? 0;
    const [taker, theirs] = [...counts].filter(([id]) => id !== this.selfId).sort((a, b) => a[1] - b[1])[0];
    if (mine - theirs < 2) return;
    const wanted = new Set(wantedIds);
    const serviceId = this.leases.heldIds().find((id) => wanted.has(id) && this.supervisor.runsHere(id));
    if (!serviceId) return;
    const done = this.handOver(serviceId, taker)
      .catch((error: unknown) => this.logger.warn(`Handing service ${serviceId} over failed: ${(error as Error).message}`))
      .finally(() => this.handovers.delete(serviceId));
    this.handovers.set(serviceId, done);
  }

  async leave(): Promise<void> {
    await this.leases.leave().catch(() => undefined);
  }

  private async handOver(serviceId: string, taker: string): Promise<void> {
    this.logger.log(`Handing service ${serviceId} over to ${taker}, which runs fewer services`);
    await sleep(POLL_MS); // a request that was let through just before is counted by now
    for (const until = Date.now() + DRAIN_MS; (this.callsHere.get(serviceId) ?? 0) > 0 && Date.now() < until; ) await sleep(POLL_MS);
    await this.leases.offer(serviceId, taker);
    await this.supervisor.relinquish(serviceId);
    this.bus.publish(serviceId, 'handover', undefined, taker);
    // The requests held here go on once the taker holds the lease (or the offer ran out: anyone may take it).
    for (const until = Date.now() + this.ttlMs; Date.now() < until; await sleep(POLL_MS)) {
      const holder = (await this.leases.holders([serviceId])).get(serviceId);
      if (holder && holder !== this.selfId) return;
    }
  }
}
