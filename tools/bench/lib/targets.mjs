// What the MCP benchmark measures: the same server-everything behind each gateway, started fresh by the bench.
// A target is { name, version, endpoints[], cpuPids(sessions), rssPid(sessions), stop() }, where an endpoint
// offers an SDK client endpoint and/or a lean (raw HTTP) one, and an optional prepare() run before it is measured.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { API_ENVIRONMENT, API_NODE_FLAGS } from '../../api-node-flags.mjs';
import { freePort, pinned, sleep, spawnGateway, stopGroup, waitForHttp } from './processes.mjs';

export const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
export const OUR_MAIN = join(ROOT, 'dist/apps/api/main.js');
const require = createRequire(import.meta.url);

/** Version and absolute bin path of an installed package (its first bin entry), found as Node would find it. */
export function installedPackage(name) {
  const dir = require.resolve
    .paths(name)
    ?.map((base) => join(base, name))
    .find((candidate) => existsSync(join(candidate, 'package.json')));
  if (!dir) throw new Error(`${name} is not installed (npm ci installs it)`);
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const bin = typeof manifest.bin === 'string' ? manifest.bin : Object.values(manifest.bin ?? {})[0];
  return { version: manifest.version, bin: bin ? join(dir, bin) : null };
}

const everything = installedPackage('@modelcontextprotocol/server-everything');
/** server-everything over stdio, run by node directly (not npx). */
export const EVERYTHING = { version: everything.version, command: process.execPath, args: [everything.bin, 'stdio'] };

// ----------------------------------------------------------------- direct ----

/** The baseline: the SDK client talks to the server over stdio; each session is its own server process. */
export async function startDirect() {
  const [command, args] = pinned(EVERYTHING.command, EVERYTHING.args);
  return {
    name: 'direct stdio',
    version: `server-everything ${EVERYTHING.version}`,
    endpoints: [{ id: 'stdio', label: 'stdio', sdk: { kind: 'stdio', command, args } }],
    cpuPids: (sessions) => sessions.map((session) => session.pid),
    rssPid: (sessions) => sessions[0]?.pid,
    stop: async () => undefined, // each session's server exits with its session
  };
}

// ---------------------------------------------------------------- peers ----

async function startPeer(name, version, makeArgs) {
  const port = await freePort();
  const { child, output } = spawnGateway(process.execPath, makeArgs(port), { cwd: ROOT });
  const url = `http://127.0.0.1:${port}/mcp`;
  try {
    await waitForHttp(url, { child, output });
  } catch (error) {
    await stopGroup(child);
    throw error;
  }
  return {
    name,
    version,
    endpoints: [{ id: 'streamable', label: 'Streamable HTTP', sdk: { kind: 'streamable', url }, lean: { url } }],
    cpuPids: () => [child.pid],
    rssPid: () => child.pid,
    gatewayPid: child.pid,
    stop: () => stopGroup(child),
  };
}

/** supergateway: stdio → Streamable HTTP, stateful (one server child per session). */
export function startSupergateway() {
  const pkg = installedPackage('supergateway');
  const serverCommand = [EVERYTHING.command, ...EVERYTHING.args].map((word) => JSON.stringify(word)).join(' ');
  return startPeer('supergateway', pkg.version, (port) => [
    pkg.bin,
    '--stdio',
    serverCommand,
    '--outputTransport',
    'streamableHttp',
    '--stateful',
    '--port',
    String(port),
    '--logLevel',
    'none',
  ]);
}

/** mcp-proxy (the npm package): stdio → Streamable HTTP endpoint only. */
export function startMcpProxy() {
  const pkg = installedPackage('mcp-proxy');
  return startPeer('mcp-proxy', pkg.version, (port) => [
    pkg.bin,
    '--port',
    String(port),
    '--host',
    '127.0.0.1',
    '--server',
    'stream',
    '--',
    EVERYTHING.command,
    ...EVERYTHING.args,
  ]);
}

// ------------------------------------------------------------- our proxy ----

/**
 * A fresh instance of the built product on a temp data dir with a known key; `api()` calls its REST API. With
 * `database: 'postgres'` its database is a throw-away one on the local PostgreSQL (BENCH_POSTGRES_URL, default
 * postgres://postgres@127.0.0.1:5432/postgres), dropped at stop: per-request lookups then cost a round trip.
 * Instances of one cluster share `apiKey`, and get their DATABASE_URL, REDIS_URL and BACKEND_PORT through `env`.
 */
export async function startOurProxy({ main = OUR_MAIN, database = 'sqlite', env: extraEnv = {}, apiKey: sharedKey } = {}) {
  if (!existsSync(main)) throw new Error(`${main} is missing: run "npm run build" first`);
  const dir = mkdtempSync(join(tmpdir(), 'mcp-proxy-bench-'));
  const postgres = database === 'postgres' ? await createBenchDatabase() : null;
  const apiKey = sharedKey ?? `bench_${randomBytes(20).toString('hex')}`;
  const port = extraEnv.BACKEND_PORT ? Number(extraEnv.BACKEND_PORT) : await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    BACKEND_PORT: String(port),
    FRONTEND_PORT: String(await freePort()),
    HOST: '127.0.0.1',
    DATA_DIR: join(dir, 'data'),
    DATABASE_URL: postgres?.url ?? join(dir, 'data', 'bench.db'),
    LOG_DIR: join(dir, 'logs'),
    CLONE_DIRECTORY: join(dir, 'clones'),
    ADMIN_DIST_DIR: '',
    LOG_LEVEL: 'warn',
    API_KEY: apiKey,
    ...API_ENVIRONMENT,
    // Tracing on for a run: OTEL_EXPORTER_OTLP_ENDPOINT=… npm run bench (compare with a run without it);
    // other allocator settings: MALLOC_MMAP_THRESHOLD_=… npm run bench.
    ...Object.fromEntries(Object.entries(process.env).filter(([key]) => key.startsWith('OTEL_') || key.startsWith('MALLOC_'))),
    ...extraEnv,
  };
  // BENCH_PROXY_NODE_FLAGS: extra flags for our proxy only, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" to see where its CPU goes.
  const extraFlags = (process.env.BENCH_PROXY_NODE_FLAGS ?? '').split(' ').filter(Boolean);
  const { child, output } = spawnGateway(process.execPath, [...API_NODE_FLAGS, ...extraFlags, main], { cwd: ROOT, env });
  const stop = async () => {
    await stopGroup(child);
    rmSync(dir, { recursive: true, force: true });
    await postgres?.drop();
  };

  const api = async (method, path, body) => {
    const response = await fetch(`${origin}${path}`, {
      method,
      headers: { 'X-API-Key': apiKey, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path} → ${response.status}: ${text.slice(0, 300)}`);
    return text ? JSON.parse(text) : null;
  };

  try {
    const started = Date.now();
    for (;;) {
      if (child.exitCode !== null) throw new Error(`main.js exited with code ${child.exitCode}: ${output().trim().slice(-600)}`);
      const health = await fetch(`${origin}/health`).catch(() => null);
      if (health?.ok) break;
      if (Date.now() - started > 30_000) throw new Error(`no 200 on /health within 30 s: ${output().trim().slice(-600)}`);
      await sleep(50);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { origin, apiKey, api, pid: child.pid, output, stop };
}

/** A throw-away database on the local PostgreSQL (for one proxy, or several sharing it); `drop()` removes it. */
export async function createBenchDatabase() {
  const { Client } = require('pg');
  const adminUrl = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `mcp_proxy_bench_${process.pid}_${Date.now()}`;
  const admin = async (sql) => {
    const client = new Client({ connectionString: adminUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

/** Registers and starts a service running server-everything, and waits until it is running. */
export async function addEverythingService(proxy, name, extra = {}) {
  await proxy.api('POST', '/api/services', {
    name,
    process: { command: EVERYTHING.command, args: EVERYTHING.args, ...extra.process },
    proxy: { rateLimit: 0, ...extra.proxy },
    start: true,
  });
  await waitForRunning(proxy, name);
}

export async function waitForRunning(proxy, name, timeoutMs = 30_000) {
  const started = Date.now();
  let view;
  for (;;) {
    view = await proxy.api('GET', `/api/services/${name}`);
    if (view.status === 'running') return view;
    if (['failed', 'crashed'].includes(view.status) || Date.now() - started > timeoutMs) break;
    await sleep(100);
  }
  throw new Error(`service ${name} is ${view.status}${view.statusReason ? ` (${view.statusReason})` : ''}, not running`);
}

/**
 * Our proxy with server-everything registered as "everything", over each of its client transports. The MCP
 * clients present the admin API key (checked in memory), or with `credential: 'client-token'` a client token
 * created over REST, as remote MCP clients do (checked against the stored tokens).
 */
export async function startOurs({ isolation, main = OUR_MAIN, database = 'sqlite', credential = 'api-key', callLog = false, name }) {
  const proxy = await startOurProxy({ main, database, env: { CALL_LOG: String(callLog) } });
  let secret = proxy.apiKey;
  try {
    await addEverythingService(proxy, 'everything', { process: { isolation }, proxy: { responseMode: 'json' } });
    if (credential === 'client-token') secret = (await proxy.api('POST', '/api/client-tokens', { label: 'bench' })).token;
  } catch (error) {
    await proxy.stop();
    throw error;
  }
  const url = `${proxy.origin}/mcp/everything`;
  const headers = { Authorization: `Bearer ${secret}` };
  const responseMode = (mode) => async () => {
    await proxy.api('PATCH', '/api/services/everything', { proxy: { responseMode: mode } });
    const view = await proxy.api('GET', '/api/services/everything');
    if (view.proxy?.responseMode !== mode) throw new Error(`PATCH did not set proxy.responseMode to ${mode}`);
  };
  const wsUrl = `${proxy.origin.replace(/^http/, 'ws')}/mcp/ws?service=everything&token=${encodeURIComponent(secret)}`;
  return {
    name: name ?? (credential === 'client-token' ? 'ours (token)' : callLog ? 'ours (+calls)' : 'our proxy'),
    version: `${main}, isolation ${isolation}, ${database}, ${credential}, call log ${callLog ? 'on' : 'off'}`,
    endpoints: [
      {
        id: 'http-json',
        label: 'HTTP, JSON replies',
        prepare: responseMode('json'),
        sdk: { kind: 'streamable', url, headers },
        lean: { url, headers },
      },
      {
        id: 'http-sse',
        label: 'HTTP, SSE replies',
        prepare: responseMode('sse'),
        sdk: { kind: 'streamable', url, headers },
        lean: { url, headers },
      },
      // The SDK's WebSocketClientTransport cannot send headers: the key goes in ?token=.
      { id: 'ws', label: 'WebSocket', sdk: { kind: 'ws', url: wsUrl } },
      { id: 'legacy-sse', label: 'legacy HTTP+SSE', sdk: { kind: 'sse', url: `${url}/sse`, headers } },
    ],
    cpuPids: () => [proxy.pid],
    rssPid: () => proxy.pid,
    gatewayPid: proxy.pid,
    stop: proxy.stop,
  };
}
