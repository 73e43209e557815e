import { Injectable } from '@nestjs/common';
import type { RepositoryView, ServiceView } from '@mcp-proxy/shared/dto';
import { ProcessSupervisor } from '../../supervisor/process-supervisor';
import { ServicesService } from '../../services/services.service';
import type { DeployLog } from '../deploy-log';
import { checkMcpServer, McpCheckError } from './mcp-check';

/** A build ready to run, and the service settings that run it. */
export interface Release {
  serviceId: string;
  process: { command: string; args: string[]; cwd: string };
  repository: RepositoryView;
  environment: Record<string, string>;
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
  ) {}

  async release(release: Release, log: DeployLog): Promise<ServiceView> {
    log.step(`starting ${[release.process.command, ...release.process.args].join(' ')} in ${release.process.cwd}`);
    let candidate;
    try {
      candidate = await this.supervisor.launchCandidate(release.serviceId, { process: release.process, environment: release.environment });
    } catch (error) {
      throw new ReleaseError(`the new version could not start: ${messageOf(error)}`);
    }
    try {
      const checked = await checkMcpServer(candidate, CHECK_TIMEOUT_MS);
      log.step(
        `MCP check passed: ${checked.serverName ?? 'the server'} answered initialize${checked.tools === null ? '' : ` and listed ${checked.tools} tool${checked.tools === 1 ? '' : 's'}`}`,
      );
    } catch (error) {
      await this.supervisor.discardCandidate(candidate, 'failed the deploy check');
      const why = error instanceof McpCheckError ? error.message : messageOf(error);
      throw new ReleaseError(`the new version failed its MCP check: ${why}`);
    }

    const { proxy } = await this.services.entityOf(release.serviceId);
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
        },
      });
      log.step(`the new version serves now (pid ${candidate.pid})`);
      return view;
    } catch (error) {
      await this.supervisor.discardCandidate(candidate, 'could not take over');
      throw new ReleaseError(`the new version could not take over: ${messageOf(error)}`);
    }
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
