import type { DriftPolicy, ToolChangeKind, ToolChangeStatus, ToolDefinitionView } from '@mcp-proxy/shared/dto';
import { randomUUID } from 'node:crypto';
import { BeforeInsert, Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A change of a service's tools: from the pinned fingerprint (`''`: none, a new tool) to the listed one (`''`:
 * removed). One row per such transition (the unique index makes instances that see it at once record it once);
 * it waits as `pending` until an admin approves or rejects it, or the server moves on (`superseded`).
 */
@Entity('tool_changes')
@Index('IDX_tool_changes_transition', ['serviceId', 'toolName', 'previousFingerprint', 'fingerprint'], { unique: true })
@Index('IDX_tool_changes_status_detected', ['status', 'detectedAt'])
@Index('IDX_tool_changes_service_detected', ['serviceId', 'detectedAt'])
export class ToolChangeEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 36 })
  serviceId!: string;

  /** Kept with the row, so the history reads after a rename or a delete. */
  @Column({ type: 'varchar', length: 63 })
  serviceName!: string;

  @Column({ type: 'varchar', length: 255 })
  toolName!: string;

  @Column({ type: 'varchar', length: 16 })
  kind!: ToolChangeKind;

  @Column({ type: 'varchar', length: 16 })
  status!: ToolChangeStatus;

  /** The service's drift policy when the change was seen. */
  @Column({ type: 'varchar', length: 8 })
  policy!: DriftPolicy;

  /** The pinned fingerprint the change starts from; `''` for a tool that was not pinned. */
  @Column({ type: 'varchar', length: 64, default: '' })
  previousFingerprint!: string;

  /** The listed fingerprint; `''` for a removed tool. */
  @Column({ type: 'varchar', length: 64, default: '' })
  fingerprint!: string;

  @Column({ type: 'simple-json', nullable: true })
  previous!: ToolDefinitionView | null;

  @Column({ type: 'simple-json', nullable: true })
  current!: ToolDefinitionView | null;

  /** Seen on a deployment's candidate (promoted under `warn`); null when seen while serving. */
  @Column({ type: 'varchar', length: 36, nullable: true })
  deploymentId!: string | null;

  @Column({ type: Date })
  detectedAt!: Date;

  @Column({ type: Date, nullable: true })
  decidedAt!: Date | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  decidedBy!: string | null;

  @BeforeInsert()
  assignId(): void {
    this.id ??= randomUUID();
  }
}
