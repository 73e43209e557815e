import { Injectable } from '@nestjs/common';
import { AppLogger } from '../../core/logging/app-logger';
import type { ServiceEntity } from '../../services/service.entity';
import { ServicesService } from '../../services/services.service';
import type { DeploymentEntity } from '../deployment.entity';
import { DeploymentsService } from '../deployments.service';
import { BuildDirectories } from './build-directories';

/** Finished builds kept per service, the one running included, for rollback. */
export const KEPT_BUILDS = 3;

/**
 * Which build directories are good (made by a deployment that succeeded, or run by the service) and
 * the clearing away of the rest: a failed deploy's clone and build, an interrupted one's leftovers,
 * and builds older than the last KEPT_BUILDS.
 */
@Injectable()
export class BuildsService {
  constructor(
    private readonly directories: BuildDirectories,
    private readonly deployments: DeploymentsService,
    private readonly services: ServicesService,
    private readonly logger: AppLogger,
  ) {}

  async isGood(service: ServiceEntity, directory: string): Promise<boolean> {
    if (!(await this.directories.exists(directory))) return false;
    if (service.process.cwd === directory) return true;
    return (await this.deployments.succeededBuilds(service.id)).some((build) => build.directory === directory);
  }

  /** What a failed attempt leaves: its clone, and the build it made (`made`; null when it reused a good one). */
  async removeFailed(deployment: DeploymentEntity, made: string | null): Promise<void> {
    try {
      await this.directories.remove(this.directories.incoming(deployment.serviceName, deployment.id));
      if (made) await this.directories.remove(made);
    } catch (error) {
      this.logger.event('warn', { deployment: deployment.id, err: error }, 'Could not remove a failed build');
    }
  }

  /** An interrupted deployment's clone, and its build unless that build is good. */
  async removeLeftovers(deployment: DeploymentEntity): Promise<void> {
    const service = await this.services.entityOf(deployment.serviceId).catch(() => null);
    const directory = deployment.directory;
    const good = directory !== null && service !== null && (await this.isGood(service, directory));
    await this.removeFailed(deployment, directory && !good ? directory : null);
  }

  /**
   * Keeps the build that now runs and the newest earlier good ones, KEPT_BUILDS in all; everything
   * else under the service's directory goes. Returns how many went; a failure is only logged (the
   * deploy itself worked).
   */
  async prune(service: ServiceEntity, running: string): Promise<number> {
    try {
      const keep = new Set<string>([running]);
      for (const build of await this.deployments.succeededBuilds(service.id)) {
        if (keep.size >= KEPT_BUILDS) break;
        if (build.directory) keep.add(build.directory);
      }
      let removed = 0;
      for (const directory of await this.directories.list(service.name)) {
        if (keep.has(directory)) continue;
        await this.directories.remove(directory);
        removed++;
      }
      return removed;
    } catch (error) {
      this.logger.event('warn', { service: service.name, err: error }, 'Could not remove older builds');
      return 0;
    }
  }
}
