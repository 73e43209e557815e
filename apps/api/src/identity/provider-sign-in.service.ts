import { Injectable, Logger } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type { LoginView } from '@mcp-proxy/shared/dto';
import type { Request } from 'express';
import { AUTH_EVENTS, AuthLogin } from '../core/auth/auth-events';
import { AuthService } from '../core/auth/auth.service';
import { AuthBucket, FailedAuthLimiter } from '../core/auth/failed-auth-limiter';
import { AppConfig } from '../core/config/app-config';
import { ClientOrigin } from '../core/http/client-origin';
import { PublicOrigin } from '../core/http/public-origin';
import { IdentityUsersService } from '../users/identity-users.service';
import { roleFor, servicesFrom, suggestedName } from './claim-mapping';
import { OidcClient, PendingChecks } from './oidc-client';

export const CALLBACK_PATH = '/api/auth/oidc/callback';

/** What the pending cookie holds. */
export interface PendingSignIn {
  checks: PendingChecks;
  /** A path of the portal to open once signed in (checked: never another origin). */
  returnUrl: string | null;
  /** Set when a signed-in user asked to link their provider account (Account page): that user's id. */
  linkUserId?: string;
}

/** Why a sign-in through the provider was refused; the portal's login page words each. */
export type SignInRefusal = 'expired' | 'failed' | 'provider-error' | 'no-role' | 'unknown-user' | 'throttled' | 'taken';

export type SignInOutcome =
  | { ok: true; session: LoginView; returnUrl: string | null; link?: false }
  | { ok: true; session?: undefined; returnUrl: string | null; link: true }
  | { ok: false; reason: SignInRefusal; returnUrl: string | null; link: boolean };

/**
 * Sign-in through the team's OpenID provider: leaving for it (start) and coming back (finish), which
 * checks the return, maps the claims to a role, finds or creates the user by issuer and subject, and
 * opens a UI session exactly like a password sign-in does.
 */
@Injectable()
export class ProviderSignInService {
  private readonly logger = new Logger('ProviderSignIn');

  constructor(
    private readonly oidc: OidcClient,
    private readonly config: AppConfig,
    private readonly client: ClientOrigin,
    private readonly users: IdentityUsersService,
    private readonly auth: AuthService,
    private readonly failures: FailedAuthLimiter,
    private readonly events: EventEmitter2,
    private readonly origin: PublicOrigin,
  ) {}

  /** Our redirect URI: PUBLIC_URL's, else the origin the browser used when it is one we serve; null otherwise. */
  redirectUri(request: Request): string | null {
    const base = this.origin.of(request);
    return base ? `${base}${CALLBACK_PATH}` : null;
  }

  /** `linkUserId`: the signed-in user who asked to link their provider account instead of signing in. */
  async start(redirectUri: string, returnUrl: string | null, linkUserId?: string): Promise<{ location: string; pending: PendingSignIn }> {
    const { url, checks } = await this.oidc.authorizationUrl(redirectUri);
    return { location: url, pending: { checks, returnUrl: safeReturnPath(returnUrl), ...(linkUserId ? { linkUserId } : {}) } };
  }

  /**
   * The provider's redirect back. A return that fails its checks is counted like a wrong password
   * (per address, AUTH_FAILURE_LIMIT); one the provider vouched for but we refuse (no role, unknown
   * user) is not a guess and is not counted.
   */
  async finish(request: Request, pending: PendingSignIn | null): Promise<SignInOutcome> {
    const address = this.client.address(request);
    const returnUrl = pending?.returnUrl ?? null;
    const link = pending?.linkUserId !== undefined;
    const reservation = this.failures.reserve([AuthBucket.providerCallback(address)]);
    if (!reservation.ok) return this.refuse(address, 'throttled', returnUrl, undefined, undefined, link);
    const query = new URL(request.originalUrl, 'http://callback').searchParams;
    if (!pending) return this.refuse(address, 'expired', returnUrl, 'no pending sign-in in this browser (or it expired)');
    if (query.has('error')) {
      reservation.attempt.release();
      return this.refuse(address, 'provider-error', returnUrl, `the provider answered ${query.get('error')}`, undefined, link);
    }
    const callbackUrl = new URL(pending.checks.redirectUri);
    callbackUrl.search = query.toString();
    const roleClaim = this.config.get('OIDC_ROLE_CLAIM');
    const servicesClaim = this.config.get('OIDC_SERVICES_CLAIM');
    let claims: Record<string, unknown>;
    try {
      claims = await this.oidc.finish(callbackUrl, pending.checks, servicesClaim ? [roleClaim, servicesClaim] : [roleClaim]);
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      this.logger.warn(`Sign-in through ${this.oidc.providerName} refused: ${why}`);
      return this.refuse(address, 'failed', returnUrl, why, undefined, link);
    }
    reservation.attempt.release();
    const subject = String(claims['sub']);
    if (pending.linkUserId) return this.link(pending.linkUserId, subject, address, returnUrl);
    const role = roleFor(claims, roleClaim, this.config.get('OIDC_ROLE_MAP'));
    if (!role) return this.refuse(address, 'no-role', returnUrl, `no OIDC_ROLE_MAP entry matches the ${roleClaim} claim`, subject);
    const user = await this.users.signIn(
      { issuer: this.oidc.issuer, subject, suggestedName: suggestedName(claims), role, services: servicesFrom(claims, servicesClaim) },
      this.config.get('OIDC_AUTO_CREATE'),
    );
    if (!user.ok)
      return this.refuse(address, 'unknown-user', returnUrl, 'no user is linked to this subject and OIDC_AUTO_CREATE is off', subject);
    const session = await this.auth.loginAsUser(user, { address, userAgent: request.get('user-agent') ?? null });
    this.report({ ok: true, method: 'oidc', address, actor: user.username, actorKind: 'user' });
    return { ok: true, session, returnUrl };
  }

  /** The provider vouched for `subject`: it becomes a way in to the user who asked (never someone else's). */
  private async link(userId: string, subject: string, address: string, returnUrl: string | null): Promise<SignInOutcome> {
    const result = await this.users.link(userId, this.oidc.issuer, subject);
    if (result.outcome !== 'linked') {
      const why = result.outcome === 'taken' ? 'this provider account is linked to another user' : 'the user is gone';
      return this.refuse(address, 'taken', returnUrl, why, subject, true);
    }
    this.report({
      ok: true,
      method: 'oidc-link',
      address,
      actor: result.username ?? userId,
      actorKind: 'user',
      reason: `linked ${subject}`,
    });
    return { ok: true, link: true, returnUrl };
  }

  private refuse(
    address: string,
    reason: SignInRefusal,
    returnUrl: string | null,
    detail?: string,
    subject?: string,
    link = false,
  ): SignInOutcome {
    const method = link ? 'oidc-link' : 'oidc';
    this.report({ ok: false, method, address, actor: subject ?? null, actorKind: 'user', reason: detail ?? reason });
    return { ok: false, reason, returnUrl, link };
  }

  private report(login: AuthLogin): void {
    this.events.emit(AUTH_EVENTS.login, login);
  }
}

/** A path of ours (`/consent/…`), never a URL of another origin (`//evil`, `/\evil`, `https://…`). */
export function safeReturnPath(value: string | null | undefined): string | null {
  if (!value || value.length > 2000 || !value.startsWith('/') || value.startsWith('//') || value.includes('\\')) return null;
  if ([...value].some((character) => character.charCodeAt(0) < 0x20)) return null;
  return value;
}
