import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { AuditEventView, AuditOutcome, AuditPageView, AuditQueryDto } from '@mcp-proxy/shared/dto';
import { Brackets, LessThan, Repository, SelectQueryBuilder } from 'typeorm';
import { AuditEventEntity } from './audit-event.entity';
import { AuditNames, StoredAuditEvent } from './audit-names';
import type { Principal } from '../core/auth/principal';

/** Who acted: a Principal fits, so does a user name tried at login. */
export interface AuditActor {
  id: string;
  kind: string;
  label?: string;
}

/** What a feature reports; the actor is null when nobody could be identified. */
export interface AuditEntry {
  action: string;
  outcome: AuditOutcome;
  actor?: AuditActor | null;
  target?: string | null;
  address?: string | null;
  /** Facts worth keeping (status, fields changed, tool name). Never put a secret value here. */
  detail?: Record<string, unknown> | null;
}

const DEFAULT_PAGE = 50;

/** The audit log in the database (shared by every instance): record, query, prune. */
@Injectable()
export class AuditService implements BeforeApplicationShutdown {
  private readonly logger = new Logger('Audit');
  private readonly pending = new Set<Promise<void>>();
  private closed = false;

  constructor(
    @InjectRepository(AuditEventEntity) private readonly events: Repository<AuditEventEntity>,
    private readonly names: AuditNames,
  ) {}

  /**
   * Never throws and is not awaited by callers on a request path: losing the audit database must
   * not take the API down, but it is logged.
   */
  async record(entry: AuditEntry): Promise<void> {
    // After shutdown the database is gone: the events of the last requests were flushed just before.
    if (this.closed) return;
    const write = this.write(entry);
    this.pending.add(write);
    await write.finally(() => this.pending.delete(write));
  }

  /** Lets the writes of the last requests land before the database closes. */
  async beforeApplicationShutdown(): Promise<void> {
    await Promise.allSettled([...this.pending]);
    this.closed = true;
  }

  private async write(entry: AuditEntry): Promise<void> {
    try {
      await this.events.save(
        this.events.create({
          at: new Date(),
          action: entry.action.slice(0, 100),
          outcome: entry.outcome,
          actor: entry.actor ? (entry.actor.label ?? entry.actor.id).slice(0, 200) : null,
          actorKind: entry.actor?.kind ?? 'anonymous',
          target: entry.target?.slice(0, 200) ?? null,
          address: entry.address?.slice(0, 64) ?? null,
          detail: entry.detail ?? null,
        }),
      );
    } catch (error) {
      this.logger.error({ err: error, action: entry.action }, 'Could not write an audit event');
    }
  }

  /** `reader`: who asks (names of things outside their limits are not looked up). */
  async page(query: AuditQueryDto, reader?: Principal): Promise<AuditPageView> {
    const [rows, total] = await this.filtered(query)
      .orderBy('event.at', 'DESC')
      .addOrderBy('event.id', 'DESC')
      .skip(query.offset ?? 0)
      .take(query.limit ?? DEFAULT_PAGE)
      .getManyAndCount();
    return { items: await this.names.named(rows.map(toView), reader), total };
  }

  /** Every matching event, oldest first (an export reads like a journal). */
  async all(query: AuditQueryDto, reader?: Principal): Promise<AuditEventView[]> {
    const rows = await this.filtered(query).orderBy('event.at', 'ASC').addOrderBy('event.id', 'ASC').getMany();
    return this.names.named(rows.map(toView), reader);
  }

  /** Deletes events older than the cut-off; returns how many went. */
  async pruneBefore(cutoff: Date): Promise<number> {
    const result = await this.events.delete({ at: LessThan(cutoff) });
    return result.affected ?? 0;
  }

  private filtered(query: AuditQueryDto): SelectQueryBuilder<AuditEventEntity> {
    const builder = this.events.createQueryBuilder('event');
    if (query.actor) builder.andWhere('event.actor = :actor', { actor: query.actor });
    if (query.outcome) builder.andWhere('event.outcome = :outcome', { outcome: query.outcome });
    if (query.target) builder.andWhere('event.target = :target', { target: query.target });
    if (query.since) builder.andWhere('event.at >= :since', { since: new Date(query.since) });
    if (query.until) builder.andWhere('event.at < :until', { until: new Date(query.until) });
    if (query.action) {
      const pattern = `%${query.action.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      builder.andWhere(new Brackets((where) => where.where("LOWER(event.action) LIKE :action ESCAPE '\\'", { action: pattern })));
    }
    return builder;
  }
}

function toView(event: AuditEventEntity): StoredAuditEvent {
  return {
    id: event.id,
    at: event.at.toISOString(),
    actor: event.actor,
    actorKind: event.actorKind,
    action: event.action,
    outcome: event.outcome,
    target: event.target,
    address: event.address,
    detail: event.detail,
  };
}
