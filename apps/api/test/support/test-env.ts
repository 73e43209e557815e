import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A private data dir and the environment that points the app at it. */
export interface TestEnv {
  dir: string;
  apiKey: string;
  vars: Record<string, string>;
  cleanup(): void;
}

export function makeTestEnv(extra: Record<string, string> = {}): TestEnv {
  const dir = mkdtempSync(join(tmpdir(), 'mcp-proxy-test-'));
  // Like an install directory (/opt/mcp-proxy): other users may pass through, not list. As root, the
  // proxy runs each MCP server as a user of its own, which must reach its home and clone in here.
  chmodSync(dir, 0o711);
  const apiKey = `test_${randomBytes(20).toString('hex')}`;
  const vars = {
    DATA_DIR: join(dir, 'data'),
    DATABASE_URL: join(dir, 'data', 'test.db'),
    LOG_DIR: join(dir, 'logs'),
    CLONE_DIRECTORY: join(dir, 'clones'),
    ADMIN_DIST_DIR: '',
    LOG_LEVEL: 'error',
    API_KEY: apiKey,
    // Tests reach loopback only: a suite that browses a registry starts its own stand-in.
    REGISTRY_URL: 'off',
    ...extra,
  };
  return { dir, apiKey, vars, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Sets variables for an in-process app and returns a function that restores the previous values. */
export function applyEnv(vars: Record<string, string>): () => void {
  const previous = Object.fromEntries(Object.keys(vars).map((key) => [key, process.env[key]]));
  Object.assign(process.env, vars);
  return () => {
    for (const [key, value] of Object.entries(previous)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  };
}
