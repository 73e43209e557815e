import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The local PostgreSQL the tests use (as the API's e2e tests do); CI starts it when it is down. */
const POSTGRES_ADMIN_URL = process.env['TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/**
 * A throw-away database for one gateway, dropped by the returned function. Made with `psql`: the portal's
 * project may not import a database driver (its module boundaries), and the gateway brings its own.
 */
export async function createTemporaryDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `mcp_proxy_browser_${process.pid}_${Date.now()}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

async function adminQuery(sql: string): Promise<void> {
  await run('psql', [POSTGRES_ADMIN_URL, '-v', 'ON_ERROR_STOP=1', '-qc', sql], { timeout: 30_000 });
}
