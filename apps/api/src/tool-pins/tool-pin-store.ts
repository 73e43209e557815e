import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { DriftPolicy, ToolChangeStatus } from '@mcp-proxy/shared/dto';
import { randomUUID } from 'node:crypto';
import { In, Not, QueryFailedError, Repository } from 'typeorm';
import { Clock } from '../core/time/clock';
import type { DetectedChange, OpenChange, PinSnapshot } from './pin-book';
import { ToolChangeEntity } from './tool-change.entity';
import type { ListedTool } from './tool-fingerprint';
import { ToolPinEntity } from './tool-pin.entity';

/** Which changes a reader wants, within which services (null: all). */
export interface ChangeFilter {
  status: ToolChangeStatus | 'all';
  serviceIds: string[] | null;
  /** Ids or names the caller is limited to (null: not limited). */
  allowed: string[] | null;
  limit: number;
}

/** How an approval ended: `stale` when the pin moved since the change was recorded. */
export type ApprovalOutcome = 'approved' | 'stale' | 'decided';

const OPEN: ToolChangeStatus[] = ['pending', 'rejected'];
const none = (fingerprint: string): string | null => (fingerprint === '' ? null : fingerprint);

/** The pins and the recorded changes in the database, shared by every instance. */
@Injectable()
export class ToolPinStore {
  constructor(
    @InjectRepository(ToolPinEntity) private readonly pins: Repository<ToolPinEntity>,
    @InjectRepository(ToolChangeEntity) private readonly changes: Repository<ToolChangeEntity>,
    private readonly clock: Clock,
  ) {}

  /** Every service's pins and open changes, as the in-memory book takes them. */
  async snapshots(): Promise<Map<string, PinSnapshot>> {
    const [pins, open, seen] = await Promise.all([
      this.pins.find({ select: { serviceId: true, toolName: true, fingerprint: true } }),
      this.changes.find({ where: { status: In(OPEN) } }),
      this.changes.createQueryBuilder('change').select('DISTINCT change.serviceId', 'serviceId').getRawMany<{ serviceId: string }>(),
    ]);
    const snapshots = new Map<string, PinSnapshot>();
    const of = (serviceId: string): PinSnapshot => {
      let snapshot = snapshots.get(serviceId);
      if (!snapshot) snapshots.set(serviceId, (snapshot = { pins: [], open: [], established: false }));
      return snapshot;
    };
    for (const pin of pins) of(pin.serviceId).pins.push({ name: pin.toolName, fingerprint: pin.fingerprint });
    for (const change of open) of(change.serviceId).open.push(openChange(change));
    for (const { serviceId } of seen) of(serviceId).established = true;
    return snapshots;
  }

  async snapshot(serviceId: string): Promise<PinSnapshot> {
    const [pins, open, established] = await Promise.all([
      this.pins.find({ where: { serviceId }, select: { toolName: true, fingerprint: true } }),
      this.changes.find({ where: { serviceId, status: In(OPEN) } }),
      this.changes.exists({ where: { serviceId } }),
    ]);
    return { pins: pins.map((pin) => ({ name: pin.toolName, fingerprint: pin.fingerprint })), open: open.map(openChange), established };
  }

  pinsOf(serviceId: string): Promise<ToolPinEntity[]> {
    return this.pins.find({ where: { serviceId }, order: { toolName: 'ASC' } });
  }

  /** The first sight of a service's tools; a pin another instance wrote meanwhile stays. Returns how many were new. */
  async pinFirstSight(serviceId: string, tools: readonly ListedTool[]): Promise<number> {
    let added = 0;
    for (const tool of tools) {
      if (await this.pins.exists({ where: { serviceId, toolName: tool.name } })) continue;
      try {
        await this.pins.save(this.pinRow(serviceId, tool, null));
        added++;
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
      }
    }
    return added;
  }

  /**
   * Records a change once (another instance may record the same one at the same moment; the unique index
   * decides). `new` when recorded now, `reopened` when the same transition had been decided before and is back.
   */
  async record(
    service: { id: string; name: string },
    policy: DriftPolicy,
    change: DetectedChange,
    deploymentId: string | null = null,
  ): Promise<{ outcome: 'new' | 'reopened' | 'known'; row: ToolChangeEntity | null }> {
    const key = { serviceId: service.id, toolName: change.tool, previousFingerprint: change.from ?? '', fingerprint: change.to ?? '' };
    const existing = await this.changes.findOne({ where: key });
    if (existing) {
      if (OPEN.includes(existing.status)) return { outcome: 'known', row: existing };
      const reopened = await this.changes.update(
        { id: existing.id, status: Not(In(OPEN)) },
        { status: 'pending', policy, deploymentId, detectedAt: this.now(), decidedAt: null, decidedBy: null },
      );
      return reopened.affected
        ? { outcome: 'reopened', row: await this.changes.findOne({ where: { id: existing.id } }) }
        : { outcome: 'known', row: existing };
    }
    const pinned = change.from ? await this.pins.findOne({ where: { serviceId: service.id, toolName: change.tool } }) : null;
    const row = this.changes.create({
      id: randomUUID(),
      ...key,
      serviceName: service.name,
      kind: change.kind,
      status: 'pending',
      policy,
      previous: pinned?.fingerprint === change.from ? pinned.definition : null,
      current: change.definition,
      deploymentId,
      detectedAt: this.now(),
      decidedAt: null,
      decidedBy: null,
    });
    try {
      await this.changes.save(row);
      return { outcome: 'new', row };
    } catch (error) {
      if (isUniqueViolation(error)) return { outcome: 'known', row: await this.changes.findOne({ where: key }) };
      throw error;
    }
  }

  /** Pending changes of a tool that no longer describe what its server lists (all of them when `current` is null). */
  async supersede(serviceId: string, tool: string, current: { from: string | null; to: string | null } | null): Promise<void> {
    const pending = await this.changes.find({ where: { serviceId, toolName: tool, status: 'pending' } });
    const stale = pending.filter(
      (change) => !current || none(change.previousFingerprint) !== current.from || none(change.fingerprint) !== current.to,
    );
    if (stale.length === 0) return;
    await this.changes.update(
      { id: In(stale.map((change) => change.id)), status: 'pending' },
      { status: 'superseded', decidedAt: this.now() },
    );
  }

  change(id: string): Promise<ToolChangeEntity | null> {
    return this.changes.findOne({ where: { id } });
  }

  list(filter: ChangeFilter): Promise<ToolChangeEntity[]> {
    const builder = this.changes.createQueryBuilder('change');
    if (filter.status !== 'all') builder.andWhere('change.status = :status', { status: filter.status });
    if (filter.serviceIds) builder.andWhere('change.serviceId IN (:...ids)', { ids: filter.serviceIds.length ? filter.serviceIds : [''] });
    if (filter.allowed) {
      if (filter.allowed.length === 0) builder.andWhere('1 = 0');
      else builder.andWhere('(change.serviceId IN (:...allowed) OR change.serviceName IN (:...allowed))', { allowed: filter.allowed });
    }
    return builder.orderBy('change.detectedAt', 'DESC').addOrderBy('change.id', 'DESC').take(filter.limit).getMany();
  }

  /**
   * Makes the change's definition the pinned one (or unpins a removed tool), only while the pin is still the one
   * the change starts from. The decision is claimed first (a conditional update), so of two admins deciding at once
   * one wins; a pin that moved meanwhile gives the change back.
   */
  async approve(id: string, decidedBy: string): Promise<ApprovalOutcome> {
    const change = await this.changes.findOne({ where: { id } });
    if (!change || !OPEN.includes(change.status)) return 'decided';
    const key = { serviceId: change.serviceId, toolName: change.toolName };
    const pin = await this.pins.findOne({ where: key });
    if ((pin?.fingerprint ?? '') !== change.previousFingerprint) return 'stale';
    const claimed = await this.changes.update({ id, status: In(OPEN) }, { status: 'approved', decidedAt: this.now(), decidedBy });
    if (!claimed.affected) return 'decided';
    try {
      if (!change.current || change.fingerprint === '') await this.pins.delete({ ...key, fingerprint: change.previousFingerprint });
      else
        await this.pins.save(
          this.repin(pin, key.serviceId, { name: key.toolName, fingerprint: change.fingerprint, definition: change.current }, decidedBy),
        );
    } catch (error) {
      await this.changes.update(
        { id, status: 'approved' },
        { status: change.status, decidedAt: change.decidedAt, decidedBy: change.decidedBy },
      );
      if (isUniqueViolation(error)) return 'stale';
      throw error;
    }
    await this.changes.update(
      { serviceId: change.serviceId, toolName: change.toolName, status: 'pending', id: Not(id) },
      { status: 'superseded', decidedAt: this.now() },
    );
    return 'approved';
  }

  /** Rejected: the pin stays; under `block` the listed definition stays held back. False when it was not pending. */
  async reject(id: string, decidedBy: string): Promise<boolean> {
    const result = await this.changes.update({ id, status: 'pending' }, { status: 'rejected', decidedAt: this.now(), decidedBy });
    return (result.affected ?? 0) > 0;
  }

  /**
   * A deployment's approved tools become the service's pins (each written before the ones it no longer lists go,
   * so the service is never without pins); its pending changes are settled by that.
   */
  async replacePins(serviceId: string, tools: readonly ListedTool[], approvedBy: string): Promise<void> {
    const existing = new Map((await this.pins.find({ where: { serviceId } })).map((pin) => [pin.toolName, pin]));
    await this.pins.save(tools.map((tool) => this.repin(existing.get(tool.name) ?? null, serviceId, tool, approvedBy)));
    const listed = new Set(tools.map((tool) => tool.name));
    const gone = [...existing.values()].filter((pin) => !listed.has(pin.toolName)).map((pin) => pin.id);
    if (gone.length > 0) await this.pins.delete({ id: In(gone) });
    await this.changes.update({ serviceId, status: 'pending' }, { status: 'superseded', decidedAt: this.now(), decidedBy: approvedBy });
  }

  /** A deleted service's pins and history go with it. */
  async forget(serviceId: string): Promise<void> {
    await this.pins.delete({ serviceId });
    await this.changes.delete({ serviceId });
  }

  /** The pin row of an approved definition: the existing row changed in place, or a new one. */
  private repin(pin: ToolPinEntity | null, serviceId: string, tool: ListedTool, approvedBy: string): ToolPinEntity {
    const row = this.pinRow(serviceId, tool, approvedBy);
    return pin ? Object.assign(pin, { fingerprint: row.fingerprint, definition: row.definition, pinnedAt: row.pinnedAt, approvedBy }) : row;
  }

  private pinRow(serviceId: string, tool: ListedTool, approvedBy: string | null): ToolPinEntity {
    return this.pins.create({
      id: randomUUID(),
      serviceId,
      toolName: tool.name,
      fingerprint: tool.fingerprint,
      definition: tool.definition,
      pinnedAt: this.now(),
      approvedBy,
    });
  }

  private now(): Date {
    return new Date(this.clock.now());
  }
}

function openChange(change: ToolChangeEntity): OpenChange {
  return {
    tool: change.toolName,
    from: none(change.previousFingerprint),
    to: none(change.fingerprint),
    status: change.status === 'rejected' ? 'rejected' : 'pending',
  };
}

function isUniqueViolation(error: unknown): boolean {
  return error instanceof QueryFailedError && /unique|duplicate/i.test(error.message);
}
