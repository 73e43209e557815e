import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import * as sqlite3 from 'sqlite3';
import type { DataSourceOptions, MixedList } from 'typeorm';
import { POSTGRES_MIGRATIONS } from './migrations/postgres';
import { SQLITE_MIGRATIONS } from './migrations/sqlite';

export type EntityList = MixedList<string | (new () => unknown)>;

/**
 * sqlite3 as every SQLite data source gets it (tests included), minus the verbose mode TypeORM turns on:
 * that mode wraps every query in a captured stack trace and a util.inspect of its SQL and parameters (a long
 * parameter split line by line with a regular expression), and appends those parameters, sealed secrets
 * included, to a failed query's stack. Errors keep SQLite's own message.
 */
export const SQLITE_DRIVER = { ...sqlite3, verbose: () => sqlite3 };

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
  privateSqliteFile(file);
  // Write-ahead log: a commit appends to the -wal file instead of rewriting pages and a rollback journal, and
  // readers (the API, a backup's VACUUM INTO) do not wait for the writer.
  return {
    ...common,
    type: 'sqlite',
    driver: SQLITE_DRIVER,
    database: file,
    migrations: SQLITE_MIGRATIONS,
    logging: ['error'],
    enableWAL: true,
  };
}

/**
 * The SQLite file holds every service's configuration and the sealed secrets: readable by the proxy's user
 * only. Created here (mode 0600, in a 0700 directory when that is new) before SQLite opens it, since SQLite
 * would use the umask; its -wal, -shm and -journal files take the main file's mode. An existing file is
 * narrowed too.
 */
function privateSqliteFile(file: string): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  if (!existsSync(file)) closeSync(openSync(file, 'a', 0o600));
  for (const path of [file, `${file}-wal`, `${file}-shm`, `${file}-journal`]) if (existsSync(path)) chmodSync(path, 0o600);
}
