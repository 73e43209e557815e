import { provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import type { MetricsHistoryView } from '@mcp-proxy/shared/dto';
import { MATERIAL_ANIMATIONS } from '@angular/material/core';
import { Router, provideRouter } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';
import { authInterceptor } from '../../core/auth/auth.interceptor';
import { AUTH_CLOCK } from '../../core/auth/auth.tokens';
import { provideFakeLive } from '../../testing/fake-live-socket';
import { createTestClock, metricsView, seedSession, serviceView } from '../../testing/fixtures';
import { CHART_FACTORY, ChartSpec } from './chart-factory';
import { MetricsPageComponent, POLL_INTERVAL_MS, chartsFor } from './metrics-page.component';

interface DrawnChart {
  canvas: HTMLCanvasElement;
  spec: ChartSpec;
  destroyed: boolean;
}

describe('MetricsPageComponent', () => {
  let harness: RouterTestingHarness;
  let httpTesting: HttpTestingController;
  let live: ReturnType<typeof provideFakeLive>;
  let charts: DrawnChart[];

  beforeEach(async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
    sessionStorage.clear();
    seedSession();
    live = provideFakeLive();
    charts = [];
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(withInterceptors([authInterceptor])),
        provideHttpClientTesting(),
        provideRouter([{ path: 'charts', component: MetricsPageComponent }]),
        { provide: AUTH_CLOCK, useValue: createTestClock().now },
        { provide: MATERIAL_ANIMATIONS, useValue: { animationsDisabled: true } },
        {
          provide: CHART_FACTORY,
          useValue: (canvas: HTMLCanvasElement, spec: ChartSpec) => {
            const chart: DrawnChart = { canvas, spec, destroyed: false };
            charts.push(chart);
            return { update: (next: ChartSpec) => (chart.spec = next), destroy: () => (chart.destroyed = true) };
          },
        },
        ...live.providers,
      ],
    });
    httpTesting = TestBed.inject(HttpTestingController);
    harness = await RouterTestingHarness.create();
  });

  afterEach(() => {
    httpTesting.verify();
    vi.useRealTimers();
    sessionStorage.clear();
  });

  function page(): HTMLElement {
    return harness.routeNativeElement as HTMLElement;
  }

  function chart(id: string): DrawnChart {
    const index = ['requests', 'latency', 'errors', 'cpu', 'memory'].indexOf(id);
    const found = charts[index];
    if (!found) throw new Error(`chart ${id} not drawn`);
    return found;
  }

  const services = [
    serviceView({ id: 'a', name: 'alpha', status: 'stopped', pid: null }),
    serviceView({ id: 'b', name: 'everything', status: 'running' }),
  ];

  it('charts the first running service live, from the endpoint and then the metrics channel', async () => {
    await harness.navigateByUrl('/charts?range=live');
    httpTesting.expectOne('/api/services').flush(services);
    httpTesting.expectOne('/api/services/b/metrics').flush(metricsView('b', { sampledAt: null }, { requestsPerMinute: 4, errors: 1 }));
    await harness.fixture.whenStable();

    expect(charts).toHaveLength(5);
    expect(page().querySelector('.status-line')?.textContent?.trim()).toBe('1 sample');
    expect(chart('requests').spec.datasets[0]?.points.map((point) => point.y)).toEqual([4]);
    expect(chart('latency').spec.datasets.map((dataset) => dataset.label)).toEqual(['p50', 'p90', 'p99']);

    const socket = live.sockets.last();
    socket.accept();
    vi.advanceTimersByTime(POLL_INTERVAL_MS);
    socket.receive({
      type: 'metrics',
      channel: 'metrics',
      metrics: metricsView('b', { sampledAt: null, cpuPercent: 7 }, { requestsPerMinute: 9, errors: 3 }),
    });
    socket.receive({ type: 'metrics', channel: 'metrics', metrics: metricsView('a', { sampledAt: null }) });
    await harness.fixture.whenStable();

    expect(chart('requests').spec.datasets[0]?.points.map((point) => point.y)).toEqual([4, 9]);
    expect(chart('errors').spec.datasets[0]?.points.map((point) => point.y)).toEqual([0, 2]);
    expect(chart('cpu').spec.datasets[0]?.points.map((point) => point.y)).toEqual([2, 7]);
    const caption = [...page().querySelectorAll('figcaption')].map((item) =>
      [...item.querySelectorAll('span')].map((span) => span.textContent?.trim()).join(' '),
    );
    expect(caption).toContain('Requests per minute now 9/min');
    expect(caption).toContain('CPU now 7.0 % of one core');
    expect(page().querySelector('canvas')?.getAttribute('aria-label')).toBe('Requests per minute: now 9/min');
  });

  it('polls a service the live channel says nothing about (a stopped one)', async () => {
    await harness.navigateByUrl('/charts?service=alpha&range=live');
    httpTesting.expectOne('/api/services').flush(services);
    httpTesting
      .expectOne('/api/services/a/metrics')
      .flush(metricsView('a', { status: 'stopped', rssBytes: null, cpuPercent: null, sampledAt: null }, null));
    await harness.fixture.whenStable();
    expect(page().textContent).toContain('alpha is stopped: CPU and memory stay empty until it runs.');

    await new Promise((resolve) => setTimeout(resolve, 10));
    vi.advanceTimersByTime(POLL_INTERVAL_MS);
    httpTesting.expectNone('/api/services/a/metrics');
    vi.advanceTimersByTime(POLL_INTERVAL_MS);
    httpTesting
      .expectOne('/api/services/a/metrics')
      .flush(metricsView('a', { status: 'stopped', rssBytes: null, cpuPercent: null, sampledAt: null }, null));
    await harness.fixture.whenStable();
    expect(chart('memory').spec.datasets[0]?.points.map((point) => point.y)).toEqual([null, null]);
  });

  function history(service: string, range: string): { flush(body: unknown): void } {
    return httpTesting.expectOne(
      (request) =>
        request.url === '/api/metrics/history' && request.params.get('service') === service && request.params.get('range') === range,
    );
  }

  const stored = (serviceId: string, range: string, stepSeconds: number): MetricsHistoryView => ({
    range: range as MetricsHistoryView['range'],
    stepSeconds,
    from: '2026-01-01T10:00:00.000Z',
    to: '2026-01-01T11:00:00.000Z',
    services: [
      {
        serviceId,
        serviceName: 'everything',
        points: [
          { at: '2026-01-01T10:01:00.000Z', calls: 6, errors: 1, p50: 2, p95: 8, p99: 12, cpuPercent: 1.5, rssBytes: 50 * 1024 * 1024 },
          { at: '2026-01-01T10:02:00.000Z', calls: 3, errors: 0, p50: 1, p95: 4, p99: 5, cpuPercent: 2, rssBytes: 52 * 1024 * 1024 },
        ],
      },
    ],
  });

  it('shows the last hour the server kept on open, and another range when asked', async () => {
    await harness.navigateByUrl('/charts');
    httpTesting.expectOne('/api/services').flush(services);
    httpTesting.expectOne('/api/services/b/metrics').flush(metricsView('b'));
    await harness.fixture.whenStable();
    history('everything', 'hour').flush(stored('b', 'hour', 60));
    await harness.fixture.whenStable();

    expect(page().querySelector('.status-line')?.textContent?.trim()).toBe('2 points over the last hour');
    expect(chart('requests').spec.datasets[0]?.points.map((point) => point.y)).toEqual([6, 3]);
    expect(chart('errors').spec.datasets[0]?.points.map((point) => point.y)).toEqual([1, 0]);
    expect(chart('latency').spec.datasets.map((dataset) => dataset.label)).toEqual(['p50', 'p95', 'p99']);

    (harness.routeDebugElement?.componentInstance as { selectRange(range: string): void }).selectRange('day');
    await harness.fixture.whenStable();
    history('everything', 'day').flush(stored('b', 'day', 300));
    await harness.fixture.whenStable();
    expect(TestBed.inject(Router).url).toBe('/charts?range=day');
    // Five-minute steps: calls per minute are a fifth of the calls per step.
    expect(chart('requests').spec.datasets[0]?.points.map((point) => point.y)).toEqual([1.2, 0.6]);
  });

  it('switches service through the URL', async () => {
    await harness.navigateByUrl('/charts');
    httpTesting.expectOne('/api/services').flush(services);
    httpTesting.expectOne('/api/services/b/metrics').flush(metricsView('b'));
    await harness.fixture.whenStable();
    history('everything', 'hour').flush(stored('b', 'hour', 60));

    (harness.routeDebugElement?.componentInstance as { select(name: string): void }).select('alpha');
    httpTesting.expectOne('/api/services/a/metrics').flush(metricsView('a', { status: 'stopped' }));
    await harness.fixture.whenStable();
    history('alpha', 'hour').flush({ ...stored('a', 'hour', 60), services: [] });
    await harness.fixture.whenStable();
    expect(page().querySelector('.status-line')?.textContent?.trim()).toBe('Nothing recorded for alpha in the last hour yet.');
    expect(TestBed.inject(Router).url).toBe('/charts?service=alpha');
    expect(page().querySelector('mat-select')?.textContent).toContain('alpha (stopped)');
  });

  it('shows the empty state without services', async () => {
    await harness.navigateByUrl('/charts');
    httpTesting.expectOne('/api/services').flush([]);
    await harness.fixture.whenStable();
    expect(page().querySelector('#metrics-empty')?.textContent).toBe('No services yet');
    expect(charts).toHaveLength(0);
  });

  it('says when the services cannot be loaded', async () => {
    await harness.navigateByUrl('/charts');
    httpTesting.expectOne('/api/services').error(new ProgressEvent('error'), { status: 0 });
    await harness.fixture.whenStable();
    expect(page().querySelector('[role="alert"]')?.textContent).toContain('Cannot reach the API');
  });
});

describe('chartsFor', () => {
  it('says "no data yet" instead of a made-up zero', () => {
    const views = chartsFor([]);
    expect(views.map((view) => view.latest)).toEqual(['no data yet', 'no requests yet', 'no data yet', 'no data yet', 'no data yet']);
  });
});
