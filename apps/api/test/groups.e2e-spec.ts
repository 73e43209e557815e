import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ResourceUpdatedNotificationSchema, ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { connectClient, EVERYTHING_SERVER, textOf } from './support/mcp-clients';
import { eventually, registerService, RunningApp, startApp, waitForStatus } from './support/running-app';

const FIXTURE_SERVER = join(__dirname, 'fixtures', 'conformance-server.mjs');
const PROBE_SERVER = join(__dirname, 'fixtures', 'probe-server.mjs');

/** Groups: many services behind one endpoint, with names that cannot collide and members that fail alone. */
describe('groups at /mcp/g/<group>', () => {
  let running: RunningApp;
  const clients: Client[] = [];
  const key = (): [string, string] => ['X-API-Key', running.env.apiKey];

  const register = (name: string, args: string[]): Promise<void> =>
    registerService(running, { name, process: { command: process.execPath, args } });
  const waitRunning = (name: string): Promise<void> => waitForStatus(running, name, 'running');

  async function client(path: string): Promise<Client> {
    const connected = await connectClient(running.baseUrl, path, running.env.apiKey, 'streamable');
    clients.push(connected);
    return connected;
  }

  const toolNames = async (mcp: Client): Promise<string[]> => (await mcp.listTools()).tools.map((tool) => tool.name).sort();

  beforeAll(async () => {
    running = await startApp();
    await register('everything', [EVERYTHING_SERVER, 'stdio']);
    await register('fixture', [FIXTURE_SERVER]);
    await register('probe', [PROBE_SERVER]);
    await running
      .api()
      .post('/api/groups')
      .set(...key())
      .send({ name: 'pair', members: [{ service: 'everything' }, { service: 'probe' }] })
      .expect(201);
  }, 60_000);

  afterAll(async () => {
    await Promise.allSettled(clients.map((c) => c.close()));
    await running?.close();
  });

  it('lists both echo tools under distinct stable names, and each call reaches its own child', async () => {
    const mcp = await client('g/pair');
    const names = await toolNames(mcp);
    expect(names).toEqual(expect.arrayContaining(['everything__echo', 'probe__echo']));
    expect(names.every((name) => name.startsWith('everything__') || name.startsWith('probe__'))).toBe(true);
    expect(textOf(await mcp.callTool({ name: 'everything__echo', arguments: { message: 'to everything' } }))).toBe('Echo: to everything');
    expect(textOf(await mcp.callTool({ name: 'probe__echo', arguments: { message: 'to probe' } }))).toMatch(/^probe \d+ echo: to probe$/);

    const mapping = await running
      .api()
      .get('/api/groups/pair/tools')
      .set(...key())
      .expect(200);
    expect(mapping.body.tools).toEqual(expect.arrayContaining([{ exposed: 'probe__echo', service: 'probe', original: 'echo' }]));
  });

  it('adding a member sends tools/list_changed to a connected session, and its tools appear', async () => {
    const mcp = await client('g/pair');
    await toolNames(mcp);
    const changed = new Promise<void>((resolve) => mcp.setNotificationHandler(ToolListChangedNotificationSchema, () => resolve()));
    await running
      .api()
      .patch('/api/groups/pair')
      .set(...key())
      .send({ members: [{ service: 'everything' }, { service: 'probe' }, { service: 'fixture' }] })
      .expect(200);
    await Promise.race([changed, new Promise((_, reject) => setTimeout(() => reject(new Error('no list_changed within 5 s')), 5000))]);
    expect(await toolNames(mcp)).toEqual(expect.arrayContaining(['fixture__echo', 'fixture__test_simple_text']));
  });

  it('a member killed mid-session is left out while the group serves the others, and comes back after its restart', async () => {
    const mcp = await client('g/pair');
    const pid = Number(textOf(await mcp.callTool({ name: 'probe__whoami', arguments: {} })));
    process.kill(pid, 'SIGKILL');
    await eventually(
      async () => {
        const names = await toolNames(mcp);
        if (names.includes('probe__whoami')) throw new Error('probe still listed');
      },
      5000,
      20,
    ).catch(() => undefined); // it may already be back: a quick restart is fine too
    expect(textOf(await mcp.callTool({ name: 'everything__echo', arguments: { message: 'still here' } }))).toBe('Echo: still here');
    await waitRunning('probe');
    await eventually(async () => expect(await toolNames(mcp)).toContain('probe__whoami'));
    expect(Number(textOf(await mcp.callTool({ name: 'probe__whoami', arguments: {} })))).not.toBe(pid);
  });

  it('a call to a member that is down fails alone with a clear JSON-RPC error', async () => {
    const mcp = await client('g/pair');
    await toolNames(mcp);
    await running
      .api()
      .post('/api/services/probe/stop')
      .set(...key())
      .expect((response) => expect(response.status).toBeLessThan(300));
    await expect(mcp.callTool({ name: 'probe__whoami', arguments: {} })).rejects.toThrow(/probe.*stopped|Unknown tool/);
    expect(textOf(await mcp.callTool({ name: 'everything__echo', arguments: { message: 'ok' } }))).toBe('Echo: ok');
    await running
      .api()
      .post('/api/services/probe/start')
      .set(...key());
    await waitRunning('probe');
  });

  it('a group filter that allows only everything__echo leaves exactly that tool, listed and callable', async () => {
    await running
      .api()
      .post('/api/groups')
      .set(...key())
      .send({ name: 'only-echo', members: [{ service: 'everything' }, { service: 'probe' }], allow: ['everything__echo'] })
      .expect(201);
    const mcp = await client('g/only-echo');
    expect(await toolNames(mcp)).toEqual(['everything__echo']);
    expect(textOf(await mcp.callTool({ name: 'everything__echo', arguments: { message: 'filtered' } }))).toBe('Echo: filtered');
    await expect(mcp.callTool({ name: 'probe__echo', arguments: { message: 'x' } })).rejects.toThrow(/Unknown tool/);
  });

  it('resource subscriptions through a group: updates arrive under the group URI', async () => {
    const mcp = await client('g/pair');
    const { resources } = await mcp.listResources();
    const watched = resources.find((resource) => resource.uri.endsWith(encodeURIComponent('test://watched-resource')));
    expect(watched?.uri).toBe('mcp-group://fixture/test%3A%2F%2Fwatched-resource');
    const updates: string[] = [];
    mcp.setNotificationHandler(ResourceUpdatedNotificationSchema, (notification) => void updates.push(notification.params.uri));
    await mcp.subscribeResource({ uri: watched?.uri as string });
    await mcp.callTool({ name: 'fixture__test_update_watched_resource', arguments: {} });
    await eventually(async () => expect(updates).toEqual([watched?.uri]), 5000);
    const read = await mcp.readResource({ uri: watched?.uri as string });
    expect(read.contents[0].uri).toBe(watched?.uri);
  });

  it('serves the built-in group of all services at /mcp', async () => {
    const response = await fetch(`${running.baseUrl}/mcp`, {
      method: 'POST',
      headers: { authorization: `Bearer ${running.env.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    const body = (await response.json()) as { result: { tools: { name: string }[] } };
    const names: string[] = body.result.tools.map((tool: { name: string }) => tool.name);
    expect(names).toEqual(expect.arrayContaining(['everything__echo', 'fixture__echo', 'probe__whoami']));
  });

  it('refuses a group naming an unknown service, naming the member', async () => {
    const response = await running
      .api()
      .post('/api/groups')
      .set(...key())
      .send({ name: 'bad', members: [{ service: 'nope' }] })
      .expect(400);
    expect(response.body.message).toEqual(['members.0.service: no service "nope"']);
  });
});
