import type { HealthProblemKind, HealthView } from '@mcp-proxy/shared/dto';

/** What the header and the dashboard say about the gateway's health, in the same words. */
export interface HealthSummary {
  label: 'OK' | 'Degraded';
  degraded: boolean;
  /** One line per problem this user may see ("Service everything crashed: gave up after 5 restarts…"). */
  reasons: string[];
  /** Problems counted but about services outside this user's permitted ones (named only to those who may see them). */
  hidden: number;
}

const KIND_LABELS: Record<HealthProblemKind, string> = {
  service: 'Service',
  certificate: 'Certificate',
  upnp: 'UPnP mapping',
  deploy: 'Deployment of',
};
const STATUS_WORDS: Record<string, string> = {
  crashed: 'crashed',
  failed: 'failed',
  'renewal-failed': 'renewal failed',
  'lease-lost': 'lost',
  stuck: 'is stuck',
};

export function healthSummary(health: HealthView): HealthSummary {
  const degraded = health.status === 'degraded';
  const problems = health.problems ?? [];
  const counted = Object.values(health.problemCounts ?? {}).reduce((sum, count) => sum + count, 0);
  return {
    label: degraded ? 'Degraded' : 'OK',
    degraded,
    reasons: problems.map(
      (problem) => `${KIND_LABELS[problem.kind]} ${problem.name} ${STATUS_WORDS[problem.status] ?? problem.status}: ${problem.reason}`,
    ),
    hidden: Math.max(0, counted - problems.length),
  };
}
