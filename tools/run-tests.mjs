#!/usr/bin/env node
// `npm test`: builds, lints and runs every test suite, then prints one line `N passed, M failed`
// for the whole run, summed from each runner's JSON report (so a run that ran nothing cannot pass).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const reports = join(root, 'tmp', 'test-reports');
rmSync(reports, { recursive: true, force: true });
mkdirSync(reports, { recursive: true });

const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', FORCE_COLOR: '0' };
const nx = (...args) => [process.execPath, 'node_modules/nx/dist/bin/nx.js', ...args, '--outputStyle=static'];
const jest = (config, report) => [process.execPath, 'node_modules/jest/bin/jest.js', '-c', config, '--ci', '--json', `--outputFile=${report}`];

/** Checks that are not test runners count as one test each. */
const checks = [
  { name: 'build api + admin', command: nx('run-many', '-t', 'build', '-p', 'api', 'admin') },
  { name: 'lint (module boundaries included)', command: nx('run-many', '-t', 'lint') },
];

/** Test runners, each writing a Jest-format JSON report. */
const suites = [
  { name: 'libs/shared/dto', report: 'shared-dto.json', command: (r) => jest('libs/shared/dto/jest.config.cts', r) },
  { name: 'libs/mcp/protocol', report: 'mcp-protocol.json', command: (r) => jest('libs/mcp/protocol/jest.config.cts', r) },
  { name: 'api (unit + e2e)', report: 'api.json', command: (r) => [...jest('apps/api/jest.config.cts', r), '--runInBand'] },
  { name: 'admin (unit)', report: 'admin-unit.json', command: () => nx('test', 'admin', '--configuration=ci') },
  { name: 'admin (browser e2e)', report: 'admin-e2e.json', command: (r) => [...jest('apps/admin/e2e/jest.config.cts', r), '--runInBand'] },
];

let passed = 0;
let failed = 0;
const lines = [];

for (const check of checks) {
  const ok = run(check.name, check.command);
  ok ? passed++ : failed++;
  lines.push(`${ok ? 'ok  ' : 'FAIL'} ${check.name}`);
}

for (const suite of suites) {
  const report = join(reports, suite.report);
  const exitedOk = run(suite.name, suite.command(report));
  const counts = readReport(report);
  if (!counts) {
    failed++;
    lines.push(`FAIL ${suite.name}: no report written (the runner crashed or ran nothing)`);
    continue;
  }
  // A suite that failed to load has no failing test but must still count as a failure.
  const suiteErrors = counts.brokenSuites > 0 && counts.failed === 0 ? counts.brokenSuites : 0;
  const runnerError = !exitedOk && counts.failed === 0 && suiteErrors === 0 ? 1 : 0;
  passed += counts.passed;
  failed += counts.failed + suiteErrors + runnerError;
  lines.push(`${counts.failed + suiteErrors + runnerError ? 'FAIL' : 'ok  '} ${suite.name}: ${counts.passed} passed, ${counts.failed + suiteErrors + runnerError} failed`);
}

console.log(`\n${lines.join('\n')}\n`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);

function run(name, [command, ...args]) {
  console.log(`\n=== ${name} ===`);
  const result = spawnSync(command, args, { cwd: root, env, stdio: 'inherit', timeout: 20 * 60 * 1000 });
  return result.status === 0;
}

function readReport(file) {
  if (!existsSync(file)) return null;
  const report = JSON.parse(readFileSync(file, 'utf8'));
  return {
    passed: report.numPassedTests ?? 0,
    failed: report.numFailedTests ?? 0,
    brokenSuites: (report.numFailedTestSuites ?? 0) - countSuitesWithFailedTests(report),
  };
}

function countSuitesWithFailedTests(report) {
  return (report.testResults ?? []).filter((suite) => (suite.assertionResults ?? []).some((test) => test.status === 'failed')).length;
}
