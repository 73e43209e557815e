import { selectClientAuthMethod } from '@modelcontextprotocol/sdk/client/auth.js';
import * as oidc from 'openid-client';
import type { OAuthTokens, UpstreamAuthServer, UpstreamClient } from './upstream-oauth-client';

/** Each revocation request ends by then: a slow provider never holds anything up for long. */
export const REVOCATION_TIMEOUT_SEC = 5;

/** RFC 8414 names these; the SDK types them on plain OAuth metadata but not on OpenID discovery metadata. */
interface RevocationMetadata {
  revocation_endpoint?: unknown;
  revocation_endpoint_auth_methods_supported?: string[];
}

export function revocationEndpointOf(server: UpstreamAuthServer): string | null {
  const endpoint = (server.metadata as RevocationMetadata).revocation_endpoint;
  return typeof endpoint === 'string' && endpoint ? endpoint : null;
}

/**
 * Token revocation (RFC 7009) at the upstream's authorization server, through `openid-client` (a certified
 * client), when its metadata advertises a `revocation_endpoint`: the refresh token first (which ends the
 * grant at most servers), then the access token. The client authenticates as it does at the token endpoint.
 * Returns how many tokens were revoked (0 when the server offers no revocation); throws on a refusal.
 */
export async function revokeTokens(server: UpstreamAuthServer, client: UpstreamClient, tokens: OAuthTokens): Promise<number> {
  const endpoint = revocationEndpointOf(server);
  if (!endpoint) return 0;
  const listed = (server.metadata as RevocationMetadata).revocation_endpoint_auth_methods_supported;
  const supported = listed ?? server.metadata.token_endpoint_auth_methods_supported ?? [];
  const secret = client.client_secret;
  const method = selectClientAuthMethod(client, supported);
  const auth =
    secret && method === 'client_secret_post'
      ? oidc.ClientSecretPost(secret)
      : secret && method === 'client_secret_basic'
        ? oidc.ClientSecretBasic(secret)
        : oidc.None();
  const config = new oidc.Configuration(
    { issuer: server.issuer, revocation_endpoint: endpoint },
    client.client_id,
    secret ? { client_secret: secret } : undefined,
    auth,
  );
  config.timeout = REVOCATION_TIMEOUT_SEC;
  // The same servers the proxy already speaks to over http (a loopback or test authorization server).
  if (new URL(endpoint).protocol === 'http:') oidc.allowInsecureRequests(config);
  let revoked = 0;
  for (const [token, hint] of [
    [tokens.refresh_token, 'refresh_token'],
    [tokens.access_token, 'access_token'],
  ] as const) {
    if (!token) continue;
    await oidc.tokenRevocation(config, token, { token_type_hint: hint });
    revoked++;
  }
  return revoked;
}
