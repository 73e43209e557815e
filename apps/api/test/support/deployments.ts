import type { DeploymentStatus, DeploymentView } from '@mcp-proxy/shared/dto';
import { eventually } from './running-app';

export type DeploymentGetter = (id: string) => Promise<DeploymentView>;

/** Polls a deployment until it has finished (succeeded or failed), within the bound. */
export function finished(get: DeploymentGetter, id: string, timeoutMs = 90_000): Promise<DeploymentView> {
  return reached(get, id, ['succeeded', 'failed'], timeoutMs);
}

/** Polls a deployment until its status is one of `statuses`, within the bound. */
export function reached(get: DeploymentGetter, id: string, statuses: DeploymentStatus[], timeoutMs = 90_000): Promise<DeploymentView> {
  return eventually(
    async () => {
      const deployment = await get(id);
      if (!statuses.includes(deployment.status))
        throw new Error(`deployment ${id} is ${deployment.status}, waiting for ${statuses.join(' or ')}`);
      return deployment;
    },
    timeoutMs,
    25,
  );
}
