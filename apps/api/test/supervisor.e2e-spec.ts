import { EventEmitter2 } from '@nestjs/event-emitter';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { JsonRpcRequestError, SERVER_UNAVAILABLE } from '@mcp-proxy/mcp/protocol';
import type { ServiceView } from '@mcp-proxy/shared/dto';
import { existsSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import request from 'supertest';
import { WebSocket } from 'ws';
import { createApp } from '../src/app.factory';
import { ChildHandle, SERVICE_EVENTS } from '../src/supervisor/child-handle';
import { ProcessSupervisor } from '../src/supervisor/process-supervisor';
import { SessionLimitError } from '../src/supervisor/supervisor-errors';
import { applyEnv, makeTestEnv, TestEnv } from './support/test-env';

const EVERYTHING = join(dirname(require.resolve('@modelcontextprotocol/server-everything/package.json')), 'dist', 'index.js');
const NODE = process.execPath;

/** The proxy's own secrets, set in its environment: none may reach a child. */
const PROXY_SECRETS = {
  JWT_SECRET: 'proxy-jwt-secret-0123456789-abcdefghij',
  GITHUB_TOKEN: 'ghp_proxyOwnToken0123456789',
  GITHUB_WEBHOOK_SECRET: 'proxy-webhook-secret-42',
  CLOUDFLARE_TOKEN: 'cf-proxy-own-token-77',
};

const INITIALIZE = {
  protocolVersion: '2025-06-18',
  capabilities: {},
  clientInfo: { name: 'processes-e2e', version: '1.0.0' },
};

/** Polls until `check` returns a value (not undefined/false), or fails after `ms`. */
async function eventually<T>(check: () => Promise<T | undefined | false> | T | undefined | false, ms: number, what: string): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`Timed out after ${ms} ms waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`);
}

function nextEvent<T>(events: EventEmitter2, name: string, matches: (payload: T) => boolean, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      events.off(name, listener);
      reject(new Error(`No ${name} event within ${ms} ms`));
    }, ms);
    const listener = (payload: T): void => {
      if (!matches(payload)) return;
      clearTimeout(timer);
      events.off(name, listener);
      resolve(payload);
    };
    events.on(name, listener);
  });
}

function groupGone(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

async function initialize(handle: ChildHandle): Promise<void> {
  const peer = handle.peer;
  if (!peer) throw new Error('not a stdio child');
  await peer.call('initialize', INITIALIZE, { timeoutMs: 10_000 });
  peer.notify('notifications/initialized');
}

interface ToolResult {
  content: { type: string; text: string }[];
}

describe('Processes: supervising real MCP servers (real app, real children)', () => {
  let env: TestEnv;
  let restoreEnv: () => void;
  let app: NestExpressApplication;
  let http: ReturnType<NestExpressApplication['getHttpServer']>;
  let supervisor: ProcessSupervisor;
  let events: EventEmitter2;
  const startedPids = new Set<number>();
  const key = (): [string, string] => ['X-API-Key', env.apiKey];

  async function boot(): Promise<void> {
    // The app takes its credentials out of the environment at start-up: a restart gets them again, as from a service manager.
    applyEnv(env.vars);
    app = await createApp();
    await app.listen(0, '127.0.0.1');
    http = app.getHttpServer();
    supervisor = app.get(ProcessSupervisor);
    events = app.get(EventEmitter2);
    events.on(SERVICE_EVENTS.started, (handle: ChildHandle) => startedPids.add(handle.pid));
  }

  async function create(body: Record<string, unknown>): Promise<ServiceView> {
    const response = await request(http)
      .post('/api/services')
      .set(...key())
      .send(body);
    expect(response.status).toBe(201);
    return response.body as ServiceView;
  }

  async function view(name: string): Promise<ServiceView> {
    return (
      await request(http)
        .get(`/api/services/${name}`)
        .set(...key())
        .expect(200)
    ).body as ServiceView;
  }

  function everything(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
    return { name, process: { command: NODE, args: [EVERYTHING, 'stdio'], healthCheckIntervalSec: 0 }, start: true, ...extra };
  }

  // Booting the app (migrations, the sandbox probe) takes more than Jest's default 5 s on a busy machine.
  beforeAll(async () => {
    env = makeTestEnv({ ...PROXY_SECRETS, PROCESS_STOP_GRACE_SEC: '2' });
    restoreEnv = applyEnv(env.vars);
    await boot();
  }, 30_000);

  afterAll(async () => {
    await app?.close();
    // Whatever a failed test left behind: no child outlives the suite.
    for (const pid of startedPids) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    restoreEnv();
    env.cleanup();
  });

  it('starts server-everything on "start": true, and its handle speaks MCP (initialize, tools/call echo)', async () => {
    const created = await create(everything('everything', { environment: { SERVICE_OWN_VAR: 'visible-to-the-child' } }));
    expect(created).toMatchObject({ name: 'everything', status: 'running', pid: expect.any(Number), restarts: 0 });
    expect(created.startedAt).not.toBeNull();

    const handle = supervisor.handleOf('everything') as ChildHandle;
    expect(handle).toMatchObject({ serviceName: 'everything', pid: created.pid, port: null });
    expect(supervisor.handleOf(created.id)).toBe(handle);
    await initialize(handle);
    const echo = await handle.peer?.call<ToolResult>('tools/call', { name: 'echo', arguments: { message: 'hello through the handle' } });
    expect(echo?.content[0].text).toContain('hello through the handle');
  });

  it("passes the service's own variables to the child and none of the proxy's secrets", async () => {
    const handle = supervisor.handleOf('everything') as ChildHandle;
    const result = await handle.peer?.call<ToolResult>('tools/call', { name: 'get-env', arguments: {} }, { timeoutMs: 5000 });
    const childEnv = JSON.parse(result?.content[0].text ?? '{}') as Record<string, string>;
    expect(childEnv['SERVICE_OWN_VAR']).toBe('visible-to-the-child');
    const text = JSON.stringify(childEnv);
    for (const secret of [env.apiKey, ...Object.values(PROXY_SECRETS)]) expect(text).not.toContain(secret);
    for (const name of ['API_KEY', 'JWT_SECRET', 'ENCRYPTION_KEY', 'GITHUB_TOKEN', 'DATABASE_URL', 'DATA_DIR']) {
      expect(childEnv[name]).toBeUndefined();
    }
    expect(childEnv['TERM']).toBe('dumb');
  });

  it('fails a pending call within 1 s when the child is killed -9, then restarts it once after the back-off', async () => {
    const before = supervisor.handleOf('everything') as ChildHandle;
    const pending = before.peer?.call('tools/call', { name: 'trigger-long-running-operation', arguments: { duration: 30, steps: 30 } });
    const restarted = nextEvent<ChildHandle>(events, SERVICE_EVENTS.started, (handle) => handle.serviceName === 'everything', 5000);

    const killedAt = Date.now();
    process.kill(before.pid, 'SIGKILL');
    const error = await pending?.then(
      () => null,
      (failure: unknown) => failure,
    );
    expect(Date.now() - killedAt).toBeLessThan(1000);
    expect(error).toBeInstanceOf(JsonRpcRequestError);
    expect((error as JsonRpcRequestError).error).toMatchObject({
      code: SERVER_UNAVAILABLE,
      message: expect.stringContaining('"everything" exited'),
    });
    expect(supervisor.handleOf('everything')).toBeNull();

    const after = await restarted;
    expect(after.generation).toBeGreaterThan(before.generation);
    expect(await view('everything')).toMatchObject({ status: 'running', restarts: 1, pid: after.pid });
    await initialize(after);
    const echo = await after.peer?.call<ToolResult>('tools/call', { name: 'echo', arguments: { message: 'back again' } });
    expect(echo?.content[0].text).toContain('back again');
  });

  it('runs an http service on a port it assigns (PORT), with all its output in the logs', async () => {
    const created = await create({
      name: 'everything-http',
      transport: 'http',
      process: { command: NODE, args: [EVERYTHING, 'streamableHttp'] },
      start: true,
    });
    expect(created).toMatchObject({ status: 'running', transport: 'http' });
    const handle = supervisor.handleOf('everything-http') as ChildHandle;
    expect(handle.peer).toBeNull();
    expect(handle.port).toEqual(expect.any(Number));
    await eventually(
      async () => {
        const logs = await request(http)
          .get('/api/services/everything-http/logs')
          .set(...key())
          .expect(200);
        return (logs.body.lines as { text: string }[]).some((line) => line.text.includes(`listening on port ${handle.port}`));
      },
      5000,
      'the http server to listen on the assigned port',
    );
    const response = await fetch(`http://127.0.0.1:${handle.port}/mcp`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: INITIALIZE }),
    });
    expect(response.status).toBe(200);
    await response.body?.cancel();
    await request(http)
      .post('/api/services/everything-http/stop')
      .set(...key())
      .expect(200);
    expect(supervisor.handleOf('everything-http')).toBeNull();
  });

  it('reports memory, CPU, restarts and uptime of the process tree', async () => {
    const response = await request(http)
      .get('/api/services/everything/metrics')
      .set(...key())
      .expect(200);
    // Exactly the process section; the data plane adds its own `proxy` section beside it.
    expect(response.body).toEqual(
      expect.objectContaining({
        serviceId: expect.any(String),
        serviceName: 'everything',
        process: {
          status: 'running',
          pid: expect.any(Number),
          uptimeSec: expect.any(Number),
          restarts: 1,
          rssBytes: expect.any(Number),
          cpuPercent: expect.any(Number),
          processCount: 1,
          sessions: null,
          sampledAt: expect.any(String),
        },
      }),
    );
    expect(response.body.process.rssBytes).toBeGreaterThan(10 * 1024 * 1024);
  });

  it('parks a server that keeps dying at start-up as crashed, with its stderr in statusReason', async () => {
    await create({
      name: 'boom',
      process: { command: NODE, args: ['-e', "console.error('boom: missing TOKEN'); process.exit(3)"], maxRestarts: 2 },
      start: true,
    });
    const crashed = await eventually(
      async () => {
        const current = await view('boom');
        return current.status === 'crashed' ? current : undefined;
      },
      8000,
      'boom to be parked as crashed',
    );
    expect(crashed).toMatchObject({ restarts: 2, lastExitCode: 3, pid: null });
    expect(crashed.statusReason).toContain('gave up after 2 restarts');
    expect(crashed.statusReason).toContain('exited with code 3');
    expect(crashed.statusReason).toContain('boom: missing TOKEN');
    expect(supervisor.handleOf('boom')).toBeNull();
    await request(http)
      .post('/api/services/boom/stop')
      .set(...key())
      .expect(200);
  });

  it('stops the whole process group: a grandchild does not survive', async () => {
    const wrapper = [
      '-e',
      "const c = require('child_process').spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });" +
        "console.error('grandchild ' + c.pid); setInterval(() => {}, 1000);",
    ];
    const created = await create({ name: 'wrapper', process: { command: NODE, args: wrapper, healthCheckIntervalSec: 0 }, start: true });
    const grandchild = await eventually(
      async () => {
        const logs = await request(http)
          .get('/api/services/wrapper/logs')
          .set(...key())
          .expect(200);
        const line = (logs.body.lines as { text: string }[]).find((candidate) => candidate.text.startsWith('grandchild '));
        return line ? Number(line.text.split(' ')[1]) : undefined;
      },
      5000,
      'the wrapper to start its grandchild',
    );
    expect(groupGone(created.pid as number)).toBe(false);

    const stopped = await request(http)
      .post('/api/services/wrapper/stop')
      .set(...key())
      .expect(200);
    expect(stopped.body).toMatchObject({ status: 'stopped', pid: null });
    // Zombies wait for init to reap them; the group is empty once it has.
    await eventually(() => groupGone(created.pid as number), 5000, 'the process group to be gone');
    expect(() => process.kill(grandchild, 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
  });

  it("masks the service's secret values in its logs, in memory and on disk", async () => {
    await create({
      name: 'chatty',
      process: {
        command: NODE,
        args: ['-e', "console.error('using token ' + process.env.UPSTREAM_TOKEN); setInterval(() => console.error('tick'), 200)"],
        healthCheckIntervalSec: 0,
      },
      environment: { UPSTREAM_TOKEN: 'tok-live-5f2e9a11' },
      start: true,
    });
    const lines = await eventually(
      async () => {
        const logs = await request(http)
          .get('/api/services/chatty/logs?tail=50')
          .set(...key())
          .expect(200);
        const found = logs.body.lines as { text: string; stream: string }[];
        return found.some((line) => line.text.startsWith('using token')) ? found : undefined;
      },
      5000,
      'the token line in the logs',
    );
    expect(lines).toContainEqual(expect.objectContaining({ stream: 'stderr', text: 'using token ********' }));
    expect(JSON.stringify(lines)).not.toContain('tok-live-5f2e9a11');

    const file = join(env.vars['LOG_DIR'], 'chatty.log');
    await eventually(() => existsSync(file) && readFileSync(file, 'utf8').includes('using token ********'), 3000, 'the log file');
    expect(readFileSync(file, 'utf8')).not.toContain('tok-live-5f2e9a11');

    await request(http)
      .get('/api/services/chatty/logs?tail=0')
      .set(...key())
      .expect(400);
    await request(http)
      .get('/api/services/chatty/logs?tail=5001')
      .set(...key())
      .expect(400);
  });

  describe('live WebSocket /ws', () => {
    const url = (query = ''): string => `ws://127.0.0.1:${(http.address() as AddressInfo).port}/ws${query}`;

    function messages(socket: WebSocket): { next: (type: string) => Promise<Record<string, unknown>> } {
      const queue: Record<string, unknown>[] = [];
      const waiters: (() => void)[] = [];
      socket.on('message', (data) => {
        queue.push(JSON.parse(data.toString()) as Record<string, unknown>);
        waiters.splice(0).forEach((wake) => wake());
      });
      return {
        next: async (type) => {
          const deadline = Date.now() + 5000;
          for (;;) {
            const index = queue.findIndex((message) => message['type'] === type);
            if (index >= 0) return queue.splice(0, index + 1)[index];
            if (Date.now() > deadline) throw new Error(`no ${type} message within 5 s`);
            await new Promise<void>((resolve) => {
              waiters.push(resolve);
              setTimeout(resolve, 100);
            });
          }
        },
      };
    }

    it('streams the backlog of logs:<service>, then live lines, to a client with a token', async () => {
      const socket = new WebSocket(url(`?token=${env.apiKey}`));
      const inbox = messages(socket);
      await inbox.next('ready');
      socket.send(JSON.stringify({ type: 'subscribe', channel: 'logs:chatty' }));
      expect(await inbox.next('subscribed')).toEqual({ type: 'subscribed', channel: 'logs:chatty' });
      const backlog = await inbox.next('backlog');
      expect(backlog['lines']).toContainEqual(expect.objectContaining({ text: 'using token ********' }));
      const live = await inbox.next('log');
      expect(live).toMatchObject({ channel: 'logs:chatty', line: { serviceName: 'chatty', stream: 'stderr', text: 'tick' } });
      socket.close();
    });

    it('accepts the token as the first message, and sends status changes', async () => {
      const socket = new WebSocket(url());
      const inbox = messages(socket);
      await new Promise((resolve) => socket.once('open', resolve));
      socket.send(JSON.stringify({ type: 'auth', token: env.apiKey }));
      await inbox.next('ready');
      socket.send(JSON.stringify({ type: 'subscribe', channel: 'status' }));
      await inbox.next('subscribed');
      await request(http)
        .post('/api/services/chatty/stop')
        .set(...key())
        .expect(200);
      const status = await inbox.next('status');
      expect(status['service']).toMatchObject({ name: 'chatty', status: 'stopped' });
      expect(JSON.stringify(status)).not.toContain('tok-live-5f2e9a11');
      socket.close();
    });

    it('refuses a client without a valid token', async () => {
      const wrong = new WebSocket(url('?token=not-the-key'));
      const refused = await new Promise<number>((resolve) =>
        wrong.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0)),
      );
      expect(refused).toBe(401);

      const anonymous = new WebSocket(url());
      await new Promise((resolve) => anonymous.once('open', resolve));
      anonymous.send(JSON.stringify({ type: 'subscribe', channel: 'logs:chatty' }));
      const [code] = await new Promise<[number, string]>((resolve) =>
        anonymous.once('close', (closeCode, reason) => resolve([closeCode, reason.toString()])),
      );
      expect(code).toBe(4401);
    });
  });

  it('runs one child per session for session isolation, within maxSessions, with prefixed request ids', async () => {
    await create(
      everything('per-session', { process: { command: NODE, args: [EVERYTHING, 'stdio'], isolation: 'session', maxSessions: 1 } }),
    );
    expect(supervisor.handleOf('per-session')).toBeNull();
    const session = await supervisor.spawnSessionChild('per-session');
    startedPids.add(session.pid);
    await expect(supervisor.spawnSessionChild('per-session')).rejects.toBeInstanceOf(SessionLimitError);
    const pending = session.peer?.request('initialize', INITIALIZE);
    expect(pending?.id).toBe('mcp-proxy:1');
    await pending?.response;
    const metrics = await request(http)
      .get('/api/services/per-session/metrics')
      .set(...key())
      .expect(200);
    expect(metrics.body.process).toMatchObject({ status: 'running', sessions: { active: 1, max: 1 }, processCount: 1 });

    await supervisor.stopSessionChild(session);
    expect((await session.exited).expected).toBe(true);
    const next = await supervisor.spawnSessionChild('per-session');
    startedPids.add(next.pid);
    await request(http)
      .post('/api/services/per-session/stop')
      .set(...key())
      .expect(200);
    expect((await next.exited).reason).toBe('stopped');
  });

  it('counts running services truthfully in /health', async () => {
    const services = (
      await request(http)
        .get('/api/services')
        .set(...key())
        .expect(200)
    ).body as ServiceView[];
    const running = services.filter((service) => service.status === 'running').map((service) => service.name);
    expect(running).toEqual(['everything']);
    const health = await request(http).get('/health').expect(200);
    expect(health.body.services).toEqual({ running: 1, total: services.length });
  });

  it('brings running services back after the proxy restarts, and leaves stopped ones stopped', async () => {
    const oldPid = (await view('everything')).pid as number;
    await app.close();
    expect(groupGone(oldPid) || (await eventually(() => groupGone(oldPid), 3000, 'the old child to be gone'))).toBe(true);

    await boot();
    const back = await view('everything');
    expect(back).toMatchObject({ status: 'running', restarts: 0 });
    expect(back.pid).not.toBe(oldPid);
    const handle = supervisor.handleOf('everything') as ChildHandle;
    await initialize(handle);
    expect((await view('chatty')).status).toBe('stopped');
    expect((await view('wrapper')).status).toBe('stopped');
    const health = await request(http).get('/health').expect(200);
    expect(health.body.services.running).toBe(1);
  });
});
