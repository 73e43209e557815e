import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EVERYTHING_SERVER, textOf } from './support/mcp-clients';
import { createTemporaryDatabase } from './support/postgres';
import { approveInBrowser, codeAuthorizeUrl, exchangeCode, pkce, REDIRECT_URI, refreshGrant } from './support/oauth-flow';
import { registerService, RunningApp, startApp } from './support/running-app';

/** A document as the test's client host serves it, with the headers it answers with. */
interface Served {
  status?: number;
  headers?: Record<string, string>;
  body: string | ((url: string) => string);
}

/** The JSON body of an OAuth error answer (RFC 6749 section 5.2). */
interface OAuthError {
  error?: string;
  error_description?: string;
}

/**
 * OAuth Client ID Metadata Documents (MCP authorization 2025-11-25): a client whose client_id is
 * the URL of its metadata document, served by a real HTTP server on loopback, authorized end to end;
 * then the documents and URLs the authorization server must refuse.
 */
describe.each(['sqlite', 'postgres'] as const)('OAuth client ID metadata documents (%s)', (dialect) => {
  let running: RunningApp;
  let dropDatabase: (() => Promise<void>) | undefined;
  let host: Server;
  let hostUrl: string;
  const documents = new Map<string, Served>();
  const fetches = new Map<string, number>();
  const clients: Client[] = [];

  const resource = (): string => `${running.baseUrl}/mcp/remote`;
  const documentFor = (url: string, extra: Record<string, unknown> = {}): string =>
    JSON.stringify({
      client_id: url,
      client_name: 'Metadata client',
      redirect_uris: [REDIRECT_URI],
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      ...extra,
    });
  const serve = (path: string, served: Served): string => {
    documents.set(path, served);
    return `${hostUrl}${path}`;
  };
  const authorize = (clientId: string, overrides: Record<string, string> = {}): string =>
    codeAuthorizeUrl(running.baseUrl, clientId, pkce().challenge, { resource: resource(), state: 'st', ...overrides });
  /** The authorization server's answer to a request it must refuse itself (never redirecting). */
  const refusal = async (
    clientId: string,
    overrides: Record<string, string> = {},
  ): Promise<{ status: number; location: string | null; body: OAuthError }> => {
    const answer = await fetch(authorize(clientId, overrides), { redirect: 'manual' });
    return { status: answer.status, location: answer.headers.get('location'), body: (await answer.json()) as OAuthError };
  };

  beforeAll(async () => {
    host = createServer((request, response) => {
      const path = request.url ?? '/';
      fetches.set(path, (fetches.get(path) ?? 0) + 1);
      const served = documents.get(path);
      if (!served) {
        response.writeHead(404).end();
        return;
      }
      const body = typeof served.body === 'function' ? served.body(`${hostUrl}${path}`) : served.body;
      response.writeHead(served.status ?? 200, { 'content-type': 'application/json', ...served.headers });
      response.end(body);
    });
    await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
    hostUrl = `http://127.0.0.1:${(host.address() as AddressInfo).port}`;
    const database = dialect === 'postgres' ? await createTemporaryDatabase() : undefined;
    dropDatabase = database?.drop;
    running = await startApp({ OAUTH_CIMD_ALLOW_HTTP_LOOPBACK: 'true', ...(database ? { DATABASE_URL: database.url } : {}) });
    await registerService(running, {
      name: 'remote',
      process: { command: process.execPath, args: [EVERYTHING_SERVER, 'stdio'] },
      proxy: { rateLimit: 0, auth: 'oauth' },
    });
  }, 60_000);

  afterAll(async () => {
    await Promise.allSettled(clients.map((client) => client.close()));
    await running?.close();
    await new Promise((resolve) => host?.close(resolve));
    await dropDatabase?.();
  });

  it('advertises client_id_metadata_document_supported in the authorization server metadata', async () => {
    const metadata = (await (await fetch(`${running.baseUrl}/.well-known/oauth-authorization-server`)).json()) as {
      client_id_metadata_document_supported?: boolean;
    };
    expect(metadata.client_id_metadata_document_supported).toBe(true);
  });

  it('a client whose client_id is its document URL is approved, gets tokens, calls a tool, and only it may refresh', async () => {
    const clientId = serve('/clients/good.json', { body: (url) => documentFor(url), headers: { 'cache-control': 'max-age=120' } });
    const { verifier, challenge } = pkce();
    const consent = await fetch(authorize(clientId, { code_challenge: challenge }), { redirect: 'manual' });
    expect(consent.status).toBe(302);
    const consentId = /\/consent\/([0-9a-f-]{36})$/.exec(consent.headers.get('location') ?? '')?.[1];
    // The owner sees the name with the host that vouches for it.
    const view = await running.api().get(`/api/oauth/authorizations/${consentId}`).set('X-API-Key', running.env.apiKey).expect(200);
    expect(view.body.clientName).toBe(`Metadata client (${new URL(hostUrl).host})`);

    const back = await approveInBrowser(running, authorize(clientId, { code_challenge: challenge }));
    expect(back.searchParams.get('state')).toBe('st');
    // The document was cached (max-age=120): two authorizations, one fetch.
    expect(fetches.get('/clients/good.json')).toBe(1);

    const tokens = await exchangeCode(running.baseUrl, clientId, back, verifier, { resource: resource() });
    expect(tokens.status).toBe(200);
    const claims = JSON.parse(Buffer.from(String(tokens.body['access_token']).split('.')[1], 'base64url').toString());
    expect(claims.aud).toBe(resource());

    const client = new Client({ name: 'cimd-e2e', version: '1.0.0' });
    clients.push(client);
    await client.connect(
      new StreamableHTTPClientTransport(new URL(resource()), {
        requestInit: { headers: { authorization: `Bearer ${tokens.body['access_token']}` } },
      }),
    );
    expect(textOf(await client.callTool({ name: 'echo', arguments: { message: 'via metadata document' } }))).toBe(
      'Echo: via metadata document',
    );

    // Refresh with the URL as client_id works; another client_id does not.
    const stranger = serve('/clients/stranger.json', { body: (url) => documentFor(url) });
    expect(await refreshGrant(running.baseUrl, tokens.body['refresh_token'], stranger)).toMatchObject({
      status: 400,
      body: { error: 'invalid_grant' },
    });
  }, 60_000);

  it('refresh with the document URL as client_id rotates the tokens', async () => {
    const clientId = serve('/clients/refresh.json', { body: (url) => documentFor(url) });
    const { verifier, challenge } = pkce();
    const back = await approveInBrowser(running, authorize(clientId, { code_challenge: challenge }));
    const tokens = await exchangeCode(running.baseUrl, clientId, back, verifier);
    expect(tokens.status).toBe(200);
    const rotated = await refreshGrant(running.baseUrl, tokens.body['refresh_token'], clientId);
    expect(rotated.status).toBe(200);
    expect(rotated.body['refresh_token']).not.toBe(tokens.body['refresh_token']);
  }, 30_000);

  it('refuses a document that names another client_id, a redirect_uri it does not list, or a confidential client', async () => {
    const impostor = serve('/clients/impostor.json', { body: () => documentFor('https://trusted.example/client.json') });
    expect(await refusal(impostor)).toMatchObject({
      status: 400,
      location: null,
      body: { error: 'invalid_client', error_description: expect.stringContaining('client_id is not exactly its URL') },
    });

    const listed = serve('/clients/listed.json', { body: (url) => documentFor(url) });
    expect(await refusal(listed, { redirect_uri: 'https://evil.example/callback' })).toMatchObject({
      status: 400,
      location: null,
      body: { error: 'invalid_request' },
    });

    const confidential = serve('/clients/confidential.json', {
      body: (url) => documentFor(url, { token_endpoint_auth_method: 'client_secret_basic' }),
    });
    expect((await refusal(confidential)).body.error_description).toContain('only public clients');
    const badRedirects = serve('/clients/bad-redirects.json', {
      body: (url) => documentFor(url, { redirect_uris: ['http://evil.example/cb'] }),
    });
    expect((await refusal(badRedirects)).body.error).toBe('invalid_client');
  });

  it('refuses a document that is too large, not JSON, an error, or a redirect', async () => {
    const large = serve('/clients/large.json', { body: (url) => documentFor(url, { padding: 'x'.repeat(6 * 1024) }) });
    expect((await refusal(large)).body.error_description).toContain('larger than 5120 bytes');
    const chunked = serve('/clients/chunked.json', {
      body: (url) => documentFor(url, { padding: 'x'.repeat(6 * 1024) }),
      headers: { 'transfer-encoding': 'chunked' },
    });
    expect((await refusal(chunked)).body.error_description).toContain('larger than 5120 bytes');
    const html = serve('/clients/html.json', { body: '<html>hello</html>' });
    expect((await refusal(html)).body.error_description).toContain('not JSON');
    const missing = `${hostUrl}/clients/missing.json`;
    expect((await refusal(missing)).body.error_description).toContain('HTTP 404');
    const target = serve('/clients/target.json', { body: (url) => documentFor(url) });
    const redirecting = serve('/clients/redirect.json', { status: 302, headers: { location: target }, body: '' });
    expect((await refusal(redirecting)).body.error_description).toContain('redirects are not followed');
    expect(fetches.get('/clients/target.json')).toBeUndefined();
  });

  it('refuses URLs that are not allowed: http off loopback, private addresses, no path, a fragment', async () => {
    for (const url of [
      'http://example.com/client.json',
      'https://10.0.0.5/client.json',
      'https://169.254.169.254/latest/meta-data',
      'https://[fd00::1]/client.json',
      'https://example.com/',
      'https://example.com/client.json#x',
      'https://user:pw@example.com/c.json',
      'ftp://example.com/c.json',
    ]) {
      const answer = await refusal(url);
      expect({ url, status: answer.status, location: answer.location, error: answer.body.error }).toEqual({
        url,
        status: 400,
        location: null,
        error: 'invalid_client',
      });
    }
  });
});
