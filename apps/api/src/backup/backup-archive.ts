import { execFile, spawn } from 'node:child_process';
import {
  chmodSync,
  closeSync,
  cpSync,
  existsSync,
  fchmodSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Database } from 'sqlite3';
import { environmentWithoutCredentials } from '../core/config/scrub-environment';
import { isPostgresUrl } from '../core/database/data-source-options';

const run = promisify(execFile);
const FORMAT = 1;
const SQLITE_FILE = 'database.sqlite';
const POSTGRES_FILE = 'database.pgdump';

/** Where the proxy keeps what a backup must hold. */
export interface BackupSource {
  dataDir: string;
  databaseUrl: string;
  /** Directories inside the data directory that are not part of a backup (logs, clones, backups) and stay in place on restore. */
  keep?: string[];
}

export interface BackupManifest {
  format: number;
  createdAt: string;
  database: 'sqlite' | 'postgres';
  /** Paths under the data directory, besides the database. */
  files: string[];
}

/**
 * Writes a .tar.gz with the database (a consistent snapshot: SQLite's VACUUM INTO, or pg_dump),
 * and every file of the data directory: keys (secrets.json), certificates, services' own folders.
 * Safe while the proxy runs. The `keep` directories (logs, clones, earlier backups) are left out: a redeploy
 * brings clones back from git.
 */
export async function createBackup(source: BackupSource, archive: string): Promise<BackupManifest> {
  const stage = mkdtempSync(join(tmpdir(), 'mcp-proxy-backup-'));
  try {
    const postgres = isPostgresUrl(source.databaseUrl);
    if (postgres) {
      const { url, env } = postgresConnection(source.databaseUrl);
      await run('pg_dump', ['--format=custom', '--no-owner', `--file=${join(stage, POSTGRES_FILE)}`, url], { env }).catch(
        toolFailed('pg_dump'),
      );
    } else await snapshotSqlite(resolve(source.databaseUrl), join(stage, SQLITE_FILE));

    const skip = postgres ? new Set<string>() : sqliteFiles(resolve(source.databaseUrl));
    const kept = (source.keep ?? []).map((dir) => resolve(dir));
    const files = existsSync(source.dataDir)
      ? listFiles(source.dataDir).filter(
          (file) => !skip.has(resolve(source.dataDir, file)) && !kept.some((dir) => resolve(source.dataDir, file).startsWith(`${dir}/`)),
        )
      : [];
    for (const file of files) cpSync(join(source.dataDir, file), join(stage, 'files', file), { preserveTimestamps: true });

    const manifest: BackupManifest = {
      format: FORMAT,
      createdAt: new Date().toISOString(),
      database: postgres ? 'postgres' : 'sqlite',
      files,
    };
    writeFileSync(join(stage, 'manifest.json'), JSON.stringify(manifest, null, 2));
    mkdirSync(dirname(resolve(archive)), { recursive: true, mode: 0o700 });
    // It holds the keys: readable by its owner only from the moment it exists (an older file of that name is narrowed before it is overwritten).
    const fd = openSync(resolve(archive), 'w', 0o600);
    try {
      fchmodSync(fd, 0o600);
      await tarInto(fd, stage);
    } finally {
      closeSync(fd);
    }
    return manifest;
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

export interface RestoreResult {
  manifest: BackupManifest;
  /** Where the data directory that was there before went, if there was one. */
  previousDataDir: string | null;
}

/**
 * Puts a backup back: the current data directory is moved aside (never deleted), the files and
 * the database restored. The proxy must be stopped; on start it migrates an older schema forward.
 */
export async function restoreBackup(target: BackupSource, archive: string): Promise<RestoreResult> {
  if (!existsSync(archive)) throw new Error(`No backup at ${archive}`);
  const stage = mkdtempSync(join(tmpdir(), 'mcp-proxy-restore-'));
  try {
    await run('tar', ['-xzf', resolve(archive), '-C', stage]).catch(toolFailed('tar'));
    const manifest = readManifest(stage);
    const postgres = isPostgresUrl(target.databaseUrl);
    if ((manifest.database === 'postgres') !== postgres) {
      throw new Error(
        `This backup holds a ${manifest.database} database, but DATABASE_URL points at ${postgres ? 'PostgreSQL' : 'a SQLite file'}`,
      );
    }

    const previousDataDir = moveAside(target.dataDir);
    mkdirSync(target.dataDir, { recursive: true, mode: 0o700 });
    // Logs, clones and other backups are not in the archive: they come back from beside.
    if (previousDataDir) {
      for (const dir of target.keep ?? []) {
        const aside = join(previousDataDir, relative(resolve(target.dataDir), resolve(dir)));
        if (!existsSync(aside)) continue;
        mkdirSync(dirname(resolve(dir)), { recursive: true, mode: 0o700 });
        renameSync(aside, resolve(dir));
      }
    }
    if (existsSync(join(stage, 'files'))) cpSync(join(stage, 'files'), target.dataDir, { recursive: true, preserveTimestamps: true });

    if (postgres) {
      const { url, env } = postgresConnection(target.databaseUrl);
      await run(
        'pg_restore',
        ['--clean', '--if-exists', '--no-owner', '--single-transaction', `--dbname=${url}`, join(stage, POSTGRES_FILE)],
        { env },
      ).catch(toolFailed('pg_restore'));
    } else {
      const file = resolve(target.databaseUrl);
      // A database inside the data directory moved aside with it; one elsewhere is kept beside itself.
      for (const existing of sqliteFiles(file)) if (existsSync(existing)) renameSync(existing, `${existing}.before-restore`);
      mkdirSync(dirname(file), { recursive: true });
      cpSync(join(stage, SQLITE_FILE), file);
      chmodSync(file, 0o600);
    }
    return { manifest, previousDataDir };
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

/**
 * The database URL without its password, and the environment that carries it instead (PGPASSWORD): a
 * command line is readable by every user in /proc, a process's environment only by its own user.
 */
export function postgresConnection(databaseUrl: string): { url: string; env: Record<string, string> } {
  const url = new URL(databaseUrl);
  const password = url.password ? decodeURIComponent(url.password) : (url.searchParams.get('password') ?? '');
  url.password = '';
  url.searchParams.delete('password');
  const env = environmentWithoutCredentials();
  if (password) env['PGPASSWORD'] = password;
  return { url: url.toString(), env };
}

/** `tar -cz` of the stage written straight into the open archive, so that tar never creates the file with its own mode. */
async function tarInto(fd: number, stage: string): Promise<void> {
  await new Promise<void>((done, failed) => {
    const tar = spawn('tar', ['-czf', '-', '-C', stage, '.'], { stdio: ['ignore', fd, 'pipe'], env: environmentWithoutCredentials() });
    let stderr = '';
    tar.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    tar.once('error', (error: NodeJS.ErrnoException) => failed(error));
    tar.once('close', (code) => (code === 0 ? done() : failed(Object.assign(new Error(`exit code ${code}`), { stderr }))));
  }).catch(toolFailed('tar'));
}

/** VACUUM INTO copies a consistent database even while the proxy writes to it. */
async function snapshotSqlite(databaseFile: string, into: string): Promise<void> {
  if (!existsSync(databaseFile)) throw new Error(`No SQLite database at ${databaseFile} (check DATABASE_URL)`);
  const database = await new Promise<Database>((done, failed) => {
    const opened: Database = new Database(databaseFile, (error) => (error ? failed(error) : done(opened)));
  });
  try {
    await new Promise<void>((done, failed) => database.run('VACUUM INTO ?', [into], (error) => (error ? failed(error) : done())));
  } finally {
    await new Promise<void>((done) => database.close(() => done()));
  }
}

function sqliteFiles(databaseFile: string): Set<string> {
  return new Set([databaseFile, `${databaseFile}-wal`, `${databaseFile}-shm`, `${databaseFile}-journal`]);
}

function listFiles(dir: string, base = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return listFiles(path, base);
    return entry.isFile() ? [relative(base, path)] : [];
  });
}

function readManifest(stage: string): BackupManifest {
  const file = join(stage, 'manifest.json');
  if (!existsSync(file)) throw new Error('Not a backup of this proxy: manifest.json is missing');
  const manifest = JSON.parse(readFileSync(file, 'utf8')) as BackupManifest;
  if (manifest.format !== FORMAT)
    throw new Error(`Backup format ${manifest.format} is not supported by this version (it reads format ${FORMAT})`);
  return manifest;
}

function moveAside(dataDir: string): string | null {
  if (!existsSync(dataDir) || readdirSync(dataDir).length === 0) return null;
  const aside = join(
    dirname(resolve(dataDir)),
    `${basename(resolve(dataDir))}.before-restore-${new Date().toISOString().replace(/[:.]/g, '-')}`,
  );
  renameSync(dataDir, aside);
  return aside;
}

function toolFailed(tool: string) {
  return (error: NodeJS.ErrnoException & { stderr?: string }): never => {
    if (error.code === 'ENOENT') throw new Error(`${tool} is not installed (it is needed for this backup/restore)`);
    throw new Error(`${tool} failed: ${(error.stderr ?? error.message).trim()}`);
  };
}
