import type { UserRole } from '@mcp-proxy/shared/dto';
import { Column, Entity } from 'typeorm';
import { RecordEntity } from '../core/database/record.entity';

/** A named person who signs in to the portal with a password; the admin API key stays beside them. */
@Entity('users')
export class UserEntity extends RecordEntity {
  @Column({ type: 'varchar', length: 64, unique: true })
  username!: string;

  /** `scrypt$N$r$p$salt$hash` (base64): the parameters travel with the hash so they can be raised later. */
  @Column({ type: 'varchar', length: 255 })
  passwordHash!: string;

  @Column({ type: 'varchar', length: 16 })
  role!: UserRole;

  /** Service ids this user is limited to; null for all. */
  @Column({ type: 'simple-json', nullable: true })
  services!: string[] | null;

  @Column({ type: Date, nullable: true })
  lastLoginAt!: Date | null;
}
