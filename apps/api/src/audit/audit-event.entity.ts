import type { AuditOutcome } from '@mcp-proxy/shared/dto';
import { randomUUID } from 'node:crypto';
import { BeforeInsert, Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** One audit event. Written once, never updated, so it has no `updatedAt`. */
@Entity('audit_events')
@Index('IDX_audit_events_at', ['at'])
export class AuditEventEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  /** Set by the service with millisecond precision (SQLite's own default keeps whole seconds). */
  @Column({ type: Date })
  at!: Date;

  @Column({ type: 'varchar', length: 200, nullable: true })
  actor!: string | null;

  @Column({ type: 'varchar', length: 16 })
  actorKind!: string;

  @Column({ type: 'varchar', length: 100 })
  action!: string;

  @Column({ type: 'varchar', length: 16 })
  outcome!: AuditOutcome;

  @Column({ type: 'varchar', length: 200, nullable: true })
  target!: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  address!: string | null;

  @Column({ type: 'simple-json', nullable: true })
  detail!: Record<string, unknown> | null;

  @BeforeInsert()
  assignId(): void {
    this.id ??= randomUUID();
  }
}
