import { existsSync } from 'node:fs';
import { relative, resolve } from 'node:path';

/**
 * Every piece of the proxy's state lives under DATA_DIR unless a setting puts it elsewhere: the database,
 * the servers' logs and the deployed clones follow it (certificates, secrets and backups are always in it).
 * Before, those three defaulted to paths in the working directory; an install that has its state there
 * keeps using it (with a notice saying how to move it) rather than starting afresh with an empty database.
 */
// Not `services`: DATA_DIR/services/<name> is the working directory of a service without a repository (kept in backups).
export const UNDER_DATA_DIR = {
  DATABASE_URL: 'mcp-proxy.db',
  LOG_DIR: 'logs',
  CLONE_DIRECTORY: 'clones',
} as const;

export type StatePathKey = keyof typeof UNDER_DATA_DIR;

/** Where they were when their defaults did not follow DATA_DIR, relative to the working directory. */
const FORMER_DEFAULTS: Record<StatePathKey, string> = {
  DATABASE_URL: './data/mcp-proxy.db',
  LOG_DIR: './logs',
  CLONE_DIRECTORY: './mcp-services',
};

const WHAT: Record<StatePathKey, string> = {
  DATABASE_URL: 'SQLite database',
  LOG_DIR: 'log directory',
  CLONE_DIRECTORY: 'directory of deployed services',
};

/** The default of a state path for this DATA_DIR: `<DATA_DIR>/<name>`, written as DATA_DIR is (relative stays relative). */
export function stateDefault(key: StatePathKey, dataDir: string): string {
  return `${dataDir.replace(/\/+$/, '')}/${UNDER_DATA_DIR[key]}`;
}

/**
 * The path to use when the setting is not given: the one under DATA_DIR, unless only the former default
 * exists. The notice, when the former one is used, says how to move it.
 */
export function defaultStatePath(key: StatePathKey, dataDir: string): { path: string; notice: string | null } {
  const path = stateDefault(key, dataDir);
  const former = FORMER_DEFAULTS[key];
  if (resolve(path) === resolve(former) || existsSync(path) || !existsSync(former)) return { path, notice: null };
  const files = key === 'DATABASE_URL' ? ' (with its -wal and -shm files, if any)' : '';
  return {
    path: former,
    notice: `Using the existing ${WHAT[key]} at ${resolve(former)}: the default is now ${resolve(path)}. Move it there${files} while the proxy is stopped, or set ${key}=${resolve(former)} to keep it where it is.`,
  };
}

/** Whether `path` is `dir` or inside it. */
export function isInside(path: string, dir: string): boolean {
  const rel = relative(resolve(dir), resolve(path));
  return rel === '' || (!rel.startsWith('..') && !rel.startsWith('/'));
}
