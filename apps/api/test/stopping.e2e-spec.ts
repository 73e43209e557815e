import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, requireBuiltApi, waitForOk, WORKSPACE_ROOT } from './support/built-app';
import { makeTestEnv, TestEnv } from './support/test-env';

/**
 * `npm start` stopped the ways people stop it: Ctrl-C in a terminal (SIGINT to the whole process group),
 * `kill` or systemd on npm, on the launcher (tools/start.mjs) or on the API itself. Each must give exactly
 * one graceful stop: the MCP server gets SIGTERM, the API logs "stopped", and nothing is left running.
 */
const RECORDER = join(__dirname, 'fixtures', 'signal-recorder-server.mjs');

jest.setTimeout(300_000);

interface Started {
  npm: ChildProcess;
  output: () => string;
  exited: Promise<void>;
  env: TestEnv;
  record: string;
  pids: { npm: number; launcher: number; api: number; server: number };
}

function childrenOf(pid: number): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

/** A variable of a running process's environment, as the kernel shows it. */
function environmentOf(pid: number, name: string): string | undefined {
  const entry = readFileSync(`/proc/${pid}/environ`, 'utf8')
    .split('\0')
    .find((line) => line.startsWith(`${name}=`));
  return entry?.slice(name.length + 1);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** `npm start` as a user runs it, with `environment` of the user's own on top. */
async function startWithNpm(environment: Record<string, string> = {}): Promise<Started> {
  const env = makeTestEnv({
    LOG_LEVEL: 'info',
    BACKEND_PORT: String(await freePort()),
    FRONTEND_PORT: String(await freePort()),
  });
  // As root the MCP server runs as a user of its own: give it a folder it may write to.
  const shared = join(env.dir, 'shared');
  mkdirSync(shared, { mode: 0o777 });
  chmodSync(shared, 0o777);
  const record = join(shared, 'signals.txt');
  // Its own process group, like a terminal's foreground job.
  const npm = spawn('npm', ['start', '--silent'], {
    cwd: WORKSPACE_ROOT,
    env: {
      PATH: process.env['PATH'] ?? '',
      HOME: process.env['HOME'] ?? '',
      ...env.vars,
      ...environment,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  npm.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  npm.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => npm.once('exit', () => resolve()));
  const base = `http://127.0.0.1:${env.vars['BACKEND_PORT']}`;
  await waitForOk(`${base}/health`, 240_000);
  const created = await fetch(`${base}/api/services`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': env.apiKey },
    body: JSON.stringify({
      name: 'recorder',
      start: true,
      process: { command: process.execPath, args: [RECORDER, record] },
    }),
  });
  expect(created.status).toBe(201);
  // The server's own answer: it is up, with its signal handlers in place (a signal during its start-up
  // would end it before it could record anything).
  let serverPid = 0;
  const deadline = Date.now() + 60_000;
  while (!serverPid && Date.now() < deadline) {
    const reply = await fetch(`${base}/mcp/recorder`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'x-api-key': env.apiKey,
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/call',
        params: { name: 'pid', arguments: {} },
      }),
    }).catch(() => null);
    const body = reply?.ok ? ((await reply.json()) as { result?: { content?: { text?: string }[] } }) : null;
    serverPid = Number(body?.result?.content?.[0]?.text ?? 0);
    if (!serverPid) await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const npmPid = npm.pid as number;
  const [launcher] = childrenOf(npmPid);
  const [api] = childrenOf(launcher);
  return {
    npm,
    output: () => output,
    exited,
    env,
    record,
    pids: { npm: npmPid, launcher, api, server: serverPid },
  };
}

function forceCleanup(started: Started): void {
  for (const pid of Object.values(started.pids)) if (pid && alive(pid)) process.kill(pid, 'SIGKILL');
  started.env.cleanup();
}

describe('stopping npm start', () => {
  beforeAll(() => requireBuiltApi());

  const ways: Array<[string, NodeJS.Signals, (started: Started) => number]> = [
    ['Ctrl-C in a terminal (SIGINT to the whole group)', 'SIGINT', (started) => -started.pids.npm],
    ['SIGINT to npm', 'SIGINT', (started) => started.pids.npm],
    ['SIGTERM to npm (systemctl stop, kill)', 'SIGTERM', (started) => started.pids.npm],
    ['SIGTERM to the launcher', 'SIGTERM', (started) => started.pids.launcher],
    ['SIGINT to the launcher', 'SIGINT', (started) => started.pids.launcher],
    ['SIGTERM to the API', 'SIGTERM', (started) => started.pids.api],
  ];

  it.each(ways)('%s stops gracefully once, with the MCP server sent SIGTERM, and leaves nothing running', async (_way, signal, target) => {
    const started = await startWithNpm();
    try {
      expect(Object.values(started.pids).every((pid) => pid > 0 && alive(pid))).toBe(true);
      expect(environmentOf(started.pids.api, 'MALLOC_MMAP_THRESHOLD_')).toBe('16384');
      process.kill(target(started), signal);
      await until(() => Object.values(started.pids).every((pid) => !alive(pid)), 60_000, 'every process to end');
      expect(readFileSync(started.record, 'utf8')).toBe(`SIGTERM ${started.pids.server}\n`);
      expect(started.output()).toMatch(/"msg":"stopped"/);
      expect(started.output()).not.toMatch(/stopping at once/);
      expect(started.output().match(/finishing calls in progress/g)).toHaveLength(1);
    } finally {
      forceCleanup(started);
    }
  });

  it('the API stops gracefully when its launcher is killed outright, so it does not serve as an orphan', async () => {
    // An allocator setting of the user's own reaches the API (the product's 16384 otherwise: see the test above).
    const started = await startWithNpm({ MALLOC_MMAP_THRESHOLD_: '131072' });
    try {
      expect(environmentOf(started.pids.api, 'MALLOC_MMAP_THRESHOLD_')).toBe('131072');
      process.kill(started.pids.launcher, 'SIGKILL');
      await until(() => !alive(started.pids.api) && !alive(started.pids.server), 60_000, 'the API and its server to end');
      expect(existsSync(started.record) && readFileSync(started.record, 'utf8')).toBe(`SIGTERM ${started.pids.server}\n`);
    } finally {
      forceCleanup(started);
    }
  });

  it('a second signal at least a second later forces the stop, and the MCP server does not outlive it', async () => {
    const started = await startWithNpm();
    try {
      // A call in progress keeps the graceful stop waiting (SHUTDOWN_GRACE_SEC, 10 s by default).
      const base = `http://127.0.0.1:${started.env.vars['BACKEND_PORT']}`;
      void fetch(`${base}/mcp/recorder`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          'x-api-key': started.env.apiKey,
        },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method: 'tools/call',
          params: { name: 'sleep', arguments: { ms: 60_000 } },
        }),
      }).catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 500));
      process.kill(started.pids.api, 'SIGTERM');
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(alive(started.pids.api)).toBe(true);
      const forcedAt = Date.now();
      process.kill(started.pids.api, 'SIGTERM');
      await until(() => !alive(started.pids.api) && !alive(started.pids.server), 30_000, 'the API and its server to end');
      expect(Date.now() - forcedAt).toBeLessThan(8_000);
      expect(started.output()).toMatch(/SIGTERM again: stopping at once/);
    } finally {
      forceCleanup(started);
    }
  });
});
