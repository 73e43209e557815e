import { provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
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

  it('charts the first running service, from the endpoint and then the metrics channel', async () => {
    await harness.navigateByUrl('/charts');
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
    await harness.navigateByUrl('/charts?service=alpha');
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

  it('switches service through the URL', async () => {
    await harness.navigateByUrl('/charts');
    httpTesting.expectOne('/api/services').flush(services);
    httpTesting.expectOne('/api/services/b/metrics').flush(metricsView('b'));
    await harness.fixture.whenStable();

    (harness.routeDebugElement?.componentInstance as { select(name: string): void }).select('alpha');
    httpTesting.expectOne('/api/services/a/metrics').flush(metricsView('a', { status: 'stopped' }));
    await harness.fixture.whenStable();
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
