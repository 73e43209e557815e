#!/usr/bin/env node
// Runs the TypeORM CLI on the API's TypeScript data source (apps/api/src/data-source.ts).
// `npm run db:migrate` → migration:run; db-generate.mjs uses it for both dialects.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('..', import.meta.url));

export function typeorm(args, env = {}) {
  execFileSync(
    process.execPath,
    [
      '-r',
      'ts-node/register',
      '-r',
      'tsconfig-paths/register',
      'node_modules/typeorm/cli.js',
      ...args,
      '-d',
      'apps/api/src/data-source.ts',
    ],
    {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, ...env, TS_NODE_PROJECT: 'apps/api/tsconfig.app.json', TS_NODE_TRANSPILE_ONLY: 'true' },
    },
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    typeorm(process.argv.slice(2));
  } catch {
    process.exit(1);
  }
}
