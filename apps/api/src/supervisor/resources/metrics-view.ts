import type { ServiceMetricsView } from '@mcp-proxy/shared/dto';
import type { ServiceEntity } from '../../services/service.entity';
import type { ServiceRecord } from '../service-record';
import type { ServiceRuntime } from '../../services/service-view.mapper';

/** The process section of a service's metrics; a service the supervisor never ran has only its status. */
export function toMetricsView(
  entity: ServiceEntity,
  record: ServiceRecord | undefined,
  runtime: ServiceRuntime,
  now: number,
): ServiceMetricsView {
  const usage = record?.usage ?? null;
  return {
    serviceId: entity.id,
    serviceName: entity.name,
    process: {
      status: runtime.status,
      pid: runtime.pid,
      uptimeSec: record?.child ? Math.round((now - record.child.startedAt) / 1000) : null,
      restarts: runtime.restarts,
      rssBytes: usage?.rssBytes ?? null,
      cpuPercent: usage?.cpuPercent ?? null,
      processCount: usage?.processCount ?? 0,
      sessions: entity.process.isolation === 'session' ? { active: record?.sessions.size ?? 0, max: entity.process.maxSessions } : null,
      sampledAt: usage ? new Date(usage.sampledAt).toISOString() : null,
    },
  };
}
