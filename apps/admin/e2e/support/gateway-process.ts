import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

export const WORKSPACE_ROOT = resolve(__dirname, '../../../..');
const API_MAIN = join(WORKSPACE_ROOT, 'dist/apps/api/main.js');
const ADMIN_INDEX = join(WORKSPACE_ROOT, 'dist/apps/admin/browser/index.html');
const HEALTH_TIMEOUT_MS = 20_000;
const OUTPUT_LIMIT = 64 * 1024;

/** A running `node dist/apps/api/main.js` with its own ports, data directory and API key. */
export interface Gateway {
  readonly apiKey: string;
  readonly backendUrl: string;
  readonly frontendUrl: string;
  /** Everything the process wrote to stdout/stderr so far (last 64 KiB), for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

/** Asks the OS for a port that is free right now. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolvePort(port));
    });
  });
}

/** 40 characters from [A-Za-z0-9]. */
export function randomApiKey(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = randomBytes(40);
  return Array.from(bytes, (byte) => alphabet[byte % alphabet.length]).join('');
}

/** Starts the built gateway; `env` adds or overrides settings (e.g. `GITHUB_HOST`). */
export async function startGateway(env: Record<string, string> = {}): Promise<Gateway> {
  for (const [file, hint] of [
    [API_MAIN, 'NX_DAEMON=false npx nx build api'],
    [ADMIN_INDEX, 'NX_DAEMON=false npx nx build admin'],
  ] as const) {
    if (!existsSync(file)) throw new Error(`${file} is missing; build it first: ${hint}`);
  }

  // A test that must know the URLs first (an IdP's registered redirect URI) chooses the ports itself.
  const backendPort = env['BACKEND_PORT'] ? Number(env['BACKEND_PORT']) : await freePort();
  let frontendPort = env['FRONTEND_PORT'] ? Number(env['FRONTEND_PORT']) : await freePort();
  while (frontendPort === backendPort) frontendPort = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'mcp-proxy-admin-e2e-'));
  const apiKey = randomApiKey();

  const child = spawn(process.execPath, [API_MAIN], {
    cwd: WORKSPACE_ROOT,
    // Own process group, so stop() can end the gateway and anything it started.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env['PATH'] ?? '/usr/local/bin:/usr/bin:/bin',
      HOME: process.env['HOME'] ?? dataDir,
      BACKEND_PORT: String(backendPort),
      FRONTEND_PORT: String(frontendPort),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      DATABASE_URL: join(dataDir, 'e2e.db'),
      LOG_DIR: join(dataDir, 'logs'),
      // Deployed repositories go with the rest of the run, never into the workspace.
      CLONE_DIRECTORY: join(dataDir, 'clones'),
      API_KEY: apiKey,
      ...env,
    },
  });

  let output = '';
  const collect = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-OUTPUT_LIMIT);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));

  const gateway: Gateway = {
    apiKey,
    backendUrl: `http://127.0.0.1:${backendPort}`,
    frontendUrl: `http://127.0.0.1:${frontendPort}`,
    output: () => output,
    stop: async () => {
      await stopProcessGroup(child, exited);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };

  try {
    await waitForHealth(gateway.backendUrl, child);
  } catch (error) {
    await gateway.stop();
    throw new Error(`${(error as Error).message}\n--- gateway output ---\n${output}`);
  }
  return gateway;
}

async function waitForHealth(backendUrl: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + HEALTH_TIMEOUT_MS;
  let lastProblem = 'no answer yet';
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`The gateway exited early (code ${child.exitCode}, signal ${child.signalCode}).`);
    }
    try {
      const response = await fetch(`${backendUrl}/health`, { signal: AbortSignal.timeout(1_000) });
      if (response.status === 200) return;
      lastProblem = `HTTP ${response.status}`;
    } catch (error) {
      lastProblem = (error as Error).message;
    }
    await new Promise((resolveDelay) => setTimeout(resolveDelay, 250));
  }
  throw new Error(`GET ${backendUrl}/health did not answer 200 within ${HEALTH_TIMEOUT_MS} ms (${lastProblem}).`);
}

async function stopProcessGroup(child: ChildProcess, exited: Promise<void>): Promise<void> {
  const pid = child.pid;
  if (pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  signalGroup(pid, 'SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const stopped = await Promise.race([
    exited.then(() => true),
    new Promise<boolean>((resolveTimeout) => {
      timer = setTimeout(() => resolveTimeout(false), 5_000);
    }),
  ]);
  clearTimeout(timer);
  if (!stopped) {
    signalGroup(pid, 'SIGKILL');
    await exited;
  }
  // The group leader may be gone while children it spawned are still alive.
  signalGroup(pid, 'SIGKILL');
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

/** Stops the gateway and keeps its own log in `logFile`, for diagnosing a failed run. */
export async function stopGatewayKeepingLog(gateway: Gateway, logFile: string): Promise<void> {
  mkdirSync(dirname(logFile), { recursive: true });
  writeFileSync(logFile, gateway.output());
  await gateway.stop();
}
