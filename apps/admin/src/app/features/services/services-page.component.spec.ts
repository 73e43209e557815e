import { provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { authInterceptor } from '../../core/auth/auth.interceptor';
import { AUTH_CLOCK } from '../../core/auth/auth.tokens';
import { createTestClock, seedSession, serviceView } from '../../testing/fixtures';
import { ServicesPageComponent } from './services-page.component';

describe('ServicesPageComponent', () => {
  let fixture: ComponentFixture<ServicesPageComponent>;
  let httpTesting: HttpTestingController;

  beforeEach(() => {
    sessionStorage.clear();
    seedSession();
    TestBed.configureTestingModule({
      imports: [ServicesPageComponent],
      providers: [
        provideHttpClient(withInterceptors([authInterceptor])),
        provideHttpClientTesting(),
        provideRouter([]),
        { provide: AUTH_CLOCK, useValue: createTestClock().now },
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
      }),
    ]);
    await fixture.whenStable();

    const table = element().querySelector('table[aria-label="Services"]');
    expect(table).not.toBeNull();
    const headers = [...element().querySelectorAll('th')].map((th) => th.textContent?.trim());
    expect(headers).toEqual(['Name', 'Status', 'Transport', 'PID', 'Restarts']);

    const rows = [...element().querySelectorAll('tbody tr')].map((row) =>
      [...row.querySelectorAll('td')].map((cell) => cell.textContent?.trim()),
    );
    expect(rows).toEqual([
      ['everything', 'running', 'stdio', '4242', '0'],
      ['weather', 'crashed', 'http', '—', '3'],
    ]);
    expect(element().querySelector('mcp-status-chip .chip')?.getAttribute('data-tone')).toBe('positive');
    expect(element().textContent).not.toContain('No services yet');
  });

  it('shows the empty state when there are no services', async () => {
    httpTesting.expectOne('/api/services').flush([]);
    await fixture.whenStable();

    expect(element().querySelector('table')).toBeNull();
    expect(element().querySelector('#services-empty')?.textContent?.trim()).toBe('No services yet');
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

    const refresh = [...element().querySelectorAll('button')].find(
      (button) => button.textContent?.trim() === 'Refresh',
    );
    refresh?.click();
    httpTesting.expectOne('/api/services').flush([serviceView()]);
    await fixture.whenStable();

    expect(element().querySelectorAll('tbody tr')).toHaveLength(1);
  });
});
