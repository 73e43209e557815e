import { provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { Component } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { Router, provideRouter } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';
import { authInterceptor } from '../../core/auth/auth.interceptor';
import { AUTH_CLOCK, TOKEN_STORAGE_KEY } from '../../core/auth/auth.tokens';
import { createTestClock, loginView } from '../../testing/fixtures';
import { LoginPageComponent } from './login-page.component';

@Component({ template: '<p>signed in</p>' })
class BlankPage {}

describe('LoginPageComponent', () => {
  let harness: RouterTestingHarness;
  let httpTesting: HttpTestingController;

  beforeEach(async () => {
    sessionStorage.clear();
    const clock = createTestClock();
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(withInterceptors([authInterceptor])),
        provideHttpClientTesting(),
        provideRouter([
          { path: 'login', component: LoginPageComponent },
          { path: 'dashboard', component: BlankPage },
          { path: 'services', component: BlankPage },
        ]),
        { provide: AUTH_CLOCK, useValue: () => clock.now() },
      ],
    });
    httpTesting = TestBed.inject(HttpTestingController);
    harness = await RouterTestingHarness.create();
  });

  afterEach(() => {
    // The page asks what to offer when it opens; tests that do not look at it answer "passwords only".
    for (const request of httpTesting.match('/api/auth/sign-in-options')) {
      if (!request.cancelled) request.flush({ password: true, provider: null });
    }
    httpTesting.verify();
    sessionStorage.clear();
  });

  function page(): HTMLElement {
    return harness.routeNativeElement as HTMLElement;
  }

  async function submitKey(key: string): Promise<void> {
    const input = page().querySelector('input') as HTMLInputElement;
    input.value = key;
    input.dispatchEvent(new Event('input'));
    const submit = page().querySelector('button[type="submit"]') as HTMLButtonElement;
    submit.click();
    await harness.fixture.whenStable();
  }

  it('renders one password field labelled "API key"', async () => {
    await harness.navigateByUrl('/login');
    const input = page().querySelector('input') as HTMLInputElement;
    expect(input.type).toBe('password');
    const label = page().querySelector(`label[for="${input.id}"]`);
    expect(label?.textContent).toContain('API key');
    expect(page().querySelector('h1')?.textContent?.trim()).toBe('Sign in');
  });

  it('shows "Invalid API key" when the API answers 401', async () => {
    await harness.navigateByUrl('/login');
    await submitKey('wrong-key');

    const request = httpTesting.expectOne('/api/auth/login');
    expect(request.request.body).toEqual({ apiKey: 'wrong-key' });
    request.flush({ statusCode: 401, error: 'Unauthorized', message: 'Invalid API key' }, { status: 401, statusText: 'Unauthorized' });
    await harness.fixture.whenStable();

    expect(page().querySelector('[role="alert"]')?.textContent?.trim()).toBe('Invalid API key');
    expect(TestBed.inject(Router).url).toBe('/login');
    expect(sessionStorage.getItem(TOKEN_STORAGE_KEY)).toBeNull();
  });

  it('does not call the API with an empty key', async () => {
    await harness.navigateByUrl('/login');
    await submitKey('   ');
    httpTesting.expectNone('/api/auth/login');
    expect(page().textContent).toContain('Enter the API key.');
  });

  it('stores the session and opens the dashboard on success', async () => {
    await harness.navigateByUrl('/login');
    await submitKey('right-key');

    httpTesting.expectOne('/api/auth/login').flush(loginView({ token: 'jwt' }), { status: 201, statusText: 'Created' });
    await harness.fixture.whenStable();

    expect(TestBed.inject(Router).url).toBe('/dashboard');
    expect(JSON.parse(sessionStorage.getItem(TOKEN_STORAGE_KEY) ?? '{}').token).toBe('jwt');
  });

  it('returns to the page the guard interrupted', async () => {
    await harness.navigateByUrl('/login?returnUrl=%2Fservices');
    await submitKey('right-key');
    httpTesting.expectOne('/api/auth/login').flush(loginView(), { status: 201, statusText: 'Created' });
    await harness.fixture.whenStable();

    expect(TestBed.inject(Router).url).toBe('/services');
  });

  it('ignores a returnUrl pointing at another site', async () => {
    await harness.navigateByUrl('/login?returnUrl=%2F%2Fevil.example');
    await submitKey('right-key');
    httpTesting.expectOne('/api/auth/login').flush(loginView(), { status: 201, statusText: 'Created' });
    await harness.fixture.whenStable();

    expect(TestBed.inject(Router).url).toBe('/dashboard');
  });

  it('offers the identity provider when the API names one, and hides passwords with OIDC_ONLY', async () => {
    await harness.navigateByUrl('/login');
    httpTesting
      .expectOne('/api/auth/sign-in-options')
      .flush({ password: false, provider: { name: 'Acme SSO', startUrl: '/api/auth/oidc/start' } });
    harness.detectChanges();
    const buttons = [...page().querySelectorAll('button')].map((button) => button.textContent?.trim());
    expect(buttons).toContain('Sign in with Acme SSO');
    expect(buttons).not.toContain('User name');
  });
});
