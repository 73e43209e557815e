import type { CallLogSettingsView, ProcessConfigView, ProxyConfigView, RepositoryView, ServiceTransport } from '@mcp-proxy/shared/dto';
import { Column, Entity } from 'typeorm';
import { RecordEntity } from '../core/database/record.entity';
import type { ServiceRemoteEntity } from './service-remote.entity';

export type DesiredState = 'running' | 'stopped';

/** A registered MCP server. Runtime state (pid, status) lives with the supervisor, not here. */
@Entity('services')
export class ServiceEntity extends RecordEntity {
  @Column({ type: 'varchar', length: 63, unique: true })
  name!: string;

  @Column({ type: 'varchar', length: 16, default: 'stdio' })
  transport!: ServiceTransport;

  @Column({ type: 'simple-json' })
  process!: ProcessConfigView;

  @Column({ type: 'simple-json' })
  proxy!: ProxyConfigView;

  /** What the call history keeps of this service's calls; null in rows older than the setting (no payloads). */
  @Column({ type: 'simple-json', nullable: true })
  callLog!: CallLogSettingsView | null;

  @Column({ type: 'simple-json', nullable: true })
  repository!: RepositoryView | null;

  /** The service's environment as AES-256-GCM ciphertext (see SecretBox); never stored in clear. */
  @Column({ type: 'text' })
  environmentSealed!: string;

  /** What the operator asked for, so running services come back after a restart of the proxy. */
  @Column({ type: 'varchar', length: 16, default: 'stopped' })
  desiredState!: DesiredState;

  /** `remote` services: their row of `service_remotes`, attached by ServicesService when it loads the service (not a column). */
  remote?: ServiceRemoteEntity | null;
}
