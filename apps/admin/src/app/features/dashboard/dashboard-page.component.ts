import { ChangeDetectionStrategy, Component, DestroyRef, computed, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { MatButtonModule } from '@angular/material/button';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { RouterLink } from '@angular/router';
import type { ChildIsolationLevel, ServiceMetricsView, ServiceView } from '@mcp-proxy/shared/dto';
import { DatePipe } from '@angular/common';
import { catchError, forkJoin, map, of, switchMap } from 'rxjs';
import { describeHttpError } from '../../core/api/api-error';
import { GatewayHealthService } from '../../core/health/gateway-health.service';
import { healthSummary } from '../../core/health/health-summary';
import { LiveSocketService } from '../../core/live/live-socket.service';
import { formatUptime } from '../../shared/format/format-uptime';
import { formatBytes, formatPercent, formatRatio, secondsSince } from '../../shared/format/units';
import { LiveIndicatorComponent } from '../../shared/ui/live-indicator/live-indicator.component';
import { StatusLightComponent } from '../../shared/ui/status-light/status-light.component';
import { ServicesApiService } from '../services/services-api.service';
import { DashboardEvent, DashboardRow, MAX_DASHBOARD_EVENTS, dashboardTotals, eventFor } from './dashboard-model';
import { EventsApiService } from './events-api.service';
import { hostLimitsSummary } from './host-limits';

/** Gateway health, every service at a glance with live figures, and what happened recently. */
@Component({
  selector: 'mcp-dashboard-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [DatePipe, MatButtonModule, MatProgressBarModule, RouterLink, LiveIndicatorComponent, StatusLightComponent],
  templateUrl: './dashboard-page.component.html',
  styleUrl: './dashboard-page.component.scss',
})
export class DashboardPageComponent {
  private readonly gateway = inject(GatewayHealthService);
  private readonly servicesApi = inject(ServicesApiService);
  private readonly eventsApi = inject(EventsApiService);
  private readonly destroyRef = inject(DestroyRef);
  protected readonly live = inject(LiveSocketService);

  /** Shared with the header, so both show the same state. */
  protected readonly health = this.gateway.health;
  protected readonly loading = this.gateway.loading;
  protected readonly error = this.gateway.error;
  protected readonly summary = computed(() => {
    const health = this.health();
    return health ? healthSummary(health) : null;
  });
  protected readonly rows = signal<DashboardRow[] | null>(null);
  protected readonly servicesError = signal<string | null>(null);
  /** Services whose metrics could not be fetched (they show — until the live channel brings some). */
  protected readonly metricsMissing = signal(0);
  /** The events the server keeps (so a reload shows the same), then each one seen live on top. */
  protected readonly events = signal<DashboardEvent[]>([]);
  protected readonly eventsError = signal<string | null>(null);
  private nextEventId = 1;
  private readonly now = signal(Date.now());

  /** The gateway's uptime, counting on from when /health answered. */
  protected readonly gatewayUptime = computed(() => {
    const health = this.health();
    return health ? health.uptime + Math.max(0, (this.now() - this.gateway.loadedAt) / 1000) : null;
  });
  protected readonly totals = computed(() => dashboardTotals(this.rows() ?? []));
  protected readonly formatUptime = formatUptime;
  protected readonly isolationLabels: Record<ChildIsolationLevel, string> = {
    'own-users': 'Own users',
    bubblewrap: 'Bubblewrap',
    none: 'None',
  };
  /** Which resource limits hold on this host (a limit configured in vain is said, not hidden). */
  protected readonly hostLimits = computed(() => {
    const limits = this.health()?.children.limits;
    return limits ? hostLimitsSummary(limits) : null;
  });
  protected readonly formatBytes = formatBytes;
  protected readonly formatPercent = formatPercent;
  protected readonly formatRatio = formatRatio;

  constructor() {
    this.load();
    this.live
      .status()
      .pipe(takeUntilDestroyed())
      .subscribe((view) => this.onStatus(view));
    this.live
      .metrics()
      .pipe(takeUntilDestroyed())
      .subscribe((metrics) => this.onMetrics(metrics));
    this.live.ready$.pipe(takeUntilDestroyed()).subscribe(() => {
      if (this.rows()) {
        this.loadServices();
        this.loadEvents();
      }
    });
    const clock = setInterval(() => this.now.set(Date.now()), 1000);
    this.destroyRef.onDestroy(() => clearInterval(clock));
  }

  protected load(): void {
    this.gateway.refresh();
    this.loadServices();
    this.loadEvents();
  }

  private loadEvents(): void {
    this.eventsApi
      .recent(MAX_DASHBOARD_EVENTS)
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: (page) => {
          this.eventsError.set(null);
          this.events.set(
            page.items.map((item) => ({ id: item.id, at: item.at, service: item.serviceName, kind: item.kind, message: item.message })),
          );
        },
        error: (error: unknown) => this.eventsError.set(describeHttpError(error)),
      });
  }

  protected uptimeOf(service: ServiceView): string {
    if (service.status !== 'running') return '—';
    const seconds = secondsSince(service.startedAt, this.now());
    return seconds === null ? '—' : formatUptime(seconds);
  }

  /** Services and, for each, its metrics; a service whose metrics fail still shows. */
  private loadServices(): void {
    this.servicesError.set(null);
    this.servicesApi
      .list()
      .pipe(
        switchMap((services) => {
          if (services.length === 0) return of({ rows: [] as DashboardRow[], missing: 0 });
          return forkJoin(services.map((service) => this.servicesApi.metrics(service.id).pipe(catchError(() => of(null))))).pipe(
            map((metrics) => ({
              rows: services.map((service, index) => ({ service, metrics: metrics[index] ?? null })),
              missing: metrics.filter((item) => item === null).length,
            })),
          );
        }),
        takeUntilDestroyed(this.destroyRef),
      )
      .subscribe({
        next: ({ rows, missing }) => {
          this.rows.set(rows);
          this.metricsMissing.set(missing);
        },
        error: (error: unknown) => this.servicesError.set(describeHttpError(error)),
      });
  }

  private onStatus(view: ServiceView): void {
    const rows = this.rows();
    if (!rows) return;
    const index = rows.findIndex((row) => row.service.id === view.id);
    const previous = index >= 0 ? rows[index]?.service : undefined;
    if (previous?.status !== view.status) this.gateway.noteServiceStatus(view.status);
    const event = eventFor(previous, view);
    if (event) {
      const entry: DashboardEvent = { ...event, id: `live-${this.nextEventId++}`, at: new Date().toISOString() };
      this.events.update((events) => [entry, ...events].slice(0, MAX_DASHBOARD_EVENTS));
    }
    if (index >= 0) {
      this.rows.set(rows.map((row, i) => (i === index ? { ...row, service: view } : row)));
    } else {
      this.rows.set([...rows, { service: view, metrics: null }].sort((a, b) => a.service.name.localeCompare(b.service.name)));
    }
    // A service that stopped no longer sends metrics: fetch its final figures once.
    if (view.status !== 'running' && previous?.status === 'running') {
      this.servicesApi
        .metrics(view.id)
        .pipe(
          catchError(() => of(null)),
          takeUntilDestroyed(this.destroyRef),
        )
        .subscribe((metrics) => metrics && this.onMetrics(metrics));
    }
  }

  private onMetrics(metrics: ServiceMetricsView): void {
    this.rows.update((rows) => rows?.map((row) => (row.service.id === metrics.serviceId ? { ...row, metrics } : row)) ?? rows);
  }
}
