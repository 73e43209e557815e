import type { GroupMemberView, GroupSettingsView } from '@mcp-proxy/shared/dto';
import { randomUUID } from 'node:crypto';
import { BeforeInsert, Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** Members are stored by service id; names are looked up when shown, so renaming a service is safe. */
export type StoredMember = Omit<GroupMemberView, 'serviceName'>;

/** A named set of services served as one MCP endpoint at `/mcp/g/<name>`. */
@Entity('groups')
export class GroupEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 63, unique: true })
  name!: string;

  @Column({ type: 'boolean', default: true })
  enabled!: boolean;

  @Column({ type: 'varchar', length: 4, default: '__' })
  separator!: string;

  /** In order: lists are merged in this order. */
  @Column({ type: 'simple-json' })
  members!: StoredMember[];

  @Column({ type: 'simple-json' })
  allow!: string[];

  @Column({ type: 'simple-json' })
  deny!: string[];

  @Column({ type: 'simple-json' })
  settings!: GroupSettingsView;

  @CreateDateColumn()
  createdAt!: Date;

  @UpdateDateColumn()
  updatedAt!: Date;

  @BeforeInsert()
  assignId(): void {
    this.id ??= randomUUID();
  }
}
