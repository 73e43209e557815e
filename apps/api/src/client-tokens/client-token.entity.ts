import { Column, Entity } from 'typeorm';
import { RecordEntity } from '../core/database/record.entity';

/** A per-client token for the MCP endpoints. Only its SHA-256 is stored: the token is shown once, at creation. */
@Entity('client_tokens')
export class ClientTokenEntity extends RecordEntity {
  @Column({ type: 'varchar', length: 100 })
  label!: string;

  @Column({ type: 'varchar', length: 64, unique: true })
  tokenHash!: string;

  /** The first characters, so the admin can tell tokens apart without the secret. */
  @Column({ type: 'varchar', length: 16 })
  prefix!: string;

  @Column({ type: 'simple-json', nullable: true })
  services!: string[] | null;

  @Column({ type: 'simple-json', nullable: true })
  tools!: string[] | null;

  /** Work per minute over all services; null: none of its own. */
  @Column({ type: 'integer', nullable: true })
  rateLimit!: number | null;

  @Column({ type: Date, nullable: true })
  lastUsedAt!: Date | null;

  @Column({ type: Date, nullable: true })
  revokedAt!: Date | null;

  /** The named user who created it: its calls use that user's upstream OAuth connections. Null: made with the API key. */
  @Column({ type: 'varchar', length: 36, nullable: true })
  ownerUserId!: string | null;
}
