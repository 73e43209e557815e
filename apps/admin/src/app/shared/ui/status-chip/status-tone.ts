import type { ServiceStatus } from '@mcp-proxy/shared/dto';

export type StatusTone = 'positive' | 'progress' | 'negative' | 'neutral';

/** How each status reads at a glance: green running, amber on its way, red broken, grey stopped. */
export const STATUS_TONES: Record<ServiceStatus, StatusTone> = {
  running: 'positive',
  starting: 'progress',
  restarting: 'progress',
  deploying: 'progress',
  crashed: 'negative',
  failed: 'negative',
  stopped: 'neutral',
};
