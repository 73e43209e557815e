import { provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { authInterceptor } from '../../core/auth/auth.interceptor';
import { AUTH_CLOCK } from '../../core/auth/auth.tokens';
import { FakeLiveSocket, provideFakeLive } from '../../testing/fake-live-socket';
import { createTestClock, seedSession, serviceView } from '../../testing/fixtures';
import { ServicesPageComponent, filterServices, upsert } from './services-page.component';

describe('ServicesPageComponent', () => {
  let fixture: ComponentFixture<ServicesPageComponent>;
  let httpTesting: HttpTestingController;
  let live: ReturnType<typeof provideFakeLive>;

  beforeEach(() => {
    sessionStorage.clear();
    seedSession();
    live = provideFakeLive();
    TestBed.configureTestingModule({
      imports: [ServicesPageComponent],
      providers: [
        provideHttpClient(withInterceptors([authInterceptor])),
        provideHttpClientTesting(),
        provideRouter([]),
        { provide: AUTH_CLOCK, useValue: createTestClock().now },
        ...live.providers,
      ],
    });
    httpTesting = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(ServicesPageComponent);
  });

  afterEach(() => {
    httpTesting.verify();
    sessionStorage.clear();
  });

  function element(): HTMLElement {
    return fixture.nativeElement as HTMLElement;
  }

  it('lists the services returned by GET /api/services', async () => {
    const request = httpTesting.expectOne('/api/services');
    expect(request.request.method).toBe('GET');
    expect(request.request.headers.get('Authorization')).toBe('Bearer header.payload.signature');
    request.flush([
      serviceView({ name: 'everything', status: 'running', transport: 'stdio', pid: 4242, restarts: 0 }),
      serviceView({
        id: 'b2',
        name: 'weather',
        status: 'crashed',
        transport: 'http',
        pid: null,
        restarts: 3,
        proxy: { ...serviceView().proxy, path: '/mcp/weather' },
      }),
    ]);
    await fixture.whenStable();

    const table = element().querySelector('table[aria-label="Services"]');
    expect(table).not.toBeNull();
    const headers = [...element().querySelectorAll('th')].map((th) => th.textContent?.trim());
    expect(headers).toEqual(['Name', 'Status', 'Endpoint', 'Transport', 'PID', 'Restarts', 'Actions']);

    const rows = [...element().querySelectorAll('tbody tr')].map((row) =>
      [...row.querySelectorAll('td')].map((cell) => cell.textContent?.trim()),
    );
    expect(rows).toEqual([
      ['everything', 'running', `${location.origin}/mcp/everything`, 'stdio', '4242', '0', 'Stop'],
      ['weather', 'crashed', `${location.origin}/mcp/weather`, 'http', '—', '3', 'Start'],
    ]);
    expect(element().querySelector('mcp-status-chip .chip')?.getAttribute('data-tone')).toBe('positive');
    expect(element().querySelector('tbody a')?.getAttribute('href')).toBe('/services/everything');
    expect(element().textContent).not.toContain('No services yet');
  });

  it('keeps each status current from the live status channel', async () => {
    httpTesting.expectOne('/api/services').flush([serviceView({ id: 'a', name: 'everything', status: 'stopped', pid: null })]);
    await fixture.whenStable();

    const socket: FakeLiveSocket = live.sockets.last();
    socket.accept();
    // The first "ready" also reloads the list, to catch changes made before the socket was up.
    httpTesting.expectOne('/api/services').flush([serviceView({ id: 'a', name: 'everything', status: 'stopped', pid: null })]);
    expect(socket.sent).toContainEqual({ type: 'subscribe', channel: 'status' });
    socket.receive({
      type: 'status',
      channel: 'status',
      service: serviceView({ id: 'a', name: 'everything', status: 'starting', pid: 99 }),
    });
    await fixture.whenStable();
    expect(element().querySelector('tbody tr mcp-status-chip')?.textContent?.trim()).toBe('starting');

    socket.receive({
      type: 'status',
      channel: 'status',
      service: serviceView({ id: 'a', name: 'everything', status: 'running', pid: 99 }),
    });
    await fixture.whenStable();
    const cells = [...element().querySelectorAll('tbody tr td')].map((cell) => cell.textContent?.trim());
    expect(cells).toEqual(['everything', 'running', `${location.origin}/mcp/everything`, 'stdio', '99', '0', 'Stop']);
    expect(element().textContent).toContain('Live');
  });

  it('finds services by name or command and by status', async () => {
    httpTesting
      .expectOne('/api/services')
      .flush([
        serviceView({ id: 'a', name: 'everything', status: 'running' }),
        serviceView({ id: 'b', name: 'weather', status: 'stopped', pid: null }),
      ]);
    await fixture.whenStable();
    const names = (): string[] => [...element().querySelectorAll('tbody tr td:first-child')].map((cell) => cell.textContent?.trim() ?? '');

    const search = element().querySelector<HTMLInputElement>('input[type="search"]');
    if (!search) throw new Error('no search box');
    search.value = 'WEATH';
    search.dispatchEvent(new Event('input'));
    await fixture.whenStable();
    expect(names()).toEqual(['weather']);

    search.value = '';
    search.dispatchEvent(new Event('input'));
    await fixture.whenStable();
    expect(
      filterServices([serviceView({ name: 'a', status: 'running' }), serviceView({ name: 'b', status: 'stopped' })], '', 'stopped').map(
        (s) => s.name,
      ),
    ).toEqual(['b']);
    expect(names()).toEqual(['everything', 'weather']);
  });

  it('shows the empty state when there are no services', async () => {
    httpTesting.expectOne('/api/services').flush([]);
    await fixture.whenStable();

    expect(element().querySelector('table')).toBeNull();
    expect(element().querySelector('#services-empty')?.textContent?.trim()).toBe('No services yet');
    const create = [...element().querySelectorAll('a')].find((a) => a.textContent?.trim() === 'Create a service');
    expect(create?.getAttribute('href')).toBe('/services/new');
  });

  it('shows an error and no empty state when the request fails', async () => {
    httpTesting
      .expectOne('/api/services')
      .flush(
        { statusCode: 503, error: 'Service Unavailable', message: 'Database is starting' },
        { status: 503, statusText: 'Service Unavailable' },
      );
    await fixture.whenStable();

    const alert = element().querySelector('[role="alert"]');
    expect(alert?.textContent).toContain('Database is starting (HTTP 503)');
    expect(element().textContent).not.toContain('No services yet');
  });

  it('reloads on Refresh', async () => {
    httpTesting.expectOne('/api/services').flush([]);
    await fixture.whenStable();

    const refresh = [...element().querySelectorAll('button')].find((button) => button.textContent?.trim() === 'Refresh');
    refresh?.click();
    httpTesting.expectOne('/api/services').flush([serviceView()]);
    await fixture.whenStable();

    expect(element().querySelectorAll('tbody tr')).toHaveLength(1);
  });
});

describe('upsert', () => {
  it('replaces a known service and adds a new one in name order', () => {
    const a = serviceView({ id: 'a', name: 'alpha' });
    const c = serviceView({ id: 'c', name: 'charlie' });
    expect(upsert([a, c], serviceView({ id: 'a', name: 'alpha', status: 'crashed' })).map((s) => s.status)).toEqual(['crashed', 'running']);
    expect(upsert([a, c], serviceView({ id: 'b', name: 'bravo' })).map((s) => s.name)).toEqual(['alpha', 'bravo', 'charlie']);
  });
});
