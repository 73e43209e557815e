import { Injectable } from '@nestjs/common';
import type { WebhookResultView } from '@mcp-proxy/shared/dto';
import { ServicesService } from '../../services/services.service';
import { DeployService } from '../deploy.service';
import { DeploymentsService } from '../deployments.service';
import { sameRepositoryKey } from '../git/repository-url';
import { WebhookDeliveries } from './webhook-deliveries';

/** The part of a `push` event this uses. */
interface PushEvent {
  ref?: unknown;
  after?: unknown;
  deleted?: unknown;
  repository?: { clone_url?: unknown; html_url?: unknown; url?: unknown; git_url?: unknown; ssh_url?: unknown };
}

/** GitHub's events, once their signature is checked: `ping` answered, `push` to a deployed branch redeployed, the rest ignored. */
@Injectable()
export class WebhookService {
  constructor(
    private readonly services: ServicesService,
    private readonly deploys: DeployService,
    private readonly deployments: DeploymentsService,
    private readonly deliveries: WebhookDeliveries,
  ) {}

  /**
   * A delivery is acted on once: a captured one sent again (after a restart too, or to another
   * instance) is answered without doing anything. If handling fails, its id is released so GitHub's
   * redelivery can try again.
   */
  async handleOnce(delivery: string, event: string | undefined, payload: unknown): Promise<WebhookResultView> {
    if (!(await this.deliveries.claim(delivery, event ?? '')))
      return { result: 'ignored', reason: `delivery ${delivery} was already received` };
    try {
      return await this.handle(event, payload);
    } catch (error) {
      await this.deliveries.release(delivery).catch(() => undefined);
      throw error;
    }
  }

  async handle(event: string | undefined, payload: unknown): Promise<WebhookResultView> {
    if (event === 'ping') return { result: 'pong' };
    if (event !== 'push')
      return { result: 'ignored', reason: `${event ? `"${event}" events are` : 'an event without X-GitHub-Event is'} not acted on` };
    return this.push(payload as PushEvent);
  }

  private async push(push: PushEvent): Promise<WebhookResultView> {
    const branch = typeof push.ref === 'string' && push.ref.startsWith('refs/heads/') ? push.ref.slice('refs/heads/'.length) : null;
    if (!branch) return { result: 'ignored', reason: 'not a push to a branch' };
    if (push.deleted === true) return { result: 'ignored', reason: `branch ${branch} was deleted` };
    const urls = [push.repository?.clone_url, push.repository?.html_url, push.repository?.url, push.repository?.git_url]
      .filter((url): url is string => typeof url === 'string')
      .map(sameRepositoryKey)
      .filter((key): key is string => key !== null);
    if (urls.length === 0) return { result: 'ignored', reason: 'the push names no repository URL' };

    const deployed = (await this.services.list()).filter(
      (service) =>
        service.repository && service.repository.branch === branch && urls.includes(sameRepositoryKey(service.repository.url) ?? ''),
    );
    if (deployed.length === 0) return { result: 'ignored', reason: `no service is deployed from ${branch} of this repository` };
    const deploymentIds: string[] = [];
    const current: string[] = [];
    for (const view of deployed) {
      const service = await this.services.entityOf(view.id);
      if (typeof push.after === 'string' && (await this.runningCommit(service.id, service.process.cwd)) === push.after) {
        current.push(service.name);
        continue;
      }
      const { deploymentId } = await this.deploys.redeploy(service);
      deploymentIds.push(deploymentId);
    }
    if (deploymentIds.length === 0)
      return { result: 'ignored', reason: `${String(push.after)} is already deployed (${current.join(', ')})` };
    return { result: 'queued', deploymentIds };
  }

  /** The commit of the build the service runs now (its working directory is that build's). */
  private async runningCommit(serviceId: string, cwd: string | null): Promise<string | null> {
    if (!cwd) return null;
    const build = (await this.deployments.succeededBuilds(serviceId)).find((candidate) => candidate.directory === cwd);
    return build?.commit ?? null;
  }
}
