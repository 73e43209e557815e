import { Processor, WorkerHost } from '@nestjs/bullmq';
import { BeforeApplicationShutdown } from '@nestjs/common';
import { DelayedError, Job, UnrecoverableError } from 'bullmq';
import { DeployOutcome, DeployPipeline } from '../deploy-pipeline';
import { DEPLOY_QUEUE_NAME } from './bull-deploy-queue';
import { DEPLOY_LOCK_TTL_MS, DeployLock } from './deploy-lock';
import type { DeployJob } from './deploy-queue';

/** A job whose service is busy with another deployment comes back after this long. */
const BUSY_RETRY_MS = 500;
const SHUTDOWN_WAIT_MS = 10_000;

/** Runs deploy jobs from Redis: one per service at a time (DeployLock), retries by BullMQ with exponential back-off. */
@Processor(DEPLOY_QUEUE_NAME, { concurrency: 4 })
export class DeployProcessor extends WorkerHost implements BeforeApplicationShutdown {
  private readonly shutdown = new AbortController();
  private readonly running = new Set<Promise<unknown>>();

  constructor(
    private readonly pipeline: DeployPipeline,
    private readonly lock: DeployLock,
  ) {
    super();
  }

  async process(job: Job<DeployJob>, token?: string): Promise<DeployOutcome> {
    const { serviceId, deploymentId } = job.data;
    if (!(await this.lock.acquire(serviceId, deploymentId))) {
      await job.moveToDelayed(Date.now() + BUSY_RETRY_MS, token);
      throw new DelayedError();
    }
    const renewal = setInterval(() => void this.lock.renew(serviceId, deploymentId).catch(() => undefined), DEPLOY_LOCK_TTL_MS / 3);
    const run = this.pipeline.run(deploymentId, { number: job.attemptsMade + 1, of: job.opts.attempts ?? 1, signal: this.shutdown.signal });
    this.running.add(run);
    try {
      const outcome = await run;
      // Recorded as failed already; BullMQ must not try again.
      if (outcome === 'failed') throw new UnrecoverableError('the deployment failed; its log says why');
      return outcome;
    } finally {
      this.running.delete(run);
      clearInterval(renewal);
      await this.lock.release(serviceId, deploymentId).catch(() => undefined);
    }
  }

  /** Running deploys are aborted and recorded as failed before the worker closes (which waits for them) and the database goes. */
  async beforeApplicationShutdown(): Promise<void> {
    this.shutdown.abort(new Error('the API is shutting down'));
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([Promise.allSettled([...this.running]), new Promise((resolve) => (timer = setTimeout(resolve, SHUTDOWN_WAIT_MS)))]);
    clearTimeout(timer);
  }
}
