import { HttpClient, HttpErrorResponse, provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { Component } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { Router, provideRouter } from '@angular/router';
import { createTestClock, seedSession } from '../../testing/fixtures';
import { authInterceptor } from './auth.interceptor';
import { AuthService } from './auth.service';
import { AUTH_CLOCK, TOKEN_STORAGE_KEY } from './auth.tokens';

@Component({ template: '' })
class BlankPage {}

describe('authInterceptor', () => {
  let http: HttpClient;
  let httpTesting: HttpTestingController;
  let router: Router;

  beforeEach(() => {
    sessionStorage.clear();
    const clock = createTestClock();
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(withInterceptors([authInterceptor])),
        provideHttpClientTesting(),
        provideRouter([
          { path: 'login', component: BlankPage },
          { path: 'services', component: BlankPage },
        ]),
        { provide: AUTH_CLOCK, useValue: () => clock.now() },
      ],
    });
    http = TestBed.inject(HttpClient);
    httpTesting = TestBed.inject(HttpTestingController);
    router = TestBed.inject(Router);
  });

  afterEach(() => {
    httpTesting.verify();
    sessionStorage.clear();
  });

  it('adds the bearer token to API requests', () => {
    seedSession();
    http.get('/api/services').subscribe();
    const request = httpTesting.expectOne('/api/services');
    expect(request.request.headers.get('Authorization')).toBe('Bearer header.payload.signature');
    request.flush([]);
  });

  it('adds the bearer token to /health', () => {
    seedSession();
    http.get('/health').subscribe();
    const request = httpTesting.expectOne('/health');
    expect(request.request.headers.get('Authorization')).toBe('Bearer header.payload.signature');
    request.flush({});
  });

  it('sends no Authorization header when signed out', () => {
    http.get('/api/services').subscribe();
    const request = httpTesting.expectOne('/api/services');
    expect(request.request.headers.has('Authorization')).toBe(false);
    request.flush([]);
  });

  it('never sends the token to another origin', () => {
    seedSession();
    http.get('https://example.com/api/services').subscribe();
    const request = httpTesting.expectOne('https://example.com/api/services');
    expect(request.request.headers.has('Authorization')).toBe(false);
    request.flush([]);
  });

  it('on 401 clears the token and goes to /login', async () => {
    seedSession();
    await router.navigateByUrl('/services');
    const auth = TestBed.inject(AuthService);
    expect(auth.isAuthenticated()).toBe(true);

    let status = 0;
    http.get('/api/services').subscribe({
      error: (error: HttpErrorResponse) => (status = error.status),
    });
    httpTesting
      .expectOne('/api/services')
      .flush({ statusCode: 401, error: 'Unauthorized', message: 'Token expired' }, { status: 401, statusText: 'Unauthorized' });

    expect(status).toBe(401);
    expect(auth.isAuthenticated()).toBe(false);
    expect(sessionStorage.getItem(TOKEN_STORAGE_KEY)).toBeNull();
    await vi.waitFor(() => expect(router.url).toBe('/login?returnUrl=%2Fservices'));
  });

  it('leaves a 401 from the login call itself to the login form', async () => {
    const navigate = vi.spyOn(router, 'navigate');
    let status = 0;
    http.post('/api/auth/login', { apiKey: 'wrong' }).subscribe({
      error: (error: HttpErrorResponse) => (status = error.status),
    });
    httpTesting
      .expectOne('/api/auth/login')
      .flush({ statusCode: 401, error: 'Unauthorized', message: 'Invalid API key' }, { status: 401, statusText: 'Unauthorized' });

    expect(status).toBe(401);
    expect(navigate).not.toHaveBeenCalled();
  });

  it('keeps the session on other errors', () => {
    seedSession();
    const auth = TestBed.inject(AuthService);
    http.get('/api/services').subscribe({ error: () => undefined });
    httpTesting
      .expectOne('/api/services')
      .flush({ statusCode: 500, error: 'Internal Server Error', message: 'boom' }, { status: 500, statusText: 'Internal Server Error' });

    expect(auth.isAuthenticated()).toBe(true);
  });
});
