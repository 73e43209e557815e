import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { HealthView, ServiceView } from '@mcp-proxy/shared/dto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { connectClient, EVERYTHING_SERVER, textOf } from './support/mcp-clients';
import { itWithCommands } from './support/prerequisites';
import { eventually, registerService, RunningApp, startApp } from './support/running-app';

const LIMITS_SERVER = join(__dirname, 'fixtures', 'limits-server.mjs');
const NODE = process.execPath;
const isRoot = process.getuid?.() === 0;

/** The proxy's own settings, set in its environment: none may reach a child. */
const PROXY_ENV = {
  JWT_SECRET: 'proxy-jwt-secret-0123456789-abcdefghij',
  GITHUB_TOKEN: 'ghp_proxyOwnToken0123456789',
  REDIS_URL: 'redis://:proxy-redis-password@127.0.0.1:1',
  SANDBOX_UID_BASE: String(300_000 + (process.pid % 1000) * 100),
};

/** Keys a sandboxed child may have: the minimal base, its own identity, and what the MCP server set itself. */
const CHILD_BASE_KEYS = ['PATH', 'HOME', 'USER', 'LOGNAME', 'LANG', 'LC_ALL', 'LC_CTYPE', 'TZ', 'TERM', 'NO_COLOR'];

// Children run as users of their own only when the proxy is root (CI runs as root in a container).
(isRoot ? describe : describe.skip)('sandboxed children (as root)', () => {
  let running: RunningApp;
  const clients: Client[] = [];

  async function client(service: string): Promise<Client> {
    const connected = await connectClient(running.baseUrl, service, running.env.apiKey, 'streamable');
    clients.push(connected);
    return connected;
  }

  async function call(service: Client, name: string, args: Record<string, unknown> = {}): Promise<string> {
    return textOf(await service.callTool({ name, arguments: args }));
  }

  async function view(name: string): Promise<ServiceView> {
    return (await running.api().get(`/api/services/${name}`).set('X-API-Key', running.env.apiKey).expect(200)).body as ServiceView;
  }

  beforeAll(async () => {
    running = await startApp(PROXY_ENV);
    await registerService(running, { name: 'everything', process: { command: NODE, args: [EVERYTHING_SERVER] } });
    await registerService(running, { name: 'neighbour', process: { command: NODE, args: [LIMITS_SERVER] } });
    await registerService(running, {
      name: 'unruly',
      process: { command: NODE, args: [LIMITS_SERVER], limits: { memoryMb: 160, maxProcesses: 48 }, restartWindowSec: 60 },
    });
    await registerService(running, {
      name: 'spinner',
      process: { command: NODE, args: [LIMITS_SERVER], limits: { cpuSeconds: 2 }, restartWindowSec: 60 },
    });
    await registerService(running, {
      name: 'walled',
      process: { command: NODE, args: [LIMITS_SERVER], sandbox: { filesystem: 'bubblewrap' } },
    });
  }, 60_000);

  afterAll(async () => {
    await Promise.all(clients.map((connected) => connected.close().catch(() => undefined)));
    await running?.close();
  });

  it('gives every service a user of its own, not root, and says so in its view', async () => {
    const [unruly, neighbour] = [await view('unruly'), await view('neighbour')];
    const whoami = await call(await client('unruly'), 'whoami');
    const uid = Number(/^uid (\d+)/.exec(whoami)?.[1]);
    expect(uid).toBeGreaterThan(0);
    expect(unruly.sandbox).toMatchObject({ uid, user: `mcp-${uid}`, limits: { memoryMb: 160, maxProcesses: 48 } });
    expect(neighbour.sandbox?.uid).not.toBe(uid);
    expect(unruly.sandbox?.applied).toEqual(expect.arrayContaining(['cgroup memory 160 MB', 'cgroup pids 48', 'RLIMIT_NOFILE 4096']));
    expect(unruly.process.limits).toMatchObject({ memoryMb: 160, maxProcesses: 48, cpuSeconds: null });
  });

  it("get-env of server-everything shows nothing of the proxy's environment", async () => {
    const env = JSON.parse(await call(await client('everything'), 'get-env')) as Record<string, string>;
    const unexpected = Object.keys(env).filter((key) => !CHILD_BASE_KEYS.includes(key));
    expect(unexpected).toEqual([]);
    for (const value of [
      PROXY_ENV.JWT_SECRET,
      PROXY_ENV.GITHUB_TOKEN,
      PROXY_ENV.REDIS_URL,
      running.env.apiKey,
      running.env.vars['DATA_DIR'],
      running.env.vars['LOG_DIR'],
    ]) {
      expect(Object.values(env).some((seen) => seen.includes(value))).toBe(false);
    }
    expect(env['HOME']).toBe(join(running.env.vars['CLONE_DIRECTORY'], '.homes', 'everything'));
  });

  it("cannot read the proxy's database, keys or another service's files, but can use its own home", async () => {
    const unruly = await client('unruly');
    const neighbour = await client('neighbour');
    const neighbourHome = join(running.env.vars['CLONE_DIRECTORY'], '.homes', 'neighbour');
    expect(await call(neighbour, 'write-file', { path: join(neighbourHome, 'notes.txt'), text: 'private' })).toBe('written');
    expect(await call(neighbour, 'read-file', { path: join(neighbourHome, 'notes.txt') })).toBe('private');

    expect(existsSync(running.env.vars['DATABASE_URL'])).toBe(true);
    expect(await call(unruly, 'read-file', { path: running.env.vars['DATABASE_URL'] })).toBe('error EACCES');
    expect(await call(unruly, 'read-file', { path: join(running.env.vars['DATA_DIR'], 'secrets.json') })).toBe('error EACCES');
    expect(await call(unruly, 'read-file', { path: join(running.env.vars['LOG_DIR'], 'neighbour.log') })).toBe('error EACCES');
    expect(await call(unruly, 'read-file', { path: join(neighbourHome, 'notes.txt') })).toBe('error EACCES');
    expect(await call(unruly, 'write-file', { path: join(neighbourHome, 'planted.txt'), text: 'x' })).toBe('error EACCES');
  });

  itWithCommands(['bwrap'], 'the bubblewrap filesystem sandbox')(
    'with bubblewrap, the proxy files are not even there and the proxy processes are out of sight',
    async () => {
      const walled = await client('walled');
      expect((await view('walled')).sandbox).toMatchObject({ filesystem: 'bubblewrap' });
      expect(await call(walled, 'read-file', { path: running.env.vars['DATABASE_URL'] })).toBe('error ENOENT');
      expect(await call(walled, 'read-file', { path: join(running.env.vars['DATA_DIR'], 'secrets.json') })).toBe('error ENOENT');
      const pids = (await call(walled, 'list-processes')).split(' ').map(Number);
      expect(pids).not.toContain(process.pid);
      expect(pids.length).toBeLessThan(10);
      const home = join(running.env.vars['CLONE_DIRECTORY'], '.homes', 'walled');
      expect(await call(walled, 'write-file', { path: join(home, 'own.txt'), text: 'mine' })).toBe('written');
      expect(await call(walled, 'write-file', { path: '/usr/planted', text: 'x' })).toMatch(/^error E(ROFS|ACCES)$/);
    },
  );

  it('a fork bomb is stopped by the process limit and restarted with the reason, while other services keep answering', async () => {
    const everything = await client('everything');
    const before = await view('unruly');
    const bomb = call(await client('unruly'), 'fork-bomb', { max: 400, seconds: 20 }).catch((error: Error) => error.message);
    const answers: string[] = [];
    await eventually(
      async () => {
        answers.push(await call(everything, 'echo', { message: `still here ${answers.length}` }));
        const unruly = await view('unruly');
        expect(unruly.restarts).toBeGreaterThan(before.restarts);
        expect(unruly.lastExitReason).toBe('process limit 48 reached');
      },
      20_000,
      200,
    );
    expect(answers.length).toBeGreaterThan(0);
    expect(answers.at(-1)).toMatch(/still here/);
    await bomb;
    await eventually(async () => expect((await view('unruly')).status).toBe('running'), 15_000);
    const lines = (await running.api().get('/api/services/unruly/logs?tail=50').set('X-API-Key', running.env.apiKey)).body.lines as {
      text: string;
    }[];
    expect(lines.some((line) => line.text.includes('process limit 48 reached'))).toBe(true);
  }, 60_000);

  it('a memory hog is killed by its memory limit and restarted with the reason, while other services keep answering', async () => {
    const before = await view('unruly');
    const hog = await client('unruly');
    const outcome = await hog.callTool({ name: 'allocate', arguments: { mb: 1024 } }).then(
      (result) => textOf(result),
      (error: Error) => `failed: ${error.message}`,
    );
    expect(outcome).toMatch(/failed|exited/);
    await eventually(
      async () => {
        const unruly = await view('unruly');
        expect(unruly.restarts).toBeGreaterThan(before.restarts);
        expect(unruly.lastExitReason).toBe('killed by memory limit 160 MB');
        expect(unruly.status).toBe('running');
      },
      20_000,
      200,
    );
    expect(await call(await client('everything'), 'echo', { message: 'after the hog' })).toContain('after the hog');
    expect(await call(await client('unruly'), 'whoami')).toMatch(/^uid \d+/);
  }, 60_000);

  it('says in /health which limits this host enforces: memory, processes and CPU in cgroups, the rlimits through prlimit', async () => {
    const health = (await running.api().get('/health').expect(200)).body as HealthView;
    expect(health.children.limits).toEqual({
      cgroup: expect.stringMatching(/^(v1|hybrid|v2)$/),
      memory: true,
      pids: true,
      cpu: true,
      perProcess: true,
      reason: null,
    });
    expect((await view('unruly')).sandbox?.applied).toEqual(expect.arrayContaining(['cgroup memory 160 MB', 'cgroup pids 48']));
  });

  it('a server that uses up its CPU time is killed by the limit and restarted with the reason', async () => {
    const before = await view('spinner');
    expect(before.sandbox?.applied).toContain('RLIMIT_CPU 2 s');
    const outcome = await call(await client('spinner'), 'burn', { seconds: 15 }).catch((error: Error) => `failed: ${error.message}`);
    expect(outcome).toMatch(/failed|exited/);
    await eventually(
      async () => {
        const spinner = await view('spinner');
        expect(spinner.lastExitReason).toBe('killed by CPU time limit 2 s');
        expect(spinner.restarts).toBeGreaterThan(before.restarts);
        expect(spinner.status).toBe('running');
      },
      20_000,
      200,
    );
  }, 60_000);
});
