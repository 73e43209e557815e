import { CREDENTIAL_KEYS, FILE_SUFFIX } from './env.schema';

/**
 * Removes the credential settings from the proxy's environment once they are validated, so that nothing
 * spawned later (an MCP server, a deploy step, git, pg_dump) can inherit them by accident. This does not
 * change `/proc/<pid>/environ`, which shows the environment the process was started with: against a
 * child of the same uid only the sandbox helps (own users, or bubblewrap's pid namespace), or giving the
 * secrets as `<KEY>_FILE` so that the initial environment holds only paths.
 */
export function scrubCredentialsFromEnvironment(env: Record<string, string | undefined> = process.env): void {
  for (const key of CREDENTIAL_KEYS) delete env[key];
}

/** The files named by `<KEY>_FILE` at start-up: the sandbox hides them from children like the data dir. */
export function credentialFiles(env: Record<string, string | undefined> = process.env): string[] {
  return CREDENTIAL_KEYS.map((key) => (env[`${key}${FILE_SUFFIX}`] ?? '').trim()).filter((path) => path !== '');
}

/** The proxy's environment without any credential setting, for tools it runs itself (pg_dump, tar): they keep PATH, locale and PG* settings. */
export function environmentWithoutCredentials(env: Record<string, string | undefined> = process.env): Record<string, string> {
  const copy: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined && !CREDENTIAL_KEYS.includes(key)) copy[key] = value;
  return copy;
}
