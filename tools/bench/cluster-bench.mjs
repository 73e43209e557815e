#!/usr/bin/env node
// A cluster that survives losing a node: three built instances on PostgreSQL + Redis behind nginx
// (deploy/cluster/nginx.conf), shared server-everything services spread over them, 32 clients calling `echo` in a
// loop through nginx. The instance that runs the most services is killed (SIGKILL); then a fourth one is added
// under the same load. Each figure is printed beside its target. Needs `npm run build`, nginx, PostgreSQL, Redis.
//
//   npm run bench -- --only cluster [--clients 32] [--services 6] [--lease 15] [--quick]
import { readFileSync } from 'node:fs';
import { startCluster, addClusterService, leaseOwners, publishedStates, serviceChildren, startClusterNginx } from './lib/cluster.mjs';
import { rateOver, ratePerSecond, startClusterLoad } from './lib/cluster-load.mjs';
import { sleep } from './lib/processes.mjs';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? Number(args[at + 1]) : fallback;
};
const quick = args.includes('--quick');
const CLIENTS = option('clients', 32);
const SERVICES = option('services', 6);
const LEASE_SEC = option('lease', 15);
const WINDOW_MS = quick ? 5_000 : 10_000;
const ADDED_WINDOW_MS = quick ? 8_000 : 15_000;

const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const began = Date.now();
/** Where the run is, on stderr (a run takes a minute or two). */
const progress = (what) => console.error(`  [${((Date.now() - began) / 1000).toFixed(1)} s] ${what}`);
const met = (pass) => (pass ? 'met' : 'NOT met');
const seconds = (ms) => (ms === null || ms === undefined ? '—' : `${(ms / 1000).toFixed(1)} s`);

/** Polls who holds each lease, who publishes each service as running, and how many children each one has. */
function watch(cluster, services) {
  const ids = services.map((service) => service.id);
  const seen = { owners: new Map(), running: new Map(), maxChildren: new Map(), twoChildren: [] };
  let stopped = false;
  const leases = (async () => {
    while (!stopped) {
      const [owners, states] = await Promise.all([leaseOwners(cluster, ids), publishedStates(cluster, ids)]);
      const now = Date.now();
      for (const service of services) {
        const owner = owners.get(service.id);
        const history = seen.owners.get(service.name) ?? [];
        if (history.at(-1)?.owner !== owner) history.push({ at: now, owner });
        seen.owners.set(service.name, history);
        const state = states.get(service.id);
        const running = state?.status === 'running' ? state.instance : null;
        const runs = seen.running.get(service.name) ?? [];
        if (runs.at(-1)?.instance !== running) runs.push({ at: now, instance: running });
        seen.running.set(service.name, runs);
      }
      await sleep(100);
    }
  })();
  const children = (async () => {
    while (!stopped) {
      const found = serviceChildren(cluster);
      for (const service of services) {
        const list = found.get(service.name) ?? [];
        seen.maxChildren.set(service.name, Math.max(seen.maxChildren.get(service.name) ?? 0, list.length));
        if (list.length > 1) seen.twoChildren.push({ at: Date.now(), service: service.name, pids: list });
      }
      await sleep(250);
    }
  })();
  return { seen, stop: async () => ((stopped = true), await Promise.all([leases, children])) };
}

async function main() {
  const lines = [];
  const print = (line = '') => {
    lines.push(line);
    console.log(line);
  };
  print(`Cluster: 3 instances on PostgreSQL + Redis behind nginx, ${SERVICES} shared server-everything services, ${CLIENTS} clients`);
  print(`(Streamable HTTP sessions calling echo in a loop), LEASE_TTL_SEC=${LEASE_SEC}. Load average before: ${loadavg()}`);

  const cluster = await startCluster({ size: 3, leaseTtlSec: LEASE_SEC, progress });
  let nginx = null;
  let load = null;
  let watcher = null;
  let cleaning = null;
  // Once, from the end of the run or from Ctrl-C / a time-out's SIGTERM: nothing of the stand may outlive the bench.
  const cleanUp = () =>
    (cleaning ??= (async () => {
      await load?.stop().catch(() => undefined);
      await watcher?.stop().catch(() => undefined);
      await nginx?.stop();
      await cluster.stop();
    })());
  for (const signal of ['SIGINT', 'SIGTERM'])
    process.once(signal, () => {
      console.error(`${signal}: stopping the instances, nginx and the database`);
      void cleanUp().finally(() => process.exit(130));
    });
  try {
    // Each service registered through a different instance, which runs it: 2 per instance with 6.
    const services = [];
    for (let i = 0; i < SERVICES; i++) services.push(await addClusterService(cluster, cluster.instances[i % 3], `everything-${i + 1}`));
    progress('services running; starting nginx');
    nginx = await startClusterNginx(cluster.instances);
    watcher = watch(cluster, services);
    load = await startClusterLoad({ origin: nginx.origin, apiKey: cluster.apiKey, services, clients: CLIENTS });
    progress(`${CLIENTS} sessions open; warming up`);
    await sleep(quick ? 2_000 : 5_000); // warm-up

    // ---------------------------------------------------------------- losing a node
    const beforeFrom = Date.now();
    await sleep(WINDOW_MS);
    const owners = await leaseOwners(
      cluster,
      services.map((service) => service.id),
    );
    const counts = cluster.instances.map((instance) => [...owners.values()].filter((owner) => owner === instance.id).length);
    const victim = cluster.instances[counts.indexOf(Math.max(...counts))];
    const owned = services.filter((service) => owners.get(service.id) === victim.id);
    const killedAt = Date.now();
    process.kill(victim.proxy.pid, 'SIGKILL');
    victim.alive = false;
    progress(`killed ${victim.id} (SIGKILL), which ran ${owned.length} services`);

    // Until every service it owned is leased elsewhere, published running there, and has answered a call again.
    const takeover = new Map();
    const deadline = killedAt + LEASE_SEC * 1000 + 40_000;
    while (takeover.size < owned.length && Date.now() < deadline) {
      for (const service of owned) {
        if (takeover.has(service.name)) continue;
        const leased = watcher.seen.owners
          .get(service.name)
          ?.find((entry) => entry.at >= killedAt && entry.owner && entry.owner !== victim.id);
        const running = watcher.seen.running
          .get(service.name)
          ?.find((entry) => entry.at >= killedAt && entry.instance && entry.instance !== victim.id);
        const served = load.records.find((record) => record.ok && record.service === service.name && record.startedAt > killedAt);
        if (leased && running && served)
          takeover.set(service.name, {
            leasedMs: leased.at - killedAt,
            runningMs: running.at - killedAt,
            servedMs: served.endedAt - killedAt,
            to: leased.owner,
          });
      }
      await sleep(100);
    }
    const recoveredAt = Date.now();
    progress(`${takeover.size}/${owned.length} services taken over`);
    await sleep(WINDOW_MS);
    const afterTo = Date.now();

    // ---------------------------------------------------------------- adding a node
    progress('adding an instance');
    const added = await cluster.addInstance();
    await nginx.reload(cluster.instances.filter((instance) => instance.alive));
    const addedAt = Date.now();
    await sleep(ADDED_WINDOW_MS);
    const addedTo = Date.now();
    const { keptSession } = await load.stop();
    await watcher.stop();
    const childrenAtEnd = serviceChildren(cluster);
    const finalOwners = await leaseOwners(
      cluster,
      services.map((service) => service.id),
    );

    // ---------------------------------------------------------------- report
    const records = load.records;
    const failed = records.filter((record) => !record.ok);
    // On the killed instance: in flight at the kill, or passed to it by nginx while it was dying (SIGKILL takes a few
    // tens of ms to end a busy process, and nginx cannot send a POST it already sent elsewhere).
    const victimUpstream = `127.0.0.1:${victim.port}`;
    const onVictim = (record) =>
      record.endedAt >= killedAt && record.startedAt < afterTo && (record.startedAt <= killedAt || record.upstream === victimUpstream);
    const inFlight = failed.filter(onVictim);
    const failedLater = failed.filter((record) => !onVictim(record) && record.startedAt > killedAt && record.startedAt < afterTo);
    const failedBefore = failed.filter((record) => record.endedAt < killedAt);
    const failedAdding = failed.filter((record) => record.startedAt >= afterTo);
    const kinds = (list) => {
      const byKind = new Map();
      for (const record of list) byKind.set(record.failure.kind, (byKind.get(record.failure.kind) ?? 0) + 1);
      return [...byKind].map(([kind, count]) => `${count}× ${kind}`).join('; ') || 'none';
    };
    const slowestFailMs = inFlight.length ? Math.max(...inFlight.map((record) => record.endedAt - killedAt)) : 0;
    const slowestCallMs = Math.max(
      0,
      ...records.filter((r) => r.ok && r.startedAt > killedAt && r.startedAt < recoveredAt).map((r) => r.endedAt - r.startedAt),
    );
    const takeoverMs = Math.max(0, ...[...takeover.values()].map((t) => t.leasedMs));
    const runningMs = Math.max(0, ...[...takeover.values()].map((t) => t.runningMs));
    const maxChildren = Math.max(0, ...watcher.seen.maxChildren.values());
    const exactlyOneAtEnd = services.every((service) => (childrenAtEnd.get(service.name) ?? []).length === 1);
    const rate = (from, to) => `${rateOver(records, from, to).toFixed(0)} calls/s`;
    const perSecond = (from, to) => ratePerSecond(records, from, to).join(' ');
    const viaAdded = records.filter((record) => record.startedAt >= addedAt && record.startedAt < addedTo);
    const addedUpstream = `127.0.0.1:${added.port}`;
    const viaAddedShare = viaAdded.length ? viaAdded.filter((record) => record.upstream === addedUpstream).length / viaAdded.length : 0;
    const addedServices = [...finalOwners.values()].filter((owner) => owner === added.id).length;
    // When each service it took moved to it, in s after nginx began sending it calls.
    const movedIn = services
      .map((service) => watcher.seen.owners.get(service.name)?.find((entry) => entry.owner === added.id))
      .filter(Boolean)
      .map((entry) => ((entry.at - addedAt) / 1000).toFixed(1));
    const survivors = cluster.instances.filter((instance) => instance.alive).length;

    print('');
    print(`== Losing a node: kill -9 ${victim.id} (ran ${owned.map((s) => s.name).join(', ')}) ==`);
    print(
      `calls/s before (${WINDOW_MS / 1000} s)           ${rate(beforeFrom, killedAt)}   per second: ${perSecond(beforeFrom, killedAt)}`,
    );
    print(
      `calls/s during (kill → all serving, ${seconds(recoveredAt - killedAt)})  ${rate(killedAt, recoveredAt)}   per second: ${perSecond(killedAt, recoveredAt)}`,
    );
    print(
      `calls/s after (${WINDOW_MS / 1000} s)            ${rate(recoveredAt, afterTo)}   per second: ${perSecond(recoveredAt, afterTo)}`,
    );
    print(
      `calls in flight on the killed instance that failed: ${inFlight.length}, all within ${seconds(slowestFailMs)} (target ≤ 2 s: ${met(slowestFailMs <= 2000)}); ` +
        `retryable: ${inFlight.filter((r) => r.failure.retryable).length}/${inFlight.length} (target all: ${met(inFlight.every((r) => r.failure.retryable))})`,
    );
    print(`    how: ${kinds(inFlight)}`);
    const instanceAt = (upstream) => cluster.instances.find((instance) => upstream === `127.0.0.1:${instance.port}`)?.id ?? upstream ?? '?';
    /** Failures by how long after the kill they ended and the instance nginx gave them to. */
    const whenAndWhere = (list) => {
      const buckets = new Map();
      for (const record of list) {
        const key = `${record.endedAt - killedAt <= 2000 ? 'within 2 s' : 'later'} via ${instanceAt(record.upstream)}`;
        buckets.set(key, [
          ...(buckets.get(key) ?? []),
          `${((record.startedAt - killedAt) / 1000).toFixed(2)}→${((record.endedAt - killedAt) / 1000).toFixed(2)}`,
        ]);
      }
      for (const [key, spans] of buckets)
        print(`    ${key}: ${spans.length} (start→end, s after the kill: ${spans.slice(0, 12).join(', ')})`);
    };
    whenAndWhere(inFlight);
    print(
      `other calls that failed (not on the killed instance): ${failedLater.length} of ${records.filter((r) => r.startedAt > killedAt && r.startedAt < afterTo).length} (target 0: ${met(failedLater.length === 0)})`,
    );
    if (failedLater.length) print(`    how: ${kinds(failedLater)}`);
    whenAndWhere(failedLater);
    print(`    slowest successful call started during the takeover: ${seconds(slowestCallMs)} (it waited for its service to move)`);
    print(
      `sessions: ${load.sessions.lost} lost (404, re-initialized) (target 0: ${met(load.sessions.lost === 0)}); ` +
        `${keptSession}/${CLIENTS} clients ended on the session they started with`,
    );
    print(
      `requests sent again after nginx closed an idle keep-alive connection under them (never read, as HTTP clients do): ${load.sessions.resent}`,
    );
    for (const service of owned) {
      const t = takeover.get(service.name);
      print(
        t
          ? `takeover ${service.name} → ${t.to}: lease ${seconds(t.leasedMs)}, running ${seconds(t.runningMs)}, first call served ${seconds(t.servedMs)} after the kill`
          : `takeover ${service.name}: not taken over within ${seconds(deadline - killedAt)}`,
      );
    }
    print(
      `takeover time (slowest lease): ${seconds(takeoverMs)} (target ≤ ${LEASE_SEC} s: ${met(takeover.size === owned.length && takeoverMs <= LEASE_SEC * 1000)}); ` +
        `running there ${seconds(runningMs)}`,
    );
    print(
      `children per service: at most ${maxChildren} at any time (target never 2: ${met(maxChildren <= 1)}); exactly one each at the end: ${met(exactlyOneAtEnd)}`,
    );
    for (const twice of watcher.seen.twoChildren.slice(0, 3))
      print(
        `    ${seconds(twice.at - killedAt)} after the kill: ${twice.service} had pids ${twice.pids.map((p) => `${p.pid} (parent ${p.ppid})`).join(', ')}`,
      );
    print(`deploys in progress on the killed node: not measured (this run has no deploy running at the kill)`);

    print('');
    print(`== Adding a node: ${added.id} joins ${survivors - 1} survivors, nginx reloaded with it ==`);
    print(`calls/s with it (${ADDED_WINDOW_MS / 1000} s)        ${rate(addedAt, addedTo)}   per second: ${perSecond(addedAt, addedTo)}`);
    print(
      `failed calls while adding it: ${failedAdding.length} (target 0: ${met(failedAdding.length === 0)})${failedAdding.length ? ` — ${kinds(failedAdding)}` : ''}`,
    );
    print(`calls nginx passed to it: ${(viaAddedShare * 100).toFixed(0)}% (its share: ${(100 / survivors).toFixed(0)}%)`);
    print(
      `services it runs: ${addedServices} of ${SERVICES} (its share: ${(SERVICES / survivors).toFixed(1)}; target ≥ ${Math.floor(SERVICES / survivors)}: ${met(addedServices >= Math.floor(SERVICES / survivors))})`,
    );
    if (movedIn.length) print(`    handed over to it ${movedIn.join(', ')} s after nginx began sending it calls (one per owner and pass)`);
    print('');
    print(
      `failed calls before the kill: ${failedBefore.length}${failedBefore.length ? ` — ${kinds(failedBefore)}` : ''}; calls in all: ${records.length}`,
    );
    print(`Load average after: ${loadavg()} (2 cores shared with other work: absolute calls/s are noisy)`);
  } finally {
    await cleanUp();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
