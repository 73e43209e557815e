import { Injectable } from '@nestjs/common';
import type { WebhookResultView } from '@mcp-proxy/shared/dto';
import { ServicesService } from '../../processes/services.service';
import { DeployService } from '../deploy.service';
import { sameRepositoryKey } from '../git/repository-url';

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
  ) {}

  async handle(event: string | undefined, payload: unknown): Promise<WebhookResultView> {
    if (event === 'ping') return { result: 'pong' };
    if (event !== 'push') return { result: 'ignored', reason: `${event ? `"${event}" events are` : 'an event without X-GitHub-Event is'} not acted on` };
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
      (service) => service.repository && service.repository.branch === branch && urls.includes(sameRepositoryKey(service.repository.url) ?? ''),
    );
    if (deployed.length === 0) return { result: 'ignored', reason: `no service is deployed from ${branch} of this repository` };
    const deploymentIds: string[] = [];
    for (const view of deployed) {
      const { deploymentId } = await this.deploys.redeploy(await this.services.entityOf(view.id));
      deploymentIds.push(deploymentId);
    }
    return { result: 'queued', deploymentIds };
  }
}
