// Process plumbing for the benchmarks: free ports, CPU time and memory of a PID from /proc, CPU pinning,
// waiting for a port, and stopping only the processes we started (by PID, never by name).
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism } from 'node:os';

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const TICK_MS = 1000 / 100; // CLK_TCK is 100 on Linux

/** Fields of /proc/<pid>/stat after the command name (which may contain spaces). */
function statFields(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** User + system CPU time of the process itself (not its children), in ms; null once it is gone. */
export function cpuMs(pid) {
  try {
    const fields = statFields(pid); // fields[11] = utime, fields[12] = stime (fields 14 and 15 of stat)
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return null;
  }
}

/** Resident memory of one process in MiB; null once it is gone. */
export function rssMb(pid) {
  try {
    const kb = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Number(kb) / 1024 : null;
  } catch {
    return null;
  }
}

/** The PID and every descendant of it, from one pass over /proc. */
export function processTree(rootPid) {
  const children = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const ppid = Number(statFields(name)[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(name));
    } catch {
      // exited while we looked
    }
  }
  const tree = [];
  const stack = [rootPid];
  while (stack.length) {
    const pid = stack.pop();
    tree.push(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return tree;
}

/** RSS of the root alone and of its whole tree (root + children), in MiB. */
export function treeRssMb(rootPid) {
  const pids = processTree(rootPid);
  const root = rssMb(rootPid) ?? 0;
  const total = pids.reduce((sum, pid) => sum + (rssMb(pid) ?? 0), 0);
  return { root, total, processes: pids.length };
}

// ---- CPU pinning: the load generator on one core, gateways (and the servers they spawn) on another ----

let pinning = null;

/** Pins this process to core 0 and returns the core list for what it spawns, or null when not pinning. */
export function setUpPinning(enabled) {
  if (!enabled) return (pinning = null);
  const cores = availableParallelism();
  const taskset = spawnSync('taskset', ['--version'], { stdio: 'ignore' });
  if (cores < 2 || taskset.status !== 0) return (pinning = null);
  const self = spawnSync('taskset', ['-a', '-cp', '0', String(process.pid)], { stdio: 'ignore' });
  if (self.status !== 0) return (pinning = null);
  pinning = { client: '0', gateway: cores > 2 ? `1-${cores - 1}` : '1' };
  return pinning;
}

/** Command and arguments, prefixed with taskset when pinning is on (taskset execs: the PID stays the program's). */
export function pinned(command, args) {
  return pinning ? ['taskset', ['-c', pinning.gateway, command, ...args]] : [command, args];
}

/** Spawns a gateway in its own process group so that stopping it takes its children too. */
export function spawnGateway(command, args, options = {}) {
  const [cmd, argv] = pinned(command, args);
  const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'], detached: true, ...options });
  let output = '';
  // BENCH_GATEWAY_LOG=<file>: the gateways' whole output appended there (e.g. our proxy's --trace-gc lines).
  const keep = (chunk) => {
    if (process.env.BENCH_GATEWAY_LOG) appendFileSync(process.env.BENCH_GATEWAY_LOG, chunk);
    output = (output + chunk).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  child.on('error', (error) => keep(`\nspawn error: ${error.message}`));
  return { child, output: () => output };
}

/** SIGTERM to the process group we created, SIGKILL after a grace period. */
export async function stopGroup(child, graceMs = 5000) {
  if (!child?.pid || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const signal = (name) => {
    try {
      process.kill(-child.pid, name);
    } catch {
      // group already gone
    }
  };
  signal('SIGTERM');
  const timer = setTimeout(() => signal('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
  signal('SIGKILL'); // stragglers of the group, if any
}

/** Resolves once something answers HTTP at `url` (any status), or rejects after `timeoutMs`. */
export async function waitForHttp(url, { timeoutMs = 30_000, child, output } = {}) {
  const started = Date.now();
  for (;;) {
    if (child && child.exitCode !== null)
      throw new Error(`exited with code ${child.exitCode} before listening: ${output?.().trim().slice(-600)}`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await response.arrayBuffer();
      return Date.now() - started;
    } catch {
      // not listening yet
    }
    if (Date.now() - started > timeoutMs)
      throw new Error(`no HTTP answer from ${url} within ${timeoutMs} ms: ${output?.().trim().slice(-600) ?? ''}`);
    await sleep(50);
  }
}
