import { Inject, Injectable, Logger } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppConfig } from '../core/config/app-config';
import { ClientOrigin } from '../core/http/client-origin';
import { BodyTooLargeError, readBody } from '../core/http/bounded-body';
import { sendJson } from '../core/http/http-io';
import { RawRoute } from '../core/http/raw-routes';
import { RateLimiter } from '../proxy/limits/rate-limiter';
import { AuthorizationsService, AuthorizeParams } from './authorizations.service';
import { OAuthClientsService } from './oauth-clients.service';
import { OAuthError } from './oauth-error';
import { OAuthTokensService } from './oauth-tokens.service';
import { OAuthUrls } from './oauth-urls';
import { SigningKeysService } from './signing-keys.service';

export const AUTHORIZATION_SERVER_METADATA_PATH = '/.well-known/oauth-authorization-server';
export const PROTECTED_RESOURCE_METADATA_PATH = '/.well-known/oauth-protected-resource';
export const OAUTH_PATH = '/oauth';
/** A RateLimiter of its own (in this process) for the anonymous OAuth endpoints. */
export const OAUTH_RATE_LIMITER = Symbol('OAUTH_RATE_LIMITER');

const BODY_LIMIT = 64 * 1024;
/** Nothing here carries cookies, so any origin may call it (browser-based MCP clients do). */
const PUBLIC_HEADERS = { 'access-control-allow-origin': '*', 'cache-control': 'no-store' };
const SCOPES = ['mcp'];

/**
 * The public side of the authorization server and the protected-resource metadata: plain handlers
 * in front of Express (no session, no API key), one per endpoint.
 */
@Injectable()
export class OAuthHttpHandler {
  private readonly logger = new Logger('OAuth');

  constructor(
    private readonly urls: OAuthUrls,
    private readonly clients: OAuthClientsService,
    private readonly authorizations: AuthorizationsService,
    private readonly tokens: OAuthTokensService,
    private readonly keys: SigningKeysService,
    private readonly config: AppConfig,
    @Inject(OAUTH_RATE_LIMITER) private readonly limiter: RateLimiter,
    private readonly client: ClientOrigin,
  ) {}

  /** Anonymous by design (RFC 8414, RFC 9728, RFC 6749): in front of Express, with rate limits of its own. */
  @RawRoute([AUTHORIZATION_SERVER_METADATA_PATH, PROTECTED_RESOURCE_METADATA_PATH, OAUTH_PATH])
  handle(request: IncomingMessage, response: ServerResponse): void {
    this.route(request, response).catch((error: unknown) => {
      if (error instanceof OAuthError)
        return sendJson(response, error.status, { error: error.error, error_description: error.description }, PUBLIC_HEADERS);
      if (error instanceof BodyTooLargeError)
        return sendJson(response, 413, { error: 'invalid_request', error_description: 'Body too large' }, PUBLIC_HEADERS);
      this.logger.error({ err: error, path: request.url?.split('?')[0] }, 'OAuth request failed');
      sendJson(response, 500, { error: 'server_error', error_description: 'Internal error' }, PUBLIC_HEADERS);
    });
  }

  private async route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://placeholder');
    const method = request.method ?? 'GET';
    if (method === 'OPTIONS') return this.preflight(response);
    const issuer = this.urls.issuer(request);
    if (!issuer) throw new OAuthError('invalid_request', 'Unknown Host: set PUBLIC_URL (or DOMAIN / ALLOWED_HOSTS)', 400);
    const path = url.pathname;

    if (path === AUTHORIZATION_SERVER_METADATA_PATH && method === 'GET')
      return sendJson(response, 200, serverMetadata(issuer, await this.clients.registrationOpen()), PUBLIC_HEADERS);
    if (path.startsWith(`${PROTECTED_RESOURCE_METADATA_PATH}/`) && method === 'GET')
      return this.resourceMetadata(response, issuer, path.slice(PROTECTED_RESOURCE_METADATA_PATH.length));
    if (path === `${OAUTH_PATH}/jwks` && method === 'GET') return sendJson(response, 200, await this.keys.jwks(), PUBLIC_HEADERS);
    if (path === `${OAUTH_PATH}/authorize` && method === 'GET') {
      if (await this.limited('authorize', request, response)) return;
      return this.authorize(response, issuer, url.searchParams);
    }
    if (path === `${OAUTH_PATH}/register` && method === 'POST') {
      if (await this.limited('register', request, response)) return;
      if (!(await this.clients.registrationOpen())) {
        throw new OAuthError(
          'access_denied',
          'Dynamic client registration is off here (OAUTH_DYNAMIC_REGISTRATION; with auto it opens once a service uses proxy.auth oauth)',
          403,
        );
      }
      return sendJson(response, 201, await this.clients.register(await readJson(request)), PUBLIC_HEADERS);
    }
    if (path === `${OAUTH_PATH}/token` && method === 'POST') return this.token(request, response, issuer);
    if (path === `${OAUTH_PATH}/revoke` && method === 'POST') return this.revoke(request, response);
    sendJson(response, 404, { error: 'not_found', error_description: `No OAuth endpoint at ${method} ${path}` }, PUBLIC_HEADERS);
  }

  /**
   * Anonymous endpoints that write or fetch (registration, authorize) have a budget per client
   * address and minute; past it: 429 with Retry-After, and the request is not looked at.
   */
  private async limited(endpoint: string, request: IncomingMessage, response: ServerResponse): Promise<boolean> {
    const limit = this.config.get('OAUTH_RATE_LIMIT');
    const decision = await this.limiter.take(`oauth-${endpoint}`, this.client.address(request), limit);
    if (decision.allowed) return false;
    sendJson(
      response,
      429,
      {
        error: 'too_many_requests',
        error_description: `More than ${limit} ${endpoint} requests a minute from this address; retry in ${decision.retryAfterSec} s`,
      },
      { ...PUBLIC_HEADERS, 'retry-after': String(decision.retryAfterSec) },
    );
    return true;
  }

  /** RFC 9728, for `oauth` services only: an `apiKey` service publishes nothing (clients would switch to OAuth). */
  private async resourceMetadata(response: ServerResponse, issuer: string, resourcePath: string): Promise<void> {
    const service = await this.urls.serviceForPath(resourcePath);
    if (!service)
      return sendJson(
        response,
        404,
        { error: 'not_found', error_description: 'No OAuth-protected MCP server at this path' },
        PUBLIC_HEADERS,
      );
    sendJson(
      response,
      200,
      {
        resource: `${issuer}${resourcePath}`,
        authorization_servers: [issuer],
        bearer_methods_supported: ['header'],
        scopes_supported: SCOPES,
        resource_name: service.name,
      },
      PUBLIC_HEADERS,
    );
  }

  private async authorize(response: ServerResponse, issuer: string, query: URLSearchParams): Promise<void> {
    const names = [
      'response_type',
      'client_id',
      'redirect_uri',
      'code_challenge',
      'code_challenge_method',
      'state',
      'resource',
      'scope',
    ] as const;
    for (const name of names) {
      if (query.getAll(name).length > 1) throw new OAuthError('invalid_request', `${name} given more than once`);
    }
    const params = Object.fromEntries(names.map((name) => [name, query.get(name)])) as AuthorizeParams;
    const outcome = await this.authorizations.start(params, issuer);
    const location = outcome.kind === 'consent' ? `${issuer}/consent/${outcome.id}` : outcome.location;
    response.writeHead(302, { location, 'cache-control': 'no-store' });
    response.end();
  }

  private async token(request: IncomingMessage, response: ServerResponse, issuer: string): Promise<void> {
    const form = await readForm(request);
    rejectClientSecret(request, form);
    const grantType = form.get('grant_type');
    // A metadata document client sends its URL; what it was issued carries the id stored for it.
    const field = (name: string): string | null => (name === 'client_id' ? this.clients.storedId(form.get(name)) : form.get(name));
    let answer;
    if (grantType === 'authorization_code') {
      answer = await this.authorizations.exchange({
        code: field('code'),
        client_id: field('client_id'),
        redirect_uri: field('redirect_uri'),
        code_verifier: field('code_verifier'),
        resource: field('resource'),
      });
    } else if (grantType === 'refresh_token') {
      const refreshToken = field('refresh_token');
      if (!refreshToken) throw new OAuthError('invalid_request', 'refresh_token is required');
      answer = await this.tokens.refresh(refreshToken, field('client_id'), field('resource'), issuer);
    } else {
      throw new OAuthError('unsupported_grant_type', 'grant_type must be authorization_code or refresh_token');
    }
    sendJson(response, 200, answer, { ...PUBLIC_HEADERS, pragma: 'no-cache' });
  }

  private async revoke(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const form = await readForm(request);
    const token = form.get('token');
    if (!token) throw new OAuthError('invalid_request', 'token is required');
    await this.tokens.revokeToken(token, this.clients.storedId(form.get('client_id')));
    sendJson(response, 200, {}, PUBLIC_HEADERS);
  }

  private preflight(response: ServerResponse): void {
    response.writeHead(204, {
      'access-control-allow-origin': '*',
      'access-control-allow-methods': 'GET, POST, OPTIONS',
      'access-control-allow-headers': 'content-type, authorization, mcp-protocol-version',
      'access-control-max-age': '600',
    });
    response.end();
  }
}

/** RFC 8414 metadata of our authorization server; no registration_endpoint while registration is off. */
function serverMetadata(issuer: string, registration: boolean): Record<string, unknown> {
  return {
    issuer,
    authorization_endpoint: `${issuer}${OAUTH_PATH}/authorize`,
    token_endpoint: `${issuer}${OAUTH_PATH}/token`,
    ...(registration ? { registration_endpoint: `${issuer}${OAUTH_PATH}/register` } : {}),
    revocation_endpoint: `${issuer}${OAUTH_PATH}/revoke`,
    jwks_uri: `${issuer}${OAUTH_PATH}/jwks`,
    scopes_supported: SCOPES,
    response_types_supported: ['code'],
    grant_types_supported: ['authorization_code', 'refresh_token'],
    code_challenge_methods_supported: ['S256'],
    token_endpoint_auth_methods_supported: ['none'],
    revocation_endpoint_auth_methods_supported: ['none'],
    authorization_response_iss_parameter_supported: true,
    client_id_metadata_document_supported: true,
  };
}

/** Public clients only: a client that authenticates is misconfigured, and told so. */
function rejectClientSecret(request: IncomingMessage, form: URLSearchParams): void {
  if (request.headers.authorization || form.has('client_secret')) {
    throw new OAuthError('invalid_client', 'Clients here are public (token_endpoint_auth_method "none"): send client_id, no secret', 401);
  }
}

async function readForm(request: IncomingMessage): Promise<URLSearchParams> {
  if (!(request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
    throw new OAuthError('invalid_request', 'Content-Type must be application/x-www-form-urlencoded');
  }
  const form = new URLSearchParams((await readBody(request, BODY_LIMIT)).toString('utf8'));
  for (const name of new Set(form.keys())) {
    if (form.getAll(name).length > 1) throw new OAuthError('invalid_request', `${name} given more than once`);
  }
  return form;
}

async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  if (!(request.headers['content-type'] ?? '').startsWith('application/json'))
    throw new OAuthError('invalid_client_metadata', 'Content-Type must be application/json');
  try {
    const value: unknown = JSON.parse((await readBody(request, BODY_LIMIT)).toString('utf8'));
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch (error) {
    if (error instanceof BodyTooLargeError) throw error;
  }
  throw new OAuthError('invalid_client_metadata', 'The body must be a JSON object');
}
