import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import type { LoginView } from '@mcp-proxy/shared/dto';
import { AppConfig } from '../config/app-config.service';
import { APP_SECRETS, AppSecrets } from '../config/secrets';
import { CredentialVerifier, Principal, UserDirectory } from './principal';

interface SessionClaims {
  /** `admin` for the key holder, the user's id for a named user. */
  sub: string;
  kind: 'session' | 'user';
  /** One id per login: MCP sessions opened with this token belong to it alone. */
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
    private readonly config: AppConfig,
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
    const builtIn = this.verifyBuiltIn(credential);
    if (builtIn) return builtIn;
    const userId = this.userSessionOf(credential);
    if (userId) return this.users ? this.users.principalFor(userId) : null;
    for (const verifier of this.verifiers) {
      const principal = await verifier.verify(credential);
      if (principal) return principal;
    }
    return null;
  }

  /** The admin key and its UI sessions: no I/O, so the hot path stays synchronous for them. */
  private verifyBuiltIn(credential: string): Principal | null {
    if (this.isApiKey(credential)) return { kind: 'admin', id: 'admin', role: 'admin' };
    const claims = this.sessionClaims(credential);
    return claims?.kind === 'session' ? { kind: 'session', id: `session:${claims.jti}`, role: 'admin' } : null;
  }

  private userSessionOf(credential: string): string | null {
    const claims = this.sessionClaims(credential);
    return claims?.kind === 'user' ? claims.sub : null;
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
  login(apiKey: string): LoginView | null {
    if (!this.isApiKey(apiKey)) return null;
    return this.issue({ sub: 'admin', kind: 'session', jti: randomUUID() }, { role: 'admin' });
  }

  /** A UI session token for a named user, or null when the name or password is wrong (or no users exist). */
  async loginWithPassword(username: string, password: string): Promise<LoginView | null> {
    const user = this.users ? await this.users.authenticate(username, password) : null;
    if (!user) return null;
    return this.issue({ sub: user.userId, kind: 'user', jti: randomUUID() }, { role: user.role, username: user.username });
  }

  private issue(claims: SessionClaims, who: Pick<LoginView, 'role' | 'username'>): LoginView {
    const ttlSeconds = this.config.get('SESSION_TTL_MINUTES') * 60;
    const token = this.jwt.sign(claims, { algorithm: 'HS256', expiresIn: ttlSeconds });
    return { token, expiresAt: new Date(Date.now() + ttlSeconds * 1000).toISOString(), ...who };
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
