import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';

/** What a UI session token says. */
export interface SessionClaims {
  /** `admin` for the key holder, the user's id for a named user. */
  sub: string;
  kind: 'session' | 'user';
  /** One id per login (the session's row): MCP sessions opened with this token belong to it alone. */
  jti: string;
}

/**
 * UI session tokens: HS256 JWTs signed with JWT_SECRET that name a session row. Signed at login
 * (AuthService), read at each check (CredentialRegistry); the row, not the token, says whether the
 * session still stands.
 */
@Injectable()
export class SessionTokens {
  constructor(private readonly jwt: JwtService) {}

  sign(claims: SessionClaims, ttlSeconds: number): string {
    return this.jwt.sign(claims satisfies SessionClaims, { algorithm: 'HS256', expiresIn: ttlSeconds });
  }

  /** The claims of a well-signed, unexpired session token, with its expiry (ms since the epoch, always set by `sign`); null for anything else. */
  read(credential: string): (SessionClaims & { expiresAt?: number }) | null {
    if (credential.split('.').length !== 3) return null;
    try {
      const claims = this.jwt.verify<SessionClaims & { exp?: number }>(credential, { algorithms: ['HS256'] });
      if (!claims.jti) return null;
      const expiresAt = typeof claims.exp === 'number' ? claims.exp * 1000 : undefined;
      return { sub: claims.sub, kind: claims.kind, jti: claims.jti, ...(expiresAt === undefined ? {} : { expiresAt }) };
    } catch {
      return null;
    }
  }
}
