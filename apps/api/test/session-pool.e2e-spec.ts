import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { ServiceLogsView, ServiceMetricsView } from '@mcp-proxy/shared/dto';
import { join } from 'node:path';
import { connectClient, textOf } from './support/mcp-clients';
import { adminGet, eventually, registerService, RunningApp, serviceAction, startApp } from './support/running-app';

const PROBE_SERVER = join(__dirname, 'fixtures', 'probe-server.mjs');

/**
 * `process.isolation: "pool"`: children are started and initialized before any session asks, each new session
 * takes one of them (its own, as with `session`), the pool refills behind it within `pool.max` children, and
 * stopping the service leaves none behind.
 */
describe('warm pool of per-session children', () => {
  let running: RunningApp;
  const clients: Client[] = [];
  const key = (): [string, string] => ['X-API-Key', running.env.apiKey];

  async function client(): Promise<Client> {
    const connected = await connectClient(running.baseUrl, 'pooled', running.env.apiKey, 'streamable');
    clients.push(connected);
    return connected;
  }

  /** Children of the service now: the ready ones and those of open sessions. */
  async function childrenAre(count: number): Promise<void> {
    await eventually(async () => {
      const metrics = await adminGet<ServiceMetricsView>(running, '/api/services/pooled/metrics');
      const active = metrics.process.sessions?.active;
      if (active !== count) throw new Error(`${String(active)} children, waiting for ${count}`);
    }, 30_000);
  }

  /** Pids of the children started so far, from the service log. */
  async function startedPids(): Promise<string[]> {
    const logs = await adminGet<ServiceLogsView>(running, '/api/services/pooled/logs');
    return logs.lines.flatMap((line) => /session child started, pid (\d+)/.exec(line.text)?.[1] ?? []);
  }

  beforeAll(async () => {
    running = await startApp();
  });

  afterAll(async () => {
    await Promise.allSettled(clients.map((mcp) => mcp.close()));
    await running?.close();
  });

  it('starts pool.min children before any session, and a new session is served by one of them', async () => {
    await registerService(running, {
      name: 'pooled',
      process: { command: process.execPath, args: [PROBE_SERVER], isolation: 'pool', pool: { min: 2, max: 3 } },
    });
    await childrenAre(2);
    const ready = await startedPids();
    expect(ready).toHaveLength(2);

    const first = await client();
    expect(first.getServerVersion()).toMatchObject({ name: 'probe' });
    const firstPid = textOf(await first.callTool({ name: 'whoami', arguments: {} }));
    expect(ready).toContain(firstPid);
    // Its own child: the session's calls all land on it.
    expect(textOf(await first.callTool({ name: 'echo', arguments: { message: 'hi' } }))).toBe(`probe ${firstPid} echo: hi`);

    const second = await client();
    const secondPid = textOf(await second.callTool({ name: 'whoami', arguments: {} }));
    expect(secondPid).not.toBe(firstPid);
    expect(await startedPids()).toContain(secondPid);
  });

  it('refills within pool.max, and refuses a session beyond it', async () => {
    // Two sessions hold a child each; one more is kept ready: three, the most allowed.
    await childrenAre(3);
    const third = await client();
    expect(textOf(await third.callTool({ name: 'whoami', arguments: {} }))).toMatch(/^\d+$/);
    await expect(client()).rejects.toThrow(/maximum of 3 sessions/);
  });

  it('a session that ends stops its child, and the pool is topped up again', async () => {
    const end = async (mcp: Client): Promise<void> => {
      await (mcp.transport as StreamableHTTPClientTransport).terminateSession();
      await mcp.close();
    };
    await end(clients.splice(0, 1)[0]);
    // Two sessions and one ready child: the most allowed.
    await childrenAre(3);
    for (const mcp of clients.splice(0)) await end(mcp);
    await childrenAre(2);
  });

  it('stopping the service stops its ready children; starting it fills the pool again', async () => {
    await serviceAction(running, 'pooled', 'stop');
    await childrenAre(0);
    await serviceAction(running, 'pooled', 'start');
    await childrenAre(2);
  });

  it('refuses a pool whose min is above its max, a pool for a remote service, and unknown pool fields, naming them', async () => {
    const create = (body: object) =>
      running
        .api()
        .post('/api/services')
        .set(...key())
        .send(body);
    const tooSmall = await create({ name: 'pool-bad', process: { command: 'node', isolation: 'pool', pool: { min: 5, max: 2 } } });
    expect(tooSmall.status).toBe(400);
    expect(JSON.stringify(tooSmall.body)).toMatch(/process\.pool\.min \(5\) must not be more than process\.pool\.max \(2\)/);
    const remote = await create({
      name: 'pool-remote',
      transport: 'remote',
      remote: { url: 'http://127.0.0.1:9/mcp' },
      process: { isolation: 'pool' },
    });
    expect(remote.status).toBe(400);
    expect(JSON.stringify(remote.body)).toMatch(/process\.isolation \\"pool\\" is not available for remote services/);
    const unknown = await create({ name: 'pool-odd', process: { command: 'node', isolation: 'pool', pool: { size: 3 } } });
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(unknown.body)).toMatch(/size/);
  });
});
