import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { AppLogger } from '../core/logging/app-logger';
import { ServicesService } from '../services/services.service';
import { CommandRunner } from './build/command-runner';
import { DeployPipeline } from './deploy-pipeline';
import { DeploymentsService } from './deployments.service';
import { promotionJob } from './deploy-approvals';
import { DeployQueue } from './queue/deploy-queue';

/**
 * At start-up, no deployment stays "in progress" from a previous run of the API: one that was running
 * when it stopped is failed ("interrupted by a restart"), its leftover processes killed and files
 * removed, unless it had already put its build in service; queued ones go back to the queue. A
 * service whose only deploys failed is shown `failed` with the last reason again (statuses live in
 * memory: without this it would come back as a `stopped` service with nothing to run).
 */
@Injectable()
export class DeployRecovery implements OnApplicationBootstrap {
  constructor(
    private readonly deployments: DeploymentsService,
    private readonly services: ServicesService,
    private readonly pipeline: DeployPipeline,
    private readonly runner: CommandRunner,
    private readonly queue: DeployQueue,
    private readonly logger: AppLogger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const unfinished = await this.deployments.unfinished();
    // Parked for an approval of its tool changes: it waits across restarts (approved, it is promoted below).
    const interrupted = unfinished.filter((deployment) => deployment.status !== 'queued' && deployment.status !== 'awaiting-approval');
    await this.runner.killLeftovers(interrupted.map((deployment) => deployment.id));
    for (const deployment of interrupted) {
      const job = { deploymentId: deployment.id, serviceId: deployment.serviceId };
      const service = await this.services.entityOf(deployment.serviceId).catch(() => null);
      // Its settings were stored at the swap: the checked new version is what runs from now on.
      if (deployment.status === 'starting' && service && deployment.directory && service.process.cwd === deployment.directory) {
        const log = await this.deployments.openLog(deployment.id);
        log.step('the API restarted just after the new version took over; it stays in service');
        await this.deployments.succeed(deployment.id);
        await this.deployments.closeLog(deployment.id);
      } else {
        await this.pipeline.abandon(deployment.id, 'interrupted by a restart of the API');
      }
      await this.queue.release(job);
      this.logger.event(
        'warn',
        { deployment: deployment.id, service: deployment.serviceName },
        'A deployment was interrupted by a restart of the API',
      );
    }
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
  }
}
