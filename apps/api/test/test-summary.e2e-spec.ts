import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WORKSPACE_ROOT } from './support/built-app';

/**
 * What `npm test` prints: every test that ran counted and every failing one named, whatever the failure
 * looks like (an error object that refers to itself crashed Jest's --json and lost a whole suite's count),
 * and `npm start`'s one line per project built from the cache.
 */
const FIXTURES = join(__dirname, 'fixtures', 'test-summary');

/** Runs a snippet of ES module code with the workspace's tools importable; returns its stdout as JSON. */
function runModule(code: string): unknown {
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: WORKSPACE_ROOT, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(result.stderr);
  return JSON.parse(result.stdout);
}

describe('the test summary', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'test-summary-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('counts every test and names every failure, a circular error and a suite that cannot load included', () => {
    const report = join(dir, 'report.json');
    const jest = spawnSync(
      process.execPath,
      [
        join(WORKSPACE_ROOT, 'node_modules', 'jest', 'bin', 'jest.js'),
        '--config',
        JSON.stringify({
          rootDir: FIXTURES,
          testMatch: ['**/*.fixture.js'],
          testEnvironment: 'node',
        }),
        '--ci',
        '--reporters=default',
        `--reporters=${join(WORKSPACE_ROOT, 'tools', 'jest-summary-reporter.cjs')}`,
      ],
      {
        cwd: FIXTURES,
        env: { ...process.env, JEST_SUMMARY_FILE: report },
        encoding: 'utf8',
      },
    );
    expect(jest.status).toBe(1);
    const counts = runModule(
      `import r from './tools/test-report.cjs'; console.log(JSON.stringify(r.readReport(${JSON.stringify(report)}, ${JSON.stringify(FIXTURES)})));`,
    );
    expect(counts).toEqual({
      passed: 1,
      failed: 2,
      brokenSuites: 1,
      failedNames: expect.arrayContaining([
        'fails with a circular error',
        'fails plainly',
        expect.stringMatching(/^broken\.fixture\.js: Cannot find module '\.\/no-such-module'/),
      ]),
    });
    expect((counts as { failedNames: string[] }).failedNames).toHaveLength(3);
  }, 60_000);

  it("shows a project built from the cache as one line, and a real build's output as it comes", () => {
    const nxOutput = [
      ' NX   Running target build for 2 projects:',
      '> nx run admin:build:production  [local cache]',
      'Initial chunk files | Names |  Raw size',
      'chunk-IFKGIIQH.js   | -     | 234.18 kB',
      'Application bundle generation complete.',
      '> nx run api:build',
      'webpack compiled successfully',
      ' NX   Successfully ran target build for 2 projects',
    ];
    const shown = runModule(
      `import { createBuildOutputFilter } from './tools/build-output.mjs'; const filter = createBuildOutputFilter(); console.log(JSON.stringify(${JSON.stringify(nxOutput)}.map(filter).filter((line) => line !== null)));`,
    );
    expect(shown).toEqual([
      ' NX   Running target build for 2 projects:',
      '✔ admin:build:production (unchanged, from the build cache)',
      '> nx run api:build',
      'webpack compiled successfully',
      ' NX   Successfully ran target build for 2 projects',
    ]);
  });
});
