import { BeforeApplicationShutdown, Injectable } from '@nestjs/common';
import { AppConfig } from '../../core/config/app-config';
import { AppLogger } from '../../core/logging/app-logger';
import { DeployPipeline, RetryableDeployError } from '../deploy-pipeline';
import { backoffMs, DeployJob, DeployQueue } from './deploy-queue';

/** How long a shutdown waits for running deploys to notice the abort and record their failure. */
const SHUTDOWN_WAIT_MS = 10_000;

/**
 * The deploy queue without Redis: a chain per service in this process, so deployments of one
 * service run one after another and different services in parallel. Not durable: deployments still
 * queued at a restart are put back by the recovery.
 */
@Injectable()
export class InProcessDeployQueue extends DeployQueue implements BeforeApplicationShutdown {
  private readonly chains = new Map<string, Promise<void>>();
  private readonly shutdown = new AbortController();

  constructor(
    private readonly pipeline: DeployPipeline,
    private readonly config: AppConfig,
    private readonly logger: AppLogger,
  ) {
    super();
  }

  async add(job: DeployJob): Promise<void> {
    const previous = this.chains.get(job.serviceId) ?? Promise.resolve();
    const next = previous.then(() => this.runWithRetries(job));
    this.chains.set(job.serviceId, next);
    void next.finally(() => {
      if (this.chains.get(job.serviceId) === next) this.chains.delete(job.serviceId);
    });
  }

  async requeue(jobs: DeployJob[]): Promise<void> {
    for (const job of jobs) await this.add(job);
  }

  async release(): Promise<void> {
    // Nothing outlives the process here.
  }

  /** Running deploys are aborted (their commands killed) and recorded as failed before the database closes. */
  async beforeApplicationShutdown(): Promise<void> {
    this.shutdown.abort(new Error('the API is shutting down'));
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      Promise.allSettled([...this.chains.values()]),
      new Promise((resolve) => (timer = setTimeout(resolve, SHUTDOWN_WAIT_MS))),
    ]);
    clearTimeout(timer);
  }

  private async runWithRetries(job: DeployJob): Promise<void> {
    const attempts = this.config.get('DEPLOY_ATTEMPTS');
    for (let attempt = 1; !this.shutdown.signal.aborted; attempt++) {
      try {
        await this.pipeline.run(job.deploymentId, { number: attempt, of: attempts, signal: this.shutdown.signal });
        return;
      } catch (error) {
        if (!(error instanceof RetryableDeployError)) {
          this.logger.event('error', { deployment: job.deploymentId, err: error }, 'Deploy job failed');
          return;
        }
        await this.wait(backoffMs(this.config.get('DEPLOY_BACKOFF_MS'), attempt + 1));
      }
    }
    // Shut down between two attempts: the deployment must not stay "in progress".
    await this.pipeline.abandon(job.deploymentId, 'interrupted: the API is shutting down');
  }

  private wait(ms: number): Promise<void> {
    const signal = this.shutdown.signal;
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done);
    });
  }
}
