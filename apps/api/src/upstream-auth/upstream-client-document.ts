import { isHttpsUrl } from '@modelcontextprotocol/sdk/client/auth.js';
import type { OAuthClientMetadata } from '@modelcontextprotocol/sdk/shared/auth.js';

/** Where the upstream authorization servers send the browser back to (one for every service: the sealed cookie names it). */
export const CALLBACK_PATH = '/api/upstream-oauth/callback';
/**
 * The proxy's OAuth Client ID Metadata Document (draft-ietf-oauth-client-id-metadata-document, MCP
 * authorization 2025-11-25). One for the whole proxy, not one per service: every service shares the
 * callback above, so one document describes the client fully, an upstream sees one stable client
 * across the services that use it, and no service id is published.
 */
export const CLIENT_DOCUMENT_PATH = '/api/upstream-oauth/client-metadata.json';

export interface UpstreamClientDocument {
  /** The document's own URL: the proxy's client_id at every authorization server that supports documents. */
  clientId: string;
  redirectUri: string;
  metadata: OAuthClientMetadata & { client_id: string };
}

/**
 * The document when PUBLIC_URL is https (the MCP SDK's rule for a URL client_id: https with a path); null
 * otherwise, so the proxy falls back to dynamic registration rather than hand out a URL nobody may fetch.
 */
export function upstreamClientDocument(publicUrl: string | undefined): UpstreamClientDocument | null {
  if (!publicUrl) return null;
  const clientId = `${publicUrl}${CLIENT_DOCUMENT_PATH}`;
  if (!isHttpsUrl(clientId)) return null;
  const redirectUri = `${publicUrl}${CALLBACK_PATH}`;
  return {
    clientId,
    redirectUri,
    metadata: {
      client_id: clientId,
      client_name: 'MCP Reverse Proxy',
      client_uri: publicUrl,
      redirect_uris: [redirectUri],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      // A public client: a document is public, so it can hold no secret; PKCE protects the code.
      token_endpoint_auth_method: 'none',
    },
  };
}
