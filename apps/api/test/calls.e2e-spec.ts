import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallLogPageView, CallLogView } from '@mcp-proxy/shared/dto';
import { CallLogRetention } from '../src/calls/call-log-retention';
import { CallLogWriter } from '../src/calls/call-log-writer';
import { connectClient, EVERYTHING_SERVER, textOf } from './support/mcp-clients';
import { eventually, registerService, RunningApp, startApp, waitForStatus } from './support/running-app';

const FIXTURE_SERVER = join(__dirname, 'fixtures', 'conformance-server.mjs');
const PASSWORD = 'correct horse battery';
const LONG_RUNNING = 'trigger-long-running-operation';
// Services start, calls time out on purpose: slow on a loaded machine.
jest.setTimeout(60_000);

/**
 * The call history: every tools/call, resources/read and prompts/get that goes through the proxy is
 * recorded with who made it, from which client, how it ended and how long it took (never its arguments),
 * and read back at GET /api/calls within the caller's service limits.
 */
describe('call history at GET /api/calls', () => {
  let running: RunningApp;
  const clients: Client[] = [];
  const key = (): [string, string] => ['X-API-Key', running.env.apiKey];

  async function client(path: string): Promise<Client> {
    const connected = await connectClient(running.baseUrl, path, running.env.apiKey, 'streamable');
    clients.push(connected);
    return connected;
  }

  /** The calls recorded so far (the writer's queue written out first), filtered by `query`. */
  async function calls(query: Record<string, string> = {}): Promise<CallLogView[]> {
    await running.app.get(CallLogWriter).flush();
    const response = await running
      .api()
      .get('/api/calls')
      .query({ limit: '500', ...query })
      .set(...key())
      .expect(200);
    return (response.body as CallLogPageView).items;
  }

  beforeAll(async () => {
    running = await startApp({ AUTH_FAILURE_LIMIT: '100000', CALL_LOG: 'true' });
    await registerService(running, { name: 'everything', process: { command: process.execPath, args: [EVERYTHING_SERVER, 'stdio'] } });
    await registerService(running, {
      name: 'slow',
      process: { command: process.execPath, args: [EVERYTHING_SERVER, 'stdio'] },
      proxy: { requestTimeoutSec: 1 },
    });
    await registerService(running, { name: 'fixture', process: { command: process.execPath, args: [FIXTURE_SERVER] } });
    await running
      .api()
      .post('/api/groups')
      .set(...key())
      .send({ name: 'pair', members: [{ service: 'everything' }, { service: 'fixture' }] })
      .expect(201);
    for (const name of ['everything', 'slow', 'fixture']) await waitForStatus(running, name, 'running');
  }, 60_000);

  afterAll(async () => {
    await Promise.allSettled(clients.map((c) => c.close()));
    await running?.close();
  });

  it('records an ok call with who made it, from which client, and a hash of the arguments, never the arguments', async () => {
    const mcp = await client('everything');
    expect(textOf(await mcp.callTool({ name: 'echo', arguments: { message: 'zebra-secret-7' } }))).toBe('Echo: zebra-secret-7');
    const [row] = await calls({ service: 'everything', tool: 'echo', outcome: 'ok' });
    expect(row).toMatchObject({
      principalKind: 'admin',
      principalId: 'admin',
      clientName: 'proxy-e2e',
      clientVersion: '1.0.0',
      endpoint: 'everything',
      serviceName: 'everything',
      method: 'tools/call',
      tool: 'echo',
      originalTool: null,
      outcome: 'ok',
      errorCode: null,
    });
    expect(row?.argumentsSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(row?.requestBytes).toBeGreaterThan(0);
    expect(row?.responseBytes).toBeGreaterThan(0);
    expect(row?.instance).toBeTruthy();
    expect(JSON.stringify(await calls())).not.toContain('zebra-secret-7');
  });

  it('records a tool error (isError) and a JSON-RPC error with its code', async () => {
    const fixture = await client('fixture');
    expect((await fixture.callTool({ name: 'test_error_handling', arguments: {} })).isError).toBe(true);
    const everything = await client('everything');
    // Answered with a JSON-RPC error or with isError, depending on the server's SDK: either way the call ends.
    await everything.callTool({ name: 'no-such-tool', arguments: {} }).catch(() => undefined);
    const [toolError] = await calls({ service: 'fixture', tool: 'test_error_handling' });
    expect(toolError).toMatchObject({ outcome: 'tool_error', errorCode: null });
    const [unknown] = await calls({ tool: 'no-such-tool' });
    // Servers answer an unknown tool with a JSON-RPC error or with isError, depending on their SDK.
    expect(['error', 'tool_error']).toContain(unknown?.outcome);
    if (unknown?.outcome === 'error') expect(unknown.errorCode).toEqual(expect.any(Number));
    // A group answers an unknown tool itself, always with a JSON-RPC error (-32602), recorded against the group.
    const group = await client('g/pair');
    await expect(group.callTool({ name: 'nobody__tool', arguments: {} })).rejects.toThrow();
    expect(await calls({ tool: 'nobody__tool' })).toEqual([
      expect.objectContaining({ endpoint: 'pair', serviceName: 'pair', outcome: 'error', errorCode: -32602, originalTool: null }),
    ]);
  });

  it('records a resource read and a prompt get', async () => {
    const mcp = await client('everything');
    const [resource] = (await mcp.listResources()).resources;
    if (!resource) throw new Error('server-everything lists no resource');
    await mcp.readResource({ uri: resource.uri });
    const [prompt] = (await mcp.listPrompts()).prompts;
    if (prompt && !prompt.arguments?.some((argument) => argument.required)) await mcp.getPrompt({ name: prompt.name });
    expect(await calls({ tool: resource.uri })).toEqual([expect.objectContaining({ method: 'resources/read', outcome: 'ok' })]);
    if (prompt && !prompt.arguments?.some((argument) => argument.required))
      expect(await calls({ tool: prompt.name })).toEqual([expect.objectContaining({ method: 'prompts/get' })]);
  });

  it('records a call the client cancelled', async () => {
    const mcp = await client('everything');
    const abort = new AbortController();
    const pending = mcp.callTool({ name: LONG_RUNNING, arguments: { duration: 5, steps: 5 } }, undefined, { signal: abort.signal });
    await new Promise((resolve) => setTimeout(resolve, 300));
    abort.abort('changed my mind');
    await expect(pending).rejects.toThrow();
    const rows = await eventually(async () => {
      const found = await calls({ service: 'everything', tool: LONG_RUNNING, outcome: 'cancelled' });
      if (found.length === 0) throw new Error('not recorded yet');
      return found;
    });
    expect(rows[0]).toMatchObject({ outcome: 'cancelled', errorCode: null });
  });

  it("records a call the proxy timed out (the service's request timeout)", async () => {
    const mcp = await client('slow');
    await expect(mcp.callTool({ name: LONG_RUNNING, arguments: { duration: 3, steps: 3 } })).rejects.toThrow();
    const [row] = await calls({ service: 'slow', outcome: 'timeout' });
    expect(row).toMatchObject({ tool: LONG_RUNNING, outcome: 'timeout', errorCode: -31001 });
    expect(row?.durationMs).toBeGreaterThanOrEqual(900);
  });

  it("records a group's call under its member, with the exposed and the original tool name", async () => {
    const mcp = await client('g/pair');
    expect(textOf(await mcp.callTool({ name: 'everything__echo', arguments: { message: 'via group' } }))).toBe('Echo: via group');
    const [row] = await calls({ tool: 'everything__echo' });
    expect(row).toMatchObject({
      endpoint: 'pair',
      serviceName: 'everything',
      tool: 'everything__echo',
      originalTool: 'echo',
      outcome: 'ok',
    });
    // Found by the original name and by the member too.
    expect((await calls({ tool: 'echo', service: 'everything' })).map((call) => call.id)).toContain(row?.id);
  });

  it('pages newest first with an opaque cursor, and filters by principal and time', async () => {
    const all = await calls();
    expect(all.length).toBeGreaterThanOrEqual(6);
    const times = all.map((call) => call.at);
    expect([...times].sort().reverse()).toEqual(times);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const response = await running
        .api()
        .get('/api/calls')
        .query({ limit: '2', ...(cursor ? { cursor } : {}) })
        .set(...key())
        .expect(200);
      const page = response.body as CallLogPageView;
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((call) => call.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all.map((call) => call.id));
    expect(await calls({ principal: 'admin' })).toHaveLength(all.length);
    expect(await calls({ principal: 'someone-else' })).toEqual([]);
    expect(await calls({ from: new Date(Date.now() + 60_000).toISOString() })).toEqual([]);
    expect(await calls({ to: new Date(Date.now() + 60_000).toISOString() })).toHaveLength(all.length);
    await running
      .api()
      .get('/api/calls')
      .query({ cursor: 'bm90LWEtY3Vyc29y' })
      .set(...key())
      .expect(400);
    const unknown = await running
      .api()
      .get('/api/calls')
      .query({ nope: '1' })
      .set(...key())
      .expect(400);
    expect(JSON.stringify(unknown.body)).toContain('nope');
  });

  it('exports a page as CSV', async () => {
    const response = await running
      .api()
      .get('/api/calls')
      .query({ format: 'csv', service: 'everything' })
      .set(...key())
      .expect(200);
    expect(response.headers['content-type']).toMatch(/^text\/csv/);
    const lines = response.text.trim().split('\r\n');
    expect(lines[0]).toBe(
      'at,instance,principalKind,principalId,principalLabel,clientName,clientVersion,endpoint,serviceId,serviceName,method,tool,originalTool,durationMs,outcome,errorCode,requestBytes,responseBytes,argumentsSha256',
    );
    expect(lines.length - 1).toBe((await calls({ service: 'everything' })).length);
  });

  it("shows a limited viewer only their services' calls; anonymous callers and client tokens are refused", async () => {
    await running
      .api()
      .post('/api/users')
      .set(...key())
      .send({ username: 'fixture-viewer', password: PASSWORD, role: 'viewer', services: ['fixture'] })
      .expect(201);
    const login = await running.api().post('/api/auth/login').send({ username: 'fixture-viewer', password: PASSWORD }).expect(201);
    const token = (login.body as { token: string }).token;
    const seen = (await running.api().get('/api/calls').query({ limit: '500' }).set('Authorization', `Bearer ${token}`).expect(200))
      .body as CallLogPageView;
    expect(seen.items.length).toBeGreaterThan(0);
    expect(seen.items.every((call) => call.serviceName === 'fixture')).toBe(true);
    const asked = (
      await running.api().get('/api/calls').query({ service: 'everything' }).set('Authorization', `Bearer ${token}`).expect(200)
    ).body as CallLogPageView;
    expect(asked.items).toEqual([]);

    await running.api().get('/api/calls').expect(401);
    const created = await running
      .api()
      .post('/api/client-tokens')
      .set(...key())
      .send({ label: 'calls-reader' })
      .expect(201);
    const clientToken = (created.body as { token: string }).token;
    const refused = await running.api().get('/api/calls').set('Authorization', `Bearer ${clientToken}`);
    expect(refused.status).toBe(403);
  });

  it('the retention sweep deletes calls past the age limit, then the oldest beyond the row limit', async () => {
    const writer = running.app.get(CallLogWriter);
    const old = new Date(Date.now() - 40 * 24 * 60 * 60 * 1000);
    const [template] = await calls();
    if (!template) throw new Error('no call recorded yet');
    const { id: _id, instance: _instance, at: _at, ...fields } = template;
    writer.insertRow({ ...fields, at: old, tool: 'ancient-tool' });
    expect(await calls({ tool: 'ancient-tool' })).toHaveLength(1);
    const retention = running.app.get(CallLogRetention);
    const before = (await calls()).length;
    expect(await retention.sweep({ retentionDays: 30, maxRows: 0, now: Date.now() })).toBe(1);
    expect(await calls({ tool: 'ancient-tool' })).toEqual([]);
    expect(await calls()).toHaveLength(before - 1);

    const newest = (await calls()).slice(0, 3).map((call) => call.id);
    await retention.sweep({ retentionDays: 0, maxRows: 3, now: Date.now() });
    const kept = (await calls()).map((call) => call.id);
    expect(kept.slice(0, 3)).toEqual(newest);
    expect(kept.length).toBeLessThanOrEqual(before - 1);
    expect(kept.length).toBeGreaterThanOrEqual(3);
  });
});
