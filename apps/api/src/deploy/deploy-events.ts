import type { DeploymentSummaryView } from '@mcp-proxy/shared/dto';

/** Deployment news (through @nestjs/event-emitter), for the live gateway's `deploy:<id>` channels. */
export const DEPLOY_EVENTS = {
  /** Status (or another summary field) changed; payload: DeploymentSummaryView. */
  status: 'deploy.status',
  /** New build log lines; payload: DeployLogLines. */
  log: 'deploy.log',
} as const;

export interface DeployLogLines {
  deploymentId: string;
  lines: string[];
}

export type DeployStatusEvent = DeploymentSummaryView;
