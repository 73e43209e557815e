import { Injectable } from '@nestjs/common';
import * as oidc from 'openid-client';
import { AppConfig } from '../core/config/app-config';
import type { Claims } from './claim-mapping';

/** What a sign-in must remember between leaving for the provider and coming back (sealed in a cookie). */
export interface PendingChecks {
  state: string;
  nonce: string;
  codeVerifier: string;
  redirectUri: string;
}

/**
 * The proxy as a client of the team's OpenID provider, through `openid-client` (a certified relying party):
 * discovery, authorization code with PKCE (S256), and the ID token's checks — issuer, audience, nonce, expiry,
 * and its signature against the provider's published keys (non-repudiation checks on). Never hand-rolled.
 */
@Injectable()
export class OidcClient {
  private configuration: Promise<oidc.Configuration> | null = null;

  constructor(private readonly config: AppConfig) {}

  get enabled(): boolean {
    return this.config.get('OIDC_ISSUER') !== undefined;
  }

  /** The provider's name for the sign-in button. */
  get providerName(): string {
    const issuer = this.config.get('OIDC_ISSUER');
    return this.config.get('OIDC_PROVIDER_NAME') ?? (issuer ? new URL(issuer).host : '');
  }

  get issuer(): string {
    const issuer = this.config.get('OIDC_ISSUER');
    if (!issuer) throw new Error('OIDC_ISSUER is not set');
    return issuer;
  }

  /** Where to send the browser, and the checks to keep for its return. */
  async authorizationUrl(redirectUri: string): Promise<{ url: string; checks: PendingChecks }> {
    const configuration = await this.discovered();
    const checks: PendingChecks = {
      state: oidc.randomState(),
      nonce: oidc.randomNonce(),
      codeVerifier: oidc.randomPKCECodeVerifier(),
      redirectUri,
    };
    const url = oidc.buildAuthorizationUrl(configuration, {
      redirect_uri: redirectUri,
      scope: this.config.get('OIDC_SCOPES'),
      response_type: 'code',
      state: checks.state,
      nonce: checks.nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(checks.codeVerifier),
      code_challenge_method: 'S256',
    });
    return { url: url.href, checks };
  }

  /**
   * The code of the provider's redirect (`callbackUrl`, our redirect URI with its query) exchanged for
   * tokens, with every check; the ID token's claims, completed by UserInfo for the claims it lacks
   * (some providers send groups only there). Throws on any mismatch.
   */
  async finish(callbackUrl: URL, checks: PendingChecks, wantedClaims: string[]): Promise<Claims> {
    const configuration = await this.discovered();
    const tokens = await oidc.authorizationCodeGrant(configuration, callbackUrl, {
      pkceCodeVerifier: checks.codeVerifier,
      expectedState: checks.state,
      expectedNonce: checks.nonce,
      idTokenExpected: true,
    });
    const idClaims = tokens.claims();
    if (!idClaims) throw new Error('the provider sent no ID token');
    const claims: Claims = { ...idClaims };
    const missing = wantedClaims.some((name) => !(name.split('.')[0] in claims));
    if (missing && configuration.serverMetadata().userinfo_endpoint) {
      // The library checks that UserInfo's subject is the ID token's.
      const userInfo = await oidc.fetchUserInfo(configuration, tokens.access_token, idClaims.sub);
      for (const [key, value] of Object.entries(userInfo)) if (!(key in claims)) claims[key] = value;
    }
    return claims;
  }

  /** Discovery once, kept; a failure is not kept, so the next sign-in tries again. */
  private discovered(): Promise<oidc.Configuration> {
    this.configuration ??= this.discover().catch((error: unknown) => {
      this.configuration = null;
      throw error;
    });
    return this.configuration;
  }

  private async discover(): Promise<oidc.Configuration> {
    const issuer = new URL(this.issuer);
    const secret = this.config.get('OIDC_CLIENT_SECRET');
    const execute = [oidc.enableNonRepudiationChecks];
    // The environment allows http:// only for a provider on a loopback address (see env.schema.ts).
    if (issuer.protocol === 'http:') execute.push(oidc.allowInsecureRequests);
    return oidc.discovery(
      issuer,
      this.config.get('OIDC_CLIENT_ID') ?? '',
      secret ? { client_secret: secret } : undefined,
      secret ? oidc.ClientSecretBasic(secret) : oidc.None(),
      { execute, timeout: 10 },
    );
  }
}
