import { Column, Entity, Index, PrimaryColumn, ValueTransformer } from 'typeorm';
import type { SessionScope } from '../scope/tool-scope';

/** Epoch milliseconds: PostgreSQL hands a bigint back as a string. */
const epochMs: ValueTransformer = {
  to: (value: number) => value,
  from: (value: string | number | null) => (value === null ? null : Number(value)),
};

/**
 * What it takes to bring a Streamable HTTP session of a `shared` service back after a restart (or on
 * another instance of a cluster): the client keeps its `Mcp-Session-Id` and never re-initializes.
 */
@Entity('mcp_sessions')
export class PersistedSessionEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id!: string;

  @Column({ type: 'varchar', length: 36 })
  serviceId!: string;

  @Column({ type: 'varchar', length: 255 })
  principalId!: string;

  @Column({ type: 'varchar', length: 32 })
  protocolVersion!: string;

  @Column({ type: 'simple-json' })
  clientCapabilities!: Record<string, unknown>;

  @Column({ type: 'simple-json', nullable: true })
  clientInfo!: Record<string, unknown> | null;

  /** The owner's service and tool limits at open, and whether it may only list (null: a row written before they were kept). */
  @Column({ type: 'simple-json', nullable: true })
  scope!: SessionScope | null;

  @Column({ type: 'bigint', transformer: epochMs })
  createdAt!: number;

  /** Epoch ms of the last use seen (refreshed in batches); old rows are purged by it. */
  @Index()
  @Column({ type: 'bigint', transformer: epochMs })
  lastSeenAt!: number;
}
