import type { ServiceMetricsView } from '@mcp-proxy/shared/dto';

/** Samples kept per service: 30 minutes at one every 5 seconds. */
export const MAX_SAMPLES = 360;

/** One point in time of a service's figures, as charted. Null: not known at that time. */
export interface MetricsSample {
  /** Epoch milliseconds when the sample was taken (or received). */
  at: number;
  requestsPerMinute: number | null;
  p50: number | null;
  p90: number | null;
  p99: number | null;
  /** Errors since the previous sample (the API counts them since the proxy started). */
  errors: number | null;
  cpuPercent: number | null;
  rssMb: number | null;
}

/** When the process section says it was sampled, else when the figures arrived. */
export function sampleTime(metrics: ServiceMetricsView, receivedAt: number): number {
  const sampled = metrics.process.sampledAt ? Date.parse(metrics.process.sampledAt) : Number.NaN;
  return Number.isFinite(sampled) && Math.abs(sampled - receivedAt) < 60_000 ? sampled : receivedAt;
}

/**
 * The series with `metrics` added. The error count becomes a per-interval figure (a counter that
 * went down, after a proxy restart, counts from zero). Samples are kept in time order and bounded;
 * one no newer than the last is dropped.
 */
export function appendSample(
  series: readonly MetricsSample[],
  metrics: ServiceMetricsView,
  at: number,
  previousErrorTotal: number | null,
  max = MAX_SAMPLES,
): MetricsSample[] {
  const last = series.at(-1);
  if (last && at <= last.at) return [...series];
  const proxy = metrics.proxy;
  const running = metrics.process.status === 'running';
  let errors: number | null = null;
  if (proxy) {
    errors = previousErrorTotal === null ? 0 : proxy.errors >= previousErrorTotal ? proxy.errors - previousErrorTotal : proxy.errors;
  }
  const sample: MetricsSample = {
    at,
    requestsPerMinute: proxy ? proxy.requestsPerMinute : null,
    p50: proxy?.latencyMs.p50 ?? null,
    p90: proxy?.latencyMs.p90 ?? null,
    p99: proxy?.latencyMs.p99 ?? null,
    errors,
    cpuPercent: running ? metrics.process.cpuPercent : null,
    rssMb: running && metrics.process.rssBytes !== null ? metrics.process.rssBytes / (1024 * 1024) : null,
  };
  const next = [...series, sample];
  return next.length > max ? next.slice(next.length - max) : next;
}

/** Series of every service seen, by service id, with each one's last error total. */
export class MetricsHistory {
  private readonly series = new Map<string, MetricsSample[]>();
  private readonly errorTotals = new Map<string, number>();
  private readonly lastAdded = new Map<string, number>();

  constructor(private readonly max = MAX_SAMPLES) {}

  add(metrics: ServiceMetricsView, receivedAt: number): void {
    const id = metrics.serviceId;
    const at = sampleTime(metrics, receivedAt);
    const current = this.series.get(id) ?? [];
    const next = appendSample(current, metrics, at, this.errorTotals.get(id) ?? null, this.max);
    if (next.length === current.length && next.at(-1) === current.at(-1)) return;
    this.series.set(id, next);
    this.lastAdded.set(id, receivedAt);
    if (metrics.proxy) this.errorTotals.set(id, metrics.proxy.errors);
  }

  of(serviceId: string): MetricsSample[] {
    return this.series.get(serviceId) ?? [];
  }

  /** When a sample of the service last arrived (epoch ms), or null. */
  lastReceived(serviceId: string): number | null {
    return this.lastAdded.get(serviceId) ?? null;
  }
}
