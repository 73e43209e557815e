import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import { ClusterInstance, descendsFrom, startClusterInstance, TEST_REDIS_URL } from './support/cluster-instances';
import { api, keepCalling, successesAfter } from './support/keep-calling';
import { connectClient, EVERYTHING_SERVER, textOf } from './support/mcp-clients';
import { createTemporaryDatabase } from './support/postgres';
import { eventually } from './support/running-app';
import { makeTestEnv, TestEnv } from './support/test-env';
import { WebSocket } from 'ws';

jest.setTimeout(180_000);

const LEASE_TTL_SEC = 3;

type Instance = ClusterInstance;

interface ServiceStatusView {
  id: string;
  status: string;
  pid: number | null;
  instance: string | null;
}

/**
 * Two built proxies on one PostgreSQL and one Redis, as two hosts behind a load balancer would run:
 * one of them runs the child, the other forwards to it; when the owner is killed (SIGKILL) the child
 * moves to the survivor within the lease time and a client calling through the survivor keeps its session.
 */
describe('several instances on PostgreSQL + Redis (built bundles)', () => {
  let env: TestEnv;
  let database: { url: string; drop: () => Promise<void> };
  let redis: Redis;
  const prefix = `mcp-proxy-test-${process.pid}-${Date.now()}`;
  const instances: Instance[] = [];
  let a: Instance;
  let b: Instance;
  let serviceId = '';

  async function startInstance(id: string): Promise<Instance> {
    const instance = await startClusterInstance({ env, databaseUrl: database.url, prefix, leaseTtlSec: LEASE_TTL_SEC }, id);
    instances.push(instance);
    return instance;
  }

  const leaseOwner = async (): Promise<string | null> => (await redis.get(`${prefix}:lease:${serviceId}`))?.split(' ')[0] ?? null;

  beforeAll(async () => {
    // Every instance shares the secrets through the environment: the same key works everywhere.
    env = makeTestEnv({ JWT_SECRET: randomBytes(32).toString('hex'), ENCRYPTION_KEY: randomBytes(32).toString('hex') });
    database = await createTemporaryDatabase();
    redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
    // One after the other: the first one runs the migrations.
    a = await startInstance('a');
    b = await startInstance('b');
    const created = await api<ServiceStatusView>(a.url, env.apiKey, 'POST', '/api/services', {
      name: 'everything',
      process: { command: process.execPath, args: [EVERYTHING_SERVER] },
      proxy: { rateLimit: 0 },
      start: true,
    });
    serviceId = created.id;
    await eventually(async () => {
      const view = await api<ServiceStatusView>(a.url, env.apiKey, 'GET', '/api/services/everything');
      if (view.status !== 'running') throw new Error(view.status);
    }, 30_000);
    // Both instances hear of the new service; whichever takes the lease runs it. From here on `a` is the owner.
    const owner = await eventually(async () => {
      const id = await leaseOwner();
      if (!id) throw new Error('no lease yet');
      return id;
    }, 10_000);
    if (owner === b.id) [a, b] = [b, a];
  });

  afterAll(async () => {
    await Promise.all(instances.map((instance) => instance.app.stop()));
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
    await database?.drop();
    env.cleanup();
  });

  it('runs the child on exactly one instance; the other forwards every transport to it', async () => {
    expect(await leaseOwner()).toBe(a.id);
    const viewOnA = await api<ServiceStatusView>(a.url, env.apiKey, 'GET', '/api/services/everything');
    expect(viewOnA.instance).toBe(a.id);
    expect(descendsFrom(viewOnA.pid ?? 0, a.app.child.pid ?? -1)).toBe(true);

    for (const kind of ['streamable', 'sse', 'websocket'] as const) {
      const client = await connectClient(b.url, 'everything', env.apiKey, kind);
      const result = await client.callTool({ name: 'echo', arguments: { message: `via b over ${kind}` } });
      expect(textOf(result)).toContain(`via b over ${kind}`);
      await client.close();
    }
    // A forwarded request is not forwarded again, even with a bad key: the owner checks credentials too.
    const forged = await fetch(`${b.url}/mcp/everything`, {
      method: 'POST',
      headers: { authorization: 'Bearer wrong-key-wrong-key', 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(forged.status).toBe(401);
  });

  it("shows the owner's runtime state on every instance: the service list, the service, /health", async () => {
    const onA = await api<ServiceStatusView>(a.url, env.apiKey, 'GET', '/api/services/everything');
    // The owner publishes its state through Redis: on a loaded machine it may land a moment after the start.
    await eventually(
      async () =>
        expect(await api<ServiceStatusView>(b.url, env.apiKey, 'GET', '/api/services/everything')).toMatchObject({
          status: 'running',
          pid: onA.pid,
          instance: a.id,
        }),
      10_000,
    );
    const listed = await api<ServiceStatusView[]>(b.url, env.apiKey, 'GET', '/api/services');
    expect(listed.find((view) => view.id === serviceId)).toMatchObject({ status: 'running', pid: onA.pid, instance: a.id });
    const health = (await (await fetch(`${b.url}/health`)).json()) as { services: { running: number } };
    expect(health.services.running).toBe(1);
  });

  it("restarts the child on its owner when another instance is asked to; that instance's live /ws shows the new state", async () => {
    const before = await api<ServiceStatusView>(a.url, env.apiKey, 'GET', '/api/services/everything');
    const socket = new WebSocket(`${b.url.replace('http', 'ws')}/ws?token=${env.apiKey}`);
    const statuses: ServiceStatusView[] = [];
    let subscribed = false;
    socket.on('message', (raw) => {
      const message = JSON.parse(String(raw)) as { type: string; service?: ServiceStatusView };
      if (message.type === 'subscribed') subscribed = true;
      if (message.type === 'status' && message.service?.id === serviceId) statuses.push(message.service);
    });
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    socket.send(JSON.stringify({ type: 'subscribe', channel: 'status' }));
    await eventually(async () => {
      if (!subscribed) throw new Error('not subscribed yet');
    }, 5_000);

    await api(b.url, env.apiKey, 'POST', '/api/services/everything/restart');
    const after = await eventually(async () => {
      const view = await api<ServiceStatusView>(a.url, env.apiKey, 'GET', '/api/services/everything');
      if (view.status !== 'running' || view.pid === before.pid) throw new Error(`still ${view.status}, pid ${view.pid}`);
      return view;
    }, 20_000);
    expect(await leaseOwner()).toBe(a.id);
    await eventually(async () => {
      if (!statuses.some((view) => view.status === 'running' && view.pid === after.pid))
        throw new Error(`b's /ws sent ${JSON.stringify(statuses)}`);
    }, 5_000);
    expect(statuses.find((view) => view.pid === after.pid)?.instance).toBe(a.id);
    socket.close();
    expect(await api<ServiceStatusView>(b.url, env.apiKey, 'GET', '/api/services/everything')).toMatchObject({
      status: 'running',
      pid: after.pid,
      instance: a.id,
    });
  });

  it('a revocation made through one instance reaches the streams the other one holds, within seconds', async () => {
    const within = <T>(promise: Promise<T>, what: string): Promise<T> =>
      Promise.race([
        promise,
        new Promise<T>((_resolve, reject) => setTimeout(() => reject(new Error(`${what}: not within 15 s`)), 15_000)),
      ]);

    // A client token's WebSocket opened through b (held on the owner a), revoked through b.
    const minted = await api<{ id: string; token: string }>(b.url, env.apiKey, 'POST', '/api/client-tokens', { label: 'cross-instance' });
    const client = await connectClient(b.url, 'everything', minted.token, 'websocket');
    const closed = new Promise<void>((resolve) => (client.onclose = () => resolve()));
    expect((await client.listTools()).tools.length).toBeGreaterThan(0);
    await api(b.url, env.apiKey, 'POST', `/api/client-tokens/${minted.id}/revoke`);
    await within(closed, 'the revoked token’s WebSocket closed');

    // A UI session whose live connection is on b, ended through a: only b's own re-check can notice.
    const login = await fetch(`${b.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ apiKey: env.apiKey }),
    });
    const { token } = (await login.json()) as { token: string };
    const socket = new WebSocket(`${b.url.replace(/^http/, 'ws')}/ws?token=${token}`);
    const socketClosed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => (socket.once('message', () => resolve()), socket.once('error', reject)));
    const sessions = await api<{ id: string; current: boolean }[]>(a.url, env.apiKey, 'GET', '/api/auth/sessions');
    const ended = await Promise.all(
      sessions.map((session) =>
        fetch(`${a.url}/api/auth/sessions/${session.id}`, { method: 'DELETE', headers: { 'x-api-key': env.apiKey } }),
      ),
    );
    expect(ended.map((response) => response.status)).toContain(204);
    expect(await within(socketClosed, 'the ended session’s live connection on the other instance closed')).toBe(4401);
  });

  it('moves the child to the survivor within the lease time when the owner is killed; the client keeps calling and its session', async () => {
    const transport = new StreamableHTTPClientTransport(new URL(`${b.url}/mcp/everything`), {
      requestInit: { headers: { Authorization: `Bearer ${env.apiKey}` } },
    });
    const client = new Client({ name: 'cluster-e2e', version: '1.0.0' });
    await client.connect(transport);
    const sessionId = transport.sessionId;
    const caller = keepCalling(client);
    await successesAfter(caller.records, 0, 5, 20_000);

    const killedAt = Date.now();
    a.app.child.kill('SIGKILL');
    await a.app.exited;

    const movedAfterMs = await eventually(async () => {
      if ((await leaseOwner()) !== b.id) throw new Error(`the lease is not on ${b.id} yet`);
      return Date.now() - killedAt;
    }, 30_000);
    await successesAfter(caller.records, killedAt, 10, 40_000);
    await caller.stop();

    expect(movedAfterMs).toBeLessThan((LEASE_TTL_SEC + 2) * 1000);
    const view = await api<ServiceStatusView>(b.url, env.apiKey, 'GET', '/api/services/everything');
    expect(view.status).toBe('running');
    expect(view.instance).toBe(b.id);
    expect(descendsFrom(view.pid ?? 0, b.app.child.pid ?? -1)).toBe(true);
    // At most the call in flight at the kill failed; every later call succeeded, on the same session.
    const failed = caller.records.filter((record) => !record.ok);
    expect(failed.length).toBeLessThanOrEqual(1);
    for (const record of failed) expect(record.startedAt).toBeLessThanOrEqual(killedAt);
    expect(transport.sessionId).toBe(sessionId);
    await client.close();
  });
});
