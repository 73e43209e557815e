import { DataSource } from 'typeorm';

/** The local PostgreSQL the tests use (as the API's e2e tests do); CI starts it when it is down. */
const POSTGRES_ADMIN_URL = process.env['TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A throw-away database for one gateway, dropped by the returned function. */
export async function createTemporaryDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `mcp_proxy_browser_${process.pid}_${Date.now()}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

async function adminQuery(sql: string): Promise<void> {
  const admin = await new DataSource({ type: 'postgres', url: POSTGRES_ADMIN_URL }).initialize();
  try {
    await admin.query(sql);
  } finally {
    await admin.destroy();
  }
}
