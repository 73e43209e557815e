import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type {
  MetricsHistoryPointView,
  MetricsHistoryQueryDto,
  MetricsHistoryRange,
  MetricsHistorySeriesView,
  MetricsHistoryView,
} from '@mcp-proxy/shared/dto';
import { Repository } from 'typeorm';
import { scopeShowsService, type Principal } from '../core/auth/principal';
import { Clock } from '../core/time/clock';
import { LATENCY_BOUNDS, quantileOfCounts } from '../proxy/metrics/latency-histogram';
import { addCounts, denseCounts, parseCounts, type SparseCounts } from './latency-counts';
import { HistoryResolution, MetricsHistoryEntity } from './metrics-history.entity';
import { HOUR_MS, MINUTE_MS } from './metrics-history-writer';

/** Each range: how far back, from which rows, in steps of how long. */
const RANGES: Record<MetricsHistoryRange, { spanMs: number; resolution: HistoryResolution; stepMs: number }> = {
  hour: { spanMs: HOUR_MS, resolution: '1m', stepMs: MINUTE_MS },
  day: { spanMs: 24 * HOUR_MS, resolution: '1m', stepMs: 5 * MINUTE_MS },
  month: { spanMs: 30 * 24 * HOUR_MS, resolution: '1h', stepMs: HOUR_MS },
};

interface InstanceStep {
  samples: number;
  cpuSum: number;
  rssSum: number;
}

interface Step {
  at: number;
  calls: number;
  errors: number;
  latency: SparseCounts;
  instances: Map<string, InstanceStep>;
}

/** Reads the metrics history: rows of every instance merged per service and step, within the caller's services. */
@Injectable()
export class MetricsHistoryService {
  constructor(
    @InjectRepository(MetricsHistoryEntity) private readonly rows: Repository<MetricsHistoryEntity>,
    private readonly clock: Clock,
  ) {}

  async history(query: MetricsHistoryQueryDto, principal: Principal | undefined): Promise<MetricsHistoryView> {
    const range = query.range ?? 'hour';
    const { spanMs, resolution, stepMs } = RANGES[range];
    const now = this.clock.now();
    const from = Math.floor((now - spanMs) / stepMs) * stepMs;
    const builder = this.rows
      .createQueryBuilder('row')
      .where('row.resolution = :resolution', { resolution })
      .andWhere('row.at >= :from', { from: new Date(from) });
    const allowed = principal?.scope?.services;
    if (allowed) {
      if (allowed.length === 0) builder.andWhere('1 = 0');
      else builder.andWhere('(row.serviceId IN (:...allowed) OR row.serviceName IN (:...allowed))', { allowed });
    }
    if (query.service) builder.andWhere('(row.serviceId = :service OR row.serviceName = :service)', { service: query.service });
    const found = await builder.orderBy('row.at', 'ASC').getMany();
    const series = new Map<string, { name: string; steps: Map<number, Step> }>();
    for (const row of found) {
      // The database filter names ids and names; this one also holds when a name was reused.
      if (principal && !scopeShowsService(principal, { id: row.serviceId, name: row.serviceName })) continue;
      const entry = series.get(row.serviceId) ?? { name: row.serviceName, steps: new Map<number, Step>() };
      entry.name = row.serviceName;
      const at = Math.floor(row.at.getTime() / stepMs) * stepMs;
      const step = entry.steps.get(at) ?? { at, calls: 0, errors: 0, latency: {}, instances: new Map<string, InstanceStep>() };
      step.calls += row.calls;
      step.errors += row.errors;
      addCounts(step.latency, parseCounts(row.latency));
      const instance = step.instances.get(row.instance) ?? { samples: 0, cpuSum: 0, rssSum: 0 };
      instance.samples += row.samples;
      instance.cpuSum += row.cpuSum;
      instance.rssSum += row.rssSum;
      step.instances.set(row.instance, instance);
      entry.steps.set(at, step);
      series.set(row.serviceId, entry);
    }
    const services: MetricsHistorySeriesView[] = [...series]
      .map(([serviceId, { name, steps }]) => ({ serviceId, serviceName: name, points: [...steps.values()].map(toPoint) }))
      .sort((a, b) => a.serviceName.localeCompare(b.serviceName));
    return { range, stepSeconds: stepMs / 1000, from: new Date(from).toISOString(), to: new Date(now).toISOString(), services };
  }
}

/** Percentiles from the merged buckets; CPU and memory are each instance's mean, summed over instances. */
function toPoint(step: Step): MetricsHistoryPointView {
  const dense = denseCounts(step.latency, LATENCY_BOUNDS.length + 1);
  const percentile = (q: number): number | null => {
    const value = quantileOfCounts(dense, q);
    return value === null ? null : Number.isFinite(value) ? value : (LATENCY_BOUNDS.at(-1) ?? null);
  };
  let cpu: number | null = null;
  let rss: number | null = null;
  for (const instance of step.instances.values()) {
    if (instance.samples === 0) continue;
    cpu = (cpu ?? 0) + instance.cpuSum / instance.samples;
    rss = (rss ?? 0) + instance.rssSum / instance.samples;
  }
  return {
    at: new Date(step.at).toISOString(),
    calls: step.calls,
    errors: step.errors,
    p50: percentile(0.5),
    p95: percentile(0.95),
    p99: percentile(0.99),
    cpuPercent: cpu === null ? null : Math.round(cpu * 100) / 100,
    rssBytes: rss === null ? null : Math.round(rss),
  };
}
