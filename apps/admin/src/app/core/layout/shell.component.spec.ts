import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { Component } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { Router, provideRouter } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';
import { AuthService } from '../auth/auth.service';
import { AUTH_CLOCK, TOKEN_STORAGE_KEY } from '../auth/auth.tokens';
import { GatewayHealthService } from '../health/gateway-health.service';
import { createTestClock, healthView, loginView, seedSession } from '../../testing/fixtures';
import { NAV_ITEMS, ShellComponent } from './shell.component';

@Component({ template: '<p class="page">page</p>' })
class BlankPage {}

describe('ShellComponent', () => {
  let harness: RouterTestingHarness;

  beforeEach(async () => {
    sessionStorage.clear();
    seedSession();
    const clock = createTestClock();
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        provideRouter([
          { path: 'login', component: BlankPage },
          {
            path: '',
            component: ShellComponent,
            children: NAV_ITEMS.map((item) => ({ path: item.path.slice(1), component: BlankPage })),
          },
        ]),
        { provide: AUTH_CLOCK, useValue: () => clock.now() },
      ],
    });
    harness = await RouterTestingHarness.create();
    await harness.navigateByUrl('/services');
  });

  afterEach(() => sessionStorage.clear());

  function root(): HTMLElement {
    return harness.fixture.nativeElement as HTMLElement;
  }

  it('links every section from the navigation', () => {
    const links = [...root().querySelectorAll('nav[aria-label="Main"] a')];
    expect(links.map((link) => link.textContent?.trim())).toEqual([
      'Dashboard',
      'Services',
      'Catalog',
      'Groups',
      'Deploy',
      'Logs',
      'Metrics',
      'Network',
      'Certificates',
      'Access',
      'Settings',
      'Account',
      'Users',
      'Audit log',
    ]);
    expect(links.map((link) => link.getAttribute('href'))).toEqual(NAV_ITEMS.map((item) => item.path));
  });

  it('marks the current section', () => {
    const current = root().querySelector('nav a[aria-current="page"]');
    expect(current?.textContent?.trim()).toBe('Services');
  });

  it('renders the routed page inside the shell', () => {
    expect(root().querySelector('main .page')).not.toBeNull();
  });

  it('shows the gateway status in the header, the same state as the dashboard, with the reasons as its title', async () => {
    const httpTesting = TestBed.inject(HttpTestingController);
    httpTesting.expectOne('/health').flush(healthView());
    await harness.fixture.whenStable();
    const chip = (): HTMLElement | null => root().querySelector('[data-testid="gateway-health"]');
    expect(chip()?.textContent?.trim()).toBe('Status: OK');
    expect(chip()?.classList.contains('degraded')).toBe(false);

    TestBed.inject(GatewayHealthService).refresh();
    httpTesting.expectOne('/health').flush(
      healthView({
        status: 'degraded',
        problemCounts: { service: 1, certificate: 1, upnp: 0, deploy: 0 },
        problems: [{ kind: 'service', name: 'everything', status: 'crashed', reason: 'gave up after 5 restarts' }],
      }),
    );
    await harness.fixture.whenStable();
    expect(chip()?.textContent?.trim()).toBe('Status: Degraded (2)');
    expect(chip()?.classList.contains('degraded')).toBe(true);
    expect(chip()?.getAttribute('title')).toBe('Service everything crashed: gave up after 5 restarts');
    expect(chip()?.getAttribute('href')).toBe('/dashboard');
  });

  it('logs out (ending the session on the server too) and returns to /login', async () => {
    const logout = [...root().querySelectorAll('button')].find((button) => button.textContent?.trim() === 'Log out');
    logout?.click();
    TestBed.inject(HttpTestingController)
      .expectOne({ method: 'POST', url: '/api/auth/logout' })
      .flush(null, { status: 204, statusText: 'No Content' });
    await harness.fixture.whenStable();

    expect(TestBed.inject(AuthService).isAuthenticated()).toBe(false);
    expect(sessionStorage.getItem(TOKEN_STORAGE_KEY)).toBeNull();
    expect(TestBed.inject(Router).url).toBe('/login');
  });
});

describe('ShellComponent for a viewer', () => {
  it('shows who is signed in with their role, and no Users or Audit log', async () => {
    sessionStorage.clear();
    seedSession(loginView({ role: 'viewer', username: 'vera' }));
    const clock = createTestClock();
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        provideRouter([{ path: '', component: ShellComponent, children: [{ path: 'services', component: BlankPage }] }]),
        { provide: AUTH_CLOCK, useValue: () => clock.now() },
      ],
    });
    const harness = await RouterTestingHarness.create();
    await harness.navigateByUrl('/services');
    const root = harness.fixture.nativeElement as HTMLElement;
    expect(root.querySelector('[data-testid="signed-in-as"]')?.textContent?.replace(/\s+/g, ' ').trim()).toBe('vera viewer');
    const labels = [...root.querySelectorAll('nav[aria-label="Main"] a')].map((link) => link.textContent?.trim());
    expect(labels).not.toContain('Users');
    expect(labels).not.toContain('Audit log');
    expect(labels).toContain('Services');
    sessionStorage.clear();
  });
});
