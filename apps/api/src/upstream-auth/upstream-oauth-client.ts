import {
  discoverOAuthServerInfo,
  exchangeAuthorization,
  extractResourceMetadataUrl,
  refreshAuthorization,
  registerClient,
  startAuthorization,
} from '@modelcontextprotocol/sdk/client/auth.js';
import type { AuthorizationServerMetadata, OAuthClientInformationMixed, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';
import { decodeJwt } from 'jose';

/** A bound on every call to an upstream's authorization server, so a silent one cannot hold a request. */
const CALL_TIMEOUT_MS = 15_000;
const boundedFetch = (url: string | URL, init?: RequestInit): Promise<Response> =>
  fetch(url, { ...init, signal: AbortSignal.timeout(CALL_TIMEOUT_MS) });

/** What the MCP authorization spec's discovery found for one remote server. */
export interface UpstreamAuthServer {
  issuer: string;
  metadata: AuthorizationServerMetadata;
  /** RFC 8707 resource indicator: the server's own (protected-resource metadata), else its URL. */
  resource: string;
  /** From the protected-resource metadata, asked for when the admin set none. */
  scopesSupported: string[];
}

export type UpstreamClient = OAuthClientInformationMixed;
export type { OAuthTokens };

/**
 * The client side of the MCP authorization spec towards one remote server, with the MCP SDK's own
 * implementation (client/auth.js): protected-resource metadata from the 401's `WWW-Authenticate`
 * (RFC 9728), authorization-server metadata (RFC 8414 / OIDC discovery), dynamic registration
 * (RFC 7591), authorization code with PKCE (S256) and `resource` (RFC 8707), refresh.
 */
export async function discoverAuthServer(serverUrl: URL): Promise<UpstreamAuthServer> {
  // An unauthenticated request: the 401 names the protected-resource metadata (else the well-known URL is tried).
  const probe = await boundedFetch(serverUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'ping' }),
  }).catch(() => null);
  const resourceMetadataUrl = probe && probe.status === 401 ? extractResourceMetadataUrl(probe) : undefined;
  await probe?.body?.cancel().catch(() => undefined);
  const info = await discoverOAuthServerInfo(serverUrl, { resourceMetadataUrl, fetchFn: boundedFetch });
  if (!info.authorizationServerMetadata)
    throw new Error(`no authorization server metadata found for ${serverUrl.origin} (tried ${info.authorizationServerUrl})`);
  const declared = info.resourceMetadata?.resource;
  if (declared && new URL(declared).origin !== serverUrl.origin)
    throw new Error(`the protected-resource metadata names another origin (${new URL(declared).origin}) than ${serverUrl.origin}`);
  return {
    issuer: info.authorizationServerMetadata.issuer,
    metadata: info.authorizationServerMetadata,
    resource: declared ?? `${serverUrl.origin}${serverUrl.pathname}`,
    scopesSupported: info.resourceMetadata?.scopes_supported ?? [],
  };
}

/** Dynamic client registration: the proxy as a confidential web client with one redirect URI. */
export function registerProxyClient(server: UpstreamAuthServer, redirectUri: string): Promise<UpstreamClient> {
  if (!server.metadata.registration_endpoint)
    throw new Error(`${server.issuer} offers no dynamic registration: enter a client id (and secret) in remote.oauth`);
  return registerClient(server.issuer, {
    metadata: server.metadata,
    clientMetadata: {
      client_name: 'MCP Reverse Proxy',
      redirect_uris: [redirectUri],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
    fetchFn: boundedFetch,
  });
}

export function authorizationUrl(
  server: UpstreamAuthServer,
  client: UpstreamClient,
  redirectUri: string,
  scopes: string[],
  state: string,
): Promise<{ authorizationUrl: URL; codeVerifier: string }> {
  return startAuthorization(server.issuer, {
    metadata: server.metadata,
    clientInformation: client,
    redirectUrl: redirectUri,
    scope: scopes.length > 0 ? scopes.join(' ') : undefined,
    state,
    resource: new URL(server.resource),
  });
}

export function exchangeCode(
  server: UpstreamAuthServer,
  client: UpstreamClient,
  code: string,
  codeVerifier: string,
  redirectUri: string,
): Promise<OAuthTokens> {
  return exchangeAuthorization(server.issuer, {
    metadata: server.metadata,
    clientInformation: client,
    authorizationCode: code,
    codeVerifier,
    redirectUri,
    resource: new URL(server.resource),
    fetchFn: boundedFetch,
  });
}

export function refreshTokens(server: UpstreamAuthServer, client: UpstreamClient, refreshToken: string): Promise<OAuthTokens> {
  return refreshAuthorization(server.issuer, {
    metadata: server.metadata,
    clientInformation: client,
    refreshToken,
    resource: new URL(server.resource),
    fetchFn: boundedFetch,
  });
}

/**
 * The upstream account, for display only ("connected as …"): the ID token's `sub` when the server issued
 * one with the tokens (it came straight from the token endpoint over TLS, so it is not a credential check).
 */
export function subjectOf(tokens: OAuthTokens): string | null {
  if (!tokens.id_token) return null;
  try {
    const sub = decodeJwt(tokens.id_token).sub;
    return typeof sub === 'string' ? sub.slice(0, 255) : null;
  } catch {
    return null;
  }
}
