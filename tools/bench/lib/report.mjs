// Ratios and the printed table of the MCP benchmark. Absolute numbers vary ±10–20% between runs; the ratios
// compare measurements taken in the same run and are the figures to read.

const PEERS = ['supergateway', 'mcp-proxy'];

/**
 * Adds to each row, "higher is better, 1.00× = as fast as the reference":
 *  - vsDirect: against direct stdio in the same mode (32 sessions compare with direct's 32 in flight);
 *  - vsBestPeer: against the better of supergateway and mcp-proxy with the same client kind and mode;
 *  - cpuVsBestPeer (our proxy only): the better peer's gateway CPU per call ÷ ours (above 1 = we spend less).
 * Concurrent modes compare calls/s. One-at-a-time modes (C=1, large payloads) compare median latency instead:
 * their calls/s is 1/mean latency, which a few slow calls on a busy machine distort.
 */
export function addRatios(rows, modes) {
  const measured = (row) => row && !row.error && row.callsPerSec > 0 && row.p50Ms > 0;
  const speed = (row) => (modes[row.mode]?.workers === 1 ? 1 / row.p50Ms : row.callsPerSec);
  const find = (predicate) => rows.filter((row) => measured(row) && predicate(row));
  for (const row of rows) {
    if (!measured(row)) continue;
    const directMode = row.mode === 's32' ? 'c32' : row.mode;
    const direct = find((r) => r.target === 'direct stdio' && r.mode === directMode)[0];
    if (direct) row.vsDirect = speed(row) / speed(direct);
    const peers = find((r) => PEERS.includes(r.target) && r.mode === row.mode && r.client === row.client);
    if (peers.length && row.target !== 'direct stdio') {
      row.vsBestPeer = speed(row) / Math.max(...peers.map(speed));
      const cpus = peers.map((r) => r.gatewayCpuMsPerCall).filter((cpu) => cpu > 0);
      if (row.target === 'our proxy' && cpus.length && row.gatewayCpuMsPerCall > 0)
        row.cpuVsBestPeer = Math.min(...cpus) / row.gatewayCpuMsPerCall;
    }
  }
  return rows;
}

const fixed = (value, digits) => (value === undefined || value === null || Number.isNaN(value) ? '—' : value.toFixed(digits));
const ratio = (value) => (value === undefined ? '—' : `${value.toFixed(2)}×`);

const COLUMNS = [
  ['target', 13, (r) => r.target],
  ['via', 19, (r) => r.endpointLabel],
  ['client', 6, (r) => r.client],
  ['calls/s', 8, (r) => fixed(r.callsPerSec, 0)],
  ['p50 ms', 7, (r) => fixed(r.p50Ms, 2)],
  ['p99 ms', 7, (r) => fixed(r.p99Ms, 2)],
  ['errors', 6, (r) => String(r.errors)],
  ['gw CPU/call', 11, (r) => (r.gatewayCpuMsPerCall === null ? '—' : `${fixed(r.gatewayCpuMsPerCall, 3)} ms`)],
  ['client CPU', 10, (r) => `${fixed(r.clientCpuMsPerCall, 3)} ms`],
  ['gw RSS MB', 11, (r) => `${fixed(r.rssIdleMb, 0)}→${fixed(r.rssAfterMb, 0)}`],
  ['×direct', 7, (r) => ratio(r.vsDirect)],
  ['×best peer', 10, (r) => ratio(r.vsBestPeer)],
  ['CPU vs peer', 11, (r) => (r.cpuVsBestPeer === undefined ? '' : `${r.cpuVsBestPeer.toFixed(1)}× less`)],
];

const cell = (text, width, left) => (left ? String(text).padEnd(width) : String(text).padStart(width));

/** The table, one section per mode, then what could not be measured at all. Returns the lines. */
export function formatTable(rows, modes, notMeasured = []) {
  const lines = [];
  const header = COLUMNS.map(([name, width], i) => cell(name, width, i < 3)).join('  ');
  for (const [mode, spec] of Object.entries(modes)) {
    const section = rows.filter((row) => row.mode === mode);
    if (!section.length) continue;
    lines.push('', `== ${spec.title} ==`, header);
    for (const row of section) {
      if (row.error && !row.calls) {
        lines.push(
          `${cell(row.target, 13, true)}  ${cell(row.endpointLabel ?? '', 19, true)}  ${cell(row.client, 6, true)}  n/a (error: ${row.error})`,
        );
        continue;
      }
      lines.push(COLUMNS.map(([, width, value], i) => cell(value(row), width, i < 3)).join('  '));
      const kinds = Object.entries(row.errorKinds ?? {});
      if (kinds.length) lines.push(`${' '.repeat(15)}errors: ${kinds.map(([key, count]) => `${count}× ${key}`).join('; ')}`);
    }
  }
  if (notMeasured.length) {
    lines.push('', 'Not measured (could not connect):');
    for (const item of notMeasured) {
      lines.push(
        `${cell(item.target, 13, true)}  ${cell(item.endpointLabel, 19, true)}  ${cell(item.client, 6, true)}  n/a (error: ${item.error})`,
      );
    }
  }
  return lines;
}

/**
 * What recording calls costs, when the run measured our proxy with the call log off (`ours`) and on (`ours-log`):
 * per endpoint, client and mode, the median calls/s and proxy CPU per call of each (several rows each when the
 * targets were listed more than once, alternating, so a passing load on the machine hits both alike).
 */
export function callLogCost(rows) {
  const median = (values) => {
    const sorted = values.filter((value) => value > 0).sort((a, b) => a - b);
    if (sorted.length === 0) return undefined;
    const middle = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  };
  const groups = new Map();
  for (const row of rows) {
    if (row.error || !['our proxy', 'ours (+calls)'].includes(row.target)) continue;
    const key = `${row.endpointLabel}|${row.client}|${row.mode}`;
    const group = groups.get(key) ?? { label: `${row.endpointLabel}, ${row.client}, ${row.mode}`, off: [], on: [] };
    group[row.target === 'our proxy' ? 'off' : 'on'].push(row);
    groups.set(key, group);
  }
  const lines = [];
  for (const { label, off, on } of groups.values()) {
    if (off.length === 0 || on.length === 0) continue;
    const rate = [median(off.map((r) => r.callsPerSec)), median(on.map((r) => r.callsPerSec))];
    const cpu = [median(off.map((r) => r.gatewayCpuMsPerCall)), median(on.map((r) => r.gatewayCpuMsPerCall))];
    if (!rate[0] || !rate[1] || !cpu[0] || !cpu[1]) continue;
    lines.push(
      `${label} (median of ${off.length} off / ${on.length} on): ${rate[0].toFixed(0)} → ${rate[1].toFixed(0)} calls/s ` +
        `(${(((rate[1] - rate[0]) / rate[0]) * 100).toFixed(1)}%), proxy CPU ${(cpu[0] * 1000).toFixed(0)} → ${(cpu[1] * 1000).toFixed(0)} µs/call ` +
        `(+${(((cpu[1] - cpu[0]) / cpu[0]) * 100).toFixed(1)}%)`,
    );
  }
  return lines.length ? ['', 'Call log cost (ours vs ours-log, same run):', ...lines] : [];
}

/**
 * The large-message targets, each row of our proxy against its target, marked met or not: proxy CPU per call for
 * 1 MiB (≤ 3 ms) and 100 kB (≤ 0.4 ms) echoes, 1 MiB p50 against direct stdio with the same (SDK) client (≤ 1.3×),
 * 8 concurrent 8 MiB echoes (RSS peak ≤ 3 × 8 MiB above the idle RSS at start, back within 10% of it after), and small messages
 * (C=1, C=32) against another build of ours when the run has one (`ours-base`: no regression = proxy CPU per call
 * within 10%, plus one /proc tick over the run; calls/s follows the load other processes put on the machine).
 */
export function largeMessageTargets(rows) {
  const ok = (row) => row && !row.error && row.calls > 0;
  const ours = rows.filter((row) => ok(row) && row.target === 'our proxy');
  if (!ours.length) return [];
  const met = (pass) => (pass ? 'met' : 'NOT met');
  const where = (row) => `${row.endpointLabel}, ${row.client}`;
  const lines = ['', 'Large-message targets (our proxy):'];
  for (const row of ours.filter((r) => r.mode === '1m')) {
    const direct = rows.find((r) => ok(r) && r.target === 'direct stdio' && r.mode === '1m' && r.client === row.client);
    const p50 = direct
      ? ` · p50 ${fixed(row.p50Ms / direct.p50Ms, 2)}× direct stdio (target ≤ 1.3×: ${met(row.p50Ms <= 1.3 * direct.p50Ms)})`
      : '';
    lines.push(
      `  1 MiB echo, ${where(row)}: CPU ${fixed(row.gatewayCpuMsPerCall, 2)} ms/call (target ≤ 3 ms: ${met(row.gatewayCpuMsPerCall <= 3)})${p50}`,
    );
  }
  for (const row of ours.filter((r) => r.mode === '100k'))
    lines.push(
      `  100 kB echo, ${where(row)}: CPU ${fixed(row.gatewayCpuMsPerCall, 2)} ms/call (target ≤ 0.4 ms: ${met(row.gatewayCpuMsPerCall <= 0.4)})`,
    );
  for (const row of ours.filter((r) => r.mode === '8x8m' && r.rssPeakMb)) {
    const growth = row.rssPeakMb - row.rssStartMb;
    const back = row.rssSettledMb <= row.rssStartMb * 1.1;
    lines.push(
      `  8 × 8 MiB, ${where(row)}: RSS ${fixed(row.rssStartMb, 0)} at start, ${fixed(row.rssIdleMb, 0)} before the burst, peak ${fixed(row.rssPeakMb, 0)} MB: ` +
        `+${fixed(growth, 0)} MB (target ≤ +24 MB: ${met(growth <= 24)}); ${fixed(row.rssSettledMb, 0)} MB ${fixed(row.rssSettleMs / 1000, 1)} s after ` +
        `(target within 10% of the start: ${met(back)})`,
    );
  }
  const base = rows.filter((row) => ok(row) && row.target === 'ours (base)');
  for (const row of ours.filter((r) => r.mode === 'c1' || r.mode === 'c32')) {
    const other = base.find((r) => r.mode === row.mode && r.endpoint === row.endpoint && r.client === row.client);
    const withinTenPercent = other && row.gatewayCpuMsPerCall <= 1.1 * other.gatewayCpuMsPerCall + 10 / row.calls;
    const against = other
      ? ` vs base ${fixed(other.callsPerSec, 0)} calls/s, ${fixed(other.gatewayCpuMsPerCall, 3)} ms CPU (no regression, CPU within 10%: ${met(withinTenPercent)})`
      : ' (add target ours-base with --base <main.js> to compare)';
    lines.push(
      `  small, ${row.mode}, ${where(row)}: ${fixed(row.callsPerSec, 0)} calls/s, ${fixed(row.gatewayCpuMsPerCall, 3)} ms CPU${against}`,
    );
  }
  return lines;
}
