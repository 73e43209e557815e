import type { HostLimitsView } from '@mcp-proxy/shared/dto';

/**
 * The dashboard's "Resource limits" line from `/health` → `children.limits`: which of the limits a
 * service can be given actually hold on this host, so a memory cap configured in vain is never silent.
 */
export interface HostLimitsSummary {
  /** "All enforced", "None enforced" or the enforced ones ("Memory, processes"). */
  value: string;
  allEnforced: boolean;
  /** What is not enforced and why, or how the enforced ones are applied. */
  detail: string;
}

const LABELS: [keyof Omit<HostLimitsView, 'cgroup' | 'reason'>, string][] = [
  ['memory', 'memory'],
  ['pids', 'processes'],
  ['cpu', 'CPU'],
  ['perProcess', 'per-process limits'],
];

export function hostLimitsSummary(limits: HostLimitsView): HostLimitsSummary {
  const enforced = LABELS.filter(([key]) => limits[key]).map(([, label]) => label);
  const missing = LABELS.filter(([key]) => !limits[key]).map(([, label]) => label);
  const value = missing.length === 0 ? 'All enforced' : enforced.length === 0 ? 'None enforced' : capitalize(enforced.join(', '));
  const hierarchy = limits.cgroup === 'none' ? 'no cgroups' : `cgroup ${limits.cgroup}`;
  const detail =
    missing.length === 0
      ? `Memory, processes and CPU of each server's whole process tree are capped (${hierarchy}), open files and CPU time per process.`
      : `Not enforced on this host: ${missing.join(', ')}${limits.reason ? ` — ${limits.reason}` : ''}.`;
  return { value, allEnforced: missing.length === 0, detail };
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
