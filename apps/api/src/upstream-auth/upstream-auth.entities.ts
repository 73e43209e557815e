import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { RecordEntity } from '../core/database/record.entity';

/**
 * One principal's (or, `shared`, everyone's) OAuth connection to a remote service: the upstream's
 * access and refresh tokens as sealed JSON (SecretBox), never shown. Removed with the service, the
 * user, or the client token or grant it belongs to.
 */
@Entity('upstream_oauth_connections')
@Index('IDX_upstream_oauth_connection', ['serviceId', 'principalKey'], { unique: true })
export class UpstreamConnectionEntity extends RecordEntity {
  @Column({ type: 'varchar', length: 36 })
  serviceId!: string;

  /** `shared`, or a principal: `user:<id>`, `admin`, `client-token:<id>`, `oauth:<grant id>`. */
  @Column({ type: 'varchar', length: 100 })
  principalKey!: string;

  /** `{ access_token, refresh_token?, token_type, scope? }`, AES-256-GCM. */
  @Column({ type: 'text' })
  tokensSealed!: string;

  @Column({ type: Date, nullable: true })
  expiresAt!: Date | null;

  /** The upstream account, when its authorization server said (the ID token's or introspection's `sub`). */
  @Column({ type: 'varchar', length: 255, nullable: true })
  subject!: string | null;
}

/**
 * How the proxy is known to a remote service's authorization server: the server's metadata as
 * discovered, and the client it registered (dynamic registration, sealed: it may hold a secret).
 * Not used when the admin entered a client id of their own.
 */
@Entity('upstream_oauth_clients')
export class UpstreamClientEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  serviceId!: string;

  /** The redirect URI registered with it: a new public URL means a new registration. */
  @Column({ type: 'varchar', length: 2000 })
  redirectUri!: string;

  @Column({ type: 'varchar', length: 2000 })
  issuer!: string;

  /** `{ client_id, client_secret? … }` as the authorization server returned it. */
  @Column({ type: 'text' })
  clientSealed!: string;
}

/**
 * A URL elicitation offered to an MCP client whose caller has no connection: the link it carries
 * (`/api/upstream-oauth/elicitations/<id>`) starts connecting for that principal only, once, for 10 minutes.
 * Only the id's SHA-256 is stored; the session is told when the connection is made.
 */
@Entity('upstream_oauth_elicitations')
export class UpstreamElicitationEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  idHash!: string;

  @Column({ type: 'varchar', length: 36 })
  serviceId!: string;

  @Column({ type: 'varchar', length: 100 })
  principalKey!: string;

  /** The MCP session that asked: the one told of the completion. */
  @Column({ type: 'varchar', length: 64 })
  sessionId!: string;

  @Column({ type: Date })
  expiresAt!: Date;

  @Column({ type: Date, nullable: true })
  usedAt!: Date | null;
}
