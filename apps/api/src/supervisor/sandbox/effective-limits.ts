import { LIMIT_KEYS, ServiceLimitsView } from '@mcp-proxy/shared/dto';
import type { AppConfig } from '../../core/config/app-config';

/** Limits in force for a child: every key a number, 0 = no limit. */
export type EffectiveLimits = Record<keyof ServiceLimitsView, number>;

/** The defaults from the configuration (SANDBOX_* keys). */
export function defaultLimitsFrom(config: AppConfig): EffectiveLimits {
  return {
    memoryMb: config.get('SANDBOX_MEMORY_MB'),
    cpuPercent: config.get('SANDBOX_CPU_PERCENT'),
    maxProcesses: config.get('SANDBOX_MAX_PROCESSES'),
    maxOpenFiles: config.get('SANDBOX_MAX_OPEN_FILES'),
    cpuSeconds: config.get('SANDBOX_CPU_SECONDS'),
    addressSpaceMb: config.get('SANDBOX_ADDRESS_SPACE_MB'),
  };
}

/** A service's own value wins; null (or a row older than limits) takes the default. */
export function effectiveLimits(service: Partial<ServiceLimitsView> | undefined, defaults: EffectiveLimits): EffectiveLimits {
  const limits = { ...defaults };
  for (const key of LIMIT_KEYS) {
    const value = service?.[key];
    if (typeof value === 'number') limits[key] = value;
  }
  return limits;
}
