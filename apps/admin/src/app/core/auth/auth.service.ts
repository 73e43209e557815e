import { HttpClient, HttpContext, HttpContextToken } from '@angular/common/http';
import { Injectable, computed, inject, signal } from '@angular/core';
import type { LoginDto, LoginView, PrincipalView, SignInOptionsView, UserRole } from '@mcp-proxy/shared/dto';
import { Observable, catchError, map, of, tap } from 'rxjs';
import { LOGIN_URL, LOGOUT_URL, ME_URL, PROVIDER_SESSION_URL, SIGN_IN_OPTIONS_URL } from '../api/api-paths';
import { AUTH_CLOCK, SESSION_STORAGE, TOKEN_STORAGE_KEY } from './auth.tokens';
import { roleAllows } from './roles';

/** Marks a request whose 401 only means "not signed in": the interceptor leaves the page alone. */
export const QUIET_UNAUTHORIZED = new HttpContextToken<boolean>(() => false);

/**
 * A session this tab found through the session cookie (signed in in another tab, or before a reload
 * that lost the token): its credential stays in the httpOnly cookie, out of reach of page scripts.
 */
interface CookieSession {
  role: UserRole;
  username?: string;
}

/** What is kept in sessionStorage under `mcp-proxy.token`. */
export interface StoredSession {
  token: string;
  /** ISO-8601, as returned by the API. */
  expiresAt: string;
  /** Absent in sessions stored before users existed: those came from the API key, so `admin`. */
  role?: UserRole;
  /** The signed-in user; absent for the API key holder. */
  username?: string;
}

@Injectable({ providedIn: 'root' })
export class AuthService {
  private readonly http = inject(HttpClient);
  private readonly storage = inject(SESSION_STORAGE);
  private readonly now = inject(AUTH_CLOCK);

  private readonly session = signal<StoredSession | null>(this.readStoredSession());
  private readonly cookieSession = signal<CookieSession | null>(null);

  /** Expiry of the current session (null when logged out or unknown: a cookie session); for display only. */
  readonly expiresAt = computed(() => {
    const session = this.session();
    return session ? new Date(session.expiresAt) : null;
  });

  /** The role of the session; the API enforces it, the portal only hides what it would refuse. */
  readonly role = computed<UserRole | null>(() => {
    const session = this.session() ?? this.cookieSession();
    return session ? (session.role ?? 'admin') : null;
  });

  /** The signed-in named user's name; null for the API key holder and when signed out. */
  readonly username = computed(() => (this.session() ?? this.cookieSession())?.username ?? null);

  /** Who is signed in, for the toolbar: a user name, or "API key". */
  readonly displayName = computed(() => {
    const session = this.session() ?? this.cookieSession();
    return session ? (session.username ?? 'API key') : null;
  });

  /** Exchanges the admin API key for a UI session token and keeps it for this tab. */
  login(apiKey: string): Observable<LoginView> {
    const body: LoginDto = { apiKey };
    return this.http.post<LoginView>(LOGIN_URL, body).pipe(tap((view) => this.store(view)));
  }

  /** Signs a named user in with their password. */
  loginWithPassword(username: string, password: string): Observable<LoginView> {
    const body: LoginDto = { username, password };
    return this.http.post<LoginView>(LOGIN_URL, body).pipe(tap((view) => this.store(view)));
  }

  /** What the login page offers: passwords, and the team's identity provider. */
  signInOptions(): Observable<SignInOptionsView> {
    return this.http.get<SignInOptionsView>(SIGN_IN_OPTIONS_URL);
  }

  /** Keeps the session a sign-in through the identity provider just opened (the API hands it over once). */
  pickUpProviderSession(): Observable<LoginView> {
    return this.http.post<LoginView>(PROVIDER_SESSION_URL, null).pipe(tap((view) => this.store(view)));
  }

  /**
   * Finds a session the browser already holds in its session cookie (another tab's sign-in, or a
   * reload): true when the API knows the caller. The cookie itself is never readable here.
   */
  resume(): Observable<boolean> {
    if (this.isAuthenticated()) return of(true);
    const context = new HttpContext().set(QUIET_UNAUTHORIZED, true);
    return this.http.get<PrincipalView>(ME_URL, { context }).pipe(
      map((me) => {
        if (me.kind === 'client') return false;
        this.cookieSession.set({ role: me.role, ...(me.kind === 'user' ? { username: me.name } : {}) });
        return true;
      }),
      catchError(() => of(false)),
    );
  }

  /** Whether the current session's role reaches `required`. */
  allows(required: UserRole): boolean {
    const role = this.role();
    return role !== null && roleAllows(role, required);
  }

  /** Ends the session on the server too (so its token is refused from then on), then forgets it here. */
  signOut(): void {
    if (this.isAuthenticated()) {
      // Sent before the token is forgotten, so the interceptor still signs it; a failure changes nothing here.
      this.http.post<void>(LOGOUT_URL, null).subscribe({ error: () => undefined });
    }
    this.logout();
  }

  /** Forgets the session token (the server clears its cookie at logout, or has ended the session). */
  logout(): void {
    this.session.set(null);
    this.cookieSession.set(null);
    this.storage?.removeItem(TOKEN_STORAGE_KEY);
  }

  /** True while a token is held and its expiry has not passed, or the session cookie was found to stand. */
  isAuthenticated(): boolean {
    return this.token() !== null || this.cookieSession() !== null;
  }

  /** The bearer token, or null when there is none or it has expired (an expired one is dropped). */
  token(): string | null {
    const session = this.session();
    if (!session) return null;
    if (!this.isUnexpired(session.expiresAt)) {
      this.logout();
      return null;
    }
    return session.token;
  }

  private store(view: LoginView): void {
    this.cookieSession.set(null);
    const session: StoredSession = { token: view.token, expiresAt: view.expiresAt, role: view.role, username: view.username };
    this.session.set(session);
    try {
      this.storage?.setItem(TOKEN_STORAGE_KEY, JSON.stringify(session));
    } catch {
      // Quota or privacy mode: the session still works until the tab reloads.
    }
  }

  private isUnexpired(expiresAt: string): boolean {
    const expiry = Date.parse(expiresAt);
    return Number.isFinite(expiry) && expiry > this.now();
  }

  private readStoredSession(): StoredSession | null {
    const raw = this.storage?.getItem(TOKEN_STORAGE_KEY);
    if (!raw) return null;
    try {
      const parsed: unknown = JSON.parse(raw);
      if (isStoredSession(parsed) && this.isUnexpired(parsed.expiresAt)) {
        return parsed;
      }
    } catch {
      // Not ours or corrupted: fall through and drop it.
    }
    this.storage?.removeItem(TOKEN_STORAGE_KEY);
    return null;
  }
}

function isStoredSession(value: unknown): value is StoredSession {
  if (value === null || typeof value !== 'object') return false;
  const candidate = value as Record<string, unknown>;
  return typeof candidate['token'] === 'string' && candidate['token'].length > 0 && typeof candidate['expiresAt'] === 'string';
}
