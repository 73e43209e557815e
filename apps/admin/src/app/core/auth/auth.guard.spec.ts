import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { Component } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { Router, provideRouter } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';
import { createTestClock, loginView, seedSession, TEST_NOW } from '../../testing/fixtures';
import { authGuard, guestGuard } from './auth.guard';
import { AUTH_CLOCK } from './auth.tokens';

@Component({ template: '<p>page</p>' })
class BlankPage {}

describe('auth guards', () => {
  beforeEach(() => {
    sessionStorage.clear();
    const clock = createTestClock();
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        provideRouter([
          { path: 'login', canActivate: [guestGuard], component: BlankPage },
          { path: 'dashboard', canActivate: [authGuard], component: BlankPage },
          { path: 'services', canActivate: [authGuard], component: BlankPage },
        ]),
        { provide: AUTH_CLOCK, useValue: () => clock.now() },
      ],
    });
  });

  afterEach(() => sessionStorage.clear());

  /** The guard asks the API whether the session cookie stands (another tab's sign-in); here it answers 401. */
  async function navigateWithoutCookie(harness: RouterTestingHarness, url: string): Promise<void> {
    const navigation = harness.navigateByUrl(url);
    await new Promise((resolve) => setTimeout(resolve));
    TestBed.inject(HttpTestingController).expectOne('/api/auth/me').flush({ message: 'no' }, { status: 401, statusText: 'Unauthorized' });
    await navigation;
  }

  it('sends a signed-out visitor to /login, remembering the page', async () => {
    const harness = await RouterTestingHarness.create();
    await navigateWithoutCookie(harness, '/services');
    expect(TestBed.inject(Router).url).toBe('/login?returnUrl=%2Fservices');
  });

  it('lets a tab in on the session cookie of a sign-in made in another tab', async () => {
    const harness = await RouterTestingHarness.create();
    const navigation = harness.navigateByUrl('/services');
    await new Promise((resolve) => setTimeout(resolve));
    TestBed.inject(HttpTestingController).expectOne('/api/auth/me').flush({ kind: 'user', name: 'ann', role: 'viewer', services: null });
    await navigation;
    expect(TestBed.inject(Router).url).toBe('/services');
  });

  it('lets a signed-in user through', async () => {
    seedSession();
    const harness = await RouterTestingHarness.create();
    await harness.navigateByUrl('/services');
    expect(TestBed.inject(Router).url).toBe('/services');
  });

  it('treats an expired session as signed out', async () => {
    seedSession(loginView({ expiresAt: new Date(TEST_NOW - 1).toISOString() }));
    const harness = await RouterTestingHarness.create();
    await navigateWithoutCookie(harness, '/dashboard');
    expect(TestBed.inject(Router).url).toBe('/login?returnUrl=%2Fdashboard');
  });

  it('sends a signed-in user away from /login to the dashboard', async () => {
    seedSession();
    const harness = await RouterTestingHarness.create();
    await harness.navigateByUrl('/login');
    expect(TestBed.inject(Router).url).toBe('/dashboard');
  });
});
