/**
 * A Jest reporter that writes the run's counts and the names of its failing tests to the file named by
 * `JEST_SUMMARY_FILE`, in the shape of Jest's own `--json` report (the fields `tools/run-tests.mjs` reads).
 * Jest's `--json` serialises every failure's raw error object and crashes on a circular one ("Converting
 * circular structure to JSON"), losing every count of the run; this copies only strings and numbers.
 */
const { mkdirSync, writeFileSync } = require('node:fs');
const { dirname } = require('node:path');

class JestSummaryReporter {
  onRunComplete(_contexts, results) {
    const file = process.env.JEST_SUMMARY_FILE;
    if (!file) return;
    const summary = {
      numPassedTests: results.numPassedTests,
      numFailedTests: results.numFailedTests,
      numPendingTests: results.numPendingTests,
      numTotalTestSuites: results.numTotalTestSuites,
      numFailedTestSuites: results.numFailedTestSuites,
      testResults: results.testResults.map((suite) => ({
        name: suite.testFilePath,
        // A suite that could not load or run has no assertion results, only this message.
        failureMessage: suite.testExecError ? String(suite.testExecError.message ?? suite.testExecError) : null,
        assertionResults: suite.testResults.map((test) => ({ fullName: test.fullName, status: test.status })),
      })),
    };
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(summary));
  }
}

module.exports = JestSummaryReporter;
