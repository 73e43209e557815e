/**
 * Reads one runner's Jest-format JSON report (ours from `jest-summary-reporter.cjs`, or Vitest's `json`
 * reporter) into the counts `npm test` sums, and the name of every failing test or broken suite.
 */
const { existsSync, readFileSync } = require('node:fs');
const { relative } = require('node:path');

/** `null` when the runner wrote no report (it crashed or ran nothing). */
function readReport(file, root) {
  if (!existsSync(file)) return null;
  const report = JSON.parse(readFileSync(file, 'utf8'));
  const suites = report.testResults ?? [];
  const failing = (suite) => (suite.assertionResults ?? []).some((test) => test.status === 'failed');
  const failedNames = [];
  for (const suite of suites) {
    for (const test of suite.assertionResults ?? []) if (test.status === 'failed') failedNames.push(test.fullName ?? test.title);
    const message = suite.failureMessage || suite.message;
    // A suite that did not load (or crashed) has no failing test of its own: name the suite and its first line.
    if (!failing(suite) && (suite.status === 'failed' || message)) {
      const firstLine =
        String(message || 'suite failed')
          .split('\n')
          .find((line) => line.trim()) ?? '';
      failedNames.push(`${relative(root, suite.name ?? '')}: ${firstLine.trim()}`);
    }
  }
  return {
    passed: report.numPassedTests ?? 0,
    failed: report.numFailedTests ?? 0,
    // A suite that failed to load has no failing test but must still count as a failure.
    brokenSuites: (report.numFailedTestSuites ?? 0) - suites.filter(failing).length,
    failedNames,
  };
}

module.exports = { readReport };
