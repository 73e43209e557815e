import type { CallMethod, CallOutcome } from '@mcp-proxy/shared/dto';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * One recorded MCP call (the call history). Written in batches, never updated; shared by every instance
 * (each row names the one that served it). One index besides the key, newest first: every read of GET /api/calls
 * and the statistics walks it (each filter matches a column or its alias, which an index on one column cannot
 * serve), and every recorded call has to write each index.
 */
@Entity('call_log')
@Index('IDX_call_log_at', ['at', 'id'])
export class CallLogEntity {
  /**
   * A time-ordered UUID (version 7) made by the writer: rows from several instances never collide, and new keys
   * land at the end of the key's index instead of anywhere in it (a random UUID cost the INSERT a third more).
   */
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  /** When the call ended, with milliseconds. */
  @Column({ type: Date })
  at!: Date;

  @Column({ type: 'varchar', length: 100 })
  instance!: string;

  @Column({ type: 'varchar', length: 16 })
  principalKind!: string;

  @Column({ type: 'varchar', length: 200 })
  principalId!: string;

  @Column({ type: 'varchar', length: 200, nullable: true })
  principalLabel!: string | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  clientName!: string | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  clientVersion!: string | null;

  /** The service or group the client called. */
  @Column({ type: 'varchar', length: 200 })
  endpoint!: string;

  /** The service that served the call: a group's member, else the endpoint's own id. */
  @Column({ type: 'varchar', length: 100 })
  serviceId!: string;

  @Column({ type: 'varchar', length: 200 })
  serviceName!: string;

  @Column({ type: 'varchar', length: 32 })
  method!: CallMethod;

  @Column({ type: 'varchar', length: 500, nullable: true })
  tool!: string | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  originalTool!: string | null;

  @Column({ type: 'integer' })
  durationMs!: number;

  @Column({ type: 'varchar', length: 16 })
  outcome!: CallOutcome;

  @Column({ type: 'integer', nullable: true })
  errorCode!: number | null;

  @Column({ type: 'integer' })
  requestBytes!: number;

  @Column({ type: 'integer', nullable: true })
  responseBytes!: number | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  argumentsSha256!: string | null;

  /** The arguments as JSON, redacted and cut (CALL_LOG_PAYLOAD_MAX_BYTES); null unless the service stores payloads. */
  @Column({ type: 'text', nullable: true, select: false })
  arguments!: string | null;

  /** The answer's `result` (or `error`) as JSON, redacted and cut; null unless the service stores payloads. */
  @Column({ type: 'text', nullable: true, select: false })
  result!: string | null;
}
