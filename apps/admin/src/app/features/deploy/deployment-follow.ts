import type { DeploymentSummaryView, DeploymentView } from '@mcp-proxy/shared/dto';
import type { DeployChannelEvent } from '../../core/live/live-socket.service';
import { DeployStep, isStep } from './deployment-progress';

/**
 * What the deployment page shows: the deployment and its build log, put together from one REST
 * snapshot and the live `deploy:<id>` channel. The channel sends everything again at each
 * (re)subscription, so its snapshot replaces what is shown; the REST answer only fills in until the
 * channel has spoken (it may arrive later than newer live news).
 */
export interface DeploymentFollow {
  deployment: DeploymentSummaryView | null;
  lines: readonly string[];
  source: 'none' | 'rest' | 'live';
  /** The last step seen in progress: where a failure happened, since `failed` no longer says. */
  lastStep: DeployStep | null;
  /** What the channel refused (an unknown deployment). */
  channelError: string | null;
}

export const EMPTY_FOLLOW: DeploymentFollow = { deployment: null, lines: [], source: 'none', lastStep: null, channelError: null };

/** Splits a stored build log into lines; an empty log has none. */
export function logLines(log: string): string[] {
  return log === '' ? [] : log.split('\n');
}

export function applyRest(state: DeploymentFollow, view: DeploymentView): DeploymentFollow {
  if (state.source === 'live') return state;
  const { log, ...deployment } = view;
  return { ...state, deployment, lines: logLines(log), source: 'rest', lastStep: stepOf(deployment) ?? state.lastStep };
}

export function applyChannel(state: DeploymentFollow, event: DeployChannelEvent): DeploymentFollow {
  switch (event.kind) {
    case 'snapshot':
      return { ...state, lines: [], source: 'live', channelError: null };
    case 'deployment':
      return { ...state, deployment: event.deployment, lastStep: stepOf(event.deployment) ?? state.lastStep };
    case 'lines':
      return { ...state, lines: [...state.lines, ...event.lines] };
    case 'error':
      return { ...state, channelError: event.message };
  }
}

function stepOf(deployment: DeploymentSummaryView): DeployStep | null {
  return isStep(deployment.status) ? deployment.status : null;
}

/** A line the pipeline wrote itself (`==> …`), told apart from git's and npm's output. */
export function lineKind(line: string): 'step' | 'failure' | 'output' {
  if (line.startsWith('==> failed')) return 'failure';
  if (line.startsWith('==> ')) return 'step';
  return 'output';
}
