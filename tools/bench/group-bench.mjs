#!/usr/bin/env node
// What a group costs: tools/list (members' lists cached, and not) and tools/call through a group of 10
// server-everything members, against the same calls on one service directly. One keep-alive client,
// one session per endpoint, calls one after another (C=1), N calls each after a warm-up.
// Usage: node tools/bench/group-bench.mjs [--n 300] [--members 10]
import { Agent, request } from 'node:http';
import { parseArgs } from 'node:util';
import { addEverythingService, startOurProxy } from './lib/targets.mjs';

const { values: opt } = parseArgs({ options: { n: { type: 'string', default: '300' }, members: { type: 'string', default: '10' } } });
const N = Number(opt.n);
const MEMBERS = Number(opt.members);
const agent = new Agent({ keepAlive: true, maxSockets: 1 });

const proxy = await startOurProxy();
try {
  const names = Array.from({ length: MEMBERS }, (_, i) => `m${i + 1}`);
  for (const name of names) await addEverythingService(proxy, name);
  await proxy.api('POST', '/api/groups', { name: 'ten', members: names.map((service) => ({ service })) });

  const direct = await session(`${proxy.origin}/mcp/m1`);
  const group = await session(`${proxy.origin}/mcp/g/ten`);
  const rows = [];
  rows.push(['tools/list, direct (cached)', await measure(() => direct.call('tools/list', {}))]);
  rows.push([`tools/list, group of ${MEMBERS} (members cached)`, await measure(() => group.call('tools/list', {}))]);
  for (const name of names) await proxy.api('PATCH', `/api/services/${name}`, { proxy: { cache: false } });
  rows.push(['tools/list, direct (uncached)', await measure(() => direct.call('tools/list', {}))]);
  rows.push([`tools/list, group of ${MEMBERS} (uncached)`, await measure(() => group.call('tools/list', {}))]);
  rows.push([
    'tools/call echo, direct',
    await measure((i) => direct.call('tools/call', { name: 'echo', arguments: { message: `d${i}` } })),
  ]);
  rows.push([
    `tools/call echo, group of ${MEMBERS}`,
    await measure((i) => group.call('tools/call', { name: 'm7__echo', arguments: { message: `g${i}` } })),
  ]);

  const base = { list: rows[0][1].p50, uncached: rows[2][1].p50, call: rows[4][1].p50 };
  console.log(`Group cost, ${MEMBERS} server-everything members, ${N} calls each at C=1 (lean keep-alive client), Node ${process.version}`);
  console.log('call                                          calls/s   p50 ms   p99 ms   p50 vs direct');
  rows.forEach(([label, r], index) => {
    const reference = index < 2 ? base.list : index < 4 ? base.uncached : base.call;
    console.log(
      `${label.padEnd(44)} ${String(Math.round(r.rate)).padStart(8)} ${r.p50.toFixed(2).padStart(8)} ${r.p99.toFixed(2).padStart(8)}   ${(r.p50 / reference).toFixed(2)}×`,
    );
  });
} finally {
  await proxy.stop();
  agent.destroy();
}

async function measure(call) {
  for (let i = 0; i < Math.min(50, N); i++) await call(i);
  const times = [];
  const started = performance.now();
  for (let i = 0; i < N; i++) {
    const t = performance.now();
    await call(i);
    times.push(performance.now() - t);
  }
  const seconds = (performance.now() - started) / 1000;
  times.sort((a, b) => a - b);
  return { rate: N / seconds, p50: times[Math.floor(N / 2)], p99: times[Math.floor(N * 0.99)] };
}

async function session(url) {
  let id = 0;
  let sessionId;
  const post = (body) =>
    new Promise((resolve, reject) => {
      const target = new URL(url);
      const req = request(
        {
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: 'POST',
          agent,
          headers: {
            'content-type': 'application/json',
            accept: 'application/json, text/event-stream',
            authorization: `Bearer ${proxy.apiKey}`,
            ...(sessionId ? { 'mcp-session-id': sessionId } : {}),
          },
        },
        (res) => {
          const chunks = [];
          res.on('data', (chunk) => chunks.push(chunk));
          res.on('end', () => resolve({ headers: res.headers, text: Buffer.concat(chunks).toString() }));
        },
      );
      req.on('error', reject);
      req.end(JSON.stringify(body));
    });
  const call = async (method, params) => {
    const response = await post({ jsonrpc: '2.0', id: ++id, method, params });
    const reply = JSON.parse(response.text);
    if (reply.error) throw new Error(`${method}: ${reply.error.message}`);
    return { reply, headers: response.headers };
  };
  const init = await call('initialize', {
    protocolVersion: '2025-11-25',
    capabilities: {},
    clientInfo: { name: 'group-bench', version: '1' },
  });
  sessionId = init.headers['mcp-session-id'];
  await post({ jsonrpc: '2.0', method: 'notifications/initialized' });
  return { call };
}
