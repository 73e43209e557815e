#!/usr/bin/env node
// `npm test`: builds, lints and runs every test suite, then prints one line `N passed, M failed`
// for the whole run, summed from each runner's JSON report (so a run that ran nothing cannot pass).
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import testReport from './test-report.cjs';

const { readReport } = testReport;

const root = fileURLToPath(new URL('..', import.meta.url));
const reports = join(root, 'tmp', 'test-reports');
rmSync(reports, { recursive: true, force: true });
mkdirSync(reports, { recursive: true });

const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', FORCE_COLOR: '0' };
const nx = (...args) => [process.execPath, 'node_modules/nx/dist/bin/nx.js', ...args, '--outputStyle=static'];
// Counts come from our own reporter: Jest's `--json` crashes on a circular error object and loses them all.
const jest = (config) => [
  process.execPath,
  'node_modules/jest/bin/jest.js',
  '-c',
  config,
  '--ci',
  '--reporters=default',
  `--reporters=${join(root, 'tools', 'jest-summary-reporter.cjs')}`,
];

/** Checks that are not test runners count as one test each. */
const checks = [
  { name: 'build api + admin', command: nx('run-many', '-t', 'build', '-p', 'api', 'admin') },
  { name: 'lint (module boundaries included)', command: nx('run-many', '-t', 'lint') },
  {
    name: 'format (Prettier)',
    command: [process.execPath, 'node_modules/prettier/bin/prettier.cjs', '--check', '--log-level', 'warn', '.'],
  },
];

/**
 * API e2e files that assert a wall-clock bound a busy machine can miss (a caller's error within 1 s of a
 * kill, a lease moving within its TTL, a median latency, heartbeat pings, a lockout's delay, a forced stop):
 * they run one at a time with the machine to themselves, after the rest of the API suite has run on two
 * workers. Every other e2e file keeps to its own ports, data dir, database, Redis prefix and namespaces.
 */
const API_ALONE = [
  'cluster',
  'cluster-deploys',
  'group-tool-search',
  'network-upnp',
  'oauth-abuse',
  'proxy-heartbeat',
  'proxy-http-services',
  'proxy-lifecycle',
  'stopping',
  'supervisor',
  'tool-pinning-instances',
  'tracing',
].map((name) => `apps/api/test/${name}.e2e-spec.ts`);

/** Test runners, each writing a Jest-format JSON report. */
const suites = [
  { name: 'libs/shared/dto', report: 'shared-dto.json', command: () => jest('libs/shared/dto/jest.config.cts') },
  { name: 'libs/mcp/protocol', report: 'mcp-protocol.json', command: () => jest('libs/mcp/protocol/jest.config.cts') },
  {
    name: 'api (unit + e2e, two workers)',
    report: 'api.json',
    command: () => [
      ...jest('apps/api/jest.config.cts'),
      '--maxWorkers=2',
      ...API_ALONE.map((file) => `--testPathIgnorePatterns=${file.replaceAll('.', '\\.')}$`),
    ],
  },
  // By exact path: a file renamed without updating this list fails as a suite that cannot be read.
  {
    name: 'api (timing-sensitive e2e, alone)',
    report: 'api-alone.json',
    command: () => [...jest('apps/api/jest.config.cts'), '--runInBand', '--runTestsByPath', ...API_ALONE],
  },
  { name: 'admin (unit)', report: 'admin-unit.json', command: () => nx('test', 'admin', '--configuration=ci') },
  { name: 'admin (browser e2e, two workers)', report: 'admin-e2e.json', command: () => jest('apps/admin/e2e/jest.config.cts') },
];

let passed = 0;
let failed = 0;
const lines = [];

for (const check of checks) {
  const { ok, seconds } = run(check.name, check.command);
  if (ok) passed++;
  else failed++;
  lines.push(`${ok ? 'ok  ' : 'FAIL'} ${check.name} (${seconds} s)`);
}

for (const suite of suites) {
  const report = join(reports, suite.report);
  const { ok: exitedOk, seconds } = run(suite.name, suite.command(), { JEST_SUMMARY_FILE: report });
  const counts = readReport(report, root);
  if (!counts) {
    failed++;
    lines.push(`FAIL ${suite.name}: no report written (the runner crashed or ran nothing) (${seconds} s)`);
    continue;
  }
  // A runner that failed without any failing test or broken suite to show for it still counts once.
  const runnerError = !exitedOk && counts.failed + counts.brokenSuites === 0 ? 1 : 0;
  const suiteFailed = counts.failed + counts.brokenSuites + runnerError;
  passed += counts.passed;
  failed += suiteFailed;
  lines.push(`${suiteFailed ? 'FAIL' : 'ok  '} ${suite.name}: ${counts.passed} passed, ${suiteFailed} failed (${seconds} s)`);
  for (const name of counts.failedNames) lines.push(`       ✗ ${name}`);
}

console.log(`\n${lines.join('\n')}\n`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);

/** Runs one step; its wall time goes on the summary line, so a slow step shows in every CI log. */
function run(name, [command, ...args], extraEnv = {}) {
  console.log(`\n=== ${name} ===`);
  const started = Date.now();
  // A hung runner is stopped well inside CI's own 90-minute limit, so the summary line still prints.
  const result = spawnSync(command, args, { cwd: root, env: { ...env, ...extraEnv }, stdio: 'inherit', timeout: 60 * 60 * 1000 });
  return { ok: result.status === 0, seconds: Math.round((Date.now() - started) / 1000) };
}
