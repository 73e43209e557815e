import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import type { LoginView } from '@mcp-proxy/shared/dto';
import { RuntimeSettings } from '../config/runtime-settings.service';
import { APP_SECRETS, AppSecrets } from '../config/secrets';
import { CredentialVerifier, Principal } from './principal';

interface SessionClaims {
  sub: string;
  kind: 'session';
  /** One id per login: MCP sessions opened with this token belong to it alone. */
  jti: string;
}

/** Turns a credential into a principal. Shared by the REST guard and the MCP data plane. */
@Injectable()
export class AuthService {
  private readonly apiKeyDigest: Buffer;
  private readonly verifiers: CredentialVerifier[] = [];

  constructor(
    @Inject(APP_SECRETS) secrets: AppSecrets,
    private readonly jwt: JwtService,
    private readonly settings: RuntimeSettings,
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

  async verify(credential: string | undefined): Promise<Principal | null> {
    if (!credential) return null;
    const builtIn = this.verifyBuiltIn(credential);
    if (builtIn) return builtIn;
    for (const verifier of this.verifiers) {
      const principal = await verifier.verify(credential);
      if (principal) return principal;
    }
    return null;
  }

  /** The admin key and its UI sessions: no I/O, so the hot path stays synchronous for them. */
  private verifyBuiltIn(credential: string): Principal | null {
    if (this.isApiKey(credential)) return { kind: 'admin', id: 'admin', role: 'admin' };
    if (credential.split('.').length !== 3) return null;
    try {
      const claims = this.jwt.verify<SessionClaims>(credential, { algorithms: ['HS256'] });
      return claims.kind === 'session' && claims.jti ? { kind: 'session', id: `session:${claims.jti}`, role: 'admin' } : null;
    } catch {
      return null;
    }
  }

  /** A UI session token for the holder of the API key, or null when the key is wrong. */
  login(apiKey: string): LoginView | null {
    if (!this.isApiKey(apiKey)) return null;
    const ttlSeconds = this.settings.get('SESSION_TTL_MINUTES') * 60;
    const claims: SessionClaims = { sub: 'admin', kind: 'session', jti: randomUUID() };
    const token = this.jwt.sign(claims, { algorithm: 'HS256', expiresIn: ttlSeconds });
    return { token, expiresAt: new Date(Date.now() + ttlSeconds * 1000).toISOString() };
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
