import { join, resolve } from 'node:path';
import { isInside } from '../core/config/state-paths';
import type { AppEnv } from '../core/config/env.schema';
import { createBackup, restoreBackup } from './backup-archive';

/** Where a backup goes when no file is named: inside the data directory, private like it. */
export const BACKUPS_DIRECTORY = 'backups';

const USAGE = 'Usage: main.js backup [file.tar.gz] | main.js restore <file.tar.gz> [--force]';

/**
 * `backup` and `restore` of the data directory and database, run with the same settings (.env and
 * environment) as the proxy. Returns the exit code.
 */
export async function runBackupCli(
  command: 'backup' | 'restore',
  args: string[],
  env: AppEnv,
  print: (line: string) => void,
): Promise<number> {
  const dataDir = resolve(env.DATA_DIR);
  const backups = join(dataDir, BACKUPS_DIRECTORY);
  // Logs, clones (a redeploy brings them back) and earlier backups are neither archived nor replaced by a restore.
  const keep = [backups, resolve(env.LOG_DIR), resolve(env.CLONE_DIRECTORY)].filter((dir) => dir !== dataDir && isInside(dir, dataDir));
  const source = { dataDir, databaseUrl: env.DATABASE_URL, keep };
  const file = args.find((arg) => !arg.startsWith('--'));

  if (command === 'backup') {
    const archive = file ?? join(backups, `mcp-proxy-backup-${new Date().toISOString().replace(/[:.]/g, '-')}.tar.gz`);
    const manifest = await createBackup(source, archive);
    print(
      `Backup written to ${resolve(archive)}: the ${manifest.database} database and ${manifest.files.length} files of ${source.dataDir}.`,
    );
    print('It holds the API key and the encryption key: store it as privately as the data directory.');
    return 0;
  }

  if (!file) {
    print(USAGE);
    return 2;
  }
  if (!args.includes('--force') && (await proxyAnswers(env.BACKEND_PORT))) {
    print(`A proxy answers on port ${env.BACKEND_PORT}: stop it before restoring (or pass --force if that is another program).`);
    return 1;
  }
  const { manifest, previousDataDir } = await restoreBackup(source, file);
  print(
    `Restored the backup of ${manifest.createdAt} (${manifest.database} database, ${manifest.files.length} files) into ${source.dataDir}.`,
  );
  if (previousDataDir) print(`The data directory that was there is kept at ${previousDataDir}.`);
  print('Start the proxy: it migrates the database forward if the backup came from an older version.');
  return 0;
}

/** Whether a proxy answers on this machine's port: backup tools that rewrite its data refuse while one runs. */
export async function proxyAnswers(port: number): Promise<boolean> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(1000) });
    return response.ok;
  } catch {
    return false;
  }
}
