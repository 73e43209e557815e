/**
 * Real-browser end-to-end tests of the admin shell against the built product
 * (`dist/apps/api/main.js` serving `dist/apps/admin/browser`).
 *
 * Build first, then run from the workspace root:
 *   NX_DAEMON=false npx nx build admin && NX_DAEMON=false npx nx build api
 *   npx jest --config apps/admin/e2e/jest.config.cts
 * or `npx nx e2e admin` (builds both, then runs this config).
 */
module.exports = {
  displayName: 'admin-e2e',
  rootDir: __dirname,
  testEnvironment: 'node',
  testMatch: ['<rootDir>/**/*.e2e-spec.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }],
  },
  moduleFileExtensions: ['ts', 'js'],
  testTimeout: 120_000,
  // Each file starts its own gateway (ports, data dir, database) and browser; most of a file's time is waiting on them.
  maxWorkers: 2,
};
