#!/usr/bin/env node
// MCP data-plane benchmark: `echo` calls of the real @modelcontextprotocol/server-everything, in one run and with
// the same clients, through
//   - direct stdio (SDK client → the server): the limit;
//   - supergateway (stdio → Streamable HTTP, --stateful) and mcp-proxy (stdio → Streamable HTTP), the two most used
//     stdio→HTTP bridges, spawned here from node_modules;
//   - our proxy (dist/apps/api/main.js, fresh data dir, server-everything registered over REST) over Streamable
//     HTTP with JSON and with SSE replies, WebSocket and legacy HTTP+SSE.
// Two clients: the SDK Client, and a lean keep-alive JSON-RPC client for HTTP endpoints (the SDK client's own CPU
// per call can hide a fast gateway). Modes: C=1, C=8 and C=32 in flight on one session, 32 sessions with one call
// each, and 100 kB / 1 MiB echoes at C=1. Reported per row: calls/s, p50/p99, errors (a reply that is not the
// echo of its own request is an error), CPU per call of the gateway process (/proc utime+stime; the server's
// for direct stdio), gateway RSS before/after, and ratios vs direct stdio and vs the better peer. Finally the
// RSS of our proxy with 10 idle server-everything services. Target `ours-token` is our proxy again with the MCP
// clients presenting a client token instead of the admin key (the per-request credential check), and
// `--database postgres` puts our proxy's database on the local PostgreSQL instead of SQLite in its data dir;
// `ours-log` is our proxy with the call history on (CALL_LOG=true), to show what recording calls costs: list both,
// alternating and more than once (`--targets ours,ours-log,ours,ours-log`), and the report ends with the medians side by side.
// Mode `8x8m` runs 8 concurrent 8 MiB echoes and samples the gateway's RSS: its peak above its idle RSS at start, and
// whether it comes back within 10% of that afterwards (run `--modes 8x8m` alone: earlier rows leave memory behind). The report ends with the large-message targets (1 MiB and 100 kB CPU per call,
// 1 MiB p50 against direct stdio, the 8 × 8 MiB RSS) marked met or not; target `ours-base` is another build of our
// proxy (`--base <main.js>`, e.g. main's) whose small-message rows (C=1, C=32) ours is compared with.
//
// Usage: node tools/bench/mcp-bench.mjs [--quick] [--n 1000] [--warmup 100] [--n-large 100]
//          [--targets direct,supergateway,mcp-proxy,ours,ours-token,ours-log,ours-base] [--clients sdk,lean] [--modes c1,c8,c32,s32,100k,1m,8x8m]
//          [--base dist-of-main/apps/api/main.js]
//          [--isolation shared|session] [--database sqlite|postgres] [--idle-services 10] [--no-pin] [--timeout 30000] [--json]
//          [--main dist/apps/api/main.js]   (another build of our proxy to measure)
// (`npm run bench` runs the start-up benchmark and then this; `npm run bench -- --quick` for a smoke run.)
import { cpus } from 'node:os';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createHttpPool, leanClientName, openLeanSession, openSdkSession } from './lib/clients.mjs';
import { errorKey, percentiles, runCalls } from './lib/load.mjs';
import { cpuMs, rssMb, setUpPinning, sleep, treeRssMb } from './lib/processes.mjs';
import { addRatios, callLogCost, formatTable, largeMessageTargets } from './lib/report.mjs';
import {
  addEverythingService,
  EVERYTHING,
  OUR_MAIN,
  installedPackage,
  startDirect,
  startMcpProxy,
  startOurProxy,
  startOurs,
  startSupergateway,
} from './lib/targets.mjs';

const { values: opt } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    n: { type: 'string' },
    warmup: { type: 'string' },
    'n-large': { type: 'string' },
    targets: { type: 'string', default: 'direct,supergateway,mcp-proxy,ours' },
    clients: { type: 'string', default: 'sdk,lean' },
    modes: { type: 'string', default: 'c1,c8,c32,s32,100k,1m,8x8m' },
    base: { type: 'string' },
    isolation: { type: 'string', default: 'shared' },
    database: { type: 'string', default: 'sqlite' },
    main: { type: 'string' },
    'idle-services': { type: 'string', default: '10' },
    'no-pin': { type: 'boolean', default: false },
    timeout: { type: 'string', default: '30000' },
    'max-seconds': { type: 'string', default: '60' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (opt.help) {
  console.log(
    'node tools/bench/mcp-bench.mjs [--quick] [--n N] [--warmup W] [--n-large N] [--targets …] [--clients sdk,lean] [--modes …] [--isolation shared|session] [--idle-services 10] [--no-pin] [--main PATH] [--json]',
  );
  process.exit(0);
}

const positive = (value, name) => {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0) throw new Error(`--${name} must be a whole number, got "${value}"`);
  return number;
};
const N = positive(opt.n ?? (opt.quick ? 200 : 1000), 'n');
const WARMUP = positive(opt.warmup ?? (opt.quick ? 20 : 100), 'warmup');
const N_LARGE = positive(opt['n-large'] ?? (opt.quick ? 10 : 100), 'n-large');
const TIMEOUT_MS = positive(opt.timeout, 'timeout');
const MAX_PHASE_MS = positive(opt['max-seconds'], 'max-seconds') * 1000;
const IDLE_SERVICES = positive(opt['idle-services'], 'idle-services');

/** Modes, in table order. `calls` and `warmup` scale with the payload so a full run stays within minutes. */
const ALL_MODES = {
  c1: { title: 'C=1: one session, one call at a time', sessions: 1, workers: 1, payloadBytes: 0, calls: N, warmup: WARMUP },
  c8: { title: 'C=8 in flight on one session', sessions: 1, workers: 8, payloadBytes: 0, calls: N, warmup: WARMUP },
  c32: { title: 'C=32 in flight on one session', sessions: 1, workers: 32, payloadBytes: 0, calls: N, warmup: WARMUP },
  s32: {
    title: '32 sessions, one call each in flight (direct: see its C=32)',
    sessions: 32,
    workers: 32,
    payloadBytes: 0,
    calls: N,
    warmup: WARMUP,
  },
  '100k': { title: '100 kB echo, C=1', sessions: 1, workers: 1, payloadBytes: 100_000, calls: N_LARGE, warmup: Math.ceil(N_LARGE / 10) },
  '1m': {
    title: '1 MiB echo, C=1',
    sessions: 1,
    workers: 1,
    payloadBytes: 1_048_576,
    calls: Math.max(5, Math.ceil(N_LARGE / 3)),
    warmup: Math.max(1, Math.ceil(N_LARGE / 30)),
  },
  '8x8m': {
    title: '8 concurrent 8 MiB echoes (RSS sampled)',
    sessions: 1,
    workers: 8,
    // Under the 8 MiB message limit with the JSON-RPC envelope around it.
    payloadBytes: 8 * 1024 * 1024 - 64 * 1024,
    calls: 16,
    // No warm-up: idle is the RSS just before the burst, and what the first burst leaves behind counts.
    warmup: 0,
    sampleRss: true,
  },
};
const MODES = Object.fromEntries(
  opt.modes.split(',').map((id) => {
    if (!ALL_MODES[id]) throw new Error(`unknown mode "${id}"; modes: ${Object.keys(ALL_MODES).join(', ')}`);
    return [id, ALL_MODES[id]];
  }),
);
const CLIENTS = opt.clients.split(',');
const TARGETS = {
  direct: startDirect,
  supergateway: startSupergateway,
  'mcp-proxy': startMcpProxy,
  ours: () => startOurs({ isolation: opt.isolation, main: OUR_BUILD, database: opt.database }),
  // The same, with MCP clients presenting a client token instead of the admin key: the cost of checking it per request.
  'ours-token': () => startOurs({ isolation: opt.isolation, main: OUR_BUILD, database: opt.database, credential: 'client-token' }),
  // The same with the call history on (CALL_LOG=true): what recording every call costs.
  'ours-log': () => startOurs({ isolation: opt.isolation, main: OUR_BUILD, database: opt.database, callLog: true }),
  // Another build (--base, e.g. main's) for the small-message comparison.
  'ours-base': () => {
    if (!opt.base) throw new Error('--base <main.js> names the build to compare with');
    return startOurs({ isolation: opt.isolation, main: resolve(opt.base), database: opt.database, name: 'ours (base)' });
  },
};
if (!['sqlite', 'postgres'].includes(opt.database)) throw new Error(`--database takes sqlite or postgres, got "${opt.database}"`);
const selected = opt.targets.split(',').map((name) => {
  if (!TARGETS[name]) throw new Error(`unknown target "${name}"; targets: ${Object.keys(TARGETS).join(', ')}`);
  return name;
});
const OUR_BUILD = opt.main ? resolve(opt.main) : OUR_MAIN;
if (selected.some((name) => name.startsWith('ours'))) {
  const { existsSync } = await import('node:fs');
  if (!existsSync(OUR_BUILD)) {
    console.error(`${OUR_BUILD} is missing: run "npm run build" first (or leave our proxy out: --targets direct,supergateway,mcp-proxy)`);
    process.exit(1);
  }
}

const log = (...args) => console.error('[bench]', ...args);
const pinning = setUpPinning(!opt['no-pin']);

// -------------------------------------------------------------- measuring ----

async function openSessions(target, endpoint, client, count, pool) {
  const sessions = [];
  try {
    for (let i = 0; i < count; i += 8) {
      const batch = Array.from({ length: Math.min(8, count - i) }, () =>
        client === 'sdk' ? openSdkSession(endpoint.sdk, { timeoutMs: TIMEOUT_MS }) : openLeanSession(pool, endpoint.lean),
      );
      const opened = await Promise.allSettled(batch);
      for (const result of opened) if (result.status === 'fulfilled') sessions.push(result.value);
      const failure = opened.find((result) => result.status === 'rejected');
      if (failure) throw failure.reason;
    }
    return sessions;
  } catch (error) {
    await Promise.allSettled(sessions.map((session) => session.close()));
    throw error;
  }
}

async function measure(target, endpoint, client, modeId) {
  const mode = MODES[modeId];
  const row = { target: target.name, endpoint: endpoint.id, endpointLabel: endpoint.label, client, mode: modeId, calls: 0, errors: 0 };
  const pool = client === 'lean' ? await createHttpPool(new URL(endpoint.lean.url).origin, Math.max(mode.workers, mode.sessions)) : null;
  let sessions = [];
  try {
    row.stage = 'connect';
    sessions = await openSessions(target, endpoint, client, mode.sessions, pool);
    row.stage = 'calls';
    const rssPid = target.rssPid(sessions);
    row.rssIdleMb = target.idleRssMb ?? rssMb(rssPid);

    const deadline = () => performance.now() + MAX_PHASE_MS;
    const warm = await runCalls({
      sessions,
      workers: mode.workers,
      total: mode.warmup,
      phase: `w${modeId}`,
      payloadBytes: mode.payloadBytes,
      deadline: deadline(),
    });
    if (warm.ok === 0 && warm.failed > 0) {
      row.errors = warm.failed;
      throw new Error(`all ${warm.failed} warm-up calls failed: ${Object.keys(warm.errors)[0]}`);
    }

    const pids = target.cpuPids(sessions);
    // RSS sampled through the run (the peak of a burst of large messages), then until it is back near idle.
    let rssPeak = 0;
    if (mode.sampleRss) {
      row.rssIdleMb = rssMb(rssPid);
      // Rows before this one leave memory behind (V8's heap, the allocator's arenas): the target is judged from the start.
      row.rssStartMb = target.idleRssMb ?? row.rssIdleMb;
    }
    const sampler = mode.sampleRss ? setInterval(() => (rssPeak = Math.max(rssPeak, rssMb(rssPid) ?? 0)), 20) : null;
    const cpuBefore = pids.reduce((sum, pid) => sum + (cpuMs(pid) ?? 0), 0);
    const clientBefore = process.cpuUsage();
    const run = await runCalls({
      sessions,
      workers: mode.workers,
      total: mode.calls,
      phase: modeId,
      payloadBytes: mode.payloadBytes,
      deadline: deadline(),
    });
    const clientCpu = process.cpuUsage(clientBefore);
    const cpuAfter = pids.reduce((sum, pid) => sum + (cpuMs(pid) ?? 0), 0);
    if (sampler) {
      clearInterval(sampler);
      row.rssPeakMb = Math.max(rssPeak, rssMb(rssPid) ?? 0);
      const settleStart = performance.now();
      while ((rssMb(rssPid) ?? 0) > row.rssStartMb * 1.1 && performance.now() - settleStart < 30_000) await sleep(250);
      row.rssSettledMb = rssMb(rssPid);
      row.rssSettleMs = performance.now() - settleStart;
    }

    const calls = run.ok + run.failed;
    const { p50, p99 } = percentiles(run.latencies);
    Object.assign(row, {
      calls,
      errors: run.failed,
      errorKinds: run.errors,
      truncated: run.truncated,
      callsPerSec: run.ok / (run.wallMs / 1000),
      p50Ms: p50,
      p99Ms: p99,
      gatewayCpuMsPerCall: calls ? (cpuAfter - cpuBefore) / calls : null,
      clientCpuMsPerCall: calls ? (clientCpu.user + clientCpu.system) / 1000 / calls : null,
      rssAfterMb: rssMb(rssPid),
      gatewayTreeAfter: target.gatewayPid ? treeRssMb(target.gatewayPid) : undefined,
    });
    log(
      `${target.name} ${endpoint.id} ${client} ${modeId}: ${row.callsPerSec.toFixed(0)} calls/s, p50 ${p50?.toFixed(2)} ms, ` +
        `${row.errors} errors, gateway CPU ${row.gatewayCpuMsPerCall?.toFixed(3)} ms/call`,
    );
  } catch (error) {
    row.error = errorKey(error);
    log(`${target.name} ${endpoint.id} ${client} ${modeId}: n/a (${row.error})`);
  } finally {
    await Promise.allSettled(sessions.map((session) => session.close()));
    await pool?.close();
  }
  return row;
}

/** RSS of our proxy's own process with `count` started, idle server-everything services. */
async function measureIdleServices(count) {
  const result = { services: count };
  let proxy;
  try {
    proxy = await startOurProxy({ main: OUR_BUILD });
    for (let i = 1; i <= count; i++) await addEverythingService(proxy, `everything-${i}`, { process: { isolation: opt.isolation } });
    await sleep(5000); // let start-up garbage settle
    const tree = treeRssMb(proxy.pid);
    Object.assign(result, { proxyRssMb: tree.root, treeRssMb: tree.total, processes: tree.processes });
    log(`our proxy with ${count} idle services: main.js RSS ${tree.root.toFixed(1)} MB; with children ${tree.total.toFixed(0)} MB`);
  } catch (error) {
    result.error = errorKey(error);
    log(`idle services: n/a (${result.error})`);
  } finally {
    await proxy?.stop();
  }
  return result;
}

// ------------------------------------------------------------------- main ----

const started = performance.now();
const meta = {
  node: process.version,
  cores: cpus().length,
  pinning: pinning ? `bench client on CPU ${pinning.client}; gateways and the servers they spawn on CPU ${pinning.gateway}` : 'off',
  leanHttpClient: await leanClientName(),
  serverEverything: EVERYTHING.version,
  supergateway: installedPackage('supergateway').version,
  mcpProxy: installedPackage('mcp-proxy').version,
  sdk: installedPackage('@modelcontextprotocol/sdk').version,
  calls: { small: N, warmup: WARMUP, large100k: ALL_MODES['100k'].calls, large1m: ALL_MODES['1m'].calls },
  isolation: opt.isolation,
};
log(`Node ${meta.node}, ${meta.cores} cores, pinning: ${meta.pinning}; lean client: ${meta.leanHttpClient}`);

const rows = [];
const notMeasured = []; // targets or endpoints that could not be reached at all: listed once, not per mode
const startErrors = {};
for (const name of selected) {
  let target;
  try {
    log(`starting ${name}…`);
    target = await TARGETS[name]();
  } catch (error) {
    startErrors[name] = errorKey(error);
    log(`${name}: n/a (${startErrors[name]})`);
    notMeasured.push({ target: name === 'ours' ? 'our proxy' : name, endpointLabel: 'start-up', client: '', error: startErrors[name] });
    continue;
  }
  try {
    if (target.gatewayPid) {
      await sleep(1000);
      target.idleRssMb = rssMb(target.gatewayPid);
    }
    for (const endpoint of target.endpoints) {
      let prepareError;
      try {
        await endpoint.prepare?.();
      } catch (error) {
        prepareError = errorKey(error);
      }
      for (const client of CLIENTS) {
        if (!endpoint[client]) continue;
        if (prepareError) {
          notMeasured.push({ target: target.name, endpointLabel: endpoint.label, client, error: prepareError });
          continue;
        }
        let first = true;
        for (const modeId of Object.keys(MODES)) {
          if (target.name === 'direct stdio' && modeId === 's32') continue;
          const row = await measure(target, endpoint, client, modeId);
          // Unreachable in the first mode: unreachable in all of them, so say it once and move on.
          if (first && row.stage === 'connect') {
            notMeasured.push({ target: target.name, endpointLabel: endpoint.label, client, error: row.error });
            break;
          }
          first = false;
          rows.push(row);
        }
      }
    }
  } finally {
    await target.stop();
  }
}

let idleServices = null;
if (selected.includes('ours') && IDLE_SERVICES > 0) {
  // When our proxy could not even run one service, starting ten would only fail the same way, slower.
  idleServices = startErrors.ours ? { services: IDLE_SERVICES, error: startErrors.ours } : await measureIdleServices(IDLE_SERVICES);
}
addRatios(rows, MODES);
meta.seconds = Math.round((performance.now() - started) / 1000);

const lines = [
  `MCP echo benchmark — Node ${meta.node}, ${meta.cores} cores, pinning: ${meta.pinning}`,
  `server-everything ${meta.serverEverything}, SDK ${meta.sdk}, supergateway ${meta.supergateway}, mcp-proxy ${meta.mcpProxy}; lean client: ${meta.leanHttpClient}`,
  `${N} calls after ${WARMUP} warm-up per small-payload row; ${ALL_MODES['100k'].calls} × 100 kB; ${ALL_MODES['1m'].calls} × 1 MiB; our proxy isolation: ${opt.isolation}`,
  'gw CPU/call: user+system CPU of the gateway process itself per call (direct stdio: the server process). Ratios, higher is better:',
  '×direct against direct stdio (SDK client), ×best peer against the better of supergateway and mcp-proxy with the same client;',
  'concurrent rows compare calls/s, one-at-a-time rows (C=1, 100 kB, 1 MiB) compare p50. Compare ratios within one run, not across runs.',
  ...formatTable(rows, MODES, notMeasured),
  ...callLogCost(rows),
  ...largeMessageTargets(rows),
];
if (idleServices) {
  lines.push(
    '',
    idleServices.error
      ? `our proxy with ${idleServices.services} idle services: n/a (error: ${idleServices.error})`
      : `our proxy with ${idleServices.services} idle server-everything services: main.js RSS ${idleServices.proxyRssMb.toFixed(1)} MB ` +
          `(target < 150 MB: ${idleServices.proxyRssMb < 150 ? 'met' : 'NOT met'}); with its ${idleServices.processes - 1} children ${idleServices.treeRssMb.toFixed(0)} MB`,
  );
}
lines.push('', `finished in ${meta.seconds} s`);

if (opt.json) {
  console.error(lines.join('\n'));
  console.log(JSON.stringify({ meta, rows, notMeasured, idleServices }, null, 2));
} else {
  console.log(lines.join('\n'));
}
