#!/usr/bin/env node
// Cold start of the built API (spawn → first 200 on /health) and its idle RSS, on a fresh data dir
// each run (the first start includes running migrations and generating secrets).
// Usage: npm run bench  (builds nothing: run `npm run build` first)
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { API_ENVIRONMENT, API_NODE_FLAGS } from '../api-node-flags.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const main = join(root, 'dist/apps/api/main.js');
const runs = Number(process.argv[2] ?? 5);
if (!existsSync(main)) {
  console.error(`${main} is missing: run "npm run build" first`);
  process.exit(1);
}

const freePort = () =>
  new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function once(warm) {
  const dir = mkdtempSync(join(tmpdir(), 'mcp-proxy-bench-'));
  const port = await freePort();
  const env = {
    PATH: process.env.PATH,
    BACKEND_PORT: String(port),
    FRONTEND_PORT: String(await freePort()),
    HOST: '127.0.0.1',
    DATA_DIR: warm ? join(root, 'tmp/bench-data') : join(dir, 'data'),
    DATABASE_URL: warm ? join(root, 'tmp/bench-data/bench.db') : join(dir, 'data/bench.db'),
    LOG_DIR: join(dir, 'logs'),
    LOG_LEVEL: 'warn',
    ...API_ENVIRONMENT,
  };
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, [...API_NODE_FLAGS, main], { cwd: root, env, stdio: 'ignore' });
  let coldMs;
  for (;;) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/health`)).ok) {
        coldMs = Number(process.hrtime.bigint() - started) / 1e6;
        break;
      }
    } catch {
      /* not yet listening */
    }
    if (Number(process.hrtime.bigint() - started) / 1e6 > 20_000) throw new Error('no /health within 20 s');
    await sleep(5);
  }
  await sleep(3000);
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))[1]);
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
  rmSync(dir, { recursive: true, force: true });
  return { coldMs, rssMb: rssKb / 1024 };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const results = { fresh: [], existing: [] };
await once(true); // creates the persistent data dir used by the "existing" runs
for (let i = 0; i < runs; i++) {
  results.fresh.push(await once(false));
  results.existing.push(await once(true));
}
rmSync(join(root, 'tmp/bench-data'), { recursive: true, force: true });

console.log(`API cold start to first 200 on /health, ${runs} runs each (Node ${process.version}, ${API_NODE_FLAGS.join(' ')})`);
console.log('data dir   | median ms | min ms | max ms | idle RSS MB (median)');
for (const [label, list] of Object.entries(results)) {
  const ms = list.map((r) => r.coldMs);
  console.log(
    `${label.padEnd(10)} | ${median(ms).toFixed(0).padStart(9)} | ${Math.min(...ms)
      .toFixed(0)
      .padStart(6)} | ${Math.max(...ms)
      .toFixed(0)
      .padStart(6)} | ${median(list.map((r) => r.rssMb)).toFixed(1)}`,
  );
}
console.log('targets: cold start < 1500 ms, idle RSS < 120 MB');
