import { Column, Entity, Index } from 'typeorm';
import { RecordEntity } from '../core/database/record.entity';

/** A client registered dynamically (RFC 7591): public, no secret; its `id` is the client_id. */
@Entity('oauth_clients')
export class OAuthClientEntity extends RecordEntity {
  @Column({ type: 'varchar', length: 200 })
  name!: string;

  /** Compared exactly, character for character, at authorization and token time. */
  @Column({ type: 'simple-json' })
  redirectUris!: string[];
}

export type AuthorizationStatus = 'pending' | 'approved' | 'denied';

/**
 * One authorization request, from `/oauth/authorize` until its code is exchanged: what the client
 * asked for, the owner's answer, and the code (stored as a hash) with its single use.
 */
@Entity('oauth_authorizations')
export class OAuthAuthorizationEntity extends RecordEntity {
  @Column({ type: 'varchar', length: 36 })
  clientId!: string;

  @Column({ type: 'text' })
  redirectUri!: string;

  @Column({ type: 'text', nullable: true })
  state!: string | null;

  @Column({ type: 'varchar', length: 128 })
  codeChallenge!: string;

  @Column({ type: 'text' })
  resource!: string;

  /** Our issuer URL as the client saw it, echoed as `iss` in the answer (RFC 9207). */
  @Column({ type: 'text' })
  issuer!: string;

  @Column({ type: 'varchar', length: 36 })
  serviceId!: string;

  @Column({ type: 'text', nullable: true })
  scope!: string | null;

  @Column({ type: 'varchar', length: 16, default: 'pending' })
  status!: AuthorizationStatus;

  /** The owner must answer before this; the code must be exchanged before `codeExpiresAt`. */
  @Column({ type: Date })
  expiresAt!: Date;

  @Column({ type: 'varchar', length: 64, nullable: true, unique: true })
  codeHash!: string | null;

  @Column({ type: Date, nullable: true })
  codeExpiresAt!: Date | null;

  @Column({ type: Date, nullable: true })
  codeUsedAt!: Date | null;

  @Column({ type: 'varchar', length: 36, nullable: true })
  grantId!: string | null;
}

/** What the owner approved: one client, one service, maybe some tools. Tokens live as long as it is not revoked. */
@Entity('oauth_grants')
export class OAuthGrantEntity extends RecordEntity {
  @Column({ type: 'varchar', length: 36 })
  clientId!: string;

  @Column({ type: 'varchar', length: 36 })
  serviceId!: string;

  @Column({ type: 'text' })
  resource!: string;

  @Column({ type: 'simple-json', nullable: true })
  tools!: string[] | null;

  @Column({ type: 'text', nullable: true })
  scope!: string | null;

  @Column({ type: 'varchar', length: 100 })
  approvedBy!: string;

  @Column({ type: Date, nullable: true })
  revokedAt!: Date | null;

  /** The named user who approved it: the client's calls use that user's upstream OAuth connections. Null: the API key. */
  @Column({ type: 'varchar', length: 36, nullable: true })
  ownerUserId!: string | null;
}

/** A refresh token (hash only). Each use rotates it; a rotated one used again revokes its whole grant. */
@Entity('oauth_refresh_tokens')
@Index(['grantId'])
export class OAuthRefreshTokenEntity extends RecordEntity {
  @Column({ type: 'varchar', length: 64, unique: true })
  tokenHash!: string;

  @Column({ type: 'varchar', length: 36 })
  grantId!: string;

  @Column({ type: Date })
  expiresAt!: Date;

  @Column({ type: Date, nullable: true })
  rotatedAt!: Date | null;
}

/** A key that signs access tokens; the private half sealed with the SecretBox. The id is the JWT `kid`. */
@Entity('oauth_signing_keys')
export class OAuthSigningKeyEntity extends RecordEntity {
  @Column({ type: 'varchar', length: 16 })
  algorithm!: string;

  @Column({ type: 'simple-json' })
  publicJwk!: Record<string, string>;

  @Column({ type: 'text' })
  privateKeySealed!: string;
}

export const OAUTH_ENTITIES = [
  OAuthClientEntity,
  OAuthAuthorizationEntity,
  OAuthGrantEntity,
  OAuthRefreshTokenEntity,
  OAuthSigningKeyEntity,
];
