import type { ServiceLimitsView, ServiceView } from '@mcp-proxy/shared/dto';

export interface LimitRow {
  label: string;
  /** As configured on the service: a value, "default" or "none". */
  configured: string;
  /** What the last child ran with, when it has run. */
  inForce: string | null;
}

const LIMITS: { key: keyof ServiceLimitsView; label: string; unit: string }[] = [
  { key: 'memoryMb', label: 'Memory', unit: ' MB' },
  { key: 'cpuPercent', label: 'CPU', unit: '% of a core' },
  { key: 'maxProcesses', label: 'Processes', unit: '' },
  { key: 'maxOpenFiles', label: 'Open files', unit: ' per process' },
  { key: 'cpuSeconds', label: 'CPU time', unit: ' s per process' },
  { key: 'addressSpaceMb', label: 'Address space', unit: ' MB per process' },
];

/** The service's limits for the detail page: configured (null = the proxy's default) beside what is in force. */
export function limitRows(service: ServiceView): LimitRow[] {
  return LIMITS.map(({ key, label, unit }) => {
    const configured = service.process.limits?.[key] ?? null;
    const inForce = service.sandbox?.limits[key];
    return {
      label,
      configured: configured === null ? 'default' : configured === 0 ? 'none' : `${configured}${unit}`,
      inForce: inForce === undefined ? null : inForce === 0 ? 'none' : `${inForce}${unit}`,
    };
  });
}
