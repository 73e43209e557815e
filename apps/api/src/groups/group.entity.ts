import type { GroupMemberView, GroupSettingsView } from '@mcp-proxy/shared/dto';
import { Column, Entity } from 'typeorm';
import { RecordEntity } from '../core/database/record.entity';

/** Members are stored by service id; names are looked up when shown, so renaming a service is safe. */
export type StoredMember = Omit<GroupMemberView, 'serviceName'>;

/** A named set of services served as one MCP endpoint at `/mcp/g/<name>`. */
@Entity('groups')
export class GroupEntity extends RecordEntity {
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
}
