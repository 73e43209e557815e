import { ChangeDetectionStrategy, Component, DestroyRef, computed, effect, inject, signal, untracked } from '@angular/core';
import { takeUntilDestroyed, toSignal } from '@angular/core/rxjs-interop';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatSelectModule } from '@angular/material/select';
import { ActivatedRoute, Router, RouterLink } from '@angular/router';
import type { MetricsHistoryRange, MetricsHistoryView, ServiceMetricsView, ServiceView } from '@mcp-proxy/shared/dto';
import { map } from 'rxjs';
import { describeHttpError } from '../../core/api/api-error';
import { LiveSocketService } from '../../core/live/live-socket.service';
import { formatMs } from '../../shared/format/units';
import { LiveIndicatorComponent } from '../../shared/ui/live-indicator/live-indicator.component';
import { ServicesApiService } from '../services/services-api.service';
import type { ChartSpec } from './chart-factory';
import { MetricsChartComponent } from './metrics-chart.component';
import { historySamples } from './history-samples';
import { MetricsHistoryApiService } from './metrics-history-api.service';
import { MetricsHistory, MetricsSample } from './metrics-series';

/** How often figures are fetched for the chosen service when the live channel brings none. */
export const POLL_INTERVAL_MS = 5_000;
/** A service without a live sample for this long is polled (stopped services send none). */
const STALE_AFTER_MS = 7_000;

/** The stored history is fetched again this often while shown (the server writes a row a minute). */
export const HISTORY_REFRESH_MS = 60_000;

export type ChartRange = MetricsHistoryRange | 'live';
export const CHART_RANGES: readonly { value: ChartRange; label: string }[] = [
  { value: 'hour', label: 'Last hour' },
  { value: 'day', label: 'Last 24 hours' },
  { value: 'month', label: 'Last 30 days' },
  { value: 'live', label: 'Live (while open)' },
];

const COLORS = { blue: '#1a73e8', teal: '#12a4af', amber: '#e37400', red: '#d93025', purple: '#9334e6', green: '#1e8e3e' };

interface ChartView {
  id: string;
  title: string;
  latest: string;
  spec: ChartSpec;
}

/**
 * Charts of one service's requests, latency, errors, CPU and memory: the last hour, day or month as the server
 * keeps them (so a reload shows the same), or live samples while the page is open.
 */
@Component({
  selector: 'mcp-metrics-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatButtonModule, MatFormFieldModule, MatSelectModule, RouterLink, LiveIndicatorComponent, MetricsChartComponent],
  templateUrl: './metrics-page.component.html',
  styleUrl: './metrics-page.component.scss',
})
export class MetricsPageComponent {
  private readonly api = inject(ServicesApiService);
  private readonly router = inject(Router);
  private readonly route = inject(ActivatedRoute);
  private readonly destroyRef = inject(DestroyRef);
  protected readonly live = inject(LiveSocketService);

  protected readonly services = signal<ServiceView[] | null>(null);
  protected readonly error = signal<string | null>(null);
  protected readonly pollError = signal<string | null>(null);
  private readonly requested = toSignal(this.route.queryParamMap.pipe(map((params) => params.get('service'))), {
    initialValue: null,
  });
  /** The service in the URL, else the first running one, else the first. */
  protected readonly selected = computed<ServiceView | null>(() => {
    const list = this.services() ?? [];
    const name = this.requested();
    return list.find((service) => service.name === name) ?? list.find((service) => service.status === 'running') ?? list[0] ?? null;
  });

  private readonly historyApi = inject(MetricsHistoryApiService);
  private readonly requestedRange = toSignal(this.route.queryParamMap.pipe(map((params) => params.get('range'))), {
    initialValue: null,
  });
  protected readonly ranges = CHART_RANGES;
  /** The range in the URL, else the last hour. */
  protected readonly range = computed<ChartRange>(() => CHART_RANGES.find((item) => item.value === this.requestedRange())?.value ?? 'hour');
  protected readonly rangeLabel = computed(() => CHART_RANGES.find((item) => item.value === this.range())?.label ?? '');
  /** The stored history of the selected service and range, once fetched. */
  protected readonly stored = signal<{ key: string; view: MetricsHistoryView } | null>(null);
  protected readonly historyError = signal<string | null>(null);
  private storedAt = 0;

  private readonly history = new MetricsHistory();
  /** Bumped when the history grows, so the charts recompute. */
  private readonly revision = signal(0);
  protected readonly samples = computed<MetricsSample[]>(() => {
    this.revision();
    const service = this.selected();
    return service ? this.history.of(service.id) : [];
  });
  protected readonly historyPoints = computed<MetricsSample[]>(() => {
    const stored = this.stored();
    const service = this.selected();
    return stored && service && stored.key === `${service.name}|${this.range()}` ? historySamples(stored.view, service.id) : [];
  });
  protected readonly charts = computed<ChartView[]>(() => {
    if (this.range() === 'live') return chartsFor(this.samples());
    const view = this.stored()?.view;
    const xRange = view ? { min: Date.parse(view.from), max: Date.parse(view.to) } : undefined;
    return chartsFor(this.historyPoints(), HISTORY_WORDING).map((chart) => ({ ...chart, spec: { ...chart.spec, xRange } }));
  });

  constructor() {
    this.loadServices();
    this.live
      .metrics()
      .pipe(takeUntilDestroyed())
      .subscribe((metrics) => this.record(metrics));
    this.live
      .status()
      .pipe(takeUntilDestroyed())
      .subscribe((view) => this.services.update((list) => list?.map((item) => (item.id === view.id ? view : item)) ?? list));
    // The stored history of whatever service and range are chosen, fetched again as they change.
    effect(() => {
      const service = this.selected();
      const range = this.range();
      if (service && range !== 'live') untracked(() => this.loadHistory(service.name, range));
    });
    const timer = setInterval(() => {
      this.pollIfStale();
      const service = this.selected();
      const range = this.range();
      if (service && range !== 'live' && Date.now() - this.storedAt > HISTORY_REFRESH_MS) this.loadHistory(service.name, range);
    }, POLL_INTERVAL_MS);
    this.destroyRef.onDestroy(() => clearInterval(timer));
  }

  protected select(name: string): void {
    void this.router.navigate([], {
      relativeTo: this.route,
      queryParams: { service: name },
      queryParamsHandling: 'merge',
      replaceUrl: true,
    });
    const service = this.services()?.find((item) => item.name === name);
    if (service && this.history.of(service.id).length === 0) this.poll(service);
  }

  protected selectRange(range: ChartRange): void {
    void this.router.navigate([], { relativeTo: this.route, queryParams: { range }, queryParamsHandling: 'merge', replaceUrl: true });
  }

  private loadHistory(service: string, range: MetricsHistoryRange): void {
    this.storedAt = Date.now();
    this.historyApi
      .history(service, range)
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: (view) => {
          this.historyError.set(null);
          this.stored.set({ key: `${service}|${range}`, view });
        },
        error: (error: unknown) => this.historyError.set(describeHttpError(error)),
      });
  }

  protected loadServices(): void {
    this.error.set(null);
    this.api
      .list()
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: (services) => {
          this.services.set(services);
          const selected = this.selected();
          if (selected) this.poll(selected);
        },
        error: (error: unknown) => this.error.set(describeHttpError(error)),
      });
  }

  private pollIfStale(): void {
    const service = this.selected();
    if (!service) return;
    const last = this.history.lastReceived(service.id);
    if (last === null || Date.now() - last > STALE_AFTER_MS) this.poll(service);
  }

  private poll(service: ServiceView): void {
    this.api
      .metrics(service.id)
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: (metrics) => {
          this.pollError.set(null);
          this.record(metrics);
        },
        error: (error: unknown) => this.pollError.set(describeHttpError(error)),
      });
  }

  private record(metrics: ServiceMetricsView): void {
    this.history.add(metrics, Date.now());
    this.revision.update((value) => value + 1);
  }
}

function points(samples: readonly MetricsSample[], pick: (sample: MetricsSample) => number | null): { x: number; y: number | null }[] {
  return samples.map((sample) => ({ x: sample.at, y: pick(sample) }));
}

/** How the charts word their figures: live samples, or stored steps (p95, per step). */
export interface ChartWording {
  /** Before the newest value: `now` (live) or `latest` (a stored step). */
  latest: string;
  /** The middle latency percentile: live figures have p90, the history p95. */
  middle: 'p90' | 'p95';
  /** What one error bar covers. */
  errorSpan: string;
}

export const LIVE_WORDING: ChartWording = { latest: 'now', middle: 'p90', errorSpan: 'interval' };
export const HISTORY_WORDING: ChartWording = { latest: 'latest', middle: 'p95', errorSpan: 'step' };

function latestOf(
  samples: readonly MetricsSample[],
  pick: (sample: MetricsSample) => number | null,
  format: (value: number) => string,
  word: string,
): string {
  const last = samples.at(-1);
  const value = last ? pick(last) : null;
  return value === null ? 'no data yet' : `${word} ${format(value)}`;
}

export function chartsFor(samples: readonly MetricsSample[], wording: ChartWording = LIVE_WORDING): ChartView[] {
  const last = samples.at(-1);
  const w = wording.latest;
  return [
    {
      id: 'requests',
      title: 'Requests per minute',
      latest: latestOf(
        samples,
        (s) => s.requestsPerMinute,
        (v) => `${v}/min`,
        w,
      ),
      spec: {
        kind: 'line',
        unit: 'requests/min',
        datasets: [{ label: 'requests/min', color: COLORS.blue, points: points(samples, (s) => s.requestsPerMinute) }],
      },
    },
    {
      id: 'latency',
      title: 'Latency',
      latest:
        last && last.p50 !== null
          ? `${w} p50 ${formatMs(last.p50)} · ${wording.middle} ${formatMs(last.p90)} · p99 ${formatMs(last.p99)}`
          : 'no requests yet',
      spec: {
        kind: 'line',
        unit: 'ms',
        datasets: [
          { label: 'p50', color: COLORS.green, points: points(samples, (s) => s.p50) },
          { label: wording.middle, color: COLORS.amber, points: points(samples, (s) => s.p90) },
          { label: 'p99', color: COLORS.red, points: points(samples, (s) => s.p99) },
        ],
      },
    },
    {
      id: 'errors',
      title: 'Errors',
      latest: latestOf(
        samples,
        (s) => s.errors,
        (v) => `${v} in the last ${wording.errorSpan}`,
        w,
      ),
      spec: {
        kind: 'bar',
        unit: `errors per ${wording.errorSpan}`,
        datasets: [{ label: 'errors', color: COLORS.red, points: points(samples, (s) => s.errors) }],
      },
    },
    {
      id: 'cpu',
      title: 'CPU',
      latest: latestOf(
        samples,
        (s) => s.cpuPercent,
        (v) => `${v.toFixed(1)} % of one core`,
        w,
      ),
      spec: {
        kind: 'line',
        unit: '% of one core',
        datasets: [{ label: 'CPU %', color: COLORS.purple, points: points(samples, (s) => s.cpuPercent) }],
      },
    },
    {
      id: 'memory',
      title: 'Memory (RSS)',
      latest: latestOf(
        samples,
        (s) => s.rssMb,
        (v) => `${v.toFixed(1)} MiB`,
        w,
      ),
      spec: { kind: 'line', unit: 'MiB', datasets: [{ label: 'RSS MiB', color: COLORS.teal, points: points(samples, (s) => s.rssMb) }] },
    },
  ];
}
