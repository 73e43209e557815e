import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { BUILT_API, freePort, requireBuiltApi, startBuiltApi, waitForOk } from './support/built-app';
import { EVERYTHING_SERVER } from './support/mcp-clients';
import { eventually } from './support/running-app';

jest.setTimeout(120_000);

const run = promisify(execFile);
const API_KEY = 'data-dir-test-key-0123456789';
const ENCRYPTION_KEY = 'ef'.repeat(32);

/**
 * Every piece of state goes under DATA_DIR (database, logs, clones, secrets, backups), private to the
 * proxy's user, and nothing lands in the working directory; an older install's database at the former
 * default (./data/mcp-proxy.db in the working directory) is found and used, with a notice how to move it.
 */
describe('DATA_DIR holds all the state', () => {
  let cwd: string;
  let state: string;

  beforeEach(() => {
    requireBuiltApi();
    cwd = mkdtempSync(join(tmpdir(), 'mcp-proxy-cwd-'));
    state = join(mkdtempSync(join(tmpdir(), 'mcp-proxy-state-')), 'state');
  });
  afterEach(() => {
    rmSync(cwd, { recursive: true, force: true });
    rmSync(join(state, '..'), { recursive: true, force: true });
  });

  async function withProxy(vars: Record<string, string>, use: (base: string, output: () => string) => Promise<void>): Promise<void> {
    const port = await freePort();
    const proxy = startBuiltApi(
      {
        HOST: '127.0.0.1',
        BACKEND_PORT: String(port),
        FRONTEND_PORT: String(await freePort()),
        API_KEY,
        ENCRYPTION_KEY,
        ...vars,
      },
      cwd,
    );
    try {
      await waitForOk(`http://127.0.0.1:${port}/health`, 60_000);
      await use(`http://127.0.0.1:${port}`, proxy.output);
    } finally {
      await proxy.stop();
    }
  }

  const api = (base: string, path: string, init: RequestInit = {}) =>
    fetch(`${base}${path}`, {
      ...init,
      headers: {
        'X-API-Key': API_KEY,
        'Content-Type': 'application/json',
        ...init.headers,
      },
    });

  async function createRunning(base: string, name: string): Promise<void> {
    const created = await api(base, '/api/services', {
      method: 'POST',
      body: JSON.stringify({
        name,
        process: { command: process.execPath, args: [EVERYTHING_SERVER] },
        start: true,
      }),
    });
    expect(created.status).toBe(201);
    await eventually(async () => {
      const view = (await (await api(base, `/api/services/${name}`)).json()) as { status: string };
      if (view.status !== 'running') throw new Error(`${name} is ${view.status}`);
    }, 30_000);
  }

  const mode = (path: string): number => statSync(path).mode & 0o777;

  it('with only DATA_DIR set: database, logs, clones and secrets under it, private, nothing in the working directory', async () => {
    await withProxy({ DATA_DIR: state }, async (base) => {
      await createRunning(base, 'everything');
    });

    expect(readdirSync(cwd)).toEqual([]);
    // Nobody else may list or read it (0700; 0711 when servers run as users of their own and need a way to their folders).
    expect(mode(state) & 0o066).toBe(0);
    expect(mode(join(state, 'mcp-proxy.db'))).toBe(0o600);
    for (const extra of ['-wal', '-shm', '-journal'])
      if (existsSync(join(state, `mcp-proxy.db${extra}`))) expect(mode(join(state, `mcp-proxy.db${extra}`))).toBe(0o600);
    expect(mode(join(state, 'secrets.json'))).toBe(0o600);
    expect(mode(join(state, 'logs'))).toBe(0o700);
    expect(mode(join(state, 'logs', 'everything.log'))).toBe(0o600);
    expect(statSync(join(state, 'clones')).isDirectory()).toBe(true);
    expect(mode(join(state, 'clones')) & 0o066).toBe(0);

    // The backup command finds the same database and keeps its archive in there too.
    const { stdout } = await run(process.execPath, [BUILT_API, 'backup'], {
      cwd,
      env: { PATH: process.env['PATH'] ?? '', DATA_DIR: state },
    });
    expect(stdout).toContain(`Backup written to ${join(state, 'backups')}`);
    expect(stdout).toMatch(/the sqlite database/);
    expect(mode(join(state, 'backups'))).toBe(0o700);
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('finds the database (and logs) an older install keeps in the working directory, and says how to move them', async () => {
    // An install from before: no DATA_DIR, so ./data/mcp-proxy.db and ./logs in the working directory.
    await withProxy({ LOG_DIR: './logs' }, async (base) => {
      await createRunning(base, 'kept-service');
    });
    expect(existsSync(join(cwd, 'data', 'mcp-proxy.db'))).toBe(true);
    expect(existsSync(join(cwd, 'logs', 'kept-service.log'))).toBe(true);

    await withProxy({ DATA_DIR: state }, async (base, output) => {
      const names = ((await (await api(base, '/api/services')).json()) as { name: string }[]).map((service) => service.name);
      expect(names).toEqual(['kept-service']);
      await eventually(async () => {
        const view = (await (await api(base, '/api/services/kept-service')).json()) as { status: string };
        if (view.status !== 'running') throw new Error(`kept-service is ${view.status}`);
      }, 30_000);
      expect(output()).toContain(
        `Using the existing SQLite database at ${join(cwd, 'data', 'mcp-proxy.db')}: the default is now ${join(state, 'mcp-proxy.db')}`,
      );
      expect(output()).toContain(`Using the existing log directory at ${join(cwd, 'logs')}`);
    });
    expect(existsSync(join(state, 'mcp-proxy.db'))).toBe(false);

    // Moved as the notice says: the new place is used, without a notice.
    mkdirSync(state, { recursive: true });
    for (const file of readdirSync(join(cwd, 'data')).filter((name) => name.startsWith('mcp-proxy.db'))) {
      renameSync(join(cwd, 'data', file), join(state, file));
    }
    await withProxy({ DATA_DIR: state }, async (base, output) => {
      const names = ((await (await api(base, '/api/services')).json()) as { name: string }[]).map((service) => service.name);
      expect(names).toEqual(['kept-service']);
      expect(output()).not.toContain('Using the existing SQLite database');
    });
  });
});
