import { randomBytes } from 'node:crypto';
import type { Repository } from 'typeorm';
import type { AppConfig } from '../core/config/app-config';
import { SecretBox } from '../core/crypto/secret-box';
import type { Clock } from '../core/time/clock';
import type { NamedLocks } from '../cluster/redis-lock';
import type { RemoteSettings } from '../services/remote-settings';
import type { ServicesService } from '../services/services.service';
import type { ConnectionOwners } from './connection-owners';
import { UpstreamClientEntity, UpstreamConnectionEntity } from './upstream-auth.entities';
import { CLIENT_DOCUMENT_PATH, upstreamClientDocument } from './upstream-client-document';
import { OAuthService, UpstreamConnections } from './upstream-connections.service';
import type { UpstreamAuthServer } from './upstream-oauth-client';

const HTTPS_URL = 'https://proxy.example.com';
const ISSUER = 'https://as.example.com';

/** The client the proxy is at an authorization server: pre-registered, else its metadata document, else its registration. */
describe('UpstreamConnections.clientFor', () => {
  const box = new SecretBox({ encryptionKey: randomBytes(32) });
  const registered = { client_id: 'registered-client', client_secret: 'registered-secret' };

  function connections(publicUrl: string | undefined): UpstreamConnections {
    const redirectUri = `${publicUrl}/api/upstream-oauth/callback`;
    const stored: Partial<UpstreamClientEntity> = {
      serviceId: 's1',
      issuer: ISSUER,
      redirectUri,
      clientSealed: box.encryptJson(registered),
    };
    const clients = { findOne: async () => stored } as unknown as Repository<UpstreamClientEntity>;
    const config = { get: (key: string) => (key === 'PUBLIC_URL' ? publicUrl : undefined) } as unknown as AppConfig;
    return new UpstreamConnections(
      {} as Repository<UpstreamConnectionEntity>,
      clients,
      {} as ServicesService,
      box,
      { now: () => Date.now() } as Clock,
      config,
      {} as ConnectionOwners,
      {} as NamedLocks,
    );
  }

  const service = (oauth: Partial<NonNullable<RemoteSettings['oauth']>> = {}): OAuthService => ({
    id: 's1',
    name: 'remote',
    settings: { url: new URL('https://mcp.example.com/mcp'), oauth: { connection: 'perUser', ...oauth } } as unknown as RemoteSettings,
  });
  const server = (documents: boolean): UpstreamAuthServer => ({
    issuer: ISSUER,
    resource: 'https://mcp.example.com/mcp',
    scopesSupported: [],
    metadata: {
      issuer: ISSUER,
      authorization_endpoint: `${ISSUER}/authorize`,
      token_endpoint: `${ISSUER}/token`,
      response_types_supported: ['code'],
      ...(documents ? { client_id_metadata_document_supported: true } : {}),
    },
  });

  it.each([
    [
      'the admin’s client, even where documents are supported',
      HTTPS_URL,
      true,
      { clientId: 'mine', clientSecret: 'shh' },
      { client_id: 'mine', client_secret: 'shh' },
    ],
    [
      'the document when the server supports them and PUBLIC_URL is https',
      HTTPS_URL,
      true,
      {},
      { client_id: `${HTTPS_URL}${CLIENT_DOCUMENT_PATH}` },
    ],
    ['the registration when the server does not support documents', HTTPS_URL, false, {}, registered],
    ['the registration when PUBLIC_URL is plain http', 'http://proxy.example.com', true, {}, registered],
  ])('%s', async (_case, publicUrl, documents, oauth, expected) => {
    const chosen = connections(publicUrl);
    const redirectUri = `${publicUrl}/api/upstream-oauth/callback`;
    expect(await chosen.clientFor(service(oauth), server(documents), redirectUri)).toEqual(expected);
    // A refresh (no redirect URI) comes to the same client.
    expect(await chosen.clientFor(service(oauth), server(documents), null)).toEqual(expected);
  });

  it('the document names itself, the callback, a public client and nothing secret; none without an https PUBLIC_URL', () => {
    const document = upstreamClientDocument(HTTPS_URL);
    expect(document?.metadata).toEqual({
      client_id: `${HTTPS_URL}${CLIENT_DOCUMENT_PATH}`,
      client_name: 'MCP Reverse Proxy',
      client_uri: HTTPS_URL,
      redirect_uris: [`${HTTPS_URL}/api/upstream-oauth/callback`],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    });
    expect(upstreamClientDocument('http://proxy.example.com')).toBeNull();
    expect(upstreamClientDocument(undefined)).toBeNull();
  });
});
