import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { DataSource } from 'typeorm';
import { createBackup } from '../src/backup/backup-archive';
import { createTemporaryDatabase, POSTGRES_ADMIN_URL } from './support/postgres';

jest.setTimeout(60_000);

/**
 * A backup must not show the database password to other users of the machine (a process's command
 * line is world-readable in /proc) nor leave the archive, which holds the keys, readable to others for
 * any moment. `pg_dump` and `tar` are wrapped on PATH: the first records its own command line as
 * /proc shows it, the second lingers after writing so that any mode the archive has meanwhile is seen.
 */
describe('backup secrets', () => {
  let dir: string;
  let database: { url: string; drop: () => Promise<void> };
  const role = `mcp_backup_${process.pid}`;
  const password = `pw-${Date.now()}-secret`;
  let originalPath: string | undefined;

  async function admin(sql: string): Promise<void> {
    const source = await new DataSource({
      type: 'postgres',
      url: POSTGRES_ADMIN_URL,
    }).initialize();
    try {
      await source.query(sql);
    } finally {
      await source.destroy();
    }
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'backup-secrets-'));
    const bin = join(dir, 'bin');
    require('node:fs').mkdirSync(bin);
    writeFileSync(
      join(bin, 'pg_dump'),
      `#!/bin/sh\ntr '\\0' ' ' < /proc/$$/cmdline >> ${join(dir, 'pg_dump.cmdline')}\nexec /usr/bin/pg_dump "$@"\n`,
    );
    writeFileSync(join(bin, 'tar'), `#!/bin/sh\n/bin/tar "$@"\nstatus=$?\nsleep 1\nexit $status\n`);
    chmodSync(join(bin, 'pg_dump'), 0o755);
    chmodSync(join(bin, 'tar'), 0o755);
    originalPath = process.env['PATH'];
    process.env['PATH'] = `${bin}:${originalPath ?? ''}`;
    database = await createTemporaryDatabase();
    await admin(`CREATE ROLE ${role} LOGIN PASSWORD '${password}'`);
    const dbName = new URL(database.url).pathname.slice(1);
    await admin(`GRANT ALL ON DATABASE ${dbName} TO ${role}`);
  });

  afterAll(async () => {
    process.env['PATH'] = originalPath;
    await database?.drop();
    await admin(`DROP ROLE IF EXISTS ${role}`).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  it("pg_dump's command line holds no password, and the archive is 0600 from the moment it exists", async () => {
    const url = new URL(database.url);
    url.username = role;
    url.password = password;
    const archive = join(dir, 'out', 'proxy.tar.gz');
    const modes = new Set<number>();
    const watcher = setInterval(() => {
      try {
        modes.add(statSync(archive).mode & 0o777);
      } catch {
        // not created yet
      }
    }, 5);
    try {
      await createBackup({ dataDir: join(dir, 'data'), databaseUrl: url.toString() }, archive);
    } finally {
      clearInterval(watcher);
    }

    const cmdline = readFileSync(join(dir, 'pg_dump.cmdline'), 'utf8');
    expect(cmdline).toContain('pg_dump');
    expect(cmdline).not.toContain(password);
    expect(cmdline).not.toContain(encodeURIComponent(password));
    expect([...modes]).toEqual([0o600]);
    expect(statSync(archive).mode & 0o777).toBe(0o600);
  });
});
