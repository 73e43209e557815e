import type { BuildSandboxView, DeploymentStatus, DeploymentToolDriftView, DeploymentTrigger } from '@mcp-proxy/shared/dto';
import { randomUUID } from 'node:crypto';
import { BeforeInsert, Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/** What a deploy request asked for beyond the repository, applied when the deploy succeeds. */
export interface DeploymentRequestOptions {
  allowScripts?: boolean;
  entryPoint?: string;
}

/**
 * One deploy of a service: what was asked, how far it got, its timings and its whole build log.
 * No foreign key to services: the history outlives nothing, but a deleted service must not be blocked by it.
 */
@Entity('deployments')
@Index(['serviceId', 'queuedAt'])
export class DeploymentEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 36 })
  serviceId!: string;

  @Column({ type: 'varchar', length: 63 })
  serviceName!: string;

  @Column({ type: 'varchar', length: 16 })
  trigger!: DeploymentTrigger;

  @Column({ type: 'varchar', length: 16, default: 'queued' })
  status!: DeploymentStatus;

  /** As given, without credentials (they are refused on input). */
  @Column({ type: 'varchar', length: 500 })
  repositoryUrl!: string;

  /** Asked for, or resolved to the default branch once known. */
  @Column({ type: 'varchar', length: 200, nullable: true })
  branch!: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  commit!: string | null;

  /** The build directory (CLONE_DIRECTORY/<service>/<commit>) once cloned; what a rollback goes back to. */
  @Column({ type: 'text', nullable: true })
  directory!: string | null;

  @Column({ type: 'simple-json', nullable: true })
  options!: DeploymentRequestOptions | null;

  /** Variables the request adds to an existing service, sealed like the service's own; applied on success. */
  @Column({ type: 'text', nullable: true })
  environmentSealed!: string | null;

  /** Every line of the build, secrets masked. */
  @Column({ type: 'text', default: '' })
  log!: string;

  @Column({ type: 'text', nullable: true })
  error!: string | null;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  /** The instance (INSTANCE_ID) whose worker runs it: in a cluster, others fail it only once that instance is gone. */
  @Column({ type: 'varchar', length: 200, nullable: true })
  runner!: string | null;

  /** How install and build were confined (null until they ran): shown so nobody mistakes an unconfined build for a safe one. */
  @Column({ type: 'simple-json', nullable: true })
  buildSandbox!: BuildSandboxView | null;

  /** How the new version's tools compared with the pinned ones (the diff, and the approval it waits for or got). */
  @Column({ type: 'simple-json', nullable: true })
  toolDrift!: DeploymentToolDriftView | null;

  @CreateDateColumn()
  queuedAt!: Date;

  @Column({ type: Date, nullable: true })
  startedAt!: Date | null;

  @Column({ type: Date, nullable: true })
  finishedAt!: Date | null;

  @Column({ type: 'integer', nullable: true })
  cloneMs!: number | null;

  @Column({ type: 'integer', nullable: true })
  installMs!: number | null;

  @Column({ type: 'integer', nullable: true })
  buildMs!: number | null;

  @Column({ type: 'integer', nullable: true })
  startMs!: number | null;

  @BeforeInsert()
  assignId(): void {
    this.id ??= randomUUID();
  }
}
