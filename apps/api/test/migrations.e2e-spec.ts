import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { ENTITIES } from '../src/entities';
import { dataSourceOptions } from '../src/core/database/data-source-options';
import { createTemporaryDatabase } from './support/postgres';

/**
 * The migration set is the only way the schema is made (no synchronize), so on each dialect it
 * must apply from scratch, leave nothing for the entities to change, and revert cleanly.
 */
async function checkMigrations(databaseUrl: string): Promise<void> {
  const dataSource = new DataSource(dataSourceOptions(databaseUrl, ENTITIES));
  await dataSource.initialize();
  try {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    expect(applied.length).toBe(dataSource.migrations.length);
    expect(applied.length).toBeGreaterThan(0);

    const pending = await dataSource.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((query) => query.query)).toEqual([]);

    expect(await dataSource.showMigrations()).toBe(false);
    const [row] = await dataSource.query('SELECT COUNT(*) AS count FROM services');
    expect(Number(row.count)).toBe(0);

    for (let i = 0; i < applied.length; i++) await dataSource.undoLastMigration({ transaction: 'each' });
    expect(await dataSource.createQueryRunner().hasTable('services')).toBe(false);
  } finally {
    await dataSource.destroy();
  }
}

describe('database migrations', () => {
  it('apply, match the entities and revert on SQLite (a file under a new directory)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcp-proxy-migrations-'));
    try {
      await checkMigrations(join(dir, 'nested', 'data', 'proxy.db'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('apply, match the entities and revert on PostgreSQL', async () => {
    const database = await createTemporaryDatabase();
    try {
      await checkMigrations(database.url);
    } finally {
      await database.drop();
    }
  });
});
