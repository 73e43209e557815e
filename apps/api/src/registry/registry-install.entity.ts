import type { RegistryOptionKind } from '@mcp-proxy/shared/dto';
import { Column, Entity } from 'typeorm';
import { RecordEntity } from '../core/database/record.entity';
import type { ServiceRequest } from './service-translation';

/**
 * One version of a registry entry as it was installed: what the service ran (without its environment,
 * which stays sealed with the service) and the values entered that are not secret, so an update can fill
 * the same fields and a rollback can put the command back.
 */
export interface InstalledRelease {
  version: string;
  option: string;
  kind: RegistryOptionKind;
  inputs: Record<string, string>;
  service: Pick<ServiceRequest, 'transport' | 'process' | 'remote'>;
}

/** Where a service came from in an MCP Registry: the entry, the version it runs, and the one before for rollback. */
@Entity('registry_installs')
export class RegistryInstallEntity extends RecordEntity {
  @Column({ type: 'varchar', length: 36, unique: true })
  serviceId!: string;

  /** REGISTRY_URL at install time, for the record: updates ask the registry configured now. */
  @Column({ type: 'varchar', length: 500 })
  registryUrl!: string;

  /** The entry's name (`io.github.owner/server`). */
  @Column({ type: 'varchar', length: 200 })
  server!: string;

  @Column({ type: 'simple-json' })
  current!: InstalledRelease;

  @Column({ type: 'simple-json', nullable: true })
  previous!: InstalledRelease | null;
}
