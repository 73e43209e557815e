import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { LoginView } from '@mcp-proxy/shared/dto';
import { RuntimeSettings } from '../config/runtime-settings';
import { APP_SECRETS, AppSecrets } from '../config/secrets';
import { CredentialVerifier, Principal, UserDirectory } from './principal';
import { ADMIN_SUBJECT, SessionOrigin, UiSessionsService } from './ui-sessions.service';

interface SessionClaims {
  /** `admin` for the key holder, the user's id for a named user. */
  sub: string;
  kind: 'session' | 'user';
  /** One id per login (the session's row): MCP sessions opened with this token belong to it alone. */
  jti: string;
}

/** Turns a credential into a principal. Shared by the REST guard and the MCP data plane. */
@Injectable()
export class AuthService {
  private readonly apiKeyDigest: Buffer;
  private readonly verifiers: CredentialVerifier[] = [];
  private users: UserDirectory | null = null;

  constructor(
    @Inject(APP_SECRETS) secrets: AppSecrets,
    private readonly jwt: JwtService,
    private readonly settings: RuntimeSettings,
    private readonly sessions: UiSessionsService,
  ) {
    this.apiKeyDigest = digest(secrets.apiKey);
  }

  /** Constant-time: both sides are hashed to equal length before comparing. */
  isApiKey(candidate: string): boolean {
    return timingSafeEqual(digest(candidate), this.apiKeyDigest);
  }

  /** Registered by feature modules at start-up; tried in order after the API key and UI sessions. */
  addVerifier(verifier: CredentialVerifier): void {
    this.verifiers.push(verifier);
  }

  /** Set by the users module at start-up: password logins and user sessions go through it. */
  useUserDirectory(directory: UserDirectory): void {
    this.users = directory;
  }

  async verify(credential: string | undefined): Promise<Principal | null> {
    if (!credential) return null;
    if (this.isApiKey(credential)) return { kind: 'admin', id: 'admin', role: 'admin' };
    const claims = this.sessionClaims(credential);
    if (claims) return this.sessionPrincipal(claims);
    for (const verifier of this.verifiers) {
      const principal = await verifier.verify(credential);
      if (principal) return principal;
    }
    return null;
  }

  /**
   * A signed session token is honoured while its row stands (not ended by logout, an admin, a
   * password or role change, nor opened with another API key); a user's role and limits are read now.
   */
  private async sessionPrincipal(claims: SessionClaims): Promise<Principal | null> {
    const subject = claims.kind === 'session' ? ADMIN_SUBJECT : claims.sub;
    if (!(await this.sessions.isOpen(claims.jti, subject))) return null;
    if (claims.kind === 'session') return { kind: 'session', id: `session:${claims.jti}`, role: 'admin', sessionId: claims.jti };
    const principal = this.users ? await this.users.principalFor(claims.sub) : null;
    return principal ? { ...principal, sessionId: claims.jti } : null;
  }

  private sessionClaims(credential: string): SessionClaims | null {
    if (credential.split('.').length !== 3) return null;
    try {
      const claims = this.jwt.verify<SessionClaims>(credential, { algorithms: ['HS256'] });
      return claims.jti ? claims : null;
    } catch {
      return null;
    }
  }

  /** A UI session token for the holder of the API key, or null when the key is wrong. */
  async login(apiKey: string, origin: SessionOrigin): Promise<LoginView | null> {
    if (!this.isApiKey(apiKey)) return null;
    return this.issue('session', ADMIN_SUBJECT, origin, { role: 'admin' });
  }

  /** A UI session token for a named user, or null when the name or password is wrong (or no users exist). */
  async loginWithPassword(username: string, password: string, origin: SessionOrigin): Promise<LoginView | null> {
    const user = this.users ? await this.users.authenticate(username, password) : null;
    if (!user) return null;
    return this.issue('user', user.userId, origin, { role: user.role, username: user.username });
  }

  /** Ends the session a credential belongs to (logout); false when it is not a session token. */
  async logout(principal: Principal): Promise<boolean> {
    return principal.sessionId ? this.sessions.end(principal.sessionId) : false;
  }

  private async issue(
    kind: SessionClaims['kind'],
    subject: string,
    origin: SessionOrigin,
    who: Pick<LoginView, 'role' | 'username'>,
  ): Promise<LoginView> {
    const ttlSeconds = this.settings.get('SESSION_TTL_MINUTES') * 60;
    const expiresAt = new Date(Date.now() + ttlSeconds * 1000);
    const jti = await this.sessions.open(subject, origin, expiresAt);
    const token = this.jwt.sign({ sub: subject, kind, jti } satisfies SessionClaims, { algorithm: 'HS256', expiresIn: ttlSeconds });
    return { token, expiresAt: expiresAt.toISOString(), ...who };
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
