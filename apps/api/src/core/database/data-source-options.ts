import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { DataSourceOptions, MixedList } from 'typeorm';
import { POSTGRES_MIGRATIONS } from './migrations/postgres';
import { SQLITE_MIGRATIONS } from './migrations/sqlite';

export type EntityList = MixedList<string | (new () => unknown)>;

export function isPostgresUrl(databaseUrl: string): boolean {
  return /^postgres(ql)?:\/\//.test(databaseUrl);
}

/**
 * One place that turns DATABASE_URL into TypeORM options, used by the app, the CLI and the tests.
 * Each dialect has its own migration set (generated SQL differs); a test checks both match the entities.
 */
export function dataSourceOptions(databaseUrl: string, entities: EntityList = []): DataSourceOptions {
  const common = { entities, synchronize: false, migrationsRun: false, logging: ['error'] as const };
  if (isPostgresUrl(databaseUrl)) {
    return { ...common, type: 'postgres', url: databaseUrl, migrations: POSTGRES_MIGRATIONS, logging: ['error'] };
  }
  const file = resolve(databaseUrl);
  mkdirSync(dirname(file), { recursive: true });
  return { ...common, type: 'sqlite', database: file, migrations: SQLITE_MIGRATIONS, logging: ['error'] };
}
