import { ConflictException, Injectable } from '@nestjs/common';
import type { DeploymentToolDriftView } from '@mcp-proxy/shared/dto';
import { Clock } from '../core/time/clock';
import { BuildsService } from './build/builds.service';
import type { DeployLog } from './deploy-log';
import type { DeploymentEntity } from './deployment.entity';
import { DeploymentsService } from './deployments.service';
import type { DeployJob } from './queue/deploy-queue';
import { describeChanges } from './release/tool-approval';

/**
 * Deployments parked by tool pinning's deploy gate: a new version whose tools differ from the pinned ones, under
 * the drift policy `block`, waits as `awaiting-approval` with its build kept and nothing running. An admin
 * approves it (it is queued again and promoted, if it still lists exactly those tools) or rejects it (it fails,
 * its build is removed). A newer deployment of the same service makes the older waiting ones moot.
 */
@Injectable()
export class DeployApprovals {
  constructor(
    private readonly deployments: DeploymentsService,
    private readonly builds: BuildsService,
    private readonly clock: Clock,
  ) {}

  /** The deployment waits; older ones still waiting for a decision are superseded by it. */
  async park(deployment: DeploymentEntity, drift: DeploymentToolDriftView, log: DeployLog): Promise<void> {
    log.step(
      `waiting for an admin to approve the tool changes (${describeChanges(drift.changes)}; drift policy "block"): ` +
        'the running version keeps serving until then',
    );
    // The diff first: whoever sees the deployment waiting sees what it waits for.
    await this.deployments.recordToolDrift(deployment.id, drift);
    await this.deployments.advance(deployment.id, 'awaiting-approval');
    await this.supersedeWaiting(deployment.id, { undecidedOnly: true });
  }

  /**
   * After `by` was promoted (or parked): the service's older deployments still waiting would put an older build
   * over it, so they fail (their builds go, unless `by` uses the same one).
   */
  async supersedeWaiting(byId: string, { undecidedOnly = false } = {}): Promise<void> {
    // As stored now: its build directory is known only since the clone.
    const by = await this.deployments.find(byId);
    if (!by) return;
    for (const older of await this.deployments.waitingFor(by.serviceId)) {
      if (older.id === by.id || older.queuedAt > by.queuedAt) continue;
      if (undecidedOnly && older.toolDrift?.state !== 'awaiting-approval') continue;
      await this.end(older, `superseded by deployment ${by.id} before it was promoted`, older.directory !== by.directory);
    }
  }

  /** Marks the candidate's tools approved; the caller queues the deployment again to promote it. */
  async approve(deployment: DeploymentEntity, approvedBy: string): Promise<void> {
    const drift = this.undecided(deployment);
    await this.deployments.recordToolDrift(deployment.id, {
      ...drift,
      state: 'approved',
      decidedBy: approvedBy,
      decidedAt: new Date(this.clock.now()).toISOString(),
    });
    const log = await this.deployments.openLog(deployment.id);
    log.step(`tool changes approved by ${approvedBy}: promoting the build`);
    await this.deployments.closeLog(deployment.id);
  }

  async reject(deployment: DeploymentEntity, rejectedBy: string): Promise<void> {
    const drift = this.undecided(deployment);
    await this.deployments.recordToolDrift(deployment.id, {
      ...drift,
      state: 'rejected',
      decidedBy: rejectedBy,
      decidedAt: new Date(this.clock.now()).toISOString(),
    });
    await this.end(deployment, `tool changes rejected by ${rejectedBy}: the running version keeps serving`, true);
  }

  private undecided(deployment: DeploymentEntity): DeploymentToolDriftView {
    const drift = deployment.toolDrift;
    if (deployment.status !== 'awaiting-approval' || drift?.state !== 'awaiting-approval')
      throw new ConflictException(`Deployment ${deployment.id} is not waiting for an approval of its tool changes (${deployment.status})`);
    return drift;
  }

  private async end(deployment: DeploymentEntity, reason: string, removeBuild: boolean): Promise<void> {
    const log = await this.deployments.openLog(deployment.id);
    log.step(`failed: ${reason}`);
    if (removeBuild) await this.builds.removeLeftovers(deployment);
    await this.deployments.fail(deployment.id, reason);
    await this.deployments.closeLog(deployment.id);
  }
}

/** The run that promotes a deployment whose tool changes were approved (one per approval). */
export function promotionJob(deployment: DeploymentEntity): DeployJob {
  return {
    deploymentId: deployment.id,
    serviceId: deployment.serviceId,
    run: `approved-${Date.parse(deployment.toolDrift?.decidedAt ?? '') || 0}`,
  };
}
