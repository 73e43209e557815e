import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import type { PinnedToolView, ServiceToolPinsView, ToolChangesQueryDto, ToolChangeView } from '@mcp-proxy/shared/dto';
import { AuditService } from '../audit/audit.service';
import { deciderName, Principal, scopeShowsService } from '../core/auth/principal';
import { ServicesService } from '../services/services.service';
import { ToolChangeEntity } from './tool-change.entity';
import { diffTools } from './tool-diff';
import { ToolPinKeeper } from './tool-pin-keeper';
import { ToolPinStore } from './tool-pin-store';

const DEFAULT_PAGE = 50;

/** The pins and changes as people read them, and the decisions on a change (approve, reject), audited. */
@Injectable()
export class ToolChangesService {
  constructor(
    private readonly store: ToolPinStore,
    private readonly keeper: ToolPinKeeper,
    private readonly services: ServicesService,
    private readonly audit: AuditService,
  ) {}

  async pinsOf(idOrName: string): Promise<ServiceToolPinsView> {
    const service = await this.services.entityOf(idOrName);
    const [pins, pending] = await Promise.all([
      this.store.pinsOf(service.id),
      this.store.list({ status: 'pending', serviceIds: [service.id], allowed: null, limit: 500 }),
    ]);
    return {
      serviceId: service.id,
      serviceName: service.name,
      driftPolicy: service.proxy.driftPolicy ?? 'warn',
      pinned: pins.map(
        (pin): PinnedToolView => ({
          name: pin.toolName,
          fingerprint: pin.fingerprint,
          pinnedAt: pin.pinnedAt.toISOString(),
          approvedBy: pin.approvedBy,
          definition: pin.definition,
        }),
      ),
      pending: pending.map(toChangeView),
    };
  }

  /** Newest first, only of the services the caller may see (a deleted service's history only to those not limited). */
  async list(query: ToolChangesQueryDto, principal: Principal | undefined): Promise<ToolChangeView[]> {
    let serviceIds: string[] | null = null;
    if (query.service) {
      const service = await this.services.entityOf(query.service);
      if (!scopeShowsService(principal, service)) throw new NotFoundException(`Service "${query.service}" not found`);
      serviceIds = [service.id];
    }
    const rows = await this.store.list({
      status: query.status ?? 'pending',
      serviceIds,
      allowed: principal?.scope?.services ?? null,
      limit: query.limit ?? DEFAULT_PAGE,
    });
    return rows.map(toChangeView);
  }

  async get(id: string, principal: Principal | undefined): Promise<ToolChangeView> {
    return toChangeView(await this.visible(id, principal));
  }

  async approve(id: string, principal: Principal): Promise<ToolChangeView> {
    const change = await this.visible(id, principal);
    const outcome = await this.store.approve(id, deciderName(principal));
    if (outcome === 'decided') throw new ConflictException(`This change was ${change.status} already`);
    if (outcome === 'stale')
      throw new ConflictException(
        `The pinned definition of "${change.toolName}" changed since this change was recorded; review the newer change instead`,
      );
    await this.keeper.changed(change.serviceId);
    this.record('tool.approve', principal, change);
    return this.get(id, principal);
  }

  async reject(id: string, principal: Principal): Promise<ToolChangeView> {
    const change = await this.visible(id, principal);
    if (!(await this.store.reject(id, deciderName(principal))))
      throw new ConflictException(`Only a pending change can be rejected; this one is ${change.status}`);
    this.record('tool.reject', principal, change);
    return this.get(id, principal);
  }

  /** A change of a service outside the caller's limits (or, for a limited caller, of one since deleted) is answered as absent. */
  private async visible(id: string, principal: Principal | undefined): Promise<ToolChangeEntity> {
    const change = await this.store.change(id);
    if (!change || !scopeShowsService(principal, { id: change.serviceId, name: change.serviceName }))
      throw new NotFoundException(`Tool change "${id}" not found`);
    return change;
  }

  private record(action: string, principal: Principal, change: ToolChangeEntity): void {
    void this.audit.record({
      action,
      outcome: 'ok',
      actor: principal,
      target: change.serviceName,
      detail: { tool: change.toolName, kind: change.kind, change: change.id, fingerprint: change.fingerprint || null },
    });
  }
}

export function toChangeView(change: ToolChangeEntity): ToolChangeView {
  return {
    id: change.id,
    serviceId: change.serviceId,
    serviceName: change.serviceName,
    tool: change.toolName,
    kind: change.kind,
    status: change.status,
    policy: change.policy,
    deploymentId: change.deploymentId,
    previousFingerprint: change.previousFingerprint || null,
    fingerprint: change.fingerprint || null,
    previous: change.previous,
    current: change.current,
    diff: diffTools(change.previous, change.current),
    detectedAt: change.detectedAt.toISOString(),
    decidedAt: change.decidedAt?.toISOString() ?? null,
    decidedBy: change.decidedBy,
  };
}
