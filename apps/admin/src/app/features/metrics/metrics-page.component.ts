import { ChangeDetectionStrategy, Component, DestroyRef, computed, inject, signal } from '@angular/core';
import { takeUntilDestroyed, toSignal } from '@angular/core/rxjs-interop';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatSelectModule } from '@angular/material/select';
import { ActivatedRoute, Router, RouterLink } from '@angular/router';
import type { ServiceMetricsView, ServiceView } from '@mcp-proxy/shared/dto';
import { map } from 'rxjs';
import { describeHttpError } from '../../core/api/api-error';
import { LiveSocketService } from '../../core/live/live-socket.service';
import { formatMs } from '../../shared/format/units';
import { LiveIndicatorComponent } from '../../shared/ui/live-indicator/live-indicator.component';
import { ServicesApiService } from '../services/services-api.service';
import type { ChartSpec } from './chart-factory';
import { MetricsChartComponent } from './metrics-chart.component';
import { MetricsHistory, MetricsSample } from './metrics-series';

/** How often figures are fetched for the chosen service when the live channel brings none. */
export const POLL_INTERVAL_MS = 5_000;
/** A service without a live sample for this long is polled (stopped services send none). */
const STALE_AFTER_MS = 7_000;

const COLORS = { blue: '#1a73e8', teal: '#12a4af', amber: '#e37400', red: '#d93025', purple: '#9334e6', green: '#1e8e3e' };

interface ChartView {
  id: string;
  title: string;
  latest: string;
  spec: ChartSpec;
}

/** Charts of one service's requests, latency, errors, CPU and memory while the page is open. */
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

  private readonly history = new MetricsHistory();
  /** Bumped when the history grows, so the charts recompute. */
  private readonly revision = signal(0);
  protected readonly samples = computed<MetricsSample[]>(() => {
    this.revision();
    const service = this.selected();
    return service ? this.history.of(service.id) : [];
  });
  protected readonly charts = computed<ChartView[]>(() => chartsFor(this.samples()));

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
    const timer = setInterval(() => this.pollIfStale(), POLL_INTERVAL_MS);
    this.destroyRef.onDestroy(() => clearInterval(timer));
  }

  protected select(name: string): void {
    void this.router.navigate([], { relativeTo: this.route, queryParams: { service: name }, replaceUrl: true });
    const service = this.services()?.find((item) => item.name === name);
    if (service && this.history.of(service.id).length === 0) this.poll(service);
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

function latestOf(
  samples: readonly MetricsSample[],
  pick: (sample: MetricsSample) => number | null,
  format: (value: number) => string,
): string {
  const last = samples.at(-1);
  const value = last ? pick(last) : null;
  return value === null ? 'no data yet' : `now ${format(value)}`;
}

export function chartsFor(samples: readonly MetricsSample[]): ChartView[] {
  const last = samples.at(-1);
  return [
    {
      id: 'requests',
      title: 'Requests per minute',
      latest: latestOf(
        samples,
        (s) => s.requestsPerMinute,
        (v) => `${v}/min`,
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
          ? `now p50 ${formatMs(last.p50)} · p90 ${formatMs(last.p90)} · p99 ${formatMs(last.p99)}`
          : 'no requests yet',
      spec: {
        kind: 'line',
        unit: 'ms',
        datasets: [
          { label: 'p50', color: COLORS.green, points: points(samples, (s) => s.p50) },
          { label: 'p90', color: COLORS.amber, points: points(samples, (s) => s.p90) },
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
        (v) => `${v} in the last interval`,
      ),
      spec: {
        kind: 'bar',
        unit: 'errors per interval',
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
      ),
      spec: { kind: 'line', unit: 'MiB', datasets: [{ label: 'RSS MiB', color: COLORS.teal, points: points(samples, (s) => s.rssMb) }] },
    },
  ];
}
