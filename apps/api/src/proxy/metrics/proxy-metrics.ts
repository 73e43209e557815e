import { Injectable } from '@nestjs/common';
import type { ProxyMetricsView } from '@mcp-proxy/shared/dto';
import { Counter, Gauge, Histogram } from 'prom-client';
import { MetricsService } from '../../core/metrics/metrics.service';
import { LatencyHistogram } from './latency-histogram';

/** Methods counted by name; anything else (a server's own extensions) is counted as `other`. */
const KNOWN_METHODS = new Set([
  'initialize',
  'ping',
  'tools/list',
  'tools/call',
  'resources/list',
  'resources/read',
  'resources/templates/list',
  'resources/subscribe',
  'resources/unsubscribe',
  'prompts/list',
  'prompts/get',
  'completion/complete',
  'logging/setLevel',
  'server/discover',
]);

class ServiceFigures {
  requests = 0;
  errors = 0;
  cacheHits = 0;
  cacheMisses = 0;
  readonly byMethod: Record<string, number> = {};
  readonly latency = new LatencyHistogram();
  /** Requests per second over the last minute, as a ring of 60 slots. */
  private readonly perSecond = new Array<number>(60).fill(0);
  private slotSecond = 0;

  count(nowSec: number): void {
    this.advance(nowSec);
    this.perSecond[nowSec % 60]++;
  }

  lastMinute(nowSec: number): number {
    this.advance(nowSec);
    return this.perSecond.reduce((sum, value) => sum + value, 0);
  }

  private advance(nowSec: number): void {
    if (nowSec - this.slotSecond >= 60) this.perSecond.fill(0);
    else for (let second = this.slotSecond + 1; second <= nowSec; second++) this.perSecond[second % 60] = 0;
    this.slotSecond = Math.max(this.slotSecond, nowSec);
  }
}

/** What a service answered since the proxy started. */
export interface ServiceTotals {
  serviceId: string;
  serviceName: string;
  requests: number;
  errors: number;
  /** LatencyHistogram bucket counts. */
  latency: number[];
}

/** Live figures the metrics read but do not count themselves. */
export interface LiveFigures {
  inflight(serviceId: string): number;
  sessions(serviceId: string): number;
}

/**
 * Request metrics per service, for `GET /api/services/:id/metrics` and Prometheus. Recorded once
 * per answered request, on the hot path: a few counter bumps and one histogram insert.
 */
@Injectable()
export class ProxyMetrics {
  private readonly figures = new Map<string, ServiceFigures>();
  private readonly names = new Map<string, string>();
  private live: LiveFigures | null = null;
  private readonly requestsTotal: Counter<'service' | 'method' | 'outcome'>;
  private readonly duration: Histogram<'service'>;
  private readonly cacheLookups: Counter<'service' | 'outcome'>;

  constructor(metrics: MetricsService) {
    const registers = [metrics.registry];
    this.requestsTotal = new Counter({
      name: 'mcp_proxy_mcp_requests_total',
      help: 'MCP requests answered, by service, method and outcome',
      labelNames: ['service', 'method', 'outcome'],
      registers,
    });
    this.duration = new Histogram({
      name: 'mcp_proxy_mcp_request_duration_seconds',
      help: 'Time from a client request to its answer, by service',
      labelNames: ['service'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30],
      registers,
    });
    const perService = (name: string, help: string, read: (live: LiveFigures, id: string) => number): void => {
      // Read when Prometheus scrapes, so nothing is kept up to date on the hot path.
      const figures = this.figures;
      const names = this.names;
      const liveFigures = (): LiveFigures | null => this.live;
      new Gauge({
        name,
        help,
        labelNames: ['service'],
        registers,
        collect() {
          this.reset();
          const live = liveFigures();
          if (!live) return;
          for (const id of figures.keys()) this.set({ service: names.get(id) ?? id }, read(live, id));
        },
      });
    };
    perService('mcp_proxy_mcp_inflight_requests', 'MCP requests waiting for an answer', (live, id) => live.inflight(id));
    perService('mcp_proxy_mcp_sessions', 'Open MCP client sessions', (live, id) => live.sessions(id));
    this.cacheLookups = new Counter({
      name: 'mcp_proxy_mcp_cache_lookups_total',
      help: 'List requests by cache outcome (hit or miss)',
      labelNames: ['service', 'outcome'],
      registers,
    });
  }

  attach(live: LiveFigures): void {
    this.live = live;
  }

  record(serviceId: string, serviceName: string, method: string, ms: number, isError: boolean): void {
    const figures = this.figuresOf(serviceId, serviceName);
    const label = KNOWN_METHODS.has(method) ? method : 'other';
    figures.requests++;
    if (isError) figures.errors++;
    figures.byMethod[label] = (figures.byMethod[label] ?? 0) + 1;
    figures.latency.record(ms);
    figures.count(Math.floor(Date.now() / 1000));
    this.requestsTotal.inc({ service: serviceName, method: label, outcome: isError ? 'error' : 'ok' });
    this.duration.observe({ service: serviceName }, ms / 1000);
  }

  recordCacheLookup(serviceId: string, serviceName: string, hit: boolean): void {
    const figures = this.figuresOf(serviceId, serviceName);
    if (hit) figures.cacheHits++;
    else figures.cacheMisses++;
    this.cacheLookups.inc({ service: serviceName, outcome: hit ? 'hit' : 'miss' });
  }

  view(serviceId: string): ProxyMetricsView {
    const figures = this.figures.get(serviceId) ?? new ServiceFigures();
    const cache = { hits: figures.cacheHits, misses: figures.cacheMisses };
    const lookups = cache.hits + cache.misses;
    return {
      requests: figures.requests,
      errors: figures.errors,
      errorRate: figures.requests === 0 ? 0 : figures.errors / figures.requests,
      requestsPerMinute: figures.lastMinute(Math.floor(Date.now() / 1000)),
      byMethod: { ...figures.byMethod },
      latencyMs: { p50: figures.latency.quantile(0.5), p90: figures.latency.quantile(0.9), p99: figures.latency.quantile(0.99) },
      inflight: this.live?.inflight(serviceId) ?? 0,
      sessions: this.live?.sessions(serviceId) ?? 0,
      cache: { ...cache, hitRate: lookups === 0 ? null : cache.hits / lookups },
    };
  }

  /** Every service's running totals (the metrics history keeps the difference between two minutes). */
  totals(): ServiceTotals[] {
    return [...this.figures].map(([serviceId, figures]) => ({
      serviceId,
      serviceName: this.names.get(serviceId) ?? serviceId,
      requests: figures.requests,
      errors: figures.errors,
      latency: figures.latency.snapshot(),
    }));
  }

  private figuresOf(serviceId: string, serviceName: string): ServiceFigures {
    let figures = this.figures.get(serviceId);
    if (!figures) {
      figures = new ServiceFigures();
      this.figures.set(serviceId, figures);
      this.names.set(serviceId, serviceName);
    }
    return figures;
  }
}
