import type { ToolDefinitionView } from '@mcp-proxy/shared/dto';
import { randomUUID } from 'node:crypto';
import { BeforeInsert, Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A pinned tool of a service: the definition the proxy serves without asking, by its fingerprint (SHA-256 of the
 * canonical JSON of its pinned fields). Pinned the first time the service's tools are seen, then only by an
 * approval. No foreign key to services: the tool-pins module removes a deleted service's rows itself.
 */
@Entity('tool_pins')
@Index('IDX_tool_pins_service_tool', ['serviceId', 'toolName'], { unique: true })
export class ToolPinEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 36 })
  serviceId!: string;

  @Column({ type: 'varchar', length: 255 })
  toolName!: string;

  @Column({ type: 'varchar', length: 64 })
  fingerprint!: string;

  @Column({ type: 'simple-json' })
  definition!: ToolDefinitionView;

  @Column({ type: Date })
  pinnedAt!: Date;

  /** Who approved this definition; null when it was pinned at first sight. */
  @Column({ type: 'varchar', length: 200, nullable: true })
  approvedBy!: string | null;

  @BeforeInsert()
  assignId(): void {
    this.id ??= randomUUID();
  }
}
