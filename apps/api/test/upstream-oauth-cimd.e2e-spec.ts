import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { OAuthGrantView, UpstreamConnectionView } from '@mcp-proxy/shared/dto';
import { readFileSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { get } from 'node:https';
import { DataSource } from 'typeorm';
import { storedIdFor } from '../src/oauth/client-metadata-document';
import { UpstreamClientEntity } from '../src/upstream-auth/upstream-auth.entities';
import { freePort, RunningApp as BuiltApp, startBuiltApi, waitForOk } from './support/built-app';
import { connectClient, EVERYTHING_SERVER, textOf } from './support/mcp-clients';
import { browse, CookieJar, locationOf } from './support/oidc-idp';
import { RunningApp, startApp, waitForStatus } from './support/running-app';
import { makeTestEnv, TestEnv } from './support/test-env';
import { startTlsFront, TlsFront } from './support/tls-front';

jest.setTimeout(180_000);

const DOCUMENT_PATH = '/api/upstream-oauth/client-metadata.json';

/**
 * The proxy's Client ID Metadata Document at a real authorization server that supports them: a second
 * instance of this proxy (the production bundle, as a child) serves server-everything behind its own OAuth.
 * The first instance's PUBLIC_URL is https on loopback (a TLS front with a throwaway certificate the second
 * trusts through NODE_EXTRA_CA_CERTS; OAUTH_CIMD_ALLOW_HTTP_LOOPBACK lets it fetch from loopback at all).
 */
describe('Upstream OAuth with a client metadata document', () => {
  let front: TlsFront;
  let proxy: RunningApp;
  let upstreamEnv: TestEnv;
  let upstream: BuiltApp;
  let upstreamUrl = '';
  let serviceId = '';
  const clients: Client[] = [];
  const documentUrl = (): string => `${front.origin}${DOCUMENT_PATH}`;

  beforeAll(async () => {
    front = await startTlsFront();
    proxy = await startApp({ PUBLIC_URL: front.origin });
    front.forwardTo(Number(new URL(proxy.baseUrl).port));

    upstreamEnv = makeTestEnv();
    const port = await freePort();
    upstreamUrl = `http://127.0.0.1:${port}`;
    upstream = startBuiltApi({
      ...upstreamEnv.vars,
      HOST: '127.0.0.1',
      BACKEND_PORT: String(port),
      FRONTEND_PORT: String(await freePort()),
      PUBLIC_URL: upstreamUrl,
      OAUTH_CIMD_ALLOW_HTTP_LOOPBACK: 'true',
      NODE_EXTRA_CA_CERTS: front.caFile,
    });
    await waitForOk(`${upstreamUrl}/health`, 60_000).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${upstream.output()}`);
    });
    const registered = await upstreamApi('POST', '/api/services', {
      name: 'everything',
      process: { command: process.execPath, args: [EVERYTHING_SERVER, 'stdio'] },
      proxy: { rateLimit: 0, auth: 'oauth' },
      start: true,
    });
    expect(registered.status).toBe(201);

    const created = await proxy
      .api()
      .post('/api/services')
      .set('X-API-Key', proxy.env.apiKey)
      .send({
        name: 'remote-everything',
        transport: 'remote',
        remote: { url: `${upstreamUrl}/mcp/everything`, auth: 'oauth', oauth: { connection: 'shared' } },
        start: true,
      })
      .expect(201);
    serviceId = (created.body as { id: string }).id;
    await waitForStatus(proxy, 'remote-everything', 'running', 30_000);
  });

  afterAll(async () => {
    await Promise.all(clients.map((each) => each.close().catch(() => undefined)));
    await proxy?.close();
    await upstream?.stop();
    upstreamEnv?.cleanup();
    await front?.stop();
  });

  async function upstreamApi(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
    const response = await fetch(`${upstreamUrl}${path}`, {
      method,
      headers: { 'x-api-key': upstreamEnv.apiKey, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null };
  }

  it('serves its document publicly: the client_id is its URL, a public client with the callback, nothing secret', async () => {
    const response = await httpsGet(documentUrl(), readFileSync(front.caFile, 'utf8'));
    expect(response.status).toBe(200);
    expect(response.headers['cache-control']).toContain('max-age');
    const document = JSON.parse(response.body) as Record<string, unknown>;
    expect(document).toEqual({
      client_id: documentUrl(),
      client_name: 'MCP Reverse Proxy',
      client_uri: front.origin,
      redirect_uris: [`${front.origin}/api/upstream-oauth/callback`],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    });
    // Anonymous, with any credential, it is the same public document.
    const limited = await proxy.api().get(DOCUMENT_PATH).set('Authorization', 'Bearer not-a-token').expect(200);
    expect(limited.body).toEqual(document);
  });

  it('connects with the document URL as client_id, with no dynamic registration, and the calls go through', async () => {
    const jar = new CookieJar();
    const start = await fetch(`${proxy.baseUrl}/api/services/${serviceId}/oauth/connect`, {
      headers: { 'x-api-key': proxy.env.apiKey },
      redirect: 'manual',
    });
    expect(start.status).toBe(302);
    jar.take(start);
    const authorize = locationOf(start, proxy.baseUrl);
    expect(authorize.origin).toBe(upstreamUrl);
    expect(authorize.searchParams.get('client_id')).toBe(documentUrl());

    // The upstream fetches the document from the proxy's https URL while it handles the authorization request.
    const fetchedBefore = front.paths.filter((path) => path === DOCUMENT_PATH).length;
    const consent = await fetch(authorize, { redirect: 'manual' });
    expect(consent.status).toBe(302);
    expect(front.paths.filter((path) => path === DOCUMENT_PATH).length).toBeGreaterThan(fetchedBefore);
    const consentId = /\/consent\/([0-9a-f-]{36})$/.exec(consent.headers.get('location') ?? '')?.[1] ?? '';
    const shown = await upstreamApi('GET', `/api/oauth/authorizations/${consentId}`);
    expect((shown.body as { clientName: string }).clientName).toBe(`MCP Reverse Proxy (${new URL(front.origin).host})`);
    const approved = await upstreamApi('POST', `/api/oauth/authorizations/${consentId}/approve`, {});
    expect(approved.status).toBe(200);
    const back = new URL((approved.body as { redirectTo: string }).redirectTo);
    expect(`${back.origin}${back.pathname}`).toBe(`${front.origin}/api/upstream-oauth/callback`);

    const landing = await browse(jar, `${proxy.baseUrl}${back.pathname}${back.search}`);
    expect(landing.status).toBe(303);
    expect(locationOf(landing, proxy.baseUrl).searchParams.get('upstreamOAuth')).toBe('connected');
    const view = (await proxy.api().get(`/api/services/${serviceId}/oauth`).set('X-API-Key', proxy.env.apiKey).expect(200))
      .body as UpstreamConnectionView;
    expect(view.connected).toBe(true);

    const mcp = await connectClient(proxy.baseUrl, 'remote-everything', proxy.env.apiKey, 'streamable');
    clients.push(mcp);
    const echoed = await mcp.callTool({ name: 'echo', arguments: { message: 'through the document client' } });
    expect(textOf(echoed)).toContain('through the document client');

    // The upstream's grant belongs to the document client; the proxy registered none.
    const grants = (await upstreamApi('GET', '/api/oauth/grants')).body as OAuthGrantView[];
    expect(grants).toHaveLength(1);
    expect(grants[0].clientId).toBe(storedIdFor(documentUrl()));
    expect(await proxy.app.get(DataSource).getRepository(UpstreamClientEntity).count()).toBe(0);
  });

  it('new route: the same for a limited viewer, a limited client token and an anonymous client, and nothing else is public', async () => {
    await proxy
      .api()
      .post('/api/users')
      .set('X-API-Key', proxy.env.apiKey)
      .send({ username: 'limited', password: 'correct horse battery', role: 'viewer', services: ['remote-everything'] })
      .expect(201);
    const login = await proxy.api().post('/api/auth/login').send({ username: 'limited', password: 'correct horse battery' }).expect(201);
    const minted = await proxy
      .api()
      .post('/api/client-tokens')
      .set('X-API-Key', proxy.env.apiKey)
      .send({ label: 'limited-client', services: ['remote-everything'] })
      .expect(201);
    const expected = (await proxy.api().get(DOCUMENT_PATH).expect(200)).body as unknown;
    for (const token of [(login.body as { token: string }).token, (minted.body as { token: string }).token]) {
      const seen = await proxy.api().get(DOCUMENT_PATH).set('Authorization', `Bearer ${token}`).expect(200);
      expect(seen.body).toEqual(expected);
    }
    // Only the document is public: the path beside it is not.
    await proxy.api().get('/api/upstream-oauth/client-metadata').expect(404);
  });
});

/** Without an https PUBLIC_URL there is no document (and connections fall back to dynamic registration). */
describe('Upstream OAuth client metadata document without https', () => {
  let proxy: RunningApp;

  beforeAll(async () => {
    proxy = await startApp({ PUBLIC_URL: 'http://127.0.0.1:9' });
  });

  afterAll(async () => {
    await proxy?.close();
  });

  it('answers 404 naming the reason', async () => {
    const response = await proxy.api().get(DOCUMENT_PATH).expect(404);
    expect(JSON.stringify(response.body)).toContain('PUBLIC_URL');
  });
});

/** A GET over https trusting `ca` (this process does not trust the throwaway certificate). */
function httpsGet(url: string, ca: string): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    get(url, { ca }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
    }).on('error', reject);
  });
}
