import { Injectable, NotFoundException } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { InjectRepository } from '@nestjs/typeorm';
import type { OAuthGrantView } from '@mcp-proxy/shared/dto';
import { randomUUID } from 'node:crypto';
import { In, IsNull, Repository } from 'typeorm';
import { hashToken, newToken } from '../core/auth/token-hash';
import { AuditService } from '../audit/audit.service';
import { AUTH_EVENTS } from '../core/auth/auth-events';
import type { CredentialVerifier, Verified } from '../core/auth/principal';
import { AppConfig } from '../core/config/app-config';
import { peekHeader, signJwt, verifyJwt } from './jwt-es256';
import { OAuthError } from './oauth-error';
import { OAuthClientEntity, OAuthGrantEntity, OAuthRefreshTokenEntity } from './oauth.entities';
import { SigningKeysService } from './signing-keys.service';

const ACCESS_TOKEN_TYPE = 'at+jwt';
const REFRESH_TOKEN_PREFIX = 'mcpr_';

/** RFC 6749 §5.1 token response. */
export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_token: string;
  scope?: string;
}

/**
 * Access tokens (short-lived ES256 JWTs, RFC 9068 shape, audience = the resource) and refresh tokens
 * (opaque, hashed, rotated on every use) of OAuth grants; checks presented access tokens for the data plane
 * (one of the verifiers of core/auth/credential-registry.ts). A check reads the grant; revoking it is
 * announced (AUTH_EVENTS.changed) and awaited, so no instance keeps a verified copy of its tokens.
 */
@Injectable()
export class OAuthTokensService implements CredentialVerifier {
  private readonly clientLabels = new Map<string, string>();

  constructor(
    @InjectRepository(OAuthGrantEntity) private readonly grants: Repository<OAuthGrantEntity>,
    @InjectRepository(OAuthRefreshTokenEntity) private readonly refreshTokens: Repository<OAuthRefreshTokenEntity>,
    @InjectRepository(OAuthClientEntity) private readonly clients: Repository<OAuthClientEntity>,
    private readonly keys: SigningKeysService,
    private readonly config: AppConfig,
    private readonly audit: AuditService,
    private readonly events: EventEmitter2,
  ) {}

  /** A fresh pair for a grant: after a code exchange, or a refresh. */
  async issue(grant: OAuthGrantEntity, issuer: string, now = new Date()): Promise<TokenResponse> {
    const ttlSec = this.config.get('OAUTH_ACCESS_TOKEN_TTL_SEC');
    const key = await this.keys.signingKey(now);
    const issuedAt = Math.floor(now.getTime() / 1000);
    const accessToken = signJwt(
      { alg: 'ES256', typ: ACCESS_TOKEN_TYPE, kid: key.kid },
      {
        iss: issuer,
        sub: grant.id,
        aud: grant.resource,
        client_id: grant.clientId,
        iat: issuedAt,
        exp: issuedAt + ttlSec,
        jti: randomUUID(),
        ...(grant.scope ? { scope: grant.scope } : {}),
      },
      key.privateKey,
    );
    const refreshToken = newToken(REFRESH_TOKEN_PREFIX);
    const refreshTtlMs = this.config.get('OAUTH_REFRESH_TOKEN_TTL_DAYS') * 24 * 60 * 60 * 1000;
    await this.refreshTokens.save(
      this.refreshTokens.create({
        tokenHash: hashToken(refreshToken),
        grantId: grant.id,
        expiresAt: new Date(now.getTime() + refreshTtlMs),
        rotatedAt: null,
      }),
    );
    return {
      access_token: accessToken,
      token_type: 'Bearer',
      expires_in: ttlSec,
      refresh_token: refreshToken,
      ...(grant.scope ? { scope: grant.scope } : {}),
    };
  }

  /**
   * refresh_token grant with rotation (OAuth 2.1 §4.3.1): the old token is spent; presenting a
   * spent one means it was copied, so the whole grant (every token of that family) is revoked.
   */
  async refresh(refreshToken: string, clientId: string | null, resource: string | null, issuer: string): Promise<TokenResponse> {
    const stored = await this.refreshTokens.findOne({ where: { tokenHash: hashToken(refreshToken) } });
    const grant = stored ? await this.grants.findOne({ where: { id: stored.grantId } }) : null;
    if (!stored || !grant || grant.revokedAt) throw new OAuthError('invalid_grant', 'The refresh token is not valid');
    if (grant.clientId !== clientId) throw new OAuthError('invalid_grant', 'The refresh token was issued to another client');
    if (resource !== null && resource !== grant.resource)
      throw new OAuthError('invalid_target', 'The refresh token was issued for another resource');
    // Conditional update: of two instances racing on the same token, one wins and the other sees reuse.
    const spent = stored.rotatedAt
      ? { affected: 0 }
      : await this.refreshTokens.update({ id: stored.id, rotatedAt: IsNull() }, { rotatedAt: new Date() });
    if (!spent.affected) {
      await this.revokeGrant(grant, 'refresh token reused after rotation');
      throw new OAuthError('invalid_grant', 'The refresh token was already used; the grant is revoked');
    }
    if (stored.expiresAt.getTime() <= Date.now()) throw new OAuthError('invalid_grant', 'The refresh token has expired');
    return this.issue(grant, issuer);
  }

  /** RFC 7009: a refresh token or an access token ends its grant. Unknown tokens are not an error. */
  async revokeToken(token: string, clientId: string | null): Promise<void> {
    const grant = await this.grantOfToken(token);
    if (!grant || grant.revokedAt) return;
    if (clientId !== null && grant.clientId !== clientId) return;
    await this.revokeGrant(grant, 'revoked by the client');
  }

  async revokeGrantById(id: string, actor: string): Promise<OAuthGrantView> {
    const grant = await this.grants.findOne({ where: { id } });
    if (!grant) throw new NotFoundException(`OAuth grant ${id} not found`);
    if (!grant.revokedAt) await this.revokeGrant(grant, `revoked by ${actor}`);
    return (await this.views([grant]))[0];
  }

  async revokeGrant(grant: OAuthGrantEntity, reason: string): Promise<void> {
    grant.revokedAt = new Date();
    await this.grants.update({ id: grant.id }, { revokedAt: grant.revokedAt });
    await this.events.emitAsync(AUTH_EVENTS.changed);
    void this.audit.record({
      action: 'oauth.grant.revoke',
      outcome: 'ok',
      actor: { id: grant.clientId, kind: 'oauth-client' },
      target: grant.id,
      detail: { resource: grant.resource, reason },
    });
  }

  async listGrants(): Promise<OAuthGrantView[]> {
    return this.views(await this.grants.find({ order: { createdAt: 'DESC' } }));
  }

  /** Data-plane check of an access token: signature, type, expiry, and a grant that still stands. */
  async verify(credential: string, now = new Date()): Promise<Verified | null> {
    const found = await this.grantOfAccessToken(credential, now, true);
    if (!found || found.grant.revokedAt) return null;
    const { grant } = found;
    return {
      principal: {
        kind: 'client',
        id: `oauth:${grant.id}`,
        role: 'viewer',
        label: await this.clientLabel(grant.clientId),
        scope: { services: [grant.serviceId], ...(grant.tools ? { tools: grant.tools } : {}) },
        audience: grant.resource,
      },
      expiresAt: found.expiresAt,
    };
  }

  /** Client names never change once registered, so they may be remembered here; grants are read every time. */
  private async clientLabel(clientId: string): Promise<string> {
    let label = this.clientLabels.get(clientId);
    if (!label) {
      const client = await this.clients.findOne({ where: { id: clientId } });
      label = client ? `${client.name} (OAuth)` : `oauth client ${clientId}`;
      if (client) this.clientLabels.set(clientId, label);
    }
    return label;
  }

  private async grantOfToken(token: string): Promise<OAuthGrantEntity | null> {
    if (token.startsWith(REFRESH_TOKEN_PREFIX)) {
      const stored = await this.refreshTokens.findOne({ where: { tokenHash: hashToken(token) } });
      return stored ? this.grants.findOne({ where: { id: stored.grantId } }) : null;
    }
    return (await this.grantOfAccessToken(token, new Date(), false))?.grant ?? null;
  }

  /** The grant of a well-signed access token, with the token's expiry (ms since the epoch). */
  private async grantOfAccessToken(
    token: string,
    now: Date,
    checkExpiry: boolean,
  ): Promise<{ grant: OAuthGrantEntity; expiresAt: number } | null> {
    const header = peekHeader(token);
    if (header?.alg !== 'ES256' || header.typ !== ACCESS_TOKEN_TYPE || typeof header.kid !== 'string') return null;
    const key = await this.keys.verificationKey(header.kid, now);
    const claims = key ? verifyJwt(token, key) : null;
    if (!claims || typeof claims['sub'] !== 'string' || typeof claims['exp'] !== 'number') return null;
    if (checkExpiry && claims['exp'] * 1000 <= now.getTime()) return null;
    const grant = await this.grants.findOne({ where: { id: claims['sub'] } });
    // The audience in the token must still be the grant's: a token cannot be re-aimed.
    return grant && grant.resource === claims['aud'] ? { grant, expiresAt: claims['exp'] * 1000 } : null;
  }

  private async views(grants: OAuthGrantEntity[]): Promise<OAuthGrantView[]> {
    const ids = [...new Set(grants.map((grant) => grant.clientId))];
    const clients = ids.length ? await this.clients.find({ where: { id: In(ids) } }) : [];
    const names = new Map(clients.map((client) => [client.id, client.name]));
    return grants.map((grant) => ({
      id: grant.id,
      clientId: grant.clientId,
      clientName: names.get(grant.clientId) ?? grant.clientId,
      serviceId: grant.serviceId,
      resource: grant.resource,
      tools: grant.tools,
      createdAt: grant.createdAt.toISOString(),
      revokedAt: grant.revokedAt?.toISOString() ?? null,
    }));
  }
}
