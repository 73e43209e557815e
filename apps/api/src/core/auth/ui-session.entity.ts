import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * One UI sign-in (a session token from `POST /api/auth/login`). The token is a signed JWT naming this
 * row; the row is what makes it valid, so ending a session (logout, an admin, a password or role
 * change, a rotated API key) takes effect on every instance at the next request.
 */
@Entity('ui_sessions')
export class UiSessionEntity {
  /** The token's `jti`. */
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  /** `admin` for a session of the API key, else the user's id. */
  @Index()
  @Column({ type: 'varchar', length: 36 })
  subject!: string;

  /**
   * Sessions of the API key: an HMAC (keyed with the JWT secret) of the key that opened it. A proxy
   * running with another key no longer honours them; the key itself cannot be recovered from it.
   */
  @Column({ type: 'varchar', length: 64, nullable: true })
  keyFingerprint!: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  address!: string | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  userAgent!: string | null;

  @CreateDateColumn()
  createdAt!: Date;

  /** Moved at most once a minute, so reads do not turn into writes. */
  @Column({ type: Date })
  lastUsedAt!: Date;

  @Index()
  @Column({ type: Date })
  expiresAt!: Date;
}
