#!/usr/bin/env node
// A new client session's first call, by isolation: our proxy with server-everything three times — `shared` (one
// child for everyone), `session` (a child spawned for each new session) and `pool` (a child per session, taken from
// children started and initialized ahead). Each sample is a new SDK client session (Streamable HTTP, JSON
// replies): connect (initialize) and its first `echo`, then the session ends; the services take turns, with a
// short gap so the pool can refill as it would between real sessions. Then the spawn rate the host sustains: 8
// new `session` sessions at a time, each with its first call. Target: pool's first call within 2×
// shared's.
//
// Usage: node tools/bench/session-start.mjs [--sessions 30] [--gap-ms 300] [--burst 40] [--no-pin] [--json]
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { openSdkSession } from './lib/clients.mjs';
import { percentiles } from './lib/load.mjs';
import { setUpPinning, sleep } from './lib/processes.mjs';
import { addEverythingService, startOurProxy } from './lib/targets.mjs';

const { values: opt } = parseArgs({
  options: {
    sessions: { type: 'string', default: '30' },
    'gap-ms': { type: 'string', default: '300' },
    burst: { type: 'string', default: '40' },
    quick: { type: 'boolean', default: false },
    'no-pin': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});
const SESSIONS = opt.quick ? 5 : Number(opt.sessions);
const GAP_MS = Number(opt['gap-ms']);
const BURST = opt.quick ? 8 : Number(opt.burst);
const TIMEOUT_MS = 30_000;
const log = (...args) => console.error('[sessions]', ...args);
setUpPinning(!opt['no-pin']);

const ISOLATIONS = {
  shared: { process: { isolation: 'shared' } },
  session: { process: { isolation: 'session', maxSessions: 100 } },
  pool: { process: { isolation: 'pool', pool: { min: 4, max: 100 } } },
};

const proxy = await startOurProxy();
const results = {};
try {
  for (const [isolation, extra] of Object.entries(ISOLATIONS)) {
    await addEverythingService(proxy, `first-${isolation}`, { ...extra, proxy: { responseMode: 'json' } });
    results[isolation] = { connectAndCall: [], call: [] };
  }
  // Let the pool fill and every child settle before the first sample.
  await sleep(2000);
  const endpoint = (isolation) => ({
    kind: 'streamable',
    url: `${proxy.origin}/mcp/first-${isolation}`,
    headers: { Authorization: `Bearer ${proxy.apiKey}` },
  });
  for (let i = 0; i < SESSIONS; i++) {
    for (const isolation of Object.keys(ISOLATIONS)) {
      const started = performance.now();
      const session = await openSdkSession(endpoint(isolation), { timeoutMs: TIMEOUT_MS });
      const connected = performance.now();
      const answer = await session.echo(`first ${i}`);
      const done = performance.now();
      if (!answer.includes(`first ${i}`)) throw new Error(`${isolation}: unexpected answer ${answer}`);
      results[isolation].connectAndCall.push(done - started);
      results[isolation].call.push(done - connected);
      await session.close();
      await sleep(GAP_MS);
    }
  }

  log(`spawn rate: ${BURST} new sessions of "session" isolation, 8 at a time`);
  const burstStarted = performance.now();
  let failed = 0;
  for (let i = 0; i < BURST; i += 8) {
    const batch = Array.from({ length: Math.min(8, BURST - i) }, async (_, k) => {
      const session = await openSdkSession(endpoint('session'), { timeoutMs: TIMEOUT_MS });
      try {
        await session.echo(`burst ${i + k}`);
      } finally {
        await session.close();
      }
    });
    failed += (await Promise.allSettled(batch)).filter((result) => result.status === 'rejected').length;
  }
  const burstSeconds = (performance.now() - burstStarted) / 1000;
  results.spawnRate = { sessions: BURST, failed, perSecond: (BURST - failed) / burstSeconds };
} finally {
  await proxy.stop();
}

const ms = (value) => (value === null ? '—' : `${value.toFixed(1)} ms`);
const rows = Object.keys(ISOLATIONS).map((isolation) => {
  const total = percentiles(results[isolation].connectAndCall);
  const call = percentiles(results[isolation].call);
  return { isolation, samples: results[isolation].call.length, total, call };
});
const shared = rows.find((row) => row.isolation === 'shared');
const pool = rows.find((row) => row.isolation === 'pool');
const ratio = pool.total.p50 / shared.total.p50;
if (opt.json) {
  console.log(JSON.stringify({ rows, spawnRate: results.spawnRate, poolVsShared: ratio }, null, 2));
} else {
  console.log(`\nA new session's first call (${SESSIONS} sessions each, SDK client, Streamable HTTP, JSON replies)`);
  console.log('isolation   connect + first call p50 / p99      first call alone p50 / p99');
  for (const row of rows)
    console.log(
      `${row.isolation.padEnd(10)}  ${ms(row.total.p50).padStart(9)} / ${ms(row.total.p99).padEnd(20)} ${ms(row.call.p50).padStart(9)} / ${ms(row.call.p99)}`,
    );
  console.log(`pool vs shared (connect + first call, p50): ${ratio.toFixed(2)}× — target ≤ 2× ${ratio <= 2 ? 'met' : 'NOT met'}`);
  const { perSecond, failed, sessions } = results.spawnRate;
  console.log(`spawn rate ("session", 8 at a time): ${perSecond.toFixed(1)} new sessions/s (${failed} of ${sessions} failed)`);
}
