import { BadRequestException, ConflictException, ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import type { DeployAcceptedView, DeployRequestDto } from '@mcp-proxy/shared/dto';
import { SERVICE_NAME_PATTERN } from '@mcp-proxy/shared/dto';
import { AuditService } from '../audit/audit.service';
import { deciderName, Principal, roleAllows, scopeAllowsService, scopeShowsService } from '../core/auth/principal';
import type { ServiceEntity } from '../services/service.entity';
import { ServicesService } from '../services/services.service';
import { BuildDirectories } from './build/build-directories';
import { DeployApprovals, promotionJob } from './deploy-approvals';
import type { DeploymentEntity } from './deployment.entity';
import { DeploymentsService, NewDeployment } from './deployments.service';
import { sameRepositoryKey, serviceNameFrom } from './git/repository-url';
import { DeployQueue } from './queue/deploy-queue';

/** Deploy requests (API, webhook, rollback): recorded as `queued` deployments and handed to the queue. */
@Injectable()
export class DeployService {
  constructor(
    private readonly services: ServicesService,
    private readonly deployments: DeploymentsService,
    private readonly directories: BuildDirectories,
    private readonly queue: DeployQueue,
    private readonly audit: AuditService,
    private readonly approvals: DeployApprovals,
  ) {}

  /**
   * A new service (created now, with its repository, not started until the deploy succeeds) or a
   * redeploy of an existing one, as the caller may: within their service limits, and pointing an
   * existing service at other code (which would start with the service's secrets) only as an admin
   * who said `replace: true`.
   */
  async deploy(request: DeployRequestDto, caller: Principal): Promise<DeployAcceptedView> {
    const name = request.serviceName ?? serviceNameFrom(request.repositoryUrl);
    if (!name || !SERVICE_NAME_PATTERN.test(name)) {
      throw new BadRequestException([`serviceName is needed: no service name can be made from ${request.repositoryUrl}`]);
    }
    const existing = await this.services.entityOf(name).catch((error: unknown) => {
      if (error instanceof NotFoundException) return null;
      throw error;
    });
    const options = { allowScripts: request.allowScripts, entryPoint: request.entryPoint };
    if (existing) {
      this.authorize(existing, request, caller);
      return this.enqueue({
        service: existing,
        trigger: 'api',
        repositoryUrl: request.repositoryUrl,
        branch: request.branch ?? null,
        environment: request.environment ?? null,
        options,
      });
    }
    if (caller.scope?.services) {
      throw new ForbiddenException(
        `No service "${name}" within your limits: a deploy under a new name creates a service, which a user limited to some services may not do`,
      );
    }
    const created = await this.services.create({
      name,
      repository: {
        url: request.repositoryUrl,
        branch: request.branch,
        entryPoint: request.entryPoint,
        allowScripts: request.allowScripts,
      },
      environment: request.environment ?? {},
    });
    return this.enqueue({
      service: created,
      trigger: 'api',
      repositoryUrl: request.repositoryUrl,
      branch: request.branch ?? null,
      options,
    });
  }

  /** Throws unless the caller may deploy this request into the existing service; records a replacement. */
  private authorize(existing: ServiceEntity, request: DeployRequestDto, caller: Principal): void {
    // As GET /api/services/:id answers: a service outside the caller's limits does not exist for them.
    if (!scopeAllowsService(caller, existing.id, existing.name)) throw new NotFoundException(`Service "${existing.name}" not found`);
    const current = existing.repository?.url ?? null;
    if (current !== null && sameRepositoryKey(current) === sameRepositoryKey(request.repositoryUrl)) return;
    const now = current === null ? 'is not deployed from a repository' : `is deployed from ${current}`;
    if (!roleAllows(caller.role, 'admin')) {
      throw new ForbiddenException(
        `"${existing.name}" ${now}: only an admin may replace its code with ${request.repositoryUrl} (the new code would start with the service's secrets)`,
      );
    }
    if (request.replace !== true) {
      throw new ConflictException(
        `"${existing.name}" ${now}: to replace its code with ${request.repositoryUrl} (which then starts with the service's variables and secrets), send "replace": true`,
      );
    }
    void this.audit.record({
      action: 'deploy.replace',
      outcome: 'ok',
      actor: caller,
      target: existing.name,
      detail: { from: current, to: request.repositoryUrl },
    });
  }

  /** The service's repository and branch again: a push to it (`webhook`), an imported configuration or a retry (`api`). */
  async redeploy(service: ServiceEntity, trigger: 'api' | 'webhook' = 'webhook'): Promise<DeployAcceptedView> {
    if (!service.repository) throw new ConflictException(`"${service.name}" is not deployed from a repository`);
    return this.enqueue({ service, trigger, repositoryUrl: service.repository.url, branch: service.repository.branch });
  }

  /**
   * Back to the build deployed before the one that runs now (the last KEPT_BUILDS are kept on disk);
   * again and again walks further back.
   */
  async rollback(serviceIdOrName: string): Promise<DeployAcceptedView> {
    const service = await this.services.entityOf(serviceIdOrName);
    const builds = (await this.deployments.succeededBuilds(service.id)).filter((build) => build.trigger !== 'rollback');
    const currentIndex = builds.findIndex((build) => build.directory === service.process.cwd);
    let target: DeploymentEntity | undefined;
    for (const build of builds.slice(currentIndex + 1)) {
      if (build.directory && build.directory !== service.process.cwd && (await this.directories.exists(build.directory))) {
        target = build;
        break;
      }
    }
    if (currentIndex < 0 || !target) throw new ConflictException(`"${service.name}" has no earlier build to roll back to`);
    return this.enqueue({
      service,
      trigger: 'rollback',
      repositoryUrl: target.repositoryUrl,
      branch: target.branch,
      commit: target.commit,
      directory: target.directory,
      options: target.options,
    });
  }

  /** An admin approves the tool changes a parked deployment's new version makes: it is promoted (if it still lists exactly those). */
  async approveTools(deploymentId: string, caller: Principal): Promise<DeployAcceptedView> {
    const deployment = await this.waiting(deploymentId, caller);
    const by = deciderName(caller);
    await this.approvals.approve(deployment, by);
    const approved = (await this.deployments.find(deployment.id)) ?? deployment;
    await this.queue.add(promotionJob(approved));
    this.recordDecision('deploy.tools.approve', caller, deployment);
    return { deploymentId: deployment.id, serviceId: deployment.serviceId };
  }

  /** An admin rejects them: the deployment fails, its build goes, the running version stays. */
  async rejectTools(deploymentId: string, caller: Principal): Promise<void> {
    const deployment = await this.waiting(deploymentId, caller);
    await this.approvals.reject(deployment, deciderName(caller));
    this.recordDecision('deploy.tools.reject', caller, deployment);
  }

  private async waiting(deploymentId: string, caller: Principal): Promise<DeploymentEntity> {
    const deployment = await this.deployments.find(deploymentId);
    // As GET /api/deployments/:id answers: a deployment of a service outside the caller's limits does not exist for them.
    if (!deployment || !scopeShowsService(caller, { id: deployment.serviceId, name: deployment.serviceName }))
      throw new NotFoundException(`Deployment "${deploymentId}" not found`);
    return deployment;
  }

  private recordDecision(action: string, caller: Principal, deployment: DeploymentEntity): void {
    void this.audit.record({
      action,
      outcome: 'ok',
      actor: caller,
      target: deployment.serviceName,
      detail: {
        deploymentId: deployment.id,
        commit: deployment.commit,
        tools: (deployment.toolDrift?.changes ?? []).map((change) => `${change.tool} (${change.kind})`).slice(0, 50),
      },
    });
  }

  private async enqueue(input: NewDeployment): Promise<DeployAcceptedView> {
    const deployment = await this.deployments.create(input);
    await this.queue.add({ deploymentId: deployment.id, serviceId: deployment.serviceId });
    return { deploymentId: deployment.id, serviceId: deployment.serviceId };
  }
}
