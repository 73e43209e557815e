import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallLogDetailView, CallLogPageView, CallLogView, CallStatsView, ServiceView } from '@mcp-proxy/shared/dto';
import { CallLogWriter } from '../src/calls/call-log-writer';
import { connectClient, EVERYTHING_SERVER, textOf } from './support/mcp-clients';
import { registerService, RunningApp, startApp, waitForStatus } from './support/running-app';

const PASSWORD = 'correct horse battery';
const ENV_SECRET = 'env-secret-value-4711';
jest.setTimeout(60_000);

/**
 * The call history's payloads, figures and exports: arguments and results are stored only for a service that
 * asks for it, and then redacted (its own secrets, keys, e-mails) and cut; per-tool statistics and Prometheus
 * series; every read limited to the caller's services, and refused to client tokens and anonymous callers.
 */
describe('call history: payloads, statistics, exports', () => {
  let running: RunningApp;
  const clients: Client[] = [];
  const key = (): [string, string] => ['X-API-Key', running.env.apiKey];

  async function client(path: string, credential = running.env.apiKey): Promise<Client> {
    const connected = await connectClient(running.baseUrl, path, credential, 'streamable');
    clients.push(connected);
    return connected;
  }

  async function calls(query: Record<string, string> = {}, auth: [string, string] = key()): Promise<CallLogView[]> {
    await running.app.get(CallLogWriter).flush();
    const response = await running
      .api()
      .get('/api/calls')
      .query({ limit: '500', ...query })
      .set(...auth)
      .expect(200);
    return (response.body as CallLogPageView).items;
  }

  async function detail(id: string, auth: [string, string] = key(), status = 200): Promise<CallLogDetailView> {
    const response = await running
      .api()
      .get(`/api/calls/${id}`)
      .set(...auth)
      .expect(status);
    return response.body as CallLogDetailView;
  }

  async function viewerToken(services: string[]): Promise<[string, string]> {
    const username = `viewer-${services.join('-')}`;
    await running
      .api()
      .post('/api/users')
      .set(...key())
      .send({ username, password: PASSWORD, role: 'viewer', services })
      .expect(201);
    const login = await running.api().post('/api/auth/login').send({ username, password: PASSWORD }).expect(201);
    return ['Authorization', `Bearer ${(login.body as { token: string }).token}`];
  }

  beforeAll(async () => {
    running = await startApp({
      AUTH_FAILURE_LIMIT: '100000',
      CALL_LOG: 'true',
      METRICS_PER_TOOL: 'true',
      CALL_LOG_PAYLOAD_MAX_BYTES: '512',
    });
    const everything = { command: process.execPath, args: [EVERYTHING_SERVER, 'stdio'] };
    await registerService(running, { name: 'plain', process: everything });
    await registerService(running, {
      name: 'keeper',
      process: everything,
      environment: { API_TOKEN: ENV_SECRET },
      callLog: { payloads: true },
    });
    for (const name of ['plain', 'keeper']) await waitForStatus(running, name, 'running');
  }, 60_000);

  afterAll(async () => {
    await Promise.allSettled(clients.map((c) => c.close()));
    await running?.close();
  });

  it('shows the setting on the service and refuses a wrong or unknown field naming it', async () => {
    const view = (
      await running
        .api()
        .get('/api/services/keeper')
        .set(...key())
        .expect(200)
    ).body as ServiceView;
    expect(view.callLog).toEqual({ payloads: true });
    const plain = (
      await running
        .api()
        .get('/api/services/plain')
        .set(...key())
        .expect(200)
    ).body as ServiceView;
    expect(plain.callLog).toEqual({ payloads: false });
    const wrong = await running
      .api()
      .patch('/api/services/plain')
      .set(...key())
      .send({ callLog: { payloads: 'yes' } })
      .expect(400);
    expect(JSON.stringify(wrong.body)).toContain('callLog.payloads');
    const unknown = await running
      .api()
      .patch('/api/services/plain')
      .set(...key())
      .send({ callLog: { payloads: true, body: true } })
      .expect(400);
    expect(JSON.stringify(unknown.body)).toContain('body');
  });

  it('stores no arguments or result by default', async () => {
    const mcp = await client('plain');
    expect(textOf(await mcp.callTool({ name: 'echo', arguments: { message: 'plain words' } }))).toBe('Echo: plain words');
    const [row] = await calls({ service: 'plain', tool: 'echo' });
    if (!row) throw new Error('not recorded');
    expect(await detail(row.id)).toMatchObject({ id: row.id, arguments: null, result: null, outcome: 'ok' });
  });

  it("stores a keeping service's arguments and result redacted (its secrets, keys, e-mails) and cut", async () => {
    const mcp = await client('keeper');
    const message = `hello ${ENV_SECRET} mail carol@example.com key sk-abcdefghijklmnopqrstuvwx`;
    expect(textOf(await mcp.callTool({ name: 'echo', arguments: { message } }))).toBe(`Echo: ${message}`);
    const [row] = await calls({ service: 'keeper', tool: 'echo' });
    if (!row) throw new Error('not recorded');
    const stored = await detail(row.id);
    expect(JSON.parse(stored.arguments ?? '')).toEqual({ message: 'hello [REDACTED] mail [REDACTED] key [REDACTED]' });
    expect(stored.result).toContain('Echo: hello [REDACTED] mail [REDACTED] key [REDACTED]');
    for (const secret of [ENV_SECRET, 'carol@example.com', 'sk-abcdefghij']) expect(JSON.stringify(stored)).not.toContain(secret);

    await mcp.callTool({ name: 'echo', arguments: { message: 'x'.repeat(2000) } });
    const [long] = await calls({ service: 'keeper', tool: 'echo' });
    const cut = await detail(long?.id ?? '');
    expect(Buffer.byteLength(cut.arguments ?? '')).toBeLessThan(600);
    expect(cut.arguments).toMatch(/…\[truncated \d+ bytes\]$/);
    // The list never carries payloads; the hash is of the arguments as sent.
    expect(JSON.stringify(await calls())).not.toContain('[REDACTED]');
    expect(long?.argumentsSha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('gives per-tool figures for the last hour, day or month, computed by the database', async () => {
    const mcp = await client('plain');
    for (let index = 0; index < 4; index++) await mcp.callTool({ name: 'get-sum', arguments: { a: index, b: 1 } });
    await running.app.get(CallLogWriter).flush();
    for (const range of ['hour', 'day', 'month']) {
      const stats = (
        await running
          .api()
          .get('/api/calls/stats')
          .query({ range, service: 'plain' })
          .set(...key())
          .expect(200)
      ).body as CallStatsView;
      expect(stats.range).toBe(range);
      const sum = stats.tools.find((tool) => tool.tool === 'get-sum');
      expect(sum).toMatchObject({ serviceName: 'plain', method: 'tools/call', calls: 4, errors: 0, errorRate: 0 });
      expect(sum?.p95Ms).toBeGreaterThanOrEqual(sum?.p50Ms ?? 0);
      expect(sum?.topClients).toEqual([{ client: 'proxy-e2e', calls: 4 }]);
      expect(stats.tools.every((tool) => tool.serviceName === 'plain')).toBe(true);
    }
    const all = (
      await running
        .api()
        .get('/api/calls/stats')
        .set(...key())
        .expect(200)
    ).body as CallStatsView;
    expect(all.range).toBe('day');
    expect(all.tools.map((tool) => tool.serviceName)).toEqual(expect.arrayContaining(['plain', 'keeper']));
    const bad = await running
      .api()
      .get('/api/calls/stats')
      .query({ range: 'week' })
      .set(...key())
      .expect(400);
    expect(JSON.stringify(bad.body)).toContain('range');
    await running
      .api()
      .get('/api/calls/stats')
      .query({ nope: '1' })
      .set(...key())
      .expect(400);
  });

  it('exports a page as a JSON download, and up to 10,000 calls per export', async () => {
    const response = await running
      .api()
      .get('/api/calls')
      .query({ format: 'json', service: 'plain', limit: '5000' })
      .set(...key())
      .expect(200);
    expect(response.headers['content-disposition']).toMatch(/^attachment; filename="calls-.*\.json"$/);
    const page = response.body as CallLogPageView;
    expect(page.items.length).toBe((await calls({ service: 'plain' })).length);
    await running
      .api()
      .get('/api/calls')
      .query({ limit: '501' })
      .set(...key())
      .expect(400);
    await running
      .api()
      .get('/api/calls')
      .query({ format: 'csv', limit: '10001' })
      .set(...key())
      .expect(400);
  });

  it('counts each tool in Prometheus (METRICS_PER_TOOL)', async () => {
    const prometheus = await running
      .api()
      .get('/metrics')
      .set(...key())
      .expect(200);
    expect(prometheus.text).toMatch(/mcp_proxy_tool_calls_total\{service="plain",tool="get-sum",outcome="ok"\} 4/);
    expect(prometheus.text).toContain('mcp_proxy_tool_call_duration_seconds_bucket{le="0.005",service="plain",tool="get-sum"}');
  });

  it("records a limited client token's calls under it, and shows a limited viewer only their services' calls and figures", async () => {
    const minted = await running
      .api()
      .post('/api/client-tokens')
      .set(...key())
      .send({ label: 'keeper only', services: ['keeper'] })
      .expect(201);
    const token = (minted.body as { token: string }).token;
    const mcp = await client('keeper', token);
    await mcp.callTool({ name: 'echo', arguments: { message: 'from a token' } });
    const [row] = await calls({ principal: 'keeper only' });
    expect(row).toMatchObject({ principalKind: 'client', principalLabel: 'keeper only', serviceName: 'keeper' });
    // The token itself reads no history, and nobody without a credential does.
    for (const path of ['/api/calls', '/api/calls/stats', `/api/calls/${row?.id ?? ''}`]) {
      expect((await running.api().get(path).set('Authorization', `Bearer ${token}`)).status).toBe(403);
      await running.api().get(path).expect(401);
    }

    const viewer = await viewerToken(['plain']);
    const seen = await calls({}, viewer);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((call) => call.serviceName === 'plain')).toBe(true);
    await detail(row?.id ?? '', viewer, 404);
    const figures = (
      await running
        .api()
        .get('/api/calls/stats')
        .set(...viewer)
        .expect(200)
    ).body as CallStatsView;
    expect(figures.tools.length).toBeGreaterThan(0);
    expect(figures.tools.every((tool) => tool.serviceName === 'plain')).toBe(true);
    const asked = (
      await running
        .api()
        .get('/api/calls/stats')
        .query({ service: 'keeper' })
        .set(...viewer)
        .expect(200)
    ).body as CallStatsView;
    expect(asked.tools).toEqual([]);
    await running
      .api()
      .get('/api/calls/not-a-uuid')
      .set(...key())
      .expect(400);
  });
});
