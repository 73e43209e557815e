import type { MetricsHistoryView } from '@mcp-proxy/shared/dto';
import type { MetricsSample } from './metrics-series';

/**
 * A service's stored history as chart samples: calls per step become calls per minute, errors stay per
 * step, p95 takes the middle percentile's place. Steps with nothing recorded are gaps (null), not zeros
 * the proxy never measured.
 */
export function historySamples(view: MetricsHistoryView, serviceId: string): MetricsSample[] {
  const series = view.services.find((item) => item.serviceId === serviceId);
  if (!series) return [];
  const minutesPerStep = view.stepSeconds / 60;
  return series.points.map((point) => ({
    at: Date.parse(point.at),
    requestsPerMinute: Math.round((point.calls / minutesPerStep) * 100) / 100,
    p50: point.p50,
    p90: point.p95,
    p99: point.p99,
    errors: point.errors,
    cpuPercent: point.cpuPercent,
    rssMb: point.rssBytes === null ? null : point.rssBytes / (1024 * 1024),
  }));
}
