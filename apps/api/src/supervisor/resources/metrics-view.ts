import { childPerSession, type ServiceMetricsView } from '@mcp-proxy/shared/dto';
import { sessionChildLimit } from '../session-children';
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
      sessions: childPerSession(entity.process.isolation)
        ? { active: record?.sessions.size ?? 0, max: sessionChildLimit(entity.process) }
        : null,
      sampledAt: usage ? new Date(usage.sampledAt).toISOString() : null,
    },
  };
}
