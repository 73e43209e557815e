import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { WebSocket } from 'ws';
import { connectClient, EVERYTHING_SERVER, TransportKind, textOf } from './support/mcp-clients';
import { eventually, registerService, RunningApp, startApp } from './support/running-app';

/** Client tokens: minted by the admin, shown once, limited to services and tools on every transport, revocable. */
describe('client tokens', () => {
  let running: RunningApp;
  const clients: Client[] = [];
  const admin = (): [string, string] => ['X-API-Key', running.env.apiKey];

  async function mint(body: Record<string, unknown>): Promise<{ id: string; token: string }> {
    const created = await running
      .api()
      .post('/api/client-tokens')
      .set(...admin())
      .send(body)
      .expect(201);
    return created.body as { id: string; token: string };
  }

  async function connect(service: string, token: string, kind: TransportKind = 'streamable'): Promise<Client> {
    const client = await connectClient(running.baseUrl, service, token, kind);
    clients.push(client);
    return client;
  }

  const rpc = (service: string, token: string, body: Record<string, unknown>) =>
    running
      .api()
      .post(`/mcp/${service}`)
      .set('Authorization', `Bearer ${token}`)
      .set('Accept', 'application/json, text/event-stream')
      .send({ jsonrpc: '2.0', id: 1, ...body });

  beforeAll(async () => {
    running = await startApp();
    await registerService(running, { name: 'everything', process: { command: process.execPath, args: [EVERYTHING_SERVER, 'stdio'] } });
    await registerService(running, { name: 'other', process: { command: process.execPath, args: [EVERYTHING_SERVER, 'stdio'] } });
    await running
      .api()
      .post('/api/groups')
      .set(...admin())
      .send({ name: 'pair', members: [{ service: 'everything' }, { service: 'other' }] })
      .expect(201);
  }, 60_000);

  afterAll(async () => {
    await Promise.allSettled(clients.map((client) => client.close()));
    await running?.close();
  }, 30_000);

  it('shows the token once, lists only its prefix, and keeps only a hash', async () => {
    const { id, token } = await mint({ label: 'cursor on laptop' });
    expect(token).toMatch(/^mcpt_[A-Za-z0-9_-]{43}$/);
    const listed = await running
      .api()
      .get('/api/client-tokens')
      .set(...admin())
      .expect(200);
    const view = listed.body.find((item: { id: string }) => item.id === id);
    expect(view).toMatchObject({ label: 'cursor on laptop', services: null, tools: null, revokedAt: null });
    expect(token.startsWith(view.prefix)).toBe(true);
    expect(JSON.stringify(listed.body)).not.toContain(token);

    const relabelled = await running
      .api()
      .patch(`/api/client-tokens/${id}`)
      .set(...admin())
      .send({ label: 'cursor (work)' })
      .expect(200);
    expect(relabelled.body.label).toBe('cursor (work)');
  });

  it('a token restricted to echo sees only echo and gets a JSON-RPC error for any other tool, on every transport', async () => {
    const { token } = await mint({ label: 'echo only', tools: ['echo'] });
    for (const kind of ['streamable', 'sse', 'websocket'] as TransportKind[]) {
      const mcp = await connect('everything', token, kind);
      expect((await mcp.listTools()).tools.map((tool) => tool.name)).toEqual(['echo']);
      expect(textOf(await mcp.callTool({ name: 'echo', arguments: { message: kind } }))).toBe(`Echo: ${kind}`);
      await expect(mcp.callTool({ name: 'get-sum', arguments: { a: 1, b: 2 } })).rejects.toThrow(/not allowed for this client/);
    }
    // Plain one-shot JSON-RPC (curl) goes the same way.
    const listed = await rpc('everything', token, { method: 'tools/list' }).expect(200);
    expect(listed.body.result.tools.map((tool: { name: string }) => tool.name)).toEqual(['echo']);
    const refused = await rpc('everything', token, { method: 'tools/call', params: { name: 'get-env', arguments: {} } }).expect(200);
    expect(refused.body.error).toMatchObject({ code: -32602, message: expect.stringMatching(/not allowed/) });
  }, 30_000);

  it('holds for groups by exposed names, and a service restriction keeps the token out of other services and groups', async () => {
    const scoped = await mint({ label: 'group echo', services: ['g/pair'], tools: ['*__echo'] });
    const group = await connect('g/pair', scoped.token);
    expect((await group.listTools()).tools.map((tool) => tool.name).sort()).toEqual(['everything__echo', 'other__echo']);
    await expect(group.callTool({ name: 'other__get-sum', arguments: { a: 1, b: 2 } })).rejects.toThrow(/not allowed/);
    await rpc('everything', scoped.token, { method: 'tools/list' }).expect(403);

    const single = await mint({ label: 'everything only', services: ['everything'] });
    await rpc('everything', single.token, { method: 'tools/list' }).expect(200);
    await rpc('other', single.token, { method: 'tools/list' }).expect(403);
    await rpc('g/pair', single.token, { method: 'tools/list' }).expect(403);
  }, 30_000);

  it('opens the MCP endpoints only, never the management API', async () => {
    const { token } = await mint({ label: 'no admin' });
    await running.api().get('/api/services').set('Authorization', `Bearer ${token}`).expect(403);
    await running.api().post('/api/client-tokens').set('Authorization', `Bearer ${token}`).send({ label: 'escalate' }).expect(403);
    // Nor the live gateway: logs and status are management data.
    const refused = await new Promise<number>((resolve) => {
      const socket = new WebSocket(`${running.baseUrl.replace('http', 'ws')}/ws?token=${token}`);
      socket.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
      socket.on('open', () => resolve(101));
    });
    expect(refused).toBe(401);
  });

  it('a revoked token is refused with 401 on its next request; minting, revoking and refusals are in the audit log', async () => {
    const { id, token } = await mint({ label: 'to revoke', tools: ['echo'] });
    await rpc('everything', token, { method: 'tools/list' }).expect(200);
    await rpc('everything', token, { method: 'tools/call', params: { name: 'get-env', arguments: {} } }).expect(200);
    const revoked = await running
      .api()
      .post(`/api/client-tokens/${id}/revoke`)
      .set(...admin())
      .expect(201);
    expect(revoked.body.revokedAt).not.toBeNull();
    await rpc('everything', token, { method: 'tools/list' }).expect(401);

    const audit = await eventually(async () => {
      const page = await running
        .api()
        .get('/api/audit')
        .query({ limit: 100 })
        .set(...admin())
        .expect(200);
      const items = page.body.items as {
        action: string;
        outcome: string;
        actor: string | null;
        target: string | null;
        detail: Record<string, unknown> | null;
      }[];
      if (!items.some((item) => item.detail?.['status'] === 401 && item.action.includes('/mcp/everything')))
        throw new Error('refusal not recorded yet');
      return items;
    });
    expect(audit).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ action: 'client-token.create', outcome: 'ok', actor: 'admin' }),
        expect.objectContaining({ action: 'client-token.revoke', outcome: 'ok', target: id }),
        expect.objectContaining({
          action: 'tools/call /mcp/everything',
          outcome: 'refused',
          detail: expect.objectContaining({ reason: 'tool "get-env" is not in the allow-list' }),
        }),
        expect.objectContaining({ action: 'POST /mcp/everything', outcome: 'refused', detail: expect.objectContaining({ status: 401 }) }),
      ]),
    );
    expect(JSON.stringify(audit)).not.toContain(token);
  });

  it('refuses bad input with 400 naming the field', async () => {
    const response = await running
      .api()
      .post('/api/client-tokens')
      .set(...admin())
      .send({ label: '', tools: 'echo' })
      .expect(400);
    expect(JSON.stringify(response.body.message)).toMatch(/label/);
    expect(JSON.stringify(response.body.message)).toMatch(/tools/);
  });
});
