#!/usr/bin/env node
// Scale benchmark: thousands of sessions on one box, our built proxy with one shared server-everything.
//   idle     10,000 Streamable HTTP sessions, each with its GET stream open, held then closed, twice: proxy RSS
//            before / while held / after they closed (target < 600 MB held, back within 10% of before; after the
//            second round's close within 10% of the first's: no growth).
//   many     1,000 such sessions and calls at a fixed aggregate rate of 500/s, open loop: calls/s, p50/p99,
//            errors, proxy CPU and RSS, memory per session (target p99 < 25 ms, no error).
//   single   one call in flight: SDK client and lean client, JSON replies (target proxy CPU ≤ 0.3 ms/call and
//            p50 ≤ 0.6 ms with the SDK client), and C=32 on one session (lean) beside it.
//   streams  5,000 idle legacy-SSE + WebSocket connections with a short heartbeat: the proxy's event-loop delay
//            (its own monitorEventLoopDelay, read from /metrics) while they are held (target max < 50 ms), then
//            the first call on each (target: every one answered).
// Sessions and connections come from several forked lean generators (raw node:http keep-alive and `ws`),
// not the SDK client, which costs too much per session; `single` uses both. Needs `npm run build`.
//
// Usage: node tools/bench/scale-bench.mjs [--quick] [--scenarios idle,many,single,streams] [--idle 10000]
//        [--active 1000] [--rate 500] [--seconds 20] [--streams 5000] [--hold-seconds 60]
//        [--heartbeat-ms 1000] [--no-pin] [--json]
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createHttpPool, openLeanSession, openSdkSession } from './lib/clients.mjs';
import { percentiles, runCalls } from './lib/load.mjs';
import { cpuMs, rssMb, setUpPinning, sleep } from './lib/processes.mjs';
import { eventLoopDelay, startGenerators } from './lib/scale-load.mjs';
import { addEverythingService, OUR_MAIN, startOurProxy } from './lib/targets.mjs';

const { values: opt } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    scenarios: { type: 'string', default: 'idle,many,single,streams' },
    idle: { type: 'string' },
    active: { type: 'string' },
    rate: { type: 'string', default: '500' },
    seconds: { type: 'string' },
    streams: { type: 'string' },
    'hold-seconds': { type: 'string' },
    'heartbeat-ms': { type: 'string', default: '1000' },
    calls: { type: 'string' },
    main: { type: 'string' },
    'no-pin': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});
const quick = opt.quick;
const IDLE = Number(opt.idle ?? (quick ? 2000 : 10_000));
const ACTIVE = Number(opt.active ?? (quick ? 200 : 1000));
const RATE = Number(opt.rate);
const SECONDS = Number(opt.seconds ?? (quick ? 5 : 20));
const STREAMS = Number(opt.streams ?? (quick ? 1000 : 5000));
const HOLD_SECONDS = Number(opt['hold-seconds'] ?? (quick ? 10 : 60));
const HEARTBEAT_MS = Number(opt['heartbeat-ms']);
const SINGLE_CALLS = Number(opt.calls ?? (quick ? 300 : 2000));
const SCENARIOS = opt.scenarios.split(',');
const MAIN = opt.main ? resolve(opt.main) : OUR_MAIN;
const log = (...args) => console.error('[scale]', ...args);
const pinning = setUpPinning(!opt['no-pin']);

const met = (pass) => (pass ? 'met' : 'NOT met');
const fixed = (value, digits = 1) => (value === null || value === undefined || Number.isNaN(value) ? '—' : value.toFixed(digits));
const lines = [];
const results = {};

/** Our proxy with server-everything as the shared service "everything" (JSON replies, no rate limit). */
async function startProxy(env = {}) {
  const proxy = await startOurProxy({ main: MAIN, env: { CALL_LOG: 'false', ...env } });
  try {
    await addEverythingService(proxy, 'everything', { process: { isolation: 'shared' }, proxy: { responseMode: 'json' } });
  } catch (error) {
    await proxy.stop();
    throw error;
  }
  const url = `${proxy.origin}/mcp/everything`;
  return { proxy, url, headers: { authorization: `Bearer ${proxy.apiKey}` } };
}

/** RSS once it stops falling (V8 returns freed pages lazily), at most `limitMs` later. */
async function settledRss(pid, target, limitMs = 30_000) {
  const started = performance.now();
  let rss = rssMb(pid);
  while (rss > target && performance.now() - started < limitMs) {
    await sleep(1000);
    rss = rssMb(pid);
  }
  return { rss, afterMs: performance.now() - started };
}

const errorText = (errors) =>
  Object.entries(errors ?? {})
    .map(([key, n]) => `${n}× ${key}`)
    .join('; ');

// ------------------------------------------------------------------ idle ----

async function idleSessions() {
  const { proxy, url, headers } = await startProxy();
  const generators = await startGenerators(4, { kind: 'streamable', url, headers, tag: 'idle' });
  try {
    // A few sessions opened and closed first: the code paths compiled, the pools warm, before "before".
    await generators.open(200);
    await generators.close();
    await sleep(3000);
    const before = rssMb(proxy.pid);
    const openStarted = performance.now();
    const opened = await generators.open(IDLE);
    const openSeconds = (performance.now() - openStarted) / 1000;
    await sleep(5000);
    const held = rssMb(proxy.pid);
    const closed = await generators.close();
    const after = await settledRss(proxy.pid, before * 1.1);
    // The same again: memory the first round left behind is reused, not added to, when nothing leaks.
    const again = await generators.open(IDLE);
    await sleep(5000);
    const heldAgain = rssMb(proxy.pid);
    await generators.close();
    const afterAgain = await settledRss(proxy.pid, before * 1.1);
    const row = {
      sessions: opened.opened,
      failed: opened.failed,
      errors: { ...opened.errors, ...closed.errors },
      openPerSec: opened.opened / openSeconds,
      before,
      held,
      after: after.rss,
      settleSeconds: after.afterMs / 1000,
      again: { opened: again.opened, failed: again.failed, held: heldAgain, after: afterAgain.rss },
      kbPerSession: ((held - before) * 1024) / Math.max(1, opened.opened),
    };
    results.idle = row;
    lines.push(
      '',
      `== ${IDLE} idle Streamable HTTP sessions, each with its GET stream open (lean client, 4 generator processes) ==`,
      `opened ${row.sessions} (${row.failed} failed) at ${fixed(row.openPerSec, 0)} sessions/s${row.failed ? ` — ${errorText(row.errors)}` : ''}`,
      `proxy RSS: before ${fixed(before, 0)} MB → held ${fixed(held, 0)} MB (${fixed(row.kbPerSession, 1)} kB per session; target < 600 MB: ${met(held < 600 && row.failed === 0)})`,
      `           after close ${fixed(after.rss, 0)} MB, ${fixed(row.settleSeconds, 0)} s later (target within 10% of before: ${met(after.rss <= before * 1.1)})`,
      `second round (${again.opened} opened, ${again.failed} failed): held ${fixed(heldAgain, 0)} MB, after close ${fixed(afterAgain.rss, 0)} MB ` +
        `(no growth: after close within 10% of the first round's: ${met(afterAgain.rss <= after.rss * 1.1)})`,
    );
  } finally {
    await generators.stop();
    await proxy.stop();
  }
}

// ------------------------------------------------------------------ many ----

async function manySessions() {
  const { proxy, url, headers } = await startProxy();
  const generators = await startGenerators(2, { kind: 'streamable', url, headers, tag: 'many' });
  try {
    const before = rssMb(proxy.pid);
    const opened = await generators.open(ACTIVE);
    if (opened.failed) log(`many: ${opened.failed} sessions failed to open: ${errorText(opened.errors)}`);
    await generators.run(RATE, 3000); // warm-up
    await eventLoopDelay(proxy);
    const cpuBefore = cpuMs(proxy.pid);
    const run = await generators.run(RATE, SECONDS * 1000);
    const proxyCpu = cpuMs(proxy.pid) - cpuBefore;
    const loop = await eventLoopDelay(proxy);
    const held = rssMb(proxy.pid);
    await generators.close();
    const { p50, p99 } = percentiles(run.latencies);
    const calls = run.ok + run.failed;
    const row = {
      sessions: opened.opened,
      openFailed: opened.failed,
      callsPerSec: run.ok / (run.wallMs / 1000),
      p50,
      p99,
      errors: run.failed,
      errorKinds: run.errors,
      proxyCpuPercent: (proxyCpu / run.wallMs) * 100,
      proxyCpuMsPerCall: proxyCpu / calls,
      generatorCpuMsPerCall: run.cpuMs / calls,
      rssBefore: before,
      rssHeld: held,
      kbPerSession: ((held - before) * 1024) / Math.max(1, opened.opened),
      loopMaxMs: loop?.max,
    };
    results.many = row;
    const pass = row.p99 < 25 && row.errors === 0 && row.openFailed === 0 && row.callsPerSec >= RATE * 0.95;
    lines.push(
      '',
      `== ${ACTIVE} active Streamable HTTP sessions (GET streams open), ${RATE} calls/s aggregate for ${SECONDS} s, open loop (lean client, 2 generator processes) ==`,
      `${fixed(row.callsPerSec, 0)} calls/s, p50 ${fixed(p50, 2)} ms, p99 ${fixed(p99, 2)} ms, ${row.errors} errors${row.errors ? ` (${errorText(row.errorKinds)})` : ''} — target p99 < 25 ms, no error: ${met(pass)}`,
      `proxy CPU ${fixed(row.proxyCpuPercent, 0)}% of a core (${fixed(row.proxyCpuMsPerCall, 3)} ms/call), event-loop delay max ${fixed(row.loopMaxMs, 1)} ms; generators ${fixed(row.generatorCpuMsPerCall, 3)} ms CPU/call`,
      `proxy RSS ${fixed(before, 0)} → ${fixed(held, 0)} MB with the sessions open (${fixed(row.kbPerSession, 1)} kB per session)`,
    );
  } finally {
    await generators.stop();
    await proxy.stop();
  }
}

// ---------------------------------------------------------------- single ----

async function singleCall() {
  const { proxy, url, headers } = await startProxy();
  const rows = [];
  try {
    const measure = async (client, workers) => {
      const pool = client === 'lean' ? await createHttpPool(proxy.origin, workers) : null;
      const session =
        client === 'sdk'
          ? await openSdkSession({ kind: 'streamable', url, headers }, { timeoutMs: 30_000 })
          : await openLeanSession(pool, { url, headers });
      try {
        const deadline = performance.now() + 120_000;
        await runCalls({ sessions: [session], workers, total: 200, phase: `w${client}${workers}`, payloadBytes: 0, deadline });
        const cpuBefore = cpuMs(proxy.pid);
        const clientBefore = process.cpuUsage();
        const run = await runCalls({
          sessions: [session],
          workers,
          total: SINGLE_CALLS,
          phase: `${client}${workers}`,
          payloadBytes: 0,
          deadline,
        });
        const cpu = cpuMs(proxy.pid) - cpuBefore;
        const clientCpu = process.cpuUsage(clientBefore);
        const calls = run.ok + run.failed;
        const { p50, p99 } = percentiles(run.latencies);
        rows.push({
          client,
          workers,
          callsPerSec: run.ok / (run.wallMs / 1000),
          p50,
          p99,
          errors: run.failed,
          cpuMsPerCall: cpu / calls,
          clientCpuMsPerCall: (clientCpu.user + clientCpu.system) / 1000 / calls,
        });
      } finally {
        await session.close();
        await pool?.close();
      }
    };
    await measure('sdk', 1);
    await measure('lean', 1);
    await measure('lean', 32);
  } finally {
    await proxy.stop();
  }
  results.single = rows;
  lines.push('', `== One session, Streamable HTTP with JSON replies, ${SINGLE_CALLS} calls after 200 warm-up ==`);
  lines.push('client  in flight  calls/s   p50 ms   p99 ms  errors  proxy CPU/call  client CPU/call  targets');
  for (const row of rows) {
    let target = '';
    if (row.workers === 1) target = `CPU ≤ 0.300 ms: ${met(row.cpuMsPerCall <= 0.3)}`;
    if (row.workers === 1 && row.client === 'sdk') target += `; p50 ≤ 0.6 ms: ${met(row.p50 <= 0.6)}`;
    if (row.workers === 32) target = '(keep: compare with a run of the previous build)';
    lines.push(
      `${row.client.padEnd(6)}  ${String(row.workers).padStart(9)}  ${fixed(row.callsPerSec, 0).padStart(7)}  ${fixed(row.p50, 2).padStart(7)}  ${fixed(row.p99, 2).padStart(7)}  ${String(row.errors).padStart(6)}  ${`${fixed(row.cpuMsPerCall, 3)} ms`.padStart(14)}  ${`${fixed(row.clientCpuMsPerCall, 3)} ms`.padStart(15)}  ${target}`,
    );
  }
}

// --------------------------------------------------------------- streams ----

async function openStreams() {
  const { proxy, url, headers } = await startProxy({ STREAM_HEARTBEAT_MS: String(HEARTBEAT_MS) });
  const common = { url, headers, service: 'everything', token: proxy.apiKey };
  const legacy = await startGenerators(2, { ...common, kind: 'legacy', tag: 'legacy' });
  const ws = await startGenerators(2, { ...common, kind: 'ws', tag: 'ws' });
  try {
    const before = rssMb(proxy.pid);
    await eventLoopDelay(proxy);
    const [openedLegacy, openedWs] = await Promise.all([legacy.open(Math.ceil(STREAMS / 2)), ws.open(Math.floor(STREAMS / 2))]);
    const openLoop = await eventLoopDelay(proxy);
    const beats = async () => (await legacy.stats()).heartbeats + (await ws.stats()).heartbeats;
    const beatsBefore = await beats();
    const cpuBefore = cpuMs(proxy.pid);
    await sleep(HOLD_SECONDS * 1000);
    const holdLoop = await eventLoopDelay(proxy);
    const holdCpuPercent = (cpuMs(proxy.pid) - cpuBefore) / (HOLD_SECONDS * 10);
    const heartbeats = (await beats()) - beatsBefore;
    const held = rssMb(proxy.pid);
    const [callsLegacy, callsWs] = await Promise.all([legacy.callEach(), ws.callEach()]);
    const callLoop = await eventLoopDelay(proxy);
    await Promise.all([legacy.close(), ws.close()]);
    const opened = openedLegacy.opened + openedWs.opened;
    const answered = callsLegacy.ok + callsWs.ok;
    const expectedBeats = (opened * HOLD_SECONDS * 1000) / HEARTBEAT_MS;
    const row = {
      legacy: openedLegacy.opened,
      websocket: openedWs.opened,
      openFailed: openedLegacy.failed + openedWs.failed,
      openErrors: { ...openedLegacy.errors, ...openedWs.errors },
      heartbeats,
      expectedBeats,
      holdCpuPercent,
      loop: { open: openLoop, hold: holdLoop, calls: callLoop },
      answered,
      callErrors: { ...callsLegacy.errors, ...callsWs.errors },
      firstCall: percentiles([...callsLegacy.latencies, ...callsWs.latencies]),
      rssBefore: before,
      rssHeld: held,
    };
    results.streams = row;
    lines.push(
      '',
      `== ${STREAMS} idle connections (${row.legacy} legacy SSE + ${row.websocket} WebSocket, lean client, 4 generator processes), heartbeat every ${HEARTBEAT_MS} ms, held ${HOLD_SECONDS} s ==`,
      `opened ${opened} (${row.openFailed} failed${row.openFailed ? `: ${errorText(row.openErrors)}` : ''}); proxy RSS ${fixed(before, 0)} → ${fixed(held, 0)} MB; ` +
        `${heartbeats} heartbeats received (${fixed((heartbeats / Math.max(1, expectedBeats)) * 100, 0)}% of one per connection per interval)`,
      `proxy event-loop delay while held: max ${fixed(holdLoop?.max, 1)} ms, p99 ${fixed(holdLoop?.p99, 1)} ms (target max < 50 ms: ${met(holdLoop?.max < 50)}), ` +
        `proxy CPU ${fixed(holdCpuPercent, 0)}% of a core; ` +
        `while opening: max ${fixed(openLoop?.max, 1)} ms; during the calls: max ${fixed(callLoop?.max, 1)} ms`,
      `first call on each after the idle period: ${answered} of ${opened} answered, p50 ${fixed(row.firstCall.p50, 2)} ms, p99 ${fixed(row.firstCall.p99, 2)} ms ` +
        `(target all answered: ${met(answered === opened && row.openFailed === 0)})${answered < opened ? ` — ${errorText(row.callErrors)}` : ''}`,
    );
  } finally {
    await legacy.stop();
    await ws.stop();
    await proxy.stop();
  }
}

// ------------------------------------------------------------------ main ----

const SCENARIO_RUNS = { idle: idleSessions, many: manySessions, single: singleCall, streams: openStreams };
const started = performance.now();
lines.push(
  `Scale benchmark — Node ${process.version}, ${cpus().length} cores, pinning: ${pinning ? `bench and generators on CPU ${pinning.client}, proxy and its server on CPU ${pinning.gateway}` : 'off'}`,
  `our built proxy (${MAIN.replace(/.*\/dist\//, 'dist/')}, SQLite), one shared server-everything "echo" service; ` +
    `load average at start: ${loadavg()
      .map((load) => load.toFixed(1))
      .join(' ')}`,
);
let status = 0;
for (const name of SCENARIOS) {
  if (!SCENARIO_RUNS[name]) throw new Error(`unknown scenario "${name}"; scenarios: ${Object.keys(SCENARIO_RUNS).join(', ')}`);
  log(`${name}…`);
  try {
    await SCENARIO_RUNS[name]();
  } catch (error) {
    status = 1;
    lines.push('', `== ${name}: n/a (error: ${String(error?.message ?? error).slice(0, 300)}) ==`);
  }
}
lines.push('', `finished in ${Math.round((performance.now() - started) / 1000)} s`);
if (opt.json) {
  console.error(lines.join('\n'));
  console.log(JSON.stringify(results, null, 2));
} else {
  console.log(lines.join('\n'));
}
process.exit(status);
