import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { ClientTokenView, UpstreamConnectionView } from '@mcp-proxy/shared/dto';
import { DataSource } from 'typeorm';
import { UpstreamConnectionEntity } from '../src/upstream-auth/upstream-auth.entities';
import { connectClient, textOf } from './support/mcp-clients';
import { grantAccess } from './support/oauth-flow';
import { connectAccount, OAuthUpstream, startOAuthUpstream } from './support/oauth-upstream';
import { eventually, RunningApp, startApp, waitForStatus } from './support/running-app';

const PUBLIC_URL = 'http://127.0.0.1:9';
const REDIRECT_URI = `${PUBLIC_URL}/api/upstream-oauth/callback`;
const PASSWORD = 'correct horse battery';
jest.setTimeout(120_000);

/**
 * perUser connections belong to people: a client token a user created and an OAuth client a user approved
 * call with that user's connection, made once in the portal; a token made with the API key has its own.
 */
describe('Upstream OAuth: connections of the credentials’ owners', () => {
  let upstream: OAuthUpstream;
  let running: RunningApp;
  let serviceId = '';
  const tokens: Record<string, string> = {};
  const userIds: Record<string, string> = {};
  const clients: Client[] = [];
  const asAdmin = (): [string, string] => ['X-API-Key', running.env.apiKey];
  const asUser = (name: string): [string, string] => ['Authorization', `Bearer ${tokens[name]}`];
  const rows = () => running.app.get(DataSource).getRepository(UpstreamConnectionEntity);

  async function whoami(token: string): Promise<{ text: string; isError: boolean }> {
    const mcp = await connectClient(running.baseUrl, 'notes-owned', token, 'streamable');
    clients.push(mcp);
    const result = await mcp.callTool({ name: 'whoami', arguments: {} });
    return { text: textOf(result), isError: result.isError === true };
  }

  async function createUser(username: string, role: string): Promise<void> {
    const created = await running
      .api()
      .post('/api/users')
      .set(...asAdmin())
      .send({ username, password: PASSWORD, role })
      .expect(201);
    userIds[username] = (created.body as { id: string }).id;
    const login = await running.api().post('/api/auth/login').send({ username, password: PASSWORD }).expect(201);
    tokens[username] = (login.body as { token: string }).token;
  }

  async function mintToken(label: string, credential: [string, string]): Promise<ClientTokenView & { token: string }> {
    const minted = await running
      .api()
      .post('/api/client-tokens')
      .set(...credential)
      .send({ label, services: ['notes-owned'] })
      .expect(201);
    return minted.body as ClientTokenView & { token: string };
  }

  beforeAll(async () => {
    upstream = await startOAuthUpstream(REDIRECT_URI, 3600);
    for (const account of ['carol-upstream', 'keyed-upstream']) await upstream.addAccount(account);
    running = await startApp({ PUBLIC_URL });
    const created = await running
      .api()
      .post('/api/services')
      .set(...asAdmin())
      .send({
        name: 'notes-owned',
        transport: 'remote',
        remote: { url: upstream.mcpUrl, auth: 'oauth', oauth: { connection: 'perUser' } },
        proxy: { auth: 'oauth' },
        start: true,
      });
    if (created.status !== 201) throw new Error(`create: ${created.status} ${JSON.stringify(created.body)}`);
    serviceId = (created.body as { id: string }).id;
    await waitForStatus(running, 'notes-owned', 'running', 30_000);
    await createUser('carol', 'admin');
    await createUser('dave', 'admin');
  });

  afterAll(async () => {
    await Promise.all(clients.map((each) => each.close().catch(() => undefined)));
    await running?.close();
    await upstream?.stop();
  });

  it('a token and an OAuth client a user holds call with the connection that user made once in the portal', async () => {
    await connectAccount(running.baseUrl, upstream, serviceId, asUser('carol'), 'carol-upstream');
    const carols = await mintToken('carol laptop', asUser('carol'));
    expect(carols.ownerUserId).toBe(userIds['carol']);
    expect(await whoami(carols.token)).toEqual({ text: 'carol-upstream', isError: false });
    const granted = await grantAccess(running, `${PUBLIC_URL}/mcp/notes-owned`, undefined, asUser('carol'));
    expect(await whoami(granted.access)).toEqual({ text: 'carol-upstream', isError: false });
    // One connection serves all three: carol's own.
    expect(await rows().find({ where: { serviceId }, select: { principalKey: true } })).toEqual([
      expect.objectContaining({ principalKey: `user:${userIds['carol']}` }),
    ]);
    // The admin sees the token's connection as carol's.
    const seen = await running
      .api()
      .get(`/api/services/${serviceId}/oauth?principal=client-token:${carols.id}`)
      .set(...asAdmin())
      .expect(200);
    expect(seen.body as UpstreamConnectionView).toMatchObject({ connected: true, subject: 'carol-upstream' });
  });

  it("another user's token does not use it, and a token made with the API key has a connection of its own", async () => {
    const daves = await mintToken('dave laptop', asUser('dave'));
    const refused = await whoami(daves.token);
    expect(refused.isError).toBe(true);
    expect(refused.text).toContain(`connect it at ${PUBLIC_URL}/services/${serviceId}`);
    const keyed = await mintToken('ci bot', asAdmin());
    expect(keyed.ownerUserId).toBeNull();
    expect((await whoami(keyed.token)).isError).toBe(true);
    await connectAccount(running.baseUrl, upstream, serviceId, asAdmin(), 'keyed-upstream', `?principal=client-token:${keyed.id}`);
    expect(await whoami(keyed.token)).toEqual({ text: 'keyed-upstream', isError: false });
    expect(await rows().count({ where: { serviceId, principalKey: `client-token:${keyed.id}` } })).toBe(1);
    // Revoking the owner-less token removes its connection; carol's stays.
    await running
      .api()
      .post(`/api/client-tokens/${keyed.id}/revoke`)
      .set(...asAdmin())
      .expect(201);
    expect(await rows().count({ where: { serviceId, principalKey: `client-token:${keyed.id}` } })).toBe(0);
    expect(await rows().count({ where: { serviceId, principalKey: `user:${userIds['carol']}` } })).toBe(1);
  });

  it('removing the owner removes the connection their token used', async () => {
    const carols = await mintToken('carol desktop', asUser('carol'));
    expect((await whoami(carols.token)).isError).toBe(false);
    await running
      .api()
      .delete(`/api/users/${userIds['carol']}`)
      .set(...asAdmin())
      .expect(204);
    await eventually(async () => expect(await rows().count({ where: { serviceId, principalKey: `user:${userIds['carol']}` } })).toBe(0));
  });
});
