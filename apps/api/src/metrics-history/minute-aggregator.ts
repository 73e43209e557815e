import type { ServiceMetricsView } from '@mcp-proxy/shared/dto';
import type { ServiceTotals } from '../proxy/metrics/proxy-metrics';
import { countsSince, type SparseCounts } from './latency-counts';

/** One service's figures for the minute being collected. */
export interface MinuteFigures {
  serviceId: string;
  serviceName: string;
  calls: number;
  errors: number;
  latency: SparseCounts;
  samples: number;
  cpuSum: number;
  rssSum: number;
}

/**
 * Collects one minute in memory: process samples as they arrive (a few per minute per running service) and,
 * at the end, the proxy's running totals minus those at the last minute's end. Nothing here runs per request.
 */
export class MinuteAggregator {
  private readonly processes = new Map<string, { serviceName: string; samples: number; cpuSum: number; rssSum: number }>();
  private previous = new Map<string, ServiceTotals>();

  sample(view: ServiceMetricsView): void {
    const { cpuPercent, rssBytes } = view.process;
    if (cpuPercent === null || rssBytes === null) return;
    const entry = this.processes.get(view.serviceId) ?? { serviceName: view.serviceName, samples: 0, cpuSum: 0, rssSum: 0 };
    entry.samples++;
    entry.cpuSum += cpuPercent;
    entry.rssSum += rssBytes;
    this.processes.set(view.serviceId, entry);
  }

  /** The minute's figures of every service with calls or samples, and a fresh minute begins. */
  take(totals: readonly ServiceTotals[]): MinuteFigures[] {
    const figures = new Map<string, MinuteFigures>();
    const next = new Map<string, ServiceTotals>();
    for (const current of totals) {
      next.set(current.serviceId, current);
      const before = this.previous.get(current.serviceId);
      const calls = current.requests - (before?.requests ?? 0);
      if (calls <= 0) continue;
      figures.set(current.serviceId, {
        serviceId: current.serviceId,
        serviceName: current.serviceName,
        calls,
        errors: Math.max(0, current.errors - (before?.errors ?? 0)),
        latency: countsSince(current.latency, before?.latency),
        samples: 0,
        cpuSum: 0,
        rssSum: 0,
      });
    }
    for (const [serviceId, process] of this.processes) {
      const entry = figures.get(serviceId) ?? {
        serviceId,
        serviceName: process.serviceName,
        calls: 0,
        errors: 0,
        latency: {},
        samples: 0,
        cpuSum: 0,
        rssSum: 0,
      };
      entry.samples = process.samples;
      entry.cpuSum = process.cpuSum;
      entry.rssSum = process.rssSum;
      figures.set(serviceId, entry);
    }
    this.previous = next;
    this.processes.clear();
    return [...figures.values()];
  }
}
