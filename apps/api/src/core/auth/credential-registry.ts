import { Inject, Injectable } from '@nestjs/common';
import { ApiKey } from './api-key';
import { CredentialCache } from './credential-cache';
import type { CredentialVerifier, Principal, UserDirectory, Verified } from './principal';
import { SessionTokens } from './session-tokens';
import { hashToken } from './token-hash';
import { ADMIN_SUBJECT, UiSessionsService } from './ui-sessions.service';

/**
 * The one credential check: every credential the proxy accepts, who verifies it, and in what order.
 * A request carries at most one credential (`X-API-Key`, else `Authorization: Bearer`, see
 * credentials.ts; the MCP endpoints and `/ws` also take `?token=`). It is tried against, in order:
 *
 *  1. The API key (`API_KEY`) → `admin`. ApiKey (api-key.ts), a constant-time compare in memory.
 *  2. A UI session token (HS256 JWT from POST /api/auth/login, see auth.service.ts) → `session`
 *     (signed in with the API key) or `user` (a named user). Here: the signature (session-tokens.ts),
 *     the session's row (ui-sessions.service.ts: not ended, not expired, opened with this API key),
 *     then for a user UsersService.principalFor (users/) for the role and service limits.
 *  3. A client token (`mcpt_…`) → `client`, limited to services, tools and a rate.
 *     ClientTokensService.verify (client-tokens/): its SHA-256 among the tokens not revoked.
 *  4. An OAuth access token (ES256 JWT, `typ: at+jwt`) → `client` for the one service and resource
 *     of its grant. OAuthTokensService.verify (oauth/): signature with a signing key, expiry, and a
 *     grant that is not revoked.
 *
 * Kinds do not overlap (prefix, algorithm and type tell them apart), so the order only spares work.
 * Who may then do what is not decided here: the REST guard (auth.guard.ts, roles.guard.ts) keeps
 * `client` principals off the management API, the MCP gate (proxy/mcp-http.handler.ts with
 * proxy/scope/tool-scope.ts) checks audience, services and tools, the live gateway (live/) takes
 * management principals only. All three count failures through FailedAuthLimiter, and hand what
 * long streams hold to CredentialWatch, which re-checks it every few seconds with `verifyNow`.
 *
 * Answers of 2–4 are kept in a CredentialCache (never the API key, never a refusal) until the TTL,
 * the credential's expiry, or news of a change (AUTH_EVENTS.changed here, Redis from other
 * instances: credential-news.ts), whichever comes first. Off on PostgreSQL without Redis.
 *
 * The verifiers of 2–4 that live in feature modules reach the core as CREDENTIAL_VERIFIERS, provided
 * by CredentialVerifiersModule (src/credential-verifiers.module.ts), which imports those modules:
 * the core imports no feature.
 */
export const CREDENTIAL_VERIFIERS = Symbol('CREDENTIAL_VERIFIERS');

/** What CREDENTIAL_VERIFIERS provides: the feature modules' parts of the list above. */
export interface CredentialVerifiers {
  /** For 2: named users (UsersService). */
  users: UserDirectory;
  /** 3 (ClientTokensService). */
  clientTokens: CredentialVerifier;
  /** 4 (OAuthTokensService). */
  oauthAccessTokens: CredentialVerifier;
}

@Injectable()
export class CredentialRegistry {
  constructor(
    private readonly apiKey: ApiKey,
    private readonly sessionTokens: SessionTokens,
    private readonly sessions: UiSessionsService,
    @Inject(CREDENTIAL_VERIFIERS) private readonly verifiers: CredentialVerifiers,
    private readonly cache: CredentialCache,
  ) {}

  /** Who the credential stands for, or null; what a request uses. */
  async verify(credential: string | undefined): Promise<Principal | null> {
    if (!credential) return null;
    if (this.apiKey.matches(credential)) return ApiKey.holder();
    const key = hashToken(credential);
    return this.cache.get(key) ?? this.lookUp(credential, key);
  }

  /** The same past the cache, whose entry it replaces: for re-checks that must see a change however it was made. */
  async verifyNow(credential: string): Promise<Principal | null> {
    if (this.apiKey.matches(credential)) return ApiKey.holder();
    return this.lookUp(credential, hashToken(credential));
  }

  private async lookUp(credential: string, key: string): Promise<Principal | null> {
    const ticket = this.cache.ticket();
    const verified = await this.firstToKnow(credential);
    if (!verified) {
      this.cache.delete(key);
      return null;
    }
    this.cache.set(key, verified.principal, ticket, verified.expiresAt);
    return verified.principal;
  }

  /** 2, 3, 4 of the list above. */
  private async firstToKnow(credential: string): Promise<Verified | null> {
    return (
      (await this.session(credential)) ??
      (await this.verifiers.clientTokens.verify(credential)) ??
      (await this.verifiers.oauthAccessTokens.verify(credential))
    );
  }

  /** 2: a session token is honoured while its row stands; a user's role and limits are read with it. */
  private async session(credential: string): Promise<Verified | null> {
    const claims = this.sessionTokens.read(credential);
    if (!claims) return null;
    const subject = claims.kind === 'session' ? ADMIN_SUBJECT : claims.sub;
    if (!(await this.sessions.isOpen(claims.jti, subject))) return null;
    const expiry = claims.expiresAt === undefined ? {} : { expiresAt: claims.expiresAt };
    if (claims.kind === 'session') {
      return { principal: { kind: 'session', id: `session:${claims.jti}`, role: 'admin', sessionId: claims.jti }, ...expiry };
    }
    const principal = await this.verifiers.users.principalFor(claims.sub);
    return principal ? { principal: { ...principal, sessionId: claims.jti }, ...expiry } : null;
  }
}
