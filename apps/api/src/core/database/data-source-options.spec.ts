import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource, QueryFailedError } from 'typeorm';
import { dataSourceOptions } from './data-source-options';

describe('SQLite data source options', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sqlite-options-'));
  const dataSource = new DataSource(dataSourceOptions(join(dir, 'test.db')));

  beforeAll(() => dataSource.initialize());
  afterAll(async () => {
    await dataSource.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it("keeps a failed query's parameters out of its error (sqlite3's verbose mode is off)", async () => {
    const failure = (await dataSource
      .query('SELECT * FROM missing_table WHERE secret = ?', ['sealed-secret-value'])
      .catch((error: unknown) => error)) as QueryFailedError<Error>;
    expect(failure).toBeInstanceOf(QueryFailedError);
    expect(failure.driverError.message).toContain('no such table: missing_table');
    expect(failure.stack).not.toContain('sealed-secret-value');
    expect(failure.driverError.stack).not.toContain('sealed-secret-value');
  });

  it('still runs queries, in write-ahead-log mode', async () => {
    expect(await dataSource.query('PRAGMA journal_mode')).toEqual([{ journal_mode: 'wal' }]);
    expect(await dataSource.query('SELECT ? + 1 AS n', [41])).toEqual([{ n: 42 }]);
  });
});
