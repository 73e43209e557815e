import { Injectable, NotFoundException } from '@nestjs/common';
import type { BuildSandboxView } from '@mcp-proxy/shared/dto';
import { InstanceIdentity } from '../cluster/instance-identity';
import { AppConfig } from '../core/config/app-config';
import { hostEnvironment } from '../core/config/host-environment';
import { AppLogger } from '../core/logging/app-logger';
import { Clock } from '../core/time/clock';
import { ProcessSupervisor } from '../supervisor/process-supervisor';
import type { ServiceEntity } from '../services/service.entity';
import { ServicesService } from '../services/services.service';
import { INHERITED_ENV_KEYS } from '../supervisor/spawn/child-environment';
import { GithubApi, GithubApiError } from './api/github-api';
import { BuildDirectories } from './build/build-directories';
import { BuildSandbox, describeBuildSandbox } from './build/build-sandbox';
import { BuildsService, KEPT_BUILDS } from './build/builds.service';
import { CommandFailedError, DEPLOYMENT_MARKER_ENV } from './build/command-runner';
import { describeManifest, Manifest, ManifestError, missingRequiredEnv } from './build/manifest';
import { ManifestReader } from './build/manifest-reader';
import type { StartCommand } from './build/runtime-builder';
import { RuntimeBuilders } from './build/runtime-builders';
import { RuntimeUnavailableError } from '../supervisor/runtimes/runtime-errors';
import type { DeployLog } from './deploy-log';
import type { DeploymentEntity } from './deployment.entity';
import { DeploymentsService, FINISHED } from './deployments.service';
import { basicAuthorization, GitClient, GitCloneError } from './git/git-client';
import { githubCoordinates, mayCarryToken } from './git/repository-url';
import { ReleaseError, ReleaseService } from './release/release.service';
import { approvalOf, ToolApprovalNeeded } from './release/tool-approval';
import { DeployApprovals } from './deploy-approvals';

/** One run of a deployment by a queue. */
export interface DeployAttempt {
  /** 1 for the first. */
  number: number;
  /** Of DEPLOY_ATTEMPTS; a retryable failure of the last attempt fails the deployment. */
  of: number;
  /** Aborted when the API shuts down: running commands are killed and the deployment fails. */
  signal: AbortSignal;
}

/** `awaiting-approval`: parked until an admin decides on the new version's tool changes (not a failure). */
export type DeployOutcome = 'succeeded' | 'failed' | 'skipped' | 'awaiting-approval';

/** Thrown when the attempt failed for a reason that may pass (the network) and attempts remain: the queue tries again later. */
export class RetryableDeployError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RetryableDeployError';
  }
}

/** A failure of the deploy whose message is meant for the user as it is. */
class DeployFailure extends Error {}

/** A checked-out build, ready to start. */
interface Build {
  directory: string;
  commit: string;
  branch: string;
  manifest: Manifest;
  /** How its server starts (`node <entry point>`, a script of its virtualenv…). */
  start: StartCommand;
  environment: Record<string, string>;
  /** Made by this deployment (and so removed if it fails), not an earlier build reused. */
  created: boolean;
}

/**
 * A deployment from start to finish: clone (shallow, one branch), manifest, required variables,
 * install, build, then the release (start beside the running version, MCP check, swap). Statuses
 * move forward only; the log gets every step and every line of git and npm, secrets masked.
 */
@Injectable()
export class DeployPipeline {
  private readonly hostEnv = hostEnvironment(INHERITED_ENV_KEYS);

  constructor(
    private readonly deployments: DeploymentsService,
    private readonly services: ServicesService,
    private readonly git: GitClient,
    private readonly manifests: ManifestReader,
    private readonly builders: RuntimeBuilders,
    private readonly buildSandbox: BuildSandbox,
    private readonly directories: BuildDirectories,
    private readonly builds: BuildsService,
    private readonly release: ReleaseService,
    private readonly approvals: DeployApprovals,
    private readonly supervisor: ProcessSupervisor,
    private readonly github: GithubApi,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly logger: AppLogger,
    private readonly instance: InstanceIdentity,
  ) {}

  async run(deploymentId: string, attempt: DeployAttempt): Promise<DeployOutcome> {
    const deployment = await this.deployments.find(deploymentId);
    // Finished already: a job run again after a restart, or a duplicate.
    if (!deployment || FINISHED.includes(deployment.status)) return 'skipped';
    // Parked until an admin decides; an approval queues it again.
    const approval = approvalOf(deployment.toolDrift);
    if (deployment.status === 'awaiting-approval' && !approval) return 'skipped';
    const log = await this.deployments.openLog(deploymentId);
    // Filled in as soon as there is a build directory, so a failure at any later step can remove it.
    const work: Pick<Build, 'directory' | 'created'> = { directory: '', created: false };
    try {
      const service = await this.serviceOf(deployment);
      const token = this.config.get('GITHUB_TOKEN');
      log.setSecrets([
        ...(token ? [token, basicAuthorization(token).slice('Basic '.length)] : []),
        ...Object.values(await this.services.environmentOf(service.id)),
        ...Object.values(this.deployments.environmentOf(deployment) ?? {}),
      ]);
      await this.deployments.record(deploymentId, {
        attempts: attempt.number,
        runner: this.instance.id,
        startedAt: deployment.startedAt ?? new Date(this.clock.now()),
      });
      log.step(
        attempt.number === 1 ? `deploying ${deployment.repositoryUrl} to "${service.name}"` : `attempt ${attempt.number} of ${attempt.of}`,
      );

      const build =
        deployment.trigger === 'rollback' || approval
          ? await this.reuse(deployment, service, log)
          : await this.checkout(deployment, service, log, attempt, work);
      await this.deployments.advance(deploymentId, 'starting');
      const started = this.clock.now();
      const released = await this.release.release(
        {
          deploymentId,
          serviceId: service.id,
          process: { command: build.start.command, args: build.start.args, cwd: build.directory },
          repository: {
            url: deployment.repositoryUrl,
            branch: build.branch,
            entryPoint: deployment.options?.entryPoint ?? service.repository?.entryPoint ?? null,
            allowScripts: this.allowScripts(deployment, service),
          },
          environment: build.environment,
          approval,
        },
        log,
      );
      const startMs = this.clock.now() - started;
      if (released.toolDrift) await this.deployments.recordToolDrift(deploymentId, released.toolDrift);
      const removed = await this.builds.prune(service, build.directory);
      if (removed > 0) log.step(`removed ${removed} older build${removed === 1 ? '' : 's'} (the last ${KEPT_BUILDS} are kept)`);
      log.step(`deployed ${build.commit.slice(0, 12)} (${build.branch})`);
      await this.deployments.succeed(deploymentId, { startMs });
      await this.approvals.supersedeWaiting(deploymentId);
      return 'succeeded';
    } catch (error) {
      if (error instanceof ToolApprovalNeeded) {
        await this.approvals.park(deployment, error.drift, log);
        return 'awaiting-approval';
      }
      if (error instanceof RetryableDeployError && attempt.number < attempt.of && !attempt.signal.aborted) {
        log.step(`attempt ${attempt.number} of ${attempt.of} failed: ${error.message}; trying again`);
        await log.flush();
        await this.builds.removeFailed(deployment, work.created ? work.directory : null);
        throw error;
      }
      const message = attempt.signal.aborted ? `interrupted: ${reasonOf(attempt.signal)}` : messageOf(error);
      log.step(`failed: ${message}`);
      if (!isExpected(error)) this.logger.event('error', { deployment: deploymentId, err: error }, 'Deploy failed unexpectedly');
      await this.builds.removeFailed(deployment, work.created ? work.directory : null);
      // The reason may end with the build's last lines: masked like the log they came from.
      // Before the deployment reads as finished: whoever sees it failed also sees the service say so.
      await this.reportNothingToRun(deployment.serviceId, log.masked(message));
      await this.deployments.fail(deploymentId, log.masked(message));
      return 'failed';
    } finally {
      await this.deployments.closeLog(deploymentId);
    }
  }

  /** A deployment that will not run (again): failed with the reason, its leftovers removed. No-op once finished. */
  async abandon(deploymentId: string, reason: string): Promise<void> {
    const deployment = await this.deployments.find(deploymentId);
    if (!deployment || FINISHED.includes(deployment.status)) return;
    const log = await this.deployments.openLog(deploymentId);
    log.step(`failed: ${reason}`);
    await this.builds.removeLeftovers(deployment);
    await this.reportNothingToRun(deployment.serviceId, reason);
    await this.deployments.fail(deploymentId, reason);
    await this.deployments.closeLog(deploymentId);
  }

  /**
   * After a failed deploy of a service that has never run a build (its first deploy): the service is
   * `failed` with the reason, so nobody mistakes it for one ready to start; a retry of the deploy
   * (POST /api/services/:id/redeploy) is what brings it up. A service that runs an earlier build keeps it.
   */
  async reportNothingToRun(serviceId: string, reason: string): Promise<void> {
    const service = await this.services.entityOf(serviceId).catch(() => null);
    if (!service || service.process.command) return;
    await this.supervisor.markNotDeployed(service.id, notDeployedReason(reason));
  }

  // ─── Steps ─────────────────────────────────────────────────────────────────────────────────

  private async checkout(
    deployment: DeploymentEntity,
    service: ServiceEntity,
    log: DeployLog,
    attempt: DeployAttempt,
    work: Pick<Build, 'directory' | 'created'>,
  ): Promise<Build> {
    const id = deployment.id;
    await this.deployments.advance(id, 'cloning');
    let started = this.clock.now();
    const { branch: askedBranch, token } = await this.consultGithub(deployment, log);
    await this.directories.prepare(service.name);
    const incoming = this.directories.incoming(service.name, id);
    await this.directories.remove(incoming);
    log.step(
      `git clone --depth 1 ${askedBranch ? `--branch ${askedBranch} ` : ''}${deployment.repositoryUrl}${token ? ' (with GITHUB_TOKEN)' : ''}`,
    );
    try {
      await this.git.clone({
        url: deployment.repositoryUrl,
        branch: askedBranch,
        directory: incoming,
        token,
        env: this.commandEnv(id),
        timeoutMs: this.stepTimeoutMs,
        onLine: (line) => log.line(line),
        signal: attempt.signal,
      });
    } catch (error) {
      await this.directories.remove(incoming);
      if (error instanceof GitCloneError && error.retryable) throw new RetryableDeployError(error.message);
      throw error;
    }
    const commit = await this.git.headCommit(incoming, this.commandEnv(id));
    const branch = askedBranch ?? (await this.git.currentBranch(incoming, this.commandEnv(id)));
    const directory = this.directories.forCommit(service.name, commit);
    const created = !(await this.builds.isGood(service, directory));
    if (created) {
      // A leftover of an interrupted or failed deploy of the same commit: never trusted.
      await this.directories.remove(directory);
      await this.directories.move(incoming, directory);
      Object.assign(work, { directory, created: true });
    } else {
      await this.directories.remove(incoming);
      log.step(`commit ${commit.slice(0, 12)} is built already in ${directory}: using that build`);
    }
    await this.deployments.record(id, { commit, branch, directory, cloneMs: this.clock.now() - started });
    log.step(`cloned ${commit} (${branch})`);

    const manifest = await this.readManifest(directory, log);
    const builder = this.builders.for(manifest);
    const environment = await this.environmentFor(deployment, service, manifest);

    if (created) {
      // Told (and recorded) when the first command starts: what confines the repository's own code.
      const confinement: { view: BuildSandboxView | null } = { view: null };
      const confine = this.buildSandbox.confinerFor(service, (view) => {
        confinement.view = view;
        log.step(describeBuildSandbox(view));
      });
      const env = {
        ...this.commandEnv(id),
        CI: 'true',
        NO_COLOR: '1',
        npm_config_update_notifier: 'false',
        ...builder.environment(service, environment),
      };
      const step = {
        directory,
        env,
        timeoutMs: this.stepTimeoutMs,
        onLine: (line: string) => log.line(line),
        signal: attempt.signal,
        confine,
      };
      try {
        await this.deployments.advance(id, 'installing');
        started = this.clock.now();
        const installed = await this.failOnCommand(
          () => builder.install(step, { allowScripts: this.allowScripts(deployment, service), manifest }),
          'install',
        );
        if (installed === 'nothing to install') log.step('no dependencies to install');
        await this.deployments.record(id, { installMs: this.clock.now() - started });

        await this.deployments.advance(id, 'building');
        started = this.clock.now();
        const built = await this.failOnCommand(() => builder.build(step), 'build');
        if (!built) log.step('no build script');
        await this.deployments.record(id, { buildMs: this.clock.now() - started });
      } finally {
        if (confinement.view) await this.deployments.record(id, { buildSandbox: confinement.view });
      }
    }
    const start = await builder.startCommand(directory, manifest, this.entryPointOverride(deployment, service));
    return { directory, commit, branch, manifest, start, environment, created };
  }

  /** A rollback, or a build whose tool changes were approved: it is on disk already; only its manifest and variables are checked again. */
  private async reuse(deployment: DeploymentEntity, service: ServiceEntity, log: DeployLog): Promise<Build> {
    const directory = deployment.directory;
    if (!directory || !deployment.commit || !(await this.directories.exists(directory))) {
      throw new DeployFailure(`the build (${deployment.commit?.slice(0, 12) ?? 'unknown'}) is no longer on disk`);
    }
    log.step(
      deployment.trigger === 'rollback'
        ? `rolling back to ${deployment.commit.slice(0, 12)} (${directory})`
        : `promoting the approved build ${deployment.commit.slice(0, 12)} (${directory})`,
    );
    const manifest = await this.readManifest(directory, log);
    const environment = await this.environmentFor(deployment, service, manifest);
    const start = await this.builders.for(manifest).startCommand(directory, manifest, this.entryPointOverride(deployment, service));
    return {
      directory,
      commit: deployment.commit,
      branch: deployment.branch ?? service.repository?.branch ?? 'main',
      manifest,
      start,
      environment,
      created: false,
    };
  }

  /**
   * For a repository on GITHUB_HOST: the default branch when none was asked for, the branch's
   * newest commit, and a clear failure for a missing repository or a refused token. Other hosts
   * (any git server) are cloned without asking anyone.
   */
  private async consultGithub(deployment: DeploymentEntity, log: DeployLog): Promise<{ branch: string | null; token: string | null }> {
    const coordinates = githubCoordinates(deployment.repositoryUrl, this.config.get('GITHUB_HOST'));
    if (!coordinates) return { branch: deployment.branch, token: null };
    let token = this.config.get('GITHUB_TOKEN') ?? null;
    if (token && !mayCarryToken(deployment.repositoryUrl)) {
      log.step('not sending GITHUB_TOKEN over plain http');
      token = null;
    }
    let branch = deployment.branch;
    try {
      const repository = await this.github.repository(coordinates.owner, coordinates.repo);
      branch ??= repository.defaultBranch;
      const head = await this.github.branchHead(coordinates.owner, coordinates.repo, branch);
      log.step(`GitHub: ${repository.fullName} (${repository.private ? 'private' : 'public'}), ${branch} is at ${head.slice(0, 12)}`);
    } catch (error) {
      if (!(error instanceof GithubApiError)) throw error;
      if (error.fatal) throw new DeployFailure(error.message);
      log.step(`GitHub API: ${error.message}; cloning anyway`);
    }
    return { branch, token };
  }

  private async readManifest(directory: string, log: DeployLog): Promise<Manifest> {
    const manifest = await this.manifests.read(directory);
    log.step(describeManifest(manifest));
    return manifest;
  }

  /** The service's variables, those the request adds, and the manifest's defaults under both; every required one must be there. */
  private async environmentFor(deployment: DeploymentEntity, service: ServiceEntity, manifest: Manifest): Promise<Record<string, string>> {
    const environment = {
      ...manifest.defaultEnv,
      ...(await this.services.environmentOf(service.id)),
      ...(this.deployments.environmentOf(deployment) ?? {}),
    };
    const missing = missingRequiredEnv(manifest, environment);
    if (missing.length > 0) {
      throw new DeployFailure(
        `missing required environment variable${missing.length === 1 ? '' : 's'} ${missing.join(', ')} ` +
          `(the repository's ${manifest.source} requires ${missing.length === 1 ? 'it' : 'them'}): set ${missing.length === 1 ? 'it' : 'them'} in the deploy's "environment"`,
      );
    }
    return environment;
  }

  /** The deploy's own entry point, else the service's: over what the manifest says. */
  private entryPointOverride(deployment: DeploymentEntity, service: ServiceEntity): string | null {
    return deployment.options?.entryPoint ?? service.repository?.entryPoint ?? null;
  }

  private async failOnCommand<T>(run: () => Promise<T>, what: 'install' | 'build'): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof CommandFailedError) throw new DeployFailure(`${what} failed: ${error.message}`);
      throw error;
    }
  }

  // ─── Bookkeeping ───────────────────────────────────────────────────────────────────────────

  private async serviceOf(deployment: DeploymentEntity): Promise<ServiceEntity> {
    try {
      return await this.services.entityOf(deployment.serviceId);
    } catch (error) {
      if (error instanceof NotFoundException) throw new DeployFailure(`service "${deployment.serviceName}" was deleted`);
      throw error;
    }
  }

  private allowScripts(deployment: DeploymentEntity, service: ServiceEntity): boolean {
    return deployment.options?.allowScripts ?? service.repository?.allowScripts ?? false;
  }

  /** git and npm get what a child gets from the host (PATH, HOME, locale) and a marker; never the proxy's settings or secrets. */
  private commandEnv(deploymentId: string): Record<string, string> {
    return { ...this.hostEnv, [DEPLOYMENT_MARKER_ENV]: deploymentId };
  }

  private get stepTimeoutMs(): number {
    return this.config.get('DEPLOY_STEP_TIMEOUT_SEC') * 1000;
  }
}

function isExpected(error: unknown): boolean {
  return (
    error instanceof DeployFailure ||
    error instanceof RetryableDeployError ||
    error instanceof GitCloneError ||
    error instanceof ManifestError ||
    error instanceof CommandFailedError ||
    error instanceof RuntimeUnavailableError ||
    error instanceof ReleaseError
  );
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function reasonOf(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason.message : typeof reason === 'string' ? reason : 'stopped';
}

/** What the service view says after its first deploy failed: the deploy's reason (cut to a readable length) and what to do. */
export function notDeployedReason(reason: string): string {
  const cut = reason.length > 1000 ? `${reason.slice(0, 1000)}…` : reason;
  return `deploy failed: ${cut} — nothing runs until a deploy succeeds: fix it, then retry the deploy`;
}
