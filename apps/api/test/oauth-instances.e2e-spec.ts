import { randomBytes } from 'node:crypto';
import { EVERYTHING_SERVER } from './support/mcp-clients';
import { approveInBrowser, codeAuthorizeUrl, exchangeCode, pkce, registerClient, refreshGrant } from './support/oauth-flow';
import { createTemporaryDatabase } from './support/postgres';
import { registerService, RunningApp, startApp } from './support/running-app';

const REDIS_URL = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const prefix = `oi${randomBytes(4).toString('hex')}`;

/**
 * Two proxies behind one public URL, on one PostgreSQL: whatever one instance issues (client,
 * code, tokens, signing key) the other honours, and a revocation on one holds on the other at once:
 * with PostgreSQL alone because each request reads the database, with Redis because the revoking
 * instance tells the other to forget the credentials it verified before it answers.
 */
describe.each([
  ['on PostgreSQL alone', {}],
  ['with Redis, credentials cached', { REDIS_URL, CLUSTER_KEY_PREFIX: prefix, DEPLOY_QUEUE_PREFIX: prefix }],
])('OAuth across instances %s', (_label, extraEnv: Record<string, string>) => {
  const PUBLIC_URL = 'http://mcp-gateway.localhost';
  let database: { url: string; drop: () => Promise<void> };
  let first: RunningApp;
  let second: RunningApp;

  const mcpPost = (instance: RunningApp, token: string, message: Record<string, unknown> = { method: 'tools/list' }) =>
    fetch(`${instance.baseUrl}/mcp/shared`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${token}` },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, ...message }),
    });
  const echo = { method: 'tools/call', params: { name: 'echo', arguments: { message: 'hi' } } };

  beforeAll(async () => {
    database = await createTemporaryDatabase();
    const shared = {
      DATABASE_URL: database.url,
      PUBLIC_URL,
      JWT_SECRET: randomBytes(32).toString('hex'),
      ENCRYPTION_KEY: randomBytes(32).toString('hex'),
      ...extraEnv,
    };
    first = await startApp(shared);
    await registerService(first, {
      name: 'shared',
      process: { command: process.execPath, args: [EVERYTHING_SERVER, 'stdio'] },
      proxy: { rateLimit: 0, auth: 'oauth' },
    });
    second = await startApp(shared);
  }, 90_000);

  afterAll(async () => {
    await second?.close();
    await first?.close();
    await database?.drop();
  });

  it('a code from one instance is exchanged on the other, its token works on both, and revoking on one refuses on both', async () => {
    // The metadata names the public URL on both instances, whichever Host they were reached by.
    for (const instance of [first, second]) {
      const metadata = (await (await fetch(`${instance.baseUrl}/.well-known/oauth-authorization-server`)).json()) as { issuer: string };
      expect(metadata.issuer).toBe(PUBLIC_URL);
    }
    const clientId = await registerClient(first.baseUrl);
    const { verifier, challenge } = pkce();
    const resource = `${PUBLIC_URL}/mcp/shared`;
    const back = await approveInBrowser(first, codeAuthorizeUrl(first.baseUrl, clientId, challenge, { resource, state: 'st' }));
    expect(back.searchParams.get('iss')).toBe(PUBLIC_URL);
    const tokens = await exchangeCode(second.baseUrl, clientId, back, verifier);
    expect(tokens.status).toBe(200);
    const access = String(tokens.body['access_token']);
    expect((await mcpPost(second, access)).status).toBe(200);
    expect((await mcpPost(first, access)).status).toBe(200);

    // A refresh on the first instance rotates the token the second one issued.
    const refreshed = await refreshGrant(first.baseUrl, tokens.body['refresh_token'], clientId);
    expect(refreshed.status).toBe(200);
    // Known to both instances (with Redis: cached by both) before the replay below.
    expect((await mcpPost(first, String(refreshed.body['access_token']))).status).toBe(200);
    expect((await mcpPost(second, String(refreshed.body['access_token']))).status).toBe(200);
    expect((await refreshGrant(second.baseUrl, tokens.body['refresh_token'], clientId)).body).toMatchObject({ error: 'invalid_grant' });

    // That replay revoked the family, on both instances.
    expect((await mcpPost(first, String(refreshed.body['access_token']))).status).toBe(401);
    expect((await mcpPost(second, String(refreshed.body['access_token']))).status).toBe(401);
  }, 60_000);

  it('a client token revoked on one instance is refused on the other at its very next request', async () => {
    const minted = await first.api().post('/api/client-tokens').set('X-API-Key', first.env.apiKey).send({ label: 'both' }).expect(201);
    const { id, token } = minted.body as { id: string; token: string };
    // Used twice on the second instance: with Redis the second answer came from its cache.
    expect((await mcpPost(second, token)).status).toBe(200);
    expect((await mcpPost(second, token)).status).toBe(200);
    await first.api().post(`/api/client-tokens/${id}/revoke`).set('X-API-Key', first.env.apiKey).expect(201);
    expect((await mcpPost(second, token)).status).toBe(401);
    expect((await mcpPost(first, token)).status).toBe(401);
  }, 30_000);

  it('a new rate limit set on one instance applies on the other at the next request', async () => {
    const minted = await first.api().post('/api/client-tokens').set('X-API-Key', first.env.apiKey).send({ label: 'limited' }).expect(201);
    const { id, token } = minted.body as { id: string; token: string };
    expect((await mcpPost(second, token, echo)).status).toBe(200);
    await first.api().patch(`/api/client-tokens/${id}`).set('X-API-Key', first.env.apiKey).send({ rateLimit: 1 }).expect(200);
    // One call a minute from now on (the call before the limit may or may not count): the second is refused.
    await mcpPost(second, token, echo);
    expect((await mcpPost(second, token, echo)).status).toBe(429);
  }, 30_000);
});
