import { randomBytes } from 'node:crypto';
import { EVERYTHING_SERVER } from './support/mcp-clients';
import { approveInBrowser, authorizeUrl, pkce, REDIRECT_URI, registerClient, tokenRequest } from './support/oauth-flow';
import { createTemporaryDatabase } from './support/postgres';
import { registerService, RunningApp, startApp } from './support/running-app';

/**
 * Two proxies behind one public URL, on one PostgreSQL: whatever one instance issues (client,
 * code, tokens, signing key) the other honours, and a revocation on one holds on the other at once.
 */
describe('OAuth across instances', () => {
  const PUBLIC_URL = 'http://mcp-gateway.localhost';
  let database: { url: string; drop: () => Promise<void> };
  let first: RunningApp;
  let second: RunningApp;

  const mcpPost = (instance: RunningApp, token: string) =>
    fetch(`${instance.baseUrl}/mcp/shared`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${token}` },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });

  beforeAll(async () => {
    database = await createTemporaryDatabase();
    const shared = {
      DATABASE_URL: database.url,
      PUBLIC_URL,
      JWT_SECRET: randomBytes(32).toString('hex'),
      ENCRYPTION_KEY: randomBytes(32).toString('hex'),
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
    const back = await approveInBrowser(
      first,
      authorizeUrl(first.baseUrl, {
        response_type: 'code',
        client_id: clientId,
        redirect_uri: REDIRECT_URI,
        code_challenge: challenge,
        code_challenge_method: 'S256',
        resource,
        state: 'st',
      }),
    );
    expect(back.searchParams.get('iss')).toBe(PUBLIC_URL);
    const tokens = await tokenRequest(second.baseUrl, {
      grant_type: 'authorization_code',
      code: back.searchParams.get('code') ?? '',
      client_id: clientId,
      redirect_uri: REDIRECT_URI,
      code_verifier: verifier,
    });
    expect(tokens.status).toBe(200);
    const access = String(tokens.body['access_token']);
    expect((await mcpPost(second, access)).status).toBe(200);
    expect((await mcpPost(first, access)).status).toBe(200);

    // A refresh on the first instance rotates the token the second one issued.
    const refreshed = await tokenRequest(first.baseUrl, {
      grant_type: 'refresh_token',
      refresh_token: String(tokens.body['refresh_token']),
      client_id: clientId,
    });
    expect(refreshed.status).toBe(200);
    expect(
      (
        await tokenRequest(second.baseUrl, {
          grant_type: 'refresh_token',
          refresh_token: String(tokens.body['refresh_token']),
          client_id: clientId,
        })
      ).body,
    ).toMatchObject({ error: 'invalid_grant' });

    // That replay revoked the family, on both instances.
    expect((await mcpPost(first, String(refreshed.body['access_token']))).status).toBe(401);
    expect((await mcpPost(second, String(refreshed.body['access_token']))).status).toBe(401);
  }, 60_000);
});
