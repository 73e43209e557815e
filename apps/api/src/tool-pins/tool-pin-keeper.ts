import { BeforeApplicationShutdown, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { EventEmitter2, OnEvent } from '@nestjs/event-emitter';
import type { DriftPolicy } from '@mcp-proxy/shared/dto';
import { AuditService, type AuditActor } from '../audit/audit.service';
import { inBackground } from '../core/logging/background';
import { TOOL_PINS_CHANGED, type HeldTools, type ToolListPage, type ToolPinGuard } from '../proxy/upstream/tool-pin-guard';
import { ServicesService } from '../services/services.service';
import { SERVICE_EVENTS } from '../supervisor/child-handle';
import { DetectedChange, Observation, PinBook } from './pin-book';
import { listedTools, type ListedTool } from './tool-fingerprint';
import { TOOL_PIN_NEWS, ToolPinNews } from './tool-pin-news';
import { ToolPinStore } from './tool-pin-store';

/** Who the audit log names for what the proxy noticed itself. */
export const TOOL_PINNING_ACTOR: AuditActor = { id: 'proxy', kind: 'system', label: 'tool pinning' };

/**
 * The proxy's guard (TOOL_PIN_GUARD): compares every `tools/list` a server sends with the service's pins in
 * memory and answers at once; what it finds (a first sight to pin, a change to review) is written to the
 * database and the audit log in the background, one service's writes in order. Keeps the book in step with the
 * database: loaded before any server starts, read again after an approval here or news from another instance.
 */
@Injectable()
export class ToolPinKeeper implements ToolPinGuard, OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger('ToolPins');
  private readonly book = new PinBook();
  private readonly writes = new Map<string, Promise<void>>();
  /** Each service's last whole tool list as the server wrote it: the same text again needs no fingerprinting. */
  private readonly lastList = new Map<string, string>();

  constructor(
    private readonly store: ToolPinStore,
    private readonly news: ToolPinNews,
    private readonly services: ServicesService,
    private readonly audit: AuditService,
    private readonly emitter: EventEmitter2,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.reloadAll();
  }

  observe(serviceId: string, policy: Exclude<DriftPolicy, 'off'>, tools: readonly unknown[], page: ToolListPage): void {
    try {
      // A server answers the same list with the same text: comparing that (native JSON) costs far less than
      // fingerprinting every tool again. Only a whole list is remembered; the pins changing forgets it.
      const whole = page.first && page.last ? JSON.stringify(tools) : null;
      if (whole !== null && this.lastList.get(serviceId) === whole) return;
      const observation = this.book.observe(serviceId, listedTools(tools), page);
      if (whole !== null) this.lastList.set(serviceId, whole);
      else this.lastList.delete(serviceId);
      if (observation.baseline.length + observation.changes.length + observation.superseded.length === 0) return;
      void this.inOrder(serviceId, () => this.write(serviceId, policy, observation));
    } catch (error) {
      // On a client's answer's way: pinning must never keep it from being delivered.
      this.logger.warn(`Could not compare the tools of ${serviceId} with their pins: ${String(error)}`);
    }
  }

  unapproved(serviceId: string): HeldTools | null {
    return this.book.held(serviceId);
  }

  /** Reads a service's pins again and lets its sessions know they may list again. */
  async reload(serviceId: string): Promise<void> {
    this.book.load(serviceId, await this.store.snapshot(serviceId));
    this.lastList.delete(serviceId);
    this.emitter.emit(TOOL_PINS_CHANGED, { serviceId });
  }

  /** After a change here: this instance reads it back, the others are told. */
  async changed(serviceId: string): Promise<void> {
    await this.reload(serviceId);
    await this.news.publish(serviceId);
  }

  /** A deployment's candidate was promoted under `warn`: its changes are recorded for review like those seen while serving. */
  async recordDeployChanges(service: { id: string; name: string }, changes: DetectedChange[], deploymentId: string): Promise<void> {
    await this.inOrder(service.id, async () => {
      for (const change of changes) await this.recordOne(service, 'warn', change, deploymentId);
    });
    await this.changed(service.id);
  }

  /** An approved deployment takes over: its tools are the service's pins from now on. */
  async pinDeployed(serviceId: string, tools: readonly ListedTool[], approvedBy: string): Promise<void> {
    await this.inOrder(serviceId, () => this.store.replacePins(serviceId, tools, approvedBy));
    await this.changed(serviceId);
  }

  /** Settles once everything observed so far is written. */
  async flush(): Promise<void> {
    await Promise.allSettled([...this.writes.values()]);
  }

  /** What the last lists showed is written before the database closes (a stop must not lose a pin or a change). */
  beforeApplicationShutdown(): Promise<void> {
    return this.flush();
  }

  @OnEvent(TOOL_PIN_NEWS, { async: true })
  async onNews({ serviceId }: { serviceId: string | null }): Promise<void> {
    await (serviceId ? this.reload(serviceId) : this.reloadAll()).catch((error: unknown) =>
      this.logger.warn(`Could not read the tool pins again: ${String(error)}`),
    );
  }

  /** A deleted service's pins go with it (every instance may try: deleting twice is harmless). */
  @OnEvent(SERVICE_EVENTS.changed, { async: true })
  async onServiceChanged({ serviceId }: { serviceId: string }): Promise<void> {
    const exists = await this.services.entityOf(serviceId).then(
      () => true,
      () => false,
    );
    if (exists) return;
    this.book.forget(serviceId);
    this.lastList.delete(serviceId);
    await this.store
      .forget(serviceId)
      .catch((error: unknown) => this.logger.warn(`Could not remove the tool pins of ${serviceId}: ${String(error)}`));
  }

  private async reloadAll(): Promise<void> {
    for (const [serviceId, snapshot] of await this.store.snapshots()) this.book.load(serviceId, snapshot);
    this.lastList.clear();
  }

  private async write(serviceId: string, policy: Exclude<DriftPolicy, 'off'>, observation: Observation): Promise<void> {
    const service = await this.services.entityOf(serviceId).catch(() => null);
    if (!service) return;
    if (observation.baseline.length > 0) {
      const added = await this.store.pinFirstSight(serviceId, observation.baseline);
      if (added > 0)
        void this.audit.record({
          action: 'tool.pin',
          outcome: 'ok',
          actor: TOOL_PINNING_ACTOR,
          target: service.name,
          detail: { tools: observation.baseline.map((tool) => tool.name).slice(0, 100), count: added, reason: 'first seen' },
        });
    }
    for (const change of observation.changes) await this.recordOne(service, policy, change, null);
    for (const { tool, current } of observation.superseded) await this.store.supersede(serviceId, tool, current);
  }

  private async recordOne(
    service: { id: string; name: string },
    policy: DriftPolicy,
    change: DetectedChange,
    deploymentId: string | null,
  ): Promise<void> {
    const { outcome, row } = await this.store.record(service, policy, change, deploymentId);
    if (outcome === 'known') return;
    const what = change.kind === 'added' ? 'is new' : change.kind === 'removed' ? 'was removed' : 'changed since it was pinned';
    const then = policy === 'block' && change.kind !== 'removed' ? 'held back until an admin approves it' : 'served; review it';
    this.logger.warn(`Tool "${change.tool}" of "${service.name}" ${what} (drift policy ${policy}: ${then})`);
    void this.audit.record({
      action: 'tool.drift',
      outcome: policy === 'block' && change.kind !== 'removed' ? 'refused' : 'ok',
      actor: TOOL_PINNING_ACTOR,
      target: service.name,
      detail: {
        tool: change.tool,
        kind: change.kind,
        policy,
        change: row?.id ?? null,
        fingerprint: change.to,
        ...(deploymentId ? { deploymentId } : {}),
      },
    });
  }

  /** One service's writes run one after another, so a change is never recorded before the pins it starts from. */
  private inOrder(serviceId: string, work: () => Promise<void>): Promise<void> {
    const previous = this.writes.get(serviceId) ?? Promise.resolve();
    const next = previous.then(work, work);
    this.writes.set(serviceId, next);
    const settled = next.finally(() => {
      if (this.writes.get(serviceId) === next) this.writes.delete(serviceId);
    });
    inBackground(settled, 'ToolPins', `Recording the tool pins of ${serviceId}`);
    return next;
  }
}
