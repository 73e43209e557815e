#!/usr/bin/env node
// `npm run bench`: the start-up benchmark (cold start and idle RSS of the built API), then the MCP data-plane
// benchmark (mcp-bench.mjs: our proxy against direct stdio, supergateway and mcp-proxy). Needs `npm run build`.
//
//   npm run bench                                  both, default sizes (about 5 minutes)
//   npm run bench -- --quick                       both, short smoke run
//   npm run bench -- --only startup                cold start only
//   npm run bench -- --only mcp [mcp-bench options, e.g. --targets direct,supergateway,mcp-proxy --json]
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const onlyAt = args.indexOf('--only');
const only = onlyAt >= 0 ? args.splice(onlyAt, 2)[1] : undefined;
if (only !== undefined && !['startup', 'mcp'].includes(only)) {
  console.error(`--only takes "startup" or "mcp", got "${only}"`);
  process.exit(2);
}

const script = (name) => fileURLToPath(new URL(name, import.meta.url));
// With --json, stdout carries only mcp-bench's JSON: the start-up report goes to stderr.
const json = args.includes('--json');
const run = (file, argv, stdout = 'inherit') =>
  spawnSync(process.execPath, [script(file), ...argv], { stdio: ['inherit', stdout, 'inherit'] }).status ?? 1;

let status = 0;
if (only !== 'mcp') {
  // startup.mjs takes the number of runs as its only argument.
  status = Math.max(status, run('./startup.mjs', args.includes('--quick') ? ['1'] : [], json ? 2 : 'inherit'));
  if (only !== 'startup') console.error('');
}
if (only !== 'startup') status = Math.max(status, run('./mcp-bench.mjs', args));
process.exit(status);
