import type { RemoteAuthMode, RemoteProtocol } from '@mcp-proxy/shared/dto';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Where a `remote` service's MCP server is. A table of its own (not columns on `services`), one row per
 * remote service, removed with it. Header values may hold secrets, so they are sealed like the environment.
 */
@Entity('service_remotes')
export class ServiceRemoteEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  serviceId!: string;

  @Column({ type: 'varchar', length: 2000 })
  url!: string;

  @Column({ type: 'varchar', length: 16, default: 'streamable-http' })
  protocol!: RemoteProtocol;

  @Column({ type: 'boolean', default: false })
  allowInsecureHttp!: boolean;

  /** Header name → value template as AES-256-GCM ciphertext (see SecretBox). */
  @Column({ type: 'text' })
  headersSealed!: string;

  @Column({ type: 'varchar', length: 8, default: 'headers' })
  auth!: RemoteAuthMode;

  /** `auth: "oauth"`: the connection mode, client id and secret, scopes, as sealed JSON (the secret is one). */
  @Column({ type: 'text', nullable: true })
  oauthSealed!: string | null;
}
