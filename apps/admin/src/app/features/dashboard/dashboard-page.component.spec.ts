import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { AUTH_CLOCK } from '../../core/auth/auth.tokens';
import { FakeLiveSocket, provideFakeLive } from '../../testing/fake-live-socket';
import { createTestClock, healthView, metricsView, seedSession, serviceView } from '../../testing/fixtures';
import { DashboardPageComponent } from './dashboard-page.component';

/** The text of an element with its child elements' texts separated by spaces. */
function words(element: Element): string {
  const parts = [...element.querySelectorAll('*')]
    .filter((child) => child.children.length === 0)
    .map((child) => child.textContent?.trim() ?? '');
  return (parts.length ? parts.filter(Boolean).join(' ') : element.textContent?.trim()) ?? '';
}

describe('DashboardPageComponent', () => {
  let fixture: ComponentFixture<DashboardPageComponent>;
  let httpTesting: HttpTestingController;
  let live: ReturnType<typeof provideFakeLive>;

  beforeEach(() => {
    sessionStorage.clear();
    seedSession();
    live = provideFakeLive();
    TestBed.configureTestingModule({
      imports: [DashboardPageComponent],
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        provideRouter([]),
        { provide: AUTH_CLOCK, useValue: createTestClock().now },
        ...live.providers,
      ],
    });
    httpTesting = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(DashboardPageComponent);
  });

  afterEach(() => {
    // Tests about other parts leave the events request unanswered.
    httpTesting.match((request) => request.url === '/api/events');
    httpTesting.verify();
    sessionStorage.clear();
  });

  function element(): HTMLElement {
    return fixture.nativeElement as HTMLElement;
  }

  function stat(label: string): string | undefined {
    const heading = [...element().querySelectorAll('h2')].find((h2) => h2.textContent?.trim() === label);
    return heading?.closest('section')?.querySelector('.stat-value')?.textContent?.trim();
  }

  function row(name: string): string[] {
    const tr = element().querySelector(`tr[data-service="${name}"]`);
    return [...(tr?.querySelectorAll('th, td') ?? [])].map((cell) => words(cell));
  }

  async function flushServices(
    services = [serviceView({ id: 'a', name: 'everything', status: 'running', startedAt: new Date(Date.now() - 125_000).toISOString() })],
  ): Promise<void> {
    httpTesting.expectOne('/api/services').flush(services);
    for (const service of services) {
      httpTesting.expectOne(`/api/services/${service.id}/metrics`).flush(metricsView(service.id));
    }
    await fixture.whenStable();
  }

  it('shows status, version, uptime and service counts from GET /health', async () => {
    httpTesting.expectOne('/health').flush(healthView({ version: '1.4.2', uptime: 3_725, services: { running: 2, total: 5 } }));
    await fixture.whenStable();

    expect(stat('Status')).toBe('OK');
    expect(element().querySelector('.health-problems')).toBeNull();
    expect(stat('Version')).toBe('1.4.2');
    expect(stat('Uptime')).toBe('1 h 2 min');
    expect(stat('Services running')).toBe('2 of 5');

    // Once the services are loaded, the count follows them (and the status channel).
    await flushServices([]);
    expect(stat('Services running')).toBe('0 of 0');
    expect(element().textContent).toContain('No services yet.');
  });

  it('says when the gateway cannot be reached', async () => {
    httpTesting.expectOne('/health').error(new ProgressEvent('error'), { status: 0, statusText: '' });
    httpTesting.expectOne('/api/services').error(new ProgressEvent('error'), { status: 0, statusText: '' });
    await fixture.whenStable();

    const alerts = [...element().querySelectorAll('[role="alert"]')].map((alert) => alert.textContent ?? '');
    expect(alerts.some((text) => text.includes('Cannot reach the API'))).toBe(true);
    expect(element().querySelector('table')).toBeNull();
  });

  it("says how MCP servers are kept from the proxy's secrets, and warns plainly when they are not", async () => {
    httpTesting.expectOne('/health').flush(healthView());
    await flushServices([]);
    expect(stat('Server isolation')).toBe('Own users');
    expect(element().querySelector('.isolation-warning')).toBeNull();

    fixture.componentRef.instance['load']();
    const summary =
      "MCP servers run with the proxy's own rights and can read its secrets (data dir, database, secret files, its environment).";
    httpTesting
      .expectOne('/health')
      .flush(healthView({ children: { ...healthView().children, isolation: 'none', proxySecretsProtected: false, summary } }));
    await flushServices([]);
    expect(stat('Server isolation')).toBe('None');
    const warning = element().querySelector('.isolation-warning');
    expect(warning?.getAttribute('role')).toBe('alert');
    expect(warning?.textContent).toContain(summary);
  });

  it('says which resource limits hold on this host, and why the others do not', async () => {
    httpTesting.expectOne('/health').flush(healthView());
    await flushServices([]);
    expect(stat('Resource limits')).toBe('All enforced');

    fixture.componentRef.instance['load']();
    const reason = "memory, pids, cpu: cgroup v2: the proxy's cgroup /user.slice/user-1000.slice/session-2.scope is not delegated to it";
    const limits = { cgroup: 'v2' as const, memory: false, pids: false, cpu: false, perProcess: true, reason };
    httpTesting.expectOne('/health').flush(healthView({ children: { ...healthView().children, limits } }));
    await flushServices([]);
    expect(stat('Resource limits')).toBe('Per-process limits');
    expect(element().querySelector('.host-limits-detail')?.textContent).toContain(
      `Not enforced on this host: memory, processes, CPU — ${reason}`,
    );
  });

  it('lists every service with its light, uptime, restarts, requests/min, error rate, RSS and CPU, and totals', async () => {
    httpTesting.expectOne('/health').flush(healthView());
    await flushServices();

    expect(element().querySelector('tr[data-service="everything"] mcp-status-light [role="img"]')?.getAttribute('aria-label')).toBe(
      'running',
    );
    const cells = row('everything');
    expect(cells[0]).toBe('everything running');
    expect(cells[1]).toMatch(/^2 min \d+ s$/);
    expect(cells.slice(2)).toEqual(['0', '12', '5.0 %', '50.0 MiB', '2.0 %']);
    expect(stat('Requests/min')).toBe('12');
    expect(stat('Error rate')).toBe('5.0 %');
    expect(stat('Memory (RSS)')).toBe('50.0 MiB');
    expect(stat('CPU')).toBe('2.0 %');
  });

  it('updates figures from the metrics channel and records crashes and restarts from the status channel', async () => {
    httpTesting.expectOne('/health').flush(healthView());
    await flushServices();
    const socket: FakeLiveSocket = live.sockets.last();
    socket.accept();
    // Catching up after (re)connecting.
    httpTesting.expectOne('/api/services').flush([serviceView({ id: 'a', name: 'everything', status: 'running' })]);
    httpTesting.expectOne('/api/services/a/metrics').flush(metricsView('a'));
    expect(element().textContent).toContain('No status changes recorded yet.');

    socket.receive({
      type: 'metrics',
      channel: 'metrics',
      metrics: metricsView('a', { rssBytes: 80 * 1024 * 1024 }, { requestsPerMinute: 40 }),
    });
    socket.receive({
      type: 'status',
      channel: 'status',
      service: serviceView({ id: 'a', name: 'everything', status: 'restarting', restarts: 1, statusReason: 'exited with code 1' }),
    });
    httpTesting
      .expectOne('/api/services/a/metrics')
      .flush(metricsView('a', { status: 'restarting', rssBytes: null }, { requestsPerMinute: 40 }));
    socket.receive({
      type: 'status',
      channel: 'status',
      service: serviceView({ id: 'a', name: 'everything', status: 'crashed', restarts: 5, statusReason: 'boom' }),
    });
    // A crash can change the gateway's health: asked again at once.
    httpTesting.expectOne('/health').flush(
      healthView({
        status: 'degraded',
        problemCounts: { service: 1, certificate: 0, upnp: 0, deploy: 0 },
        problems: [{ kind: 'service', name: 'everything', status: 'crashed', reason: 'gave up after 5 restarts' }],
      }),
    );
    await fixture.whenStable();
    expect(stat('Status')).toBe('Degraded');

    expect(row('everything').slice(2, 4)).toEqual(['5', '40']);
    expect(row('everything')[5]).toBe('—');
    expect(stat('Services running')).toBe('0 of 1');
    const events = [...element().querySelectorAll('ol[aria-label="Recent events"] li')].map((item) =>
      words(item).replace(/^\d\d:\d\d:\d\d /, ''),
    );
    expect(events).toEqual([
      'everything crashed after 5 restarts: boom',
      'everything restarting on its own after an unexpected exit (automatic restart 1): exited with code 1',
    ]);
    expect(element().querySelector('li[data-kind="crashed"]')).not.toBeNull();
  });

  it('lists the events the server kept on open, so a reload shows the same', async () => {
    httpTesting.expectOne('/health').flush(healthView());
    await flushServices([]);
    const request = httpTesting.expectOne((candidate) => candidate.url === '/api/events');
    expect(request.request.params.get('limit')).toBe('50');
    request.flush({
      items: [
        {
          id: 'e2',
          at: '2026-01-01T10:00:05.000Z',
          serviceId: 'a',
          serviceName: 'everything',
          kind: 'restarting',
          message: 'restarting on request',
        },
        { id: 'e1', at: '2026-01-01T09:59:00.000Z', serviceId: 'a', serviceName: 'everything', kind: 'running', message: 'running, pid 7' },
      ],
      nextCursor: null,
    });
    await fixture.whenStable();
    const events = [...element().querySelectorAll('ol[aria-label="Recent events"] li')].map((item) =>
      words(item).replace(/^\d\d:\d\d:\d\d /, ''),
    );
    expect(events).toEqual(['everything restarting on request', 'everything running, pid 7']);
  });

  it('says Degraded with the reasons it may see, and counts the problems of services outside them', async () => {
    httpTesting.expectOne('/health').flush(
      healthView({
        status: 'degraded',
        problemCounts: { service: 2, certificate: 0, upnp: 1, deploy: 0 },
        problems: [
          { kind: 'service', name: 'everything', status: 'crashed', reason: 'gave up after 5 restarts within 60 s: exited with code 1' },
          { kind: 'upnp', name: 'https 8443', status: 'lease-lost', reason: 'lost contact with the UPnP gateway' },
        ],
      }),
    );
    await flushServices([]);

    expect(stat('Status')).toBe('Degraded');
    const banner = element().querySelector('.health-problems');
    expect(banner?.getAttribute('role')).toBe('alert');
    expect([...(banner?.querySelectorAll('li') ?? [])].map((item) => item.textContent?.trim())).toEqual([
      'Service everything crashed: gave up after 5 restarts within 60 s: exited with code 1',
      'UPnP mapping https 8443 lost: lost contact with the UPnP gateway',
      '1 problem with services outside the ones you may see',
    ]);
  });

  it('still lists a service whose metrics failed, and says so', async () => {
    httpTesting.expectOne('/health').flush(healthView());
    httpTesting.expectOne('/api/services').flush([serviceView({ id: 'a', name: 'everything' })]);
    httpTesting
      .expectOne('/api/services/a/metrics')
      .flush({ statusCode: 500, error: 'x', message: 'boom' }, { status: 500, statusText: 'Server Error' });
    await fixture.whenStable();

    expect(row('everything')[3]).toBe('—');
    expect(element().textContent).toContain('Figures of 1 service could not be loaded');
  });
});
