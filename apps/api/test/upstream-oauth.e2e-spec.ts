import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { UpstreamConnectionView } from '@mcp-proxy/shared/dto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { SecretBox } from '../src/core/crypto/secret-box';
import { UpstreamClientEntity, UpstreamConnectionEntity } from '../src/upstream-auth/upstream-auth.entities';
import { connectClient, initializeRequest, textOf } from './support/mcp-clients';
import { connectAccount, OAuthUpstream, startOAuthUpstream } from './support/oauth-upstream';
import { eventually, RunningApp, startApp, waitForStatus } from './support/running-app';

// The redirect URI names PUBLIC_URL; the test plays the browser and delivers the redirect to the app's own port.
const PUBLIC_URL = 'http://127.0.0.1:9';
const REDIRECT_URI = `${PUBLIC_URL}/api/upstream-oauth/callback`;
const PASSWORD = 'correct horse battery';
/** Access tokens live 35 s and are refreshed 30 s before expiry: a call 5 s after connecting refreshes. */
const ACCESS_TOKEN_TTL_SEC = 35;
jest.setTimeout(120_000);

/**
 * The proxy as each user's OAuth client of a remote MCP server: oidc-provider on loopback as the remote's
 * authorization server, the remote an SDK McpServer that checks every token by introspection and binds
 * its sessions to the subject, the real app, the official SDK client, the browser played over HTTP.
 */
describe('Upstream OAuth', () => {
  let upstream: OAuthUpstream;
  let running: RunningApp;
  let sharedId = '';
  let mineId = '';
  const tokens: Record<string, string> = {};
  const userIds: Record<string, string> = {};
  const clients: Client[] = [];
  const asAdmin = (): [string, string] => ['X-API-Key', running.env.apiKey];
  const asUser = (name: string): [string, string] => ['Authorization', `Bearer ${tokens[name]}`];

  async function client(token: string, service: string): Promise<Client> {
    const connected = await connectClient(running.baseUrl, service, token, 'streamable');
    clients.push(connected);
    return connected;
  }

  async function whoami(mcp: Client): Promise<{ text: string; isError: boolean }> {
    const result = await mcp.callTool({ name: 'whoami', arguments: {} });
    return { text: textOf(result), isError: result.isError === true };
  }

  async function status(serviceId: string, credential: [string, string], query = ''): Promise<UpstreamConnectionView> {
    const response = await running
      .api()
      .get(`/api/services/${serviceId}/oauth${query}`)
      .set(...credential)
      .expect(200);
    return response.body as UpstreamConnectionView;
  }

  async function createUser(username: string, role: string, services?: string[]): Promise<void> {
    const created = await running
      .api()
      .post('/api/users')
      .set(...asAdmin())
      .send({ username, password: PASSWORD, role, ...(services ? { services } : {}) })
      .expect(201);
    userIds[username] = (created.body as { id: string }).id;
    const login = await running.api().post('/api/auth/login').send({ username, password: PASSWORD }).expect(201);
    tokens[username] = (login.body as { token: string }).token;
  }

  async function createService(body: Record<string, unknown>): Promise<string> {
    const response = await running
      .api()
      .post('/api/services')
      .set(...asAdmin())
      .send(body);
    if (response.status !== 201) throw new Error(`create ${String(body['name'])}: ${response.status} ${JSON.stringify(response.body)}`);
    return (response.body as { id: string }).id;
  }

  beforeAll(async () => {
    upstream = await startOAuthUpstream(REDIRECT_URI, ACCESS_TOKEN_TTL_SEC);
    for (const account of ['team-bot', 'alice-upstream', 'bob-upstream']) await upstream.addAccount(account);
    running = await startApp({ PUBLIC_URL });
    sharedId = await createService({
      name: 'notes-shared',
      transport: 'remote',
      remote: {
        url: upstream.mcpUrl,
        auth: 'oauth',
        oauth: {
          connection: 'shared',
          clientId: upstream.staticClientId,
          clientSecret: upstream.staticClientSecret,
          scopes: ['openid', 'mcp:tools'],
        },
      },
      start: true,
    });
    mineId = await createService({
      name: 'notes-mine',
      transport: 'remote',
      remote: { url: upstream.mcpUrl, auth: 'oauth', oauth: { connection: 'perUser' } },
      start: true,
    });
    await waitForStatus(running, 'notes-shared', 'running', 30_000);
    await waitForStatus(running, 'notes-mine', 'running', 30_000);
    await createUser('alice', 'operator');
    await createUser('bob', 'operator');
    await createUser('limited', 'viewer', ['notes-shared']);
  });

  afterAll(async () => {
    await Promise.all(clients.map((each) => each.close().catch(() => undefined)));
    await running?.close();
    await upstream?.stop();
  });

  it('refuses bad remote.oauth settings with 400 naming the field', async () => {
    const attempt = async (remote: Record<string, unknown>): Promise<string> => {
      const response = await running
        .api()
        .post('/api/services')
        .set(...asAdmin())
        .send({ name: 'bad-oauth', transport: 'remote', remote: { url: upstream.mcpUrl, ...remote } })
        .expect(400);
      return JSON.stringify(response.body);
    };
    expect(await attempt({ auth: 'oauth', oauth: { connection: 'shared', tenant: 'x' } })).toContain('tenant');
    expect(await attempt({ auth: 'oauth', oauth: { connection: 'everyone' } })).toContain('remote.oauth.connection');
    expect(await attempt({ auth: 'oauth' })).toContain('remote.oauth is required');
    expect(await attempt({ auth: 'oauth', protocol: 'sse', oauth: { connection: 'shared' } })).toContain('streamable-http');
    expect(await attempt({ auth: 'cookies' })).toContain('remote.auth');
  });

  it('shows the client secret masked, in the view and in the export', async () => {
    const view = (
      await running
        .api()
        .get('/api/services/notes-shared')
        .set(...asAdmin())
        .expect(200)
    ).body as {
      remote: { auth: string; oauth: { clientSecret: string; clientId: string } };
    };
    expect(view.remote.auth).toBe('oauth');
    expect(view.remote.oauth).toMatchObject({ clientId: upstream.staticClientId, clientSecret: '********' });
    const exported = await running
      .api()
      .get('/api/config/export')
      .set(...asAdmin())
      .expect(200);
    expect(exported.text).toContain('auth: oauth');
    expect(exported.text).not.toContain(upstream.staticClientSecret);
  });

  it('tells a caller with no connection what to do and where, then serves the shared connection an admin made', async () => {
    const alice = await client(tokens['alice'], 'notes-shared');
    const before = await whoami(alice);
    expect(before.isError).toBe(true);
    expect(before.text).toContain(`${PUBLIC_URL}/services/${sharedId}`);
    // Only an admin makes the shared connection.
    await running
      .api()
      .get(`/api/services/${sharedId}/oauth/connect`)
      .set(...asUser('alice'))
      .expect(403);
    const landing = await connectAccount(running.baseUrl, upstream, sharedId, asAdmin(), 'team-bot');
    expect(landing.pathname).toBe(`/services/${sharedId}`);
    expect(landing.searchParams.get('upstreamOAuth')).toBe('connected');
    expect(await status(sharedId, asUser('alice'))).toMatchObject({ connected: true, connection: 'shared', subject: 'team-bot' });
    expect(await whoami(alice)).toEqual({ text: 'team-bot', isError: false });
    expect(await whoami(await client(tokens['bob'], 'notes-shared'))).toEqual({ text: 'team-bot', isError: false });
  });

  it('per user: each principal connects their own account and sees their own subject', async () => {
    const aliceBefore = await client(tokens['alice'], 'notes-mine');
    expect((await whoami(aliceBefore)).text).toContain('connect it at');
    await connectAccount(running.baseUrl, upstream, mineId, asUser('alice'), 'alice-upstream');
    await connectAccount(running.baseUrl, upstream, mineId, asUser('bob'), 'bob-upstream');
    const alice = await client(tokens['alice'], 'notes-mine');
    const bob = await client(tokens['bob'], 'notes-mine');
    expect(await whoami(alice)).toEqual({ text: 'alice-upstream', isError: false });
    expect(await whoami(bob)).toEqual({ text: 'bob-upstream', isError: false });
    // The session opened before connecting picks the connection up.
    expect(await whoami(aliceBefore)).toEqual({ text: 'alice-upstream', isError: false });
    const view = await status(mineId, asUser('alice'));
    expect(view).toMatchObject({
      connected: true,
      connection: 'perUser',
      subject: 'alice-upstream',
      connectUrl: `${PUBLIC_URL}/services/${mineId}`,
    });
    expect((await status(mineId, asAdmin())).connected).toBe(false);
  });

  it('groups: each member of the group reaches the oauth service with their own connection', async () => {
    await running
      .api()
      .post('/api/groups')
      .set(...asAdmin())
      .send({ name: 'team', separator: '__', members: [{ service: 'notes-mine' }] })
      .expect(201);
    for (const [user, subject] of [
      ['alice', 'alice-upstream'],
      ['bob', 'bob-upstream'],
    ]) {
      const viaGroup = await client(tokens[user], 'g/team');
      const listed = await viaGroup.listTools();
      expect(listed.tools.map((tool) => tool.name)).toContain('notes-mine__whoami');
      const result = await viaGroup.callTool({ name: 'notes-mine__whoami', arguments: {} });
      expect(textOf(result)).toBe(subject);
    }
  });

  it('refreshes the access token before it expires', async () => {
    const alice = await client(tokens['alice'], 'notes-mine');
    const before = await status(mineId, asUser('alice'));
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    expect(await whoami(alice)).toEqual({ text: 'alice-upstream', isError: false });
    const after = await status(mineId, asUser('alice'));
    expect(Date.parse(after.expiresAt ?? '')).toBeGreaterThan(Date.parse(before.expiresAt ?? ''));
  });

  it('revoked upstream: a clear error naming the reconnect page, and a reconnect brings it back', async () => {
    const alice = await client(tokens['alice'], 'notes-mine');
    expect((await whoami(alice)).isError).toBe(false);
    await upstream.revoke('alice-upstream');
    const refused = await whoami(alice);
    expect(refused.isError).toBe(true);
    expect(refused.text).toContain(`reconnect at ${PUBLIC_URL}/services/${mineId}`);
    // Bob's connection is his own and still stands.
    expect(await whoami(await client(tokens['bob'], 'notes-mine'))).toEqual({ text: 'bob-upstream', isError: false });
    await connectAccount(running.baseUrl, upstream, mineId, asUser('alice'), 'alice-upstream');
    expect(await whoami(alice)).toEqual({ text: 'alice-upstream', isError: false });
  });

  it('never shows or sends on the upstream tokens, nor forwards the callers’ own credentials', async () => {
    const seen = await upstream.seen();
    const upstreamTokens = [...new Set(seen.filter((header) => header.startsWith('Bearer ')).map((header) => header.slice(7)))];
    expect(upstreamTokens.length).toBeGreaterThan(2);
    // What the callers sent the proxy never reached the remote.
    for (const own of [running.env.apiKey, tokens['alice'], tokens['bob']]) expect(seen.join('\n')).not.toContain(own);
    const surfaces: string[] = [];
    for (const path of [
      '/api/services',
      `/api/services/${mineId}`,
      `/api/services/${mineId}/oauth`,
      `/api/services/${mineId}/logs`,
      '/api/config/export?secrets=true',
      '/api/audit',
    ])
      surfaces.push(
        (
          await running
            .api()
            .get(path)
            .set(...asAdmin())
        ).text,
      );
    surfaces.push(
      (
        await running
          .api()
          .get(`/api/services/${mineId}/oauth`)
          .set(...asUser('alice'))
      ).text,
    );
    surfaces.push(...filesUnder(running.env.vars['LOG_DIR'] ?? ''), ...filesUnder(running.env.vars['DATA_DIR'] ?? ''));
    for (const token of upstreamTokens) for (const surface of surfaces) expect(surface).not.toContain(token);
  });

  it('new routes: limited viewer, client token and anonymous', async () => {
    // A user limited to other services does not learn this one exists.
    await running
      .api()
      .get(`/api/services/${mineId}/oauth`)
      .set(...asUser('limited'))
      .expect(404);
    await running
      .api()
      .get(`/api/services/${mineId}/oauth/connect`)
      .set(...asUser('limited'))
      .expect(404);
    await running
      .api()
      .delete(`/api/services/${mineId}/oauth`)
      .set(...asUser('limited'))
      .expect(404);
    // Its own service: its own (empty) connection, and never another principal's.
    expect((await status(sharedId, asUser('limited'))).connection).toBe('shared');
    await running
      .api()
      .delete(`/api/services/${sharedId}/oauth`)
      .set(...asUser('limited'))
      .expect(403);
    await running
      .api()
      .get(`/api/services/${mineId}/oauth?principal=user:${userIds['alice']}`)
      .set(...asUser('bob'))
      .expect(403);
    const minted = await running
      .api()
      .post('/api/client-tokens')
      .set(...asAdmin())
      .send({ label: 'limited-client', services: ['notes-mine'] })
      .expect(201);
    const clientToken = (minted.body as { token: string }).token;
    for (const [method, path] of [
      ['get', `/api/services/${mineId}/oauth`],
      ['get', `/api/services/${mineId}/oauth/connect`],
      ['delete', `/api/services/${mineId}/oauth`],
    ] as const) {
      const withToken = await running.api()[method](path).set('Authorization', `Bearer ${clientToken}`);
      expect([401, 403]).toContain(withToken.status);
      await running.api()[method](path).expect(401);
    }
    // The callback is public, but without the browser's pending connection it does nothing.
    const stray = await running.api().get('/api/upstream-oauth/callback?code=x&state=y').expect(303);
    expect(stray.headers['location']).toContain('upstreamOAuthError=');
  });

  it('removes connections on disconnect, and with the user and the service they belong to, revoking their tokens at the provider', async () => {
    const rows0 = running.app.get(DataSource).getRepository(UpstreamConnectionEntity);
    expect(await rows0.count({ where: { serviceId: sharedId } })).toBe(1);
    const alice = await storedTokens(mineId, `user:${userIds['alice']}`);
    const bob = await storedTokens(mineId, `user:${userIds['bob']}`);
    const shared = await storedTokens(sharedId, 'shared');
    const registered = await registeredClient(mineId);
    const preRegistered = { client_id: upstream.staticClientId, client_secret: upstream.staticClientSecret };
    for (const tokens of [alice, bob, shared]) expect(await accessAccepted(tokens.access_token)).toBe(true);

    await running
      .api()
      .delete(`/api/services/${mineId}/oauth`)
      .set(...asUser('alice'))
      .expect(204);
    expect((await status(mineId, asUser('alice'))).connected).toBe(false);
    expect((await whoami(await client(tokens['alice'], 'notes-mine'))).text).toContain('connect it at');
    // Revoked at the provider (RFC 7009): the refresh token's grant is gone, the access token no longer works.
    await eventually(async () => expect(await refreshAnswer(alice.refresh_token, registered)).toBe('invalid_grant'));
    expect(await accessAccepted(alice.access_token)).toBe(false);
    expect(await accessAccepted(bob.access_token)).toBe(true);

    expect((await status(mineId, asAdmin(), `?principal=user:${userIds['bob']}`)).connected).toBe(true);
    await running
      .api()
      .delete(`/api/users/${userIds['bob']}`)
      .set(...asAdmin())
      .expect(204);
    await eventually(async () => expect((await status(mineId, asAdmin(), `?principal=user:${userIds['bob']}`)).connected).toBe(false));
    await eventually(async () => expect(await refreshAnswer(bob.refresh_token, registered)).toBe('invalid_grant'));

    await running
      .api()
      .delete(`/api/services/${sharedId}`)
      .set(...asAdmin())
      .expect(204);
    const rows = running.app.get(DataSource).getRepository(UpstreamConnectionEntity);
    await eventually(async () => expect(await rows.count({ where: { serviceId: sharedId } })).toBe(0));
    await eventually(async () => expect(await refreshAnswer(shared.refresh_token, preRegistered)).toBe('invalid_grant'));
  });

  /** A connection's tokens as the proxy keeps them (unsealed here, for the test to try them at the provider). */
  async function storedTokens(serviceId: string, principalKey: string): Promise<{ access_token: string; refresh_token: string }> {
    const row = await running.app.get(DataSource).getRepository(UpstreamConnectionEntity).findOneByOrFail({ serviceId, principalKey });
    return running.app.get(SecretBox).decryptJson(row.tokensSealed);
  }

  async function registeredClient(serviceId: string): Promise<{ client_id: string; client_secret: string }> {
    const row = await running.app.get(DataSource).getRepository(UpstreamClientEntity).findOneByOrFail({ serviceId });
    return running.app.get(SecretBox).decryptJson(row.clientSealed);
  }

  /** Whether the remote MCP server accepts the access token (its introspection at the provider says active). */
  async function accessAccepted(accessToken: string): Promise<boolean> {
    const response = await fetch(upstream.mcpUrl, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${accessToken}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: initializeRequest('revocation-check'),
    });
    await response.body?.cancel();
    return response.status !== 401;
  }

  /** A refresh at the provider's token endpoint with the client's credentials: "ok", or the OAuth error code. */
  async function refreshAnswer(refreshToken: string, credentials: { client_id: string; client_secret: string }): Promise<string> {
    const response = await fetch(`${upstream.issuer}/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${credentials.client_id}:${credentials.client_secret}`).toString('base64')}`,
      },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }).toString(),
    });
    return response.ok ? 'ok' : String(((await response.json()) as { error?: string }).error);
  }
});

/** Every file's content under a folder (logs, the SQLite database), for a search. */
function filesUnder(dir: string): string[] {
  if (!dir) return [];
  const found: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...filesUnder(path));
    else found.push(readFileSync(path).toString('latin1'));
  }
  return found;
}
