import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { AppConfig } from '../../core/config/app-config';
import { DeployLock } from './deploy-lock';
import { DeployJob, DeployQueue } from './deploy-queue';

export const DEPLOY_QUEUE_NAME = 'deploys';

/** The deploy queue on Redis (BullMQ): durable across restarts, shared by every API instance on that Redis. */
@Injectable()
export class BullDeployQueue extends DeployQueue {
  constructor(
    @InjectQueue(DEPLOY_QUEUE_NAME) private readonly queue: Queue<DeployJob>,
    private readonly lock: DeployLock,
    private readonly config: AppConfig,
  ) {
    super();
  }

  async add(job: DeployJob): Promise<void> {
    await this.queue.add('deploy', job, {
      // One job per deployment (and per further run of it), however often it is added.
      jobId: jobIdOf(job),
      attempts: this.config.get('DEPLOY_ATTEMPTS'),
      backoff: { type: 'exponential', delay: this.config.get('DEPLOY_BACKOFF_MS') },
      removeOnComplete: { age: 7 * 24 * 3600, count: 1000 },
      removeOnFail: { age: 30 * 24 * 3600, count: 5000 },
    });
  }

  async requeue(jobs: DeployJob[]): Promise<void> {
    for (const job of jobs) if (!(await this.queue.getJob(jobIdOf(job)))) await this.add(job);
  }

  async release(job: DeployJob): Promise<void> {
    await this.lock.release(job.serviceId, job.deploymentId);
  }
}

function jobIdOf(job: DeployJob): string {
  return job.run ? `${job.deploymentId}-${job.run}` : job.deploymentId;
}
