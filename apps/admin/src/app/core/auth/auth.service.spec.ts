import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { createTestClock, loginView, seedSession, TEST_NOW } from '../../testing/fixtures';
import { AuthService } from './auth.service';
import { AUTH_CLOCK, TOKEN_STORAGE_KEY } from './auth.tokens';

describe('AuthService', () => {
  let clock: ReturnType<typeof createTestClock>;

  beforeEach(() => {
    sessionStorage.clear();
    clock = createTestClock();
    TestBed.configureTestingModule({
      providers: [provideHttpClient(), provideHttpClientTesting(), { provide: AUTH_CLOCK, useValue: () => clock.now() }],
    });
  });

  afterEach(() => {
    TestBed.inject(HttpTestingController).verify();
    sessionStorage.clear();
  });

  it('starts signed out when nothing is stored', () => {
    const auth = TestBed.inject(AuthService);
    expect(auth.isAuthenticated()).toBe(false);
    expect(auth.token()).toBeNull();
  });

  it('posts the API key to /api/auth/login and stores the token with its expiry', () => {
    const auth = TestBed.inject(AuthService);
    const http = TestBed.inject(HttpTestingController);
    const view = loginView();
    let answered = false;

    auth.login('k'.repeat(40)).subscribe((result) => {
      answered = true;
      expect(result).toEqual(view);
    });

    const request = http.expectOne('/api/auth/login');
    expect(request.request.method).toBe('POST');
    expect(request.request.body).toEqual({ apiKey: 'k'.repeat(40) });
    request.flush(view, { status: 201, statusText: 'Created' });

    expect(answered).toBe(true);
    expect(auth.isAuthenticated()).toBe(true);
    expect(auth.token()).toBe(view.token);
    expect(auth.expiresAt()?.toISOString()).toBe(view.expiresAt);
    expect(JSON.parse(sessionStorage.getItem(TOKEN_STORAGE_KEY) ?? 'null')).toEqual({
      token: view.token,
      expiresAt: view.expiresAt,
      role: 'admin',
    });
    expect(auth.displayName()).toBe('API key');
  });

  it('signs a user in with name and password, and knows their role from then on', () => {
    const auth = TestBed.inject(AuthService);
    const http = TestBed.inject(HttpTestingController);
    auth.loginWithPassword('vera', 'correct horse battery').subscribe();

    const request = http.expectOne('/api/auth/login');
    expect(request.request.body).toEqual({ username: 'vera', password: 'correct horse battery' });
    request.flush(loginView({ role: 'viewer', username: 'vera' }), { status: 201, statusText: 'Created' });

    expect(auth.role()).toBe('viewer');
    expect(auth.displayName()).toBe('vera');
    expect(auth.allows('viewer')).toBe(true);
    expect(auth.allows('operator')).toBe(false);
    expect(auth.allows('admin')).toBe(false);
    auth.logout();
    expect(auth.role()).toBeNull();
    expect(auth.allows('viewer')).toBe(false);
  });

  it('treats a session stored before roles existed as the API key holder (admin)', () => {
    sessionStorage.setItem(TOKEN_STORAGE_KEY, JSON.stringify({ token: 'a.b.c', expiresAt: new Date(TEST_NOW + 60_000).toISOString() }));
    const auth = TestBed.inject(AuthService);
    expect(auth.role()).toBe('admin');
    expect(auth.allows('admin')).toBe(true);
  });

  it('stores nothing when the key is refused', () => {
    const auth = TestBed.inject(AuthService);
    const http = TestBed.inject(HttpTestingController);
    let failedWith = 0;

    auth.login('wrong').subscribe({ error: (error: { status: number }) => (failedWith = error.status) });
    http
      .expectOne('/api/auth/login')
      .flush({ statusCode: 401, error: 'Unauthorized', message: 'Invalid API key' }, { status: 401, statusText: 'Unauthorized' });

    expect(failedWith).toBe(401);
    expect(auth.isAuthenticated()).toBe(false);
    expect(sessionStorage.getItem(TOKEN_STORAGE_KEY)).toBeNull();
  });

  it('restores an unexpired session from sessionStorage', () => {
    seedSession(loginView({ token: 'restored' }));
    const auth = TestBed.inject(AuthService);
    expect(auth.isAuthenticated()).toBe(true);
    expect(auth.token()).toBe('restored');
  });

  it('drops a stored session that has already expired', () => {
    seedSession(loginView({ expiresAt: new Date(TEST_NOW - 1000).toISOString() }));
    const auth = TestBed.inject(AuthService);
    expect(auth.isAuthenticated()).toBe(false);
    expect(sessionStorage.getItem(TOKEN_STORAGE_KEY)).toBeNull();
  });

  it('drops a stored value that is not a session', () => {
    sessionStorage.setItem(TOKEN_STORAGE_KEY, 'not json');
    const auth = TestBed.inject(AuthService);
    expect(auth.isAuthenticated()).toBe(false);
    expect(sessionStorage.getItem(TOKEN_STORAGE_KEY)).toBeNull();
  });

  it('stops handing out the token once its expiry passes', () => {
    seedSession(loginView({ expiresAt: new Date(TEST_NOW + 60_000).toISOString() }));
    const auth = TestBed.inject(AuthService);

    clock.advance(59_999);
    expect(auth.token()).toBe('header.payload.signature');

    clock.advance(1);
    expect(auth.token()).toBeNull();
    expect(auth.isAuthenticated()).toBe(false);
    expect(sessionStorage.getItem(TOKEN_STORAGE_KEY)).toBeNull();
  });

  it('logout clears the token from memory and sessionStorage', () => {
    seedSession();
    const auth = TestBed.inject(AuthService);
    expect(auth.isAuthenticated()).toBe(true);

    auth.logout();

    expect(auth.isAuthenticated()).toBe(false);
    expect(auth.token()).toBeNull();
    expect(auth.expiresAt()).toBeNull();
    expect(sessionStorage.getItem(TOKEN_STORAGE_KEY)).toBeNull();
  });
});
