import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { ConsentDecisionView, ConsentRequestView } from '@mcp-proxy/shared/dto';
import { createHash, timingSafeEqual } from 'node:crypto';
import { IsNull, Repository } from 'typeorm';
import { hashToken, newToken } from '../core/auth/token-hash';
import { AuditService } from '../audit/audit.service';
import { userIdOf, type Principal } from '../core/auth/principal';
import { isDocumentClientId } from './client-metadata-document';
import { OAuthClientsService } from './oauth-clients.service';
import { OAuthError } from './oauth-error';
import { OAuthTokensService, TokenResponse } from './oauth-tokens.service';
import { OAuthUrls } from './oauth-urls';
import { OAuthAuthorizationEntity, OAuthGrantEntity } from './oauth.entities';

/** How long the owner has to answer the consent screen. */
const CONSENT_TTL_MS = 10 * 60 * 1000;
/** OAuth 2.1 §4.1.2: codes are short-lived. */
const CODE_TTL_MS = 60 * 1000;
const PKCE_VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;
const PKCE_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

/** The query of `/oauth/authorize`. */
export type AuthorizeParams = Record<
  'response_type' | 'client_id' | 'redirect_uri' | 'code_challenge' | 'code_challenge_method' | 'state' | 'resource' | 'scope',
  string | null
>;

/** Where the browser goes next: the consent screen, or straight back to the client with an error. */
export type AuthorizeOutcome = { kind: 'consent'; id: string } | { kind: 'redirect'; location: string };

/**
 * Authorization code flow with PKCE (S256 only): the request is checked and stored, the owner
 * answers on the admin portal's consent screen, and the code, used once, becomes a grant's tokens.
 */
@Injectable()
export class AuthorizationsService {
  constructor(
    @InjectRepository(OAuthAuthorizationEntity) private readonly authorizations: Repository<OAuthAuthorizationEntity>,
    @InjectRepository(OAuthGrantEntity) private readonly grants: Repository<OAuthGrantEntity>,
    private readonly clients: OAuthClientsService,
    private readonly tokens: OAuthTokensService,
    private readonly urls: OAuthUrls,
    private readonly audit: AuditService,
  ) {}

  /**
   * Checks an authorization request. An unknown client or a redirect URI not registered exactly is
   * answered here (never redirected: that would make us an open redirector); other errors go back
   * to the client's redirect URI, with its state.
   */
  async start(params: AuthorizeParams, issuer: string): Promise<AuthorizeOutcome> {
    // A metadata document is fetched only for a request aimed at one of our OAuth servers: no one
    // makes the proxy fetch arbitrary URLs. Answered here, since the client is not verified yet.
    if (isDocumentClientId(params.client_id) && !(params.resource && (await this.urls.serviceForResource(params.resource, issuer)))) {
      throw new OAuthError(
        'invalid_target',
        'resource (RFC 8707) must name an MCP server here that accepts OAuth before a client metadata document is fetched',
      );
    }
    const client = await this.clients.resolve(params.client_id);
    if (!client)
      throw new OAuthError('invalid_client', 'Unknown client_id: register the client first, or use a client metadata document URL');
    if (!params.redirect_uri || !client.redirectUris.includes(params.redirect_uri)) {
      throw new OAuthError('invalid_request', 'redirect_uri is missing or not one this client registered');
    }
    const back = (error: string, description: string): AuthorizeOutcome => ({
      kind: 'redirect',
      location: redirectWith(params.redirect_uri as string, { error, error_description: description, state: params.state, iss: issuer }),
    });
    if (params.response_type !== 'code') return back('unsupported_response_type', 'Only response_type=code is supported');
    if (params.code_challenge_method !== 'S256' || !params.code_challenge || !PKCE_CHALLENGE.test(params.code_challenge)) {
      return back('invalid_request', 'PKCE is required: code_challenge (43 characters) with code_challenge_method=S256');
    }
    if (!params.resource) return back('invalid_target', 'resource (RFC 8707) is required: the MCP server URL');
    const service = await this.urls.serviceForResource(params.resource, issuer);
    if (!service) return back('invalid_target', `${params.resource} is not an MCP server that accepts OAuth here`);
    const entity = this.authorizations.create({
      clientId: client.id,
      redirectUri: params.redirect_uri,
      state: params.state,
      codeChallenge: params.code_challenge,
      resource: params.resource,
      issuer,
      serviceId: service.id,
      scope: params.scope,
      status: 'pending',
      expiresAt: new Date(Date.now() + CONSENT_TTL_MS),
      codeHash: null,
      codeExpiresAt: null,
      codeUsedAt: null,
      grantId: null,
    });
    await this.authorizations.save(entity);
    return { kind: 'consent', id: entity.id };
  }

  async view(id: string): Promise<ConsentRequestView> {
    const entity = await this.find(id);
    const [client, service] = await Promise.all([this.clients.find(entity.clientId), this.urls.serviceById(entity.serviceId)]);
    return {
      id: entity.id,
      clientId: entity.clientId,
      clientName: client?.name ?? entity.clientId,
      redirectUri: entity.redirectUri,
      serviceId: entity.serviceId,
      serviceName: service?.name ?? entity.serviceId,
      resource: entity.resource,
      scope: entity.scope,
      status: entity.status,
      expiresAt: entity.expiresAt.toISOString(),
    };
  }

  /** The owner approves: a grant (with the tools chosen) and a one-time code for the client. */
  async approve(id: string, tools: string[] | undefined, actor: Principal): Promise<ConsentDecisionView> {
    const entity = await this.pending(id);
    const grant = this.grants.create({
      clientId: entity.clientId,
      serviceId: entity.serviceId,
      resource: entity.resource,
      tools: tools ?? null,
      scope: entity.scope,
      approvedBy: (actor.label ?? actor.id).slice(0, 100),
      revokedAt: null,
      ownerUserId: userIdOf(actor),
    });
    await this.grants.save(grant);
    const code = newToken('mcpc_');
    const answered = await this.authorizations.update(
      { id: entity.id, status: 'pending' },
      { status: 'approved', grantId: grant.id, codeHash: hashToken(code), codeExpiresAt: new Date(Date.now() + CODE_TTL_MS) },
    );
    if (!answered.affected) throw new OAuthError('invalid_request', 'This request was answered already', 409);
    void this.audit.record({
      action: 'oauth.grant',
      outcome: 'ok',
      actor,
      target: grant.id,
      detail: { client: entity.clientId, resource: entity.resource, tools: tools ?? 'all' },
    });
    return { redirectTo: redirectWith(entity.redirectUri, { code, state: entity.state, iss: entity.issuer }) };
  }

  async deny(id: string, actor: Principal): Promise<ConsentDecisionView> {
    const entity = await this.pending(id);
    await this.authorizations.update({ id: entity.id, status: 'pending' }, { status: 'denied' });
    void this.audit.record({
      action: 'oauth.deny',
      outcome: 'refused',
      actor,
      target: entity.id,
      detail: { client: entity.clientId, resource: entity.resource },
    });
    return {
      redirectTo: redirectWith(entity.redirectUri, {
        error: 'access_denied',
        error_description: 'The owner did not approve this client',
        state: entity.state,
        iss: entity.issuer,
      }),
    };
  }

  /**
   * authorization_code grant. The code works once: a second use revokes what the first one got
   * (OAuth 2.1 §4.1.3), since one of the two callers stole it.
   */
  async exchange(params: {
    code: string | null;
    client_id: string | null;
    redirect_uri: string | null;
    code_verifier: string | null;
    resource: string | null;
  }): Promise<TokenResponse> {
    if (!params.code) throw new OAuthError('invalid_request', 'code is required');
    const entity = await this.authorizations.findOne({ where: { codeHash: hashToken(params.code) } });
    if (!entity || entity.status !== 'approved' || !entity.grantId)
      throw new OAuthError('invalid_grant', 'The authorization code is not valid');
    const grant = await this.grants.findOne({ where: { id: entity.grantId } });
    if (!grant) throw new OAuthError('invalid_grant', 'The authorization code is not valid');
    const spent = entity.codeUsedAt
      ? { affected: 0 }
      : await this.authorizations.update({ id: entity.id, codeUsedAt: IsNull() }, { codeUsedAt: new Date() });
    if (!spent.affected) {
      if (!grant.revokedAt) await this.tokens.revokeGrant(grant, 'authorization code used twice');
      throw new OAuthError('invalid_grant', 'The authorization code was already used');
    }
    if ((entity.codeExpiresAt?.getTime() ?? 0) <= Date.now()) throw new OAuthError('invalid_grant', 'The authorization code has expired');
    if (params.client_id !== entity.clientId) throw new OAuthError('invalid_grant', 'The code was issued to another client');
    if (params.redirect_uri !== entity.redirectUri)
      throw new OAuthError('invalid_grant', 'redirect_uri does not match the authorization request');
    if (
      !params.code_verifier ||
      !PKCE_VERIFIER.test(params.code_verifier) ||
      !challengeMatches(params.code_verifier, entity.codeChallenge)
    ) {
      throw new OAuthError('invalid_grant', 'PKCE verification failed: code_verifier does not match code_challenge');
    }
    if (params.resource !== null && params.resource !== entity.resource)
      throw new OAuthError('invalid_target', 'resource differs from the authorization request');
    if (grant.revokedAt) throw new OAuthError('invalid_grant', 'The grant was revoked');
    return this.tokens.issue(grant, entity.issuer);
  }

  private async pending(id: string): Promise<OAuthAuthorizationEntity> {
    const entity = await this.find(id);
    if (entity.status !== 'pending') throw new OAuthError('invalid_request', 'This request was answered already', 409);
    if (entity.expiresAt.getTime() <= Date.now())
      throw new OAuthError('invalid_request', 'This request has expired; start again from the client', 410);
    return entity;
  }

  private async find(id: string): Promise<OAuthAuthorizationEntity> {
    const entity = /^[0-9a-f-]{36}$/i.test(id) ? await this.authorizations.findOne({ where: { id } }) : null;
    if (!entity) throw new NotFoundException(`Authorization request ${id} not found`);
    return entity;
  }
}

function challengeMatches(verifier: string, challenge: string): boolean {
  const computed = Buffer.from(createHash('sha256').update(verifier, 'ascii').digest('base64url'));
  const expected = Buffer.from(challenge);
  return computed.length === expected.length && timingSafeEqual(computed, expected);
}

/** The redirect URI with our parameters added to its own query (RFC 6749 §3.1.2: keep what it has). */
function redirectWith(redirectUri: string, params: Record<string, string | null>): string {
  const url = new URL(redirectUri);
  for (const [name, value] of Object.entries(params)) if (value !== null) url.searchParams.set(name, value);
  return url.toString();
}
