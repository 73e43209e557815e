import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { CLUSTER_LINK, ClusterLink } from '../cluster/cluster-link';
import { InstanceIdentity } from '../cluster/instance-identity';
import { AppLogger } from '../core/logging/app-logger';
import { ServicesService } from '../services/services.service';
import { CommandRunner } from './build/command-runner';
import { DeployPipeline } from './deploy-pipeline';
import type { DeploymentEntity } from './deployment.entity';
import { DeploymentsService } from './deployments.service';
import { promotionJob } from './deploy-approvals';
import { DeployQueue } from './queue/deploy-queue';

/** Waiting (queued, or parked for an approval of its tool changes), not running: nobody's work is lost with it. */
const isRunning = (deployment: DeploymentEntity): boolean => deployment.status !== 'queued' && deployment.status !== 'awaiting-approval';

/**
 * No deployment stays "in progress" after the instance running it stopped. At start-up, one this
 * instance ran (or one nobody is known to run) is failed ("interrupted by a restart"), its leftover
 * processes killed and files removed, unless it had already put its build in service; queued ones go
 * back to the queue. In a cluster, a deployment another live instance runs is left alone, and the
 * instances watch each other: one whose runner stopped beating is failed the same way by a survivor. A
 * service whose only deploys failed is shown `failed` with the last reason again (statuses live in
 * memory: without this it would come back as a `stopped` service with nothing to run).
 */
@Injectable()
export class DeployRecovery implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private watch: ReturnType<typeof setInterval> | null = null;
  /** Runners seen gone at the last pass: failed at the second, so one late heartbeat is not a death. */
  private missing = new Set<string>();

  constructor(
    private readonly deployments: DeploymentsService,
    private readonly services: ServicesService,
    private readonly pipeline: DeployPipeline,
    private readonly runner: CommandRunner,
    private readonly queue: DeployQueue,
    private readonly logger: AppLogger,
    private readonly instance: InstanceIdentity,
    @Inject(CLUSTER_LINK) private readonly cluster: ClusterLink | null,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const unfinished = await this.deployments.unfinished();
    const elsewhere = await this.liveElsewhere();
    const interrupted = unfinished.filter((deployment) => isRunning(deployment) && !elsewhere.has(deployment.runner ?? ''));
    await this.runner.killLeftovers(interrupted.map((deployment) => deployment.id));
    for (const deployment of interrupted) await this.recover(deployment, 'interrupted by a restart of the API');
    await this.queue.requeue(
      unfinished
        .filter((deployment) => deployment.status === 'queued')
        .map((deployment) => ({ deploymentId: deployment.id, serviceId: deployment.serviceId })),
    );
    await this.queue.requeue(unfinished.filter((deployment) => deployment.toolDrift?.state === 'approved').map(promotionJob));
    for (const service of await this.services.list()) {
      if (!service.repository || service.process.command) continue;
      const [last] = await this.deployments.history(service.id);
      if (last?.status === 'failed') await this.pipeline.reportNothingToRun(service.id, last.error ?? 'no reason recorded');
    }
    if (this.cluster) {
      this.watch = setInterval(() => void this.failOrphans().catch(() => undefined), Math.max(500, this.cluster.ttlMs / 3));
      this.watch.unref();
    }
  }

  /** Before the database closes: a pass then would fail half-way. */
  beforeApplicationShutdown(): void {
    if (this.watch) clearInterval(this.watch);
    this.watch = null;
  }

  /**
   * A cluster pass: deployments running on an instance that stopped beating (killed, or cut off) are
   * failed here, and the shared build directory removed. Should the queue hand the job to a worker
   * again, it finds it finished and skips it.
   */
  async failOrphans(): Promise<void> {
    const live = await this.liveElsewhere();
    const gone = new Set<string>();
    const orphans: DeploymentEntity[] = [];
    for (const deployment of await this.deployments.unfinished()) {
      const runner = deployment.runner;
      if (!isRunning(deployment) || !runner || runner === this.instance.id || live.has(runner)) continue;
      gone.add(runner);
      if (this.missing.has(runner)) orphans.push(deployment);
    }
    this.missing = gone;
    // Instances sharing a host: what the dead one left running here goes too (elsewhere this finds nothing).
    if (orphans.length > 0) await this.runner.killLeftovers(orphans.map((deployment) => deployment.id));
    for (const deployment of orphans) await this.recover(deployment, `interrupted: instance ${deployment.runner} stopped`);
  }

  private async recover(deployment: DeploymentEntity, reason: string): Promise<void> {
    const job = { deploymentId: deployment.id, serviceId: deployment.serviceId };
    const service = await this.services.entityOf(deployment.serviceId).catch(() => null);
    // Its settings were stored at the swap: the checked new version is what runs from now on.
    if (deployment.status === 'starting' && service && deployment.directory && service.process.cwd === deployment.directory) {
      const log = await this.deployments.openLog(deployment.id);
      log.step('the instance running it stopped just after the new version took over; it stays in service');
      await this.deployments.succeed(deployment.id);
      await this.deployments.closeLog(deployment.id);
    } else {
      await this.pipeline.abandon(deployment.id, reason);
    }
    await this.queue.release(job);
    this.logger.event('warn', { deployment: deployment.id, service: deployment.serviceName }, `A deployment was ${reason}`);
  }

  /** Other instances beating now (none when this one runs alone). Its own old id may still beat after a fast restart: it is not counted. */
  private async liveElsewhere(): Promise<Set<string>> {
    if (!this.cluster) return new Set();
    const live = await this.cluster.leases.liveInstances();
    return new Set(live.filter((id) => id !== this.instance.id));
  }
}
