#!/usr/bin/env node
// `npm run bench`: the start-up benchmark (cold start and idle RSS of the built API), the MCP data-plane
// benchmark (mcp-bench.mjs: our proxy against direct stdio, supergateway and mcp-proxy), then a new session's
// first call by isolation (session-start.mjs: shared, session, pool), then a cluster losing and gaining an instance
// (cluster-bench.mjs). Needs `npm run build`.
//
//   npm run bench                                  both, default sizes (about 5 minutes)
//   npm run bench -- --quick                       both, short smoke run
//   npm run bench -- --only startup                cold start only
//   npm run bench -- --only mcp [mcp-bench options, e.g. --targets direct,supergateway,mcp-proxy --json]
//   npm run bench -- --only sessions [--sessions 30 --gap-ms 300 --burst 40]
//   npm run bench -- --only cluster [--clients 32 --services 6 --lease 15]   three instances behind nginx lose one,
//                                                                             then gain one (needs nginx, PostgreSQL, Redis)
//   npm run bench -- --only scale [--quick] [--scenarios idle,many,single,streams]   (scale-bench.mjs: thousands of
//                                                  sessions and streams, about 10 minutes; not part of the default run)
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const onlyAt = args.indexOf('--only');
const only = onlyAt >= 0 ? args.splice(onlyAt, 2)[1] : undefined;
if (only !== undefined && !['startup', 'mcp', 'sessions', 'cluster', 'scale'].includes(only)) {
  console.error(`--only takes "startup", "mcp", "sessions", "cluster" or "scale", got "${only}"`);
  process.exit(2);
}

const script = (name) => fileURLToPath(new URL(name, import.meta.url));
// With --json, stdout carries only mcp-bench's JSON: the start-up report goes to stderr.
const json = args.includes('--json');
const run = (file, argv, stdout = 'inherit') =>
  spawnSync(process.execPath, [script(file), ...argv], { stdio: ['inherit', stdout, 'inherit'] }).status ?? 1;

const quick = args.includes('--quick');
let status = 0;
if (only === undefined || only === 'startup') {
  // startup.mjs takes the number of runs as its only argument.
  status = Math.max(status, run('./startup.mjs', quick ? ['1'] : [], json ? 2 : 'inherit'));
  if (only === undefined) console.error('');
}
if (only === undefined || only === 'mcp') status = Math.max(status, run('./mcp-bench.mjs', args));
if (only === undefined || only === 'sessions') {
  // With every benchmark, only the shared options go along; alone, all of them.
  const sessionArgs = only === 'sessions' ? args : args.filter((arg) => ['--quick', '--no-pin'].includes(arg));
  status = Math.max(status, run('./session-start.mjs', sessionArgs, json ? 2 : 'inherit'));
}
if (only === undefined || only === 'cluster') {
  if (only === undefined) console.error('');
  const clusterArgs = only === 'cluster' ? args : args.filter((arg) => arg === '--quick');
  status = Math.max(status, run('./cluster-bench.mjs', clusterArgs, json ? 2 : 'inherit'));
}
// Thousands of sessions take minutes and most of the machine: only when asked for.
if (only === 'scale') status = Math.max(status, run('./scale-bench.mjs', args));
process.exit(status);
