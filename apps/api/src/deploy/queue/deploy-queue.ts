/** One deployment to run. */
export interface DeployJob {
  deploymentId: string;
  serviceId: string;
  /** A further run of the same deployment (its promotion after an approval): a queue that keeps one job per deployment tells them apart by it. */
  run?: string;
}

/**
 * Where deploy requests wait for a worker: BullMQ on Redis when REDIS_URL is set, in this process
 * when not. Either way one deployment per service runs at a time, in order, retried with back-off
 * when cloning fails for a reason that may pass.
 */
export abstract class DeployQueue {
  abstract add(job: DeployJob): Promise<void>;

  /** After a restart: deployments still `queued`, put back unless the queue kept them. */
  abstract requeue(jobs: DeployJob[]): Promise<void>;

  /** After a restart: whatever an interrupted deployment held (a per-service lock) is let go. */
  abstract release(job: DeployJob): Promise<void>;
}

/** Back-off before attempt `next` (2, 3, …): the base, doubled for each further attempt. */
export function backoffMs(baseMs: number, next: number): number {
  return baseMs * 2 ** Math.max(0, next - 2);
}
