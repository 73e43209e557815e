import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { InjectRepository } from '@nestjs/typeorm';
import {
  DEPLOYMENT_STATUSES,
  DeploymentStatus,
  DeploymentSummaryView,
  DeploymentToolDriftView,
  DeploymentTrigger,
  DeploymentView,
} from '@mcp-proxy/shared/dto';
import { In, IsNull, Not, Repository } from 'typeorm';
import { SecretBox } from '../core/crypto/secret-box';
import { Clock } from '../core/time/clock';
import { PROXY_SECRETS } from '../supervisor/spawn/proxy-secrets';
import { DEPLOY_EVENTS, DeployLogLines } from './deploy-events';
import { DeployLog } from './deploy-log';
import { DeploymentEntity, DeploymentRequestOptions } from './deployment.entity';

export interface NewDeployment {
  service: { id: string; name: string };
  trigger: DeploymentTrigger;
  repositoryUrl: string;
  branch: string | null;
  /** Variables to add to an existing service when this deploy succeeds (sealed at rest). */
  environment?: Record<string, string> | null;
  options?: DeploymentRequestOptions | null;
  /** A rollback knows its build already. */
  commit?: string | null;
  directory?: string | null;
}

/** Fields that change as a deployment runs (status has its own, forward-only, path). */
export type DeploymentProgress = Partial<
  Pick<
    DeploymentEntity,
    | 'branch'
    | 'commit'
    | 'directory'
    | 'attempts'
    | 'runner'
    | 'startedAt'
    | 'cloneMs'
    | 'installMs'
    | 'buildMs'
    | 'startMs'
    | 'buildSandbox'
  >
>;

export const FINISHED: readonly DeploymentStatus[] = ['succeeded', 'failed'];
const HISTORY_LIMIT = 50;

/** The deployments table: records, forward-only status changes, logs, and their views. */
@Injectable()
export class DeploymentsService {
  /** Logs of deployments running in this process, so live subscribers and appends share one copy. */
  private readonly logs = new Map<string, DeployLog>();

  constructor(
    @InjectRepository(DeploymentEntity) private readonly deployments: Repository<DeploymentEntity>,
    private readonly secretBox: SecretBox,
    private readonly events: EventEmitter2,
    private readonly clock: Clock,
    @Inject(PROXY_SECRETS) private readonly proxySecrets: string[],
  ) {}

  async create(input: NewDeployment): Promise<DeploymentEntity> {
    const entity = this.deployments.create({
      serviceId: input.service.id,
      serviceName: input.service.name,
      trigger: input.trigger,
      status: 'queued',
      repositoryUrl: input.repositoryUrl,
      branch: input.branch,
      commit: input.commit ?? null,
      directory: input.directory ?? null,
      options: input.options ?? null,
      environmentSealed: input.environment ? this.secretBox.encryptJson(input.environment) : null,
      log: '',
      error: null,
      attempts: 0,
      buildSandbox: null,
      toolDrift: null,
      // Set here rather than by the database's default, which SQLite keeps to the second: the history is ordered by it.
      queuedAt: new Date(this.clock.now()),
      startedAt: null,
      finishedAt: null,
      cloneMs: null,
      installMs: null,
      buildMs: null,
      startMs: null,
    });
    await this.deployments.save(entity);
    this.announce(entity);
    return entity;
  }

  find(id: string): Promise<DeploymentEntity | null> {
    return this.deployments.findOne({ where: { id } });
  }

  async view(id: string): Promise<DeploymentView> {
    const entity = await this.find(id);
    if (!entity) throw new NotFoundException(`Deployment "${id}" not found`);
    return { ...toSummary(entity), log: this.logs.get(id)?.text ?? entity.log };
  }

  /** Newest first. */
  async history(serviceId: string): Promise<DeploymentSummaryView[]> {
    const rows = await this.deployments.find({ where: { serviceId }, order: { queuedAt: 'DESC', id: 'ASC' }, take: HISTORY_LIMIT });
    return rows.map(toSummary);
  }

  /**
   * For the live channel: the summary and every log line so far. `follow` runs in the same turn as
   * the lines are read, so a subscriber registered there misses no line and gets none twice.
   */
  async snapshot(id: string, follow: () => void): Promise<{ deployment: DeploymentSummaryView; lines: string[] } | null> {
    const entity = await this.find(id);
    if (!entity) return null;
    const live = this.logs.get(id);
    if (live) {
      follow();
      return { deployment: toSummary(entity), lines: [...live.all] };
    }
    // Not running here (any more): the stored log is complete once the row is read after the log closed.
    const stored = (await this.find(id)) ?? entity;
    follow();
    return { deployment: toSummary(stored), lines: stored.log === '' ? [] : stored.log.split('\n') };
  }

  environmentOf(entity: DeploymentEntity): Record<string, string> | null {
    return entity.environmentSealed ? this.secretBox.decryptJson<Record<string, string>>(entity.environmentSealed) : null;
  }

  /**
   * Moves the status forward (never back, never out of succeeded/failed) in one conditional
   * update, so a late writer cannot undo a later state. False when the deployment was further along.
   */
  async advance(id: string, status: DeploymentStatus, progress: DeploymentProgress = {}): Promise<boolean> {
    const earlier = DEPLOYMENT_STATUSES.slice(0, DEPLOYMENT_STATUSES.indexOf(status)).filter((s) => !FINISHED.includes(s));
    const result = await this.deployments.update({ id, status: In(earlier) }, { ...progress, status });
    if (!result.affected) return false;
    await this.announceById(id);
    return true;
  }

  async record(id: string, progress: DeploymentProgress): Promise<void> {
    await this.deployments.update({ id }, progress);
    await this.announceById(id);
  }

  async succeed(id: string, progress: DeploymentProgress = {}): Promise<boolean> {
    await this.logs.get(id)?.flush();
    return this.finish(id, { ...progress, status: 'succeeded', error: null });
  }

  async fail(id: string, error: string, progress: DeploymentProgress = {}): Promise<boolean> {
    await this.logs.get(id)?.flush();
    return this.finish(id, { ...progress, status: 'failed', error });
  }

  /** How the new version's tools compare with the pinned ones (saved whole: TypeORM's update types refuse the schemas' `unknown`). */
  async recordToolDrift(id: string, toolDrift: DeploymentToolDriftView | null): Promise<void> {
    await this.deployments.save({ id, toolDrift });
    await this.announceById(id);
  }

  /** Deployments of a service parked until their tool changes are approved (or approved and waiting to be promoted). */
  waitingFor(serviceId: string): Promise<DeploymentEntity[]> {
    return this.deployments.find({ where: { serviceId, status: 'awaiting-approval' }, order: { queuedAt: 'ASC' } });
  }

  /** The log of a deployment this process runs: opened once, continued across attempts. */
  async openLog(id: string): Promise<DeployLog> {
    const open = this.logs.get(id);
    if (open) return open;
    const entity = await this.find(id);
    const log = new DeployLog(
      id,
      entity?.log ?? '',
      {
        persist: async (text) => void (await this.deployments.update({ id }, { log: text })),
        announce: (lines) => this.events.emit(DEPLOY_EVENTS.log, { deploymentId: id, lines } satisfies DeployLogLines),
      },
      this.proxySecrets,
    );
    this.logs.set(id, log);
    return log;
  }

  async closeLog(id: string): Promise<void> {
    const log = this.logs.get(id);
    if (!log) return;
    await log.flush();
    this.logs.delete(id);
  }

  /** Deployments that are not finished: queued, or in progress when the API stopped. */
  unfinished(): Promise<DeploymentEntity[]> {
    return this.deployments.find({ where: { status: Not(In([...FINISHED])) }, order: { queuedAt: 'ASC' } });
  }

  /** Finished builds of a service that produced a directory, newest first. */
  succeededBuilds(serviceId: string): Promise<DeploymentEntity[]> {
    return this.deployments.find({ where: { serviceId, status: 'succeeded', directory: Not(IsNull()) }, order: { finishedAt: 'DESC' } });
  }

  private async finish(id: string, patch: Partial<Omit<DeploymentEntity, 'toolDrift'>>): Promise<boolean> {
    const result = await this.deployments.update(
      { id, status: Not(In([...FINISHED])) },
      { ...patch, finishedAt: new Date(this.clock.now()) },
    );
    if (!result.affected) return false;
    await this.announceById(id);
    return true;
  }

  private async announceById(id: string): Promise<void> {
    const entity = await this.find(id);
    if (entity) this.announce(entity);
  }

  private announce(entity: DeploymentEntity): void {
    this.events.emit(DEPLOY_EVENTS.status, toSummary(entity));
  }
}

export function toSummary(entity: DeploymentEntity): DeploymentSummaryView {
  return {
    id: entity.id,
    serviceId: entity.serviceId,
    serviceName: entity.serviceName,
    status: entity.status,
    trigger: entity.trigger,
    repositoryUrl: entity.repositoryUrl,
    branch: entity.branch,
    commit: entity.commit,
    error: entity.error,
    attempts: entity.attempts,
    timings: {
      queuedAt: entity.queuedAt.toISOString(),
      startedAt: entity.startedAt?.toISOString() ?? null,
      finishedAt: entity.finishedAt?.toISOString() ?? null,
      cloneMs: entity.cloneMs,
      installMs: entity.installMs,
      buildMs: entity.buildMs,
      startMs: entity.startMs,
    },
    buildSandbox: entity.buildSandbox ?? null,
    toolDrift: entity.toolDrift ?? null,
  };
}
