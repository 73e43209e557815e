// The cluster benchmark's stand: several built instances on one throw-away PostgreSQL database and the local
// Redis (under a key prefix of their own), nginx in front of them from deploy/cluster/nginx.conf, and the probes
// the scenario reads: who holds each lease, which children run where (from /proc), and stopping all of it.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, sleep, stopGroup, waitForHttp } from './processes.mjs';
import { createBenchDatabase, EVERYTHING, ROOT, startOurProxy } from './targets.mjs';

const require = createRequire(import.meta.url);
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
/** The environment variable each service's child carries, so /proc tells whose child a process is. */
const MARKER = 'MCP_PROXY_BENCH_SERVICE';

/** A cluster of built instances on shared PostgreSQL + Redis; `addInstance()` starts one more. */
export async function startCluster({ size, leaseTtlSec, progress = () => undefined }) {
  const tag = `${process.pid}${randomBytes(3).toString('hex')}`;
  const prefix = `mcp-proxy-bench-${tag}`;
  const database = await createBenchDatabase();
  const Redis = require('ioredis');
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  const apiKey = `bench_${randomBytes(20).toString('hex')}`;
  const shared = {
    DATABASE_URL: database.url,
    REDIS_URL,
    CLUSTER_KEY_PREFIX: prefix,
    DEPLOY_QUEUE_PREFIX: prefix,
    LEASE_TTL_SEC: String(leaseTtlSec),
    JWT_SECRET: randomBytes(32).toString('hex'),
    ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    TRUSTED_PROXIES: 'loopback',
    CALL_LOG: 'false',
  };
  const instances = [];
  const addInstance = async () => {
    const id = `node-${instances.length + 1}`;
    const port = await freePort();
    const proxy = await startOurProxy({
      database: 'sqlite', // overridden by the shared DATABASE_URL
      apiKey,
      env: { ...shared, INSTANCE_ID: id, INSTANCE_URL: `http://127.0.0.1:${port}`, BACKEND_PORT: String(port) },
    });
    const instance = { id, port, proxy, alive: true };
    progress(`${id} up on port ${port} (pid ${proxy.pid})`);
    instances.push(instance);
    return instance;
  };
  const stop = async () => {
    await Promise.all(instances.map((instance) => instance.proxy.stop().catch(() => undefined)));
    const keys = await redis.keys(`${prefix}:*`).catch(() => []);
    if (keys.length) await redis.del(...keys).catch(() => undefined);
    await redis.quit().catch(() => undefined);
    await database.drop().catch((error) => console.error(`could not drop ${database.url}: ${error.message}`));
  };
  try {
    // One after the other: the first one runs the migrations.
    for (let i = 0; i < size; i++) await addInstance();
  } catch (error) {
    await stop();
    throw error;
  }
  return { tag, prefix, redis, apiKey, instances, addInstance, stop, leaseTtlSec };
}

/** Registers a server-everything service through `instance` (which then runs it) and waits until it runs. */
export async function addClusterService(cluster, instance, name) {
  const view = await instance.proxy.api('POST', '/api/services', {
    name,
    process: { command: EVERYTHING.command, args: EVERYTHING.args },
    environment: { [MARKER]: `${cluster.tag}:${name}` },
    proxy: { rateLimit: 0, responseMode: 'json' },
    start: true,
  });
  for (const started = Date.now(); Date.now() - started < 30_000; await sleep(100)) {
    const owner = (await leaseOwners(cluster, [view.id])).get(view.id);
    const state = await cluster.redis.get(`${cluster.prefix}:state:${view.id}`);
    if (owner && state && JSON.parse(state).status === 'running') return { id: view.id, name };
  }
  throw new Error(`service ${name} is not running on any instance after 30 s`);
}

/** The lease holder (instance id) of each service, null when none. */
export async function leaseOwners(cluster, serviceIds) {
  const values = serviceIds.length ? await cluster.redis.mget(serviceIds.map((id) => `${cluster.prefix}:lease:${id}`)) : [];
  return new Map(serviceIds.map((id, i) => [id, values[i]?.split(' ')[0] ?? null]));
}

/** The published runtime status of each service ({ status, instance }), null when nobody publishes one. */
export async function publishedStates(cluster, serviceIds) {
  const values = serviceIds.length ? await cluster.redis.mget(serviceIds.map((id) => `${cluster.prefix}:state:${id}`)) : [];
  return new Map(serviceIds.map((id, i) => [id, values[i] ? JSON.parse(values[i]) : null]));
}

/**
 * Every live process that is a child of one of this run's services (found by the marker in its environment,
 * wherever it runs: under an instance or orphaned), as a map service name → [{ pid, ppid }].
 */
export function serviceChildren(cluster) {
  const found = new Map();
  const wanted = `${MARKER}=${cluster.tag}:`;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] === 'Z') continue; // exited, not yet reaped
      const variable = readFileSync(`/proc/${entry}/environ`, 'latin1')
        .split('\0')
        .find((pair) => pair.startsWith(wanted));
      if (!variable) continue;
      // Only the server itself, not a wrapper that carries the same environment (a sandbox launcher).
      if (!readFileSync(`/proc/${entry}/cmdline`, 'latin1').includes(EVERYTHING.args[0])) continue;
      const name = variable.slice(wanted.length);
      if (!found.has(name)) found.set(name, []);
      found.get(name).push({ pid: Number(entry), ppid: Number(fields[1]) });
    } catch {
      // gone while we looked, or not ours to read
    }
  }
  return found;
}

/**
 * nginx from deploy/cluster/nginx.conf in front of the instances, on a loopback port. The bench adds one header,
 * X-Bench-Upstream (the instance nginx passed the request to), so it can tell which instance took each call.
 * `reload(instances)` rewrites the upstream list and reloads nginx as an operator would (SIGHUP).
 */
export async function startClusterNginx(instances) {
  const dir = mkdtempSync(join(tmpdir(), 'mcp-proxy-bench-nginx-'));
  chmodSync(dir, 0o755); // workers may run as an unprivileged user
  const port = await freePort();
  const template = readFileSync(join(ROOT, 'deploy', 'cluster', 'nginx.conf'), 'utf8');
  const temps = ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'];
  for (const temp of temps) mkdirSync(join(dir, temp));
  const write = (members) => {
    const servers = members.map((instance) => `    server 127.0.0.1:${instance.port} max_fails=1 fail_timeout=5s;`).join('\n');
    const site = template
      .replace(/upstream mcp_proxy_cluster \{[\s\S]*?\n\}/, (block) => block.replace(/(\n\s*server [^\n]*)+/, `\n${servers}`))
      .replace('listen 80;', `listen 127.0.0.1:${port};`)
      .replace('location / {', 'location / {\n        add_header X-Bench-Upstream $upstream_addr always;');
    writeFileSync(join(dir, 'site.conf'), site);
  };
  write(instances);
  const main = [
    'worker_processes 1;',
    `error_log ${join(dir, 'error.log')} warn;`,
    'events { worker_connections 1024; }',
    'http {',
    '  access_log off;',
    ...temps.map((temp) => `  ${temp === 'body' ? 'client_body' : temp}_temp_path ${join(dir, temp)};`),
    `  include ${join(dir, 'site.conf')};`,
    '}',
  ].join('\n');
  writeFileSync(join(dir, 'nginx.conf'), main);
  const child = spawn('nginx', ['-p', dir, '-c', join(dir, 'nginx.conf'), '-g', `daemon off; pid ${join(dir, 'nginx.pid')};`], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stderr.on('data', (chunk) => (output += chunk));
  child.on('error', (error) => (output += `\nspawn error: ${error.message}`));
  const stop = async () => {
    await stopGroup(child);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForHttp(`http://127.0.0.1:${port}/health`, { child, output: () => output, timeoutMs: 15_000 });
  } catch (error) {
    await stop();
    throw new Error(`nginx did not start (apt-get install nginx-light): ${error.message}`);
  }
  return {
    origin: `http://127.0.0.1:${port}`,
    reload: async (members) => {
      write(members);
      process.kill(child.pid, 'SIGHUP');
      await sleep(500); // new workers start at once; the old ones finish their requests
    },
    stop,
  };
}
