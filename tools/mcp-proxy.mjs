#!/usr/bin/env node
// mcp-proxy: command-line access to a running proxy.
//   mcp-proxy config export [file] [--secrets] write the configuration as YAML (stdout without a file);
//                                              --secrets: with the secret values in clear (admin key, audited; file mode 0600)
//   mcp-proxy config import <file> [--dry-run] apply a YAML configuration; prints what changed
//   mcp-proxy import-client-config <file> [--dry-run] [--no-start] [--value id=value …]
//                                              create services from a client's mcpServers JSON (Claude Desktop,
//                                              Cursor, Windsurf) or VS Code servers/inputs; --value fills ${input:id}
//   mcp-proxy backup [file.tar.gz]             database + data dir (keys, certificates) into an archive
//   mcp-proxy restore <file.tar.gz> [--force]  put a backup back (the proxy must be stopped)
//   mcp-proxy rotate-key [--old-key=K] [--new-key=K] [--force]
//                                              reseal every stored secret from the old encryption key to a new one
//                                              (old: --old-key, else ENCRYPTION_KEY_PREVIOUS, else the current key;
//                                              new: --new-key, else the current key when the old one was given, else generated)
// backup/restore/rotate-key run the built API (dist/apps/api/main.js) with the same .env and environment as the proxy.
// The proxy: MCP_PROXY_URL (default http://127.0.0.1:$BACKEND_PORT or :8437); the key: MCP_PROXY_KEY,
// else API_KEY, else the key in $DATA_DIR/secrets.json (./data by default).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const [area, action, ...rest] = process.argv.slice(2);
const usage =
  'Usage: mcp-proxy config export [file] [--secrets] | mcp-proxy config import <file> [--dry-run] | mcp-proxy import-client-config <file> [--dry-run] [--no-start] [--value id=value] | mcp-proxy backup [file] | mcp-proxy restore <file> [--force] | mcp-proxy rotate-key [--old-key=K] [--new-key=K] [--force]';
if (area === 'backup' || area === 'restore' || area === 'rotate-key') runBuiltApi(process.argv.slice(2));
const clientImport = area === 'import-client-config';
if (!clientImport && (area !== 'config' || !['export', 'import'].includes(action))) fail(usage);

const base = process.env.MCP_PROXY_URL ?? `http://127.0.0.1:${process.env.BACKEND_PORT ?? 8437}`;
const key = process.env.MCP_PROXY_KEY ?? process.env.API_KEY ?? keyFromDataDir();
if (!key) fail('No API key: set MCP_PROXY_KEY (or run where the data directory with secrets.json is)');

if (clientImport) {
  await importClientConfig([action, ...rest].filter((arg) => arg !== undefined));
} else if (action === 'export') {
  const secrets = rest.includes('--secrets');
  const file = rest.find((arg) => !arg.startsWith('--'));
  const response = await call('GET', `/api/config/export${secrets ? '?secrets=true' : ''}`);
  const text = await response.text();
  // A file holding secrets is readable by its owner only, like the proxy's own secrets.json.
  if (file) writeFileSync(file, text, { mode: secrets ? 0o600 : 0o644 });
  else process.stdout.write(text);
} else {
  const file = rest.find((arg) => !arg.startsWith('--'));
  if (!file) fail(usage);
  const dryRun = rest.includes('--dry-run');
  const response = await call('POST', `/api/config/import${dryRun ? '?dryRun=true' : ''}`, readFileSync(file, 'utf8'));
  const result = await response.json();
  for (const kind of ['services', 'groups', 'settings'])
    for (const item of result[kind] ?? []) console.log(`${kind.slice(0, -1)} ${item.name}: ${item.change}${dryRun ? ' (dry run)' : ''}`);
}

/** Prints the preview (or what was created): one line per entry, its problems and the variables still needed. */
async function importClientConfig(args) {
  const file = args.find((arg, index) => !arg.startsWith('--') && args[index - 1] !== '--value');
  if (!file) fail(usage);
  const values = {};
  args.forEach((arg, index) => {
    if (arg !== '--value') return;
    const pair = args[index + 1] ?? '';
    const split = pair.indexOf('=');
    if (split < 1) fail('--value takes id=value');
    values[pair.slice(0, split)] = pair.slice(split + 1);
  });
  const dryRun = args.includes('--dry-run');
  const body = JSON.stringify({ config: readFileSync(file, 'utf8'), values, dryRun, start: !args.includes('--no-start') });
  const result = await (await call('POST', '/api/services/import-client-config', body, 'application/json')).json();
  for (const entry of result.entries) {
    const runs = entry.transport === 'remote' ? entry.url : [entry.command, ...entry.args].join(' ');
    const state = entry.service ? `created (${entry.service.status})` : entry.problems.length > 0 ? 'NOT READY' : 'ready';
    console.log(`${entry.name} (${entry.key}): ${runs} — ${state}`);
    for (const problem of entry.problems) console.log(`  ${problem}`);
  }
  for (const variable of result.variables.filter((item) => !item.provided))
    console.log(`needs --value ${variable.id}=…${variable.description ? ` (${variable.description})` : ''}`);
  if (dryRun && !result.ready) process.exitCode = 1;
}

async function call(method, path, body, contentType = 'application/yaml') {
  let response;
  try {
    response = await fetch(`${base}${path}`, {
      method,
      body,
      headers: { 'x-api-key': key, ...(body ? { 'content-type': contentType } : {}) },
    });
  } catch (error) {
    fail(`Cannot reach the proxy at ${base}: ${error.cause?.message ?? error.message}`);
  }
  if (!response.ok) {
    const problem = await response.json().catch(() => ({}));
    fail(`${response.status}: ${[problem.message ?? response.statusText].flat().join('\n  ')}`);
  }
  return response;
}

/** The backup and key commands live in the API bundle (so `node main.js backup` works in the Docker image too). */
function runBuiltApi(args) {
  const main = fileURLToPath(new URL('../dist/apps/api/main.js', import.meta.url));
  if (!existsSync(main)) fail('The API is not built: run `npm run build` (or `npm start` once) first');
  const result = spawnSync(process.execPath, [main, ...args], { stdio: 'inherit' });
  process.exit(result.status ?? 1);
}

function keyFromDataDir() {
  const file = join(process.env.DATA_DIR ?? './data', 'secrets.json');
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')).apiKey : undefined;
}

function fail(message) {
  console.error(message);
  process.exit(1);
}
