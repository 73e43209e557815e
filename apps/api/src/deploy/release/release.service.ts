import { Injectable } from '@nestjs/common';
import type { DeploymentToolDriftView, RepositoryView, ServiceView } from '@mcp-proxy/shared/dto';
import { ProcessSupervisor } from '../../supervisor/process-supervisor';
import { ServicesService } from '../../services/services.service';
import { CandidateDrift, DeployToolGate } from '../../tool-pins/deploy-tool-gate';
import type { DeployLog } from '../deploy-log';
import { checkMcpServer, McpCheckError } from './mcp-check';
import { describeChanges, ToolApproval, ToolApprovalNeeded } from './tool-approval';

/** A build ready to run, and the service settings that run it. */
export interface Release {
  deploymentId: string;
  serviceId: string;
  process: { command: string; args: string[]; cwd: string };
  repository: RepositoryView;
  environment: Record<string, string>;
  /** The admin's approval of the candidate's tool changes (a parked deployment, promoted now). */
  approval: ToolApproval | null;
}

/** The version that serves now, and how its tools compared with the pinned ones (null: the same, or not compared). */
export interface Released {
  view: ServiceView;
  toolDrift: DeploymentToolDriftView | null;
}

/** The new version could not take over; the previous one (if any) still serves. */
export class ReleaseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReleaseError';
  }
}

const CHECK_TIMEOUT_MS = 20_000;
/** In-flight requests of the replaced child get at most this long (or the service's request time-out, if shorter). */
const MAX_DRAIN_MS = 30_000;

/**
 * Puts a build in service with no gap: starts it beside the running version, checks that it speaks
 * MCP, stores the settings that run it, and swaps it in. Any failure before the swap leaves the
 * running version (and the stored settings) as they were.
 */
@Injectable()
export class ReleaseService {
  constructor(
    private readonly supervisor: ProcessSupervisor,
    private readonly services: ServicesService,
    private readonly toolGate: DeployToolGate,
  ) {}

  /** Throws ToolApprovalNeeded when the drift policy `block` wants an admin to approve the new version's tools first. */
  async release(release: Release, log: DeployLog): Promise<Released> {
    const service = await this.services.entityOf(release.serviceId);
    const { proxy } = service;
    log.step(`starting ${[release.process.command, ...release.process.args].join(' ')} in ${release.process.cwd}`);
    let candidate;
    try {
      candidate = await this.supervisor.launchCandidate(release.serviceId, { process: release.process, environment: release.environment });
    } catch (error) {
      throw new ReleaseError(`the new version could not start: ${messageOf(error)}`);
    }
    let drift: CandidateDrift | null = null;
    let toolDrift: DeploymentToolDriftView | null = null;
    try {
      const checked = await checkMcpServer(candidate, CHECK_TIMEOUT_MS);
      log.step(
        `MCP check passed: ${checked.serverName ?? 'the server'} answered initialize${checked.tools === null ? '' : ` and listed ${checked.tools} tool${checked.tools === 1 ? '' : 's'}`}`,
      );
      const policy = proxy.driftPolicy ?? 'warn';
      if (policy !== 'off' && checked.toolList) drift = await this.toolGate.assess(release.serviceId, checked.toolList);
      if (drift && policy !== 'off') toolDrift = this.judge(drift, policy, release.approval, log);
    } catch (error) {
      if (error instanceof ToolApprovalNeeded) {
        await this.supervisor.discardCandidate(candidate, 'waits for approval of its tool changes');
        throw error;
      }
      await this.supervisor.discardCandidate(candidate, 'failed the deploy check');
      const why = error instanceof McpCheckError ? error.message : messageOf(error);
      throw new ReleaseError(`the new version failed its MCP check: ${why}`);
    }

    try {
      const view = await this.supervisor.promoteCandidate(candidate, {
        drainMs: Math.min(proxy.requestTimeoutSec * 1000, MAX_DRAIN_MS),
        // Stored just before the swap: from then on a restart (of the service or the proxy) runs the new version.
        beforeSwap: async () => {
          await this.services.update(release.serviceId, {
            process: release.process,
            repository: { ...release.repository, entryPoint: release.repository.entryPoint ?? undefined },
            environment: release.environment,
          });
          // After the settings: should this fail, the new version's tools stay unapproved rather than the old one's.
          if (drift && toolDrift?.state === 'approved')
            await this.toolGate.pinDeployed(release.serviceId, drift, toolDrift.decidedBy ?? 'admin');
        },
      });
      log.step(`the new version serves now (pid ${candidate.pid})`);
      if (drift && toolDrift?.state === 'recorded') await this.recordChanges(service, drift, release.deploymentId, log);
      return { view, toolDrift };
    } catch (error) {
      await this.supervisor.discardCandidate(candidate, 'could not take over');
      throw new ReleaseError(`the new version could not take over: ${messageOf(error)}`);
    }
  }

  /** Under `warn` the new version serves; its tool changes wait for review (a failure to record them does not undo the deploy). */
  private async recordChanges(
    service: { id: string; name: string },
    drift: CandidateDrift,
    deploymentId: string,
    log: DeployLog,
  ): Promise<void> {
    try {
      await this.toolGate.recordDeployed(service, drift, deploymentId);
      log.step(`tool changes recorded for review (drift policy "warn"): Services → ${service.name} → Tool pinning`);
    } catch (error) {
      log.step(`could not record the tool changes for review: ${messageOf(error)}`);
    }
  }

  /**
   * What the drift policy makes of a candidate whose tools differ from the pinned ones: under `block` it waits
   * (ToolApprovalNeeded) unless exactly these tools were approved; under `warn` it takes over and the changes are
   * recorded.
   */
  private judge(drift: CandidateDrift, policy: 'warn' | 'block', approval: ToolApproval | null, log: DeployLog): DeploymentToolDriftView {
    const base = { policy, candidateHash: drift.candidateHash, changes: drift.changes };
    log.step(`its tools differ from the pinned ones: ${describeChanges(drift.changes)}`);
    if (policy === 'warn') return { ...base, state: 'recorded', decidedBy: null, decidedAt: null };
    if (approval?.candidateHash === drift.candidateHash) {
      log.step(`tool changes approved by ${approval.approvedBy}`);
      return { ...base, state: 'approved', decidedBy: approval.approvedBy, decidedAt: approval.approvedAt };
    }
    if (approval) log.step('the approved tools are not the ones this build lists now: it waits for approval again');
    throw new ToolApprovalNeeded({ ...base, state: 'awaiting-approval', decidedBy: null, decidedAt: null });
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
