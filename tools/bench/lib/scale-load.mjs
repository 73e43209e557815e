// The scale benchmark's load generators: several forked lib/scale-worker.mjs processes, each holding its share
// of the sessions from its own loopback address (so no one process or address runs short of sockets), driven
// together; they inherit the bench's CPU affinity (the client core when pinning). Also the proxy's own event-loop delay, read from its /metrics (prom-client's monitorEventLoopDelay
// gauges, reset at each scrape: one scrape before a phase, one after, gives the phase's max and p99).
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const WORKER = fileURLToPath(new URL('./scale-worker.mjs', import.meta.url));

/** `count` generator processes for one kind of session (streamable, legacy, ws). */
export async function startGenerators(count, { kind, url, headers, service, token, tag }) {
  const workers = [];
  for (let i = 0; i < count; i++) {
    const config = { kind, url, headers, service, token, tag: `${tag}-${i}`, localAddress: `127.0.0.${10 + workers.length}` };
    const child = fork(WORKER, [JSON.stringify(config)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [] });
    await new Promise((resolve, reject) => {
      child.once('message', resolve);
      child.once('exit', (code) => reject(new Error(`generator exited with code ${code}`)));
    });
    workers.push(child);
  }
  const ask = (child, command, args) =>
    new Promise((resolve) => {
      child.once('message', resolve);
      child.send({ command, args });
    });
  /** Sends a command to every generator, `args(i)` each, and merges what they answer. */
  const all = async (command, args = () => ({})) => {
    const replies = await Promise.all(workers.map((child, i) => ask(child, command, args(i))));
    return merge(replies);
  };
  return {
    size: count,
    open: (total) => all('open', (i) => ({ count: share(total, count, i) })),
    run: (ratePerSec, durationMs) => all('run', () => ({ ratePerSec: ratePerSec / count, durationMs })),
    callEach: () => all('call-each'),
    stats: () => all('stats'),
    close: () => all('close'),
    cpuPids: () => workers.map((child) => child.pid),
    stop: async () => {
      for (const child of workers) if (child.exitCode === null) child.kill('SIGTERM');
    },
  };
}

/** Generator i's part of `total`. */
const share = (total, parts, i) => Math.floor(total / parts) + (i < total % parts ? 1 : 0);

/** Sums counts, concatenates latencies, adds error histograms; wallMs is the longest. */
function merge(replies) {
  const merged = { errors: {}, latencies: [], cpuMs: 0 };
  for (const reply of replies) {
    for (const [key, value] of Object.entries(reply)) {
      if (key === 'errors') for (const [error, n] of Object.entries(value)) merged.errors[error] = (merged.errors[error] ?? 0) + n;
      else if (key === 'latencies') merged.latencies.push(...value);
      else if (key === 'wallMs') merged.wallMs = Math.max(merged.wallMs ?? 0, value);
      else if (key === 'error') merged.error = value;
      else if (typeof value === 'number') merged[key] = (merged[key] ?? 0) + value;
    }
  }
  return merged;
}

/** The proxy's event-loop delay since the previous scrape, in ms: { max, p99 } (null when /metrics is off). */
export async function eventLoopDelay(proxy) {
  const response = await fetch(`${proxy.origin}/metrics`, { headers: { 'X-API-Key': proxy.apiKey } });
  if (!response.ok) return null;
  const text = await response.text();
  const gauge = (name) => Number(new RegExp(`^mcp_proxy_nodejs_eventloop_lag_${name}_seconds\\s+(\\S+)`, 'm').exec(text)?.[1]) * 1000;
  return { max: gauge('max'), p99: gauge('p99') };
}
