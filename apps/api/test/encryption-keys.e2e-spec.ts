import type { NestExpressApplication } from '@nestjs/platform-express';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import request from 'supertest';
import { Database } from 'sqlite3';
import { createApp } from '../src/app.factory';
import { runRotateKeyCli } from '../src/backup/rotate-key-cli';
import { validateEnv } from '../src/core/config/env.schema';
import { BUILT_API, freePort, requireBuiltApi, WORKSPACE_ROOT } from './support/built-app';
import { EVERYTHING_SERVER } from './support/mcp-clients';
import { eventually } from './support/running-app';
import { createTemporaryDatabase } from './support/postgres';
import { applyEnv, makeTestEnv, TestEnv } from './support/test-env';

jest.setTimeout(180_000);

const run = promisify(execFile);
const REMOTE = {
  url: 'http://127.0.0.1:9/mcp',
  headers: { 'X-Tenant': 'acme' },
};

/**
 * Stored secrets are sealed with ENCRYPTION_KEY. Starting with another key (secrets.json lost, a typo, a
 * restore onto another host) must not stop the proxy: the services whose secrets cannot be opened are
 * `failed` saying why and what to do, the sealed values stay as they are, ENCRYPTION_KEY_PREVIOUS opens
 * them again, and `rotate-key` reseals everything under the new key.
 */
describe('encryption keys', () => {
  let env: TestEnv;
  const secretsFile = (): string => join(env.vars['DATA_DIR'], 'secrets.json');
  const storedKey = (): string =>
    (
      JSON.parse(readFileSync(secretsFile(), 'utf8')) as {
        encryptionKey: string;
      }
    ).encryptionKey;

  beforeAll(async () => {
    requireBuiltApi();
    // The key lives in secrets.json, as on a default install.
    env = makeTestEnv({
      BACKEND_PORT: String(await freePort()),
      HOST: '127.0.0.1',
    });
  });
  afterAll(() => env.cleanup());

  async function withApp<T>(
    extra: Record<string, string>,
    use: (api: () => ReturnType<typeof request>, app: NestExpressApplication) => Promise<T>,
  ): Promise<T> {
    const restore = applyEnv({ ...env.vars, ...extra });
    const app = await createApp();
    await app.listen(0, '127.0.0.1');
    try {
      return await use(() => request(app.getHttpServer()), app);
    } finally {
      await app.close();
      restore();
    }
  }

  const view = async (api: () => ReturnType<typeof request>, name: string) =>
    (await api().get(`/api/services/${name}`).set('X-API-Key', env.apiKey).expect(200)).body;
  const waitFor = (api: () => ReturnType<typeof request>, name: string, status: string) =>
    eventually(async () => {
      const body = await view(api, name);
      if (body.status !== status) throw new Error(`${name} is ${body.status} (${body.statusReason}), waiting for ${status}`);
      return body;
    }, 30_000);
  const revealed = async (api: () => ReturnType<typeof request>, name: string) =>
    (await api().get(`/api/services/${name}/environment`).set('X-API-Key', env.apiKey)).body;

  function sealedRow(name: string): Promise<string> {
    return new Promise((done, failed) => {
      const db = new Database(env.vars['DATABASE_URL'], (error) => error && failed(error));
      db.get('SELECT "environmentSealed" AS sealed FROM services WHERE name = ?', [name], (error, row: { sealed: string } | undefined) => {
        db.close();
        if (error || !row) failed(error ?? new Error(`no row for ${name}`));
        else done(row.sealed);
      });
    });
  }

  async function rotateKey(extra: Record<string, string>, args: string[] = []): Promise<string> {
    const { stdout } = await run(process.execPath, [BUILT_API, 'rotate-key', ...args], {
      cwd: WORKSPACE_ROOT,
      env: { PATH: process.env['PATH'] ?? '', ...env.vars, ...extra },
    });
    return stdout;
  }

  it('starts with another key, fails only the services it cannot open, and rotate-key reseals everything', async () => {
    const service = {
      process: { command: process.execPath, args: [EVERYTHING_SERVER] },
      start: true,
    };
    await withApp({}, async (api) => {
      await api()
        .post('/api/services')
        .set('X-API-Key', env.apiKey)
        .send({
          name: 'keeper',
          ...service,
          environment: { SECRET_TOKEN: 'tok-123' },
        })
        .expect(201);
      await waitFor(api, 'keeper', 'running');
      await api()
        .post('/api/services')
        .set('X-API-Key', env.apiKey)
        .send({
          name: 'remote-one',
          transport: 'remote',
          remote: REMOTE,
          start: false,
        })
        .expect(201);
    });
    const firstKey = storedKey();
    const sealedBefore = await sealedRow('keeper');

    // secrets.json lost: a new key is generated; the old data stays.
    rmSync(secretsFile());
    await withApp({}, async (api) => {
      expect((await api().get('/health')).status).toBe(200);
      const failed = await waitFor(api, 'keeper', 'failed');
      expect(failed.statusReason).toMatch(
        /sealed with another ENCRYPTION_KEY: set ENCRYPTION_KEY_PREVIOUS to the old key .*or re-enter the variables/,
      );
      expect((await revealed(api, 'keeper')).message).toMatch(/sealed with another ENCRYPTION_KEY/);
      // Other services are fine.
      await api()
        .post('/api/services')
        .set('X-API-Key', env.apiKey)
        .send({ name: 'newcomer', ...service, environment: { OTHER: 'x' } })
        .expect(201);
      await waitFor(api, 'newcomer', 'running');
      expect((await api().get('/api/services').set('X-API-Key', env.apiKey).expect(200)).body.map((s: { name: string }) => s.name)).toEqual(
        ['keeper', 'newcomer', 'remote-one'],
      );
      // A header sent back masked cannot keep a value nobody can open: the user is asked to enter it again.
      const masked = await api()
        .patch('/api/services/remote-one')
        .set('X-API-Key', env.apiKey)
        .send({ remote: { ...REMOTE, headers: { 'X-Tenant': '********' } } });
      expect(masked.status).toBe(400);
      expect(JSON.stringify(masked.body)).toContain('remote.headers.X-Tenant: the stored value was sealed with another ENCRYPTION_KEY');
    });
    expect(await sealedRow('keeper')).toBe(sealedBefore);
    const secondKey = storedKey();
    expect(secondKey).not.toBe(firstKey);

    // A rotation rolled out: the previous key still opens what it sealed.
    await withApp({ ENCRYPTION_KEY_PREVIOUS: firstKey }, async (api) => {
      await waitFor(api, 'keeper', 'running');
      await waitFor(api, 'newcomer', 'running');
      expect((await revealed(api, 'keeper')).environment).toEqual({
        SECRET_TOKEN: 'tok-123',
      });
      expect((await view(api, 'remote-one')).remote.headers).toEqual({
        'X-Tenant': '********',
      });
    });

    // Finishing it: reseal from the previous key to the current one (kept in secrets.json), then start with the current key alone.
    const finished = await rotateKey({ ENCRYPTION_KEY_PREVIOUS: firstKey });
    // keeper's environment, remote-one's environment and headers; newcomer's was sealed with the current key.
    expect(finished).toMatch(/Resealed 3 values with the new key \(1 were sealed with it already\)/);
    expect(storedKey()).toBe(secondKey);
    expect(await sealedRow('keeper')).not.toBe(sealedBefore);
    await withApp({}, async (api) => {
      await waitFor(api, 'keeper', 'running');
      expect((await revealed(api, 'keeper')).environment).toEqual({
        SECRET_TOKEN: 'tok-123',
      });
    });

    // On purpose: a new key is generated and written where the key lives; everything opens with it.
    const rotated = await rotateKey({});
    expect(rotated).toMatch(/Resealed 4 values with the new key/);
    const thirdKey = storedKey();
    expect(thirdKey).not.toBe(secondKey);
    expect(rotated).not.toContain(thirdKey);
    await withApp({}, async (api) => {
      await waitFor(api, 'keeper', 'running');
      await waitFor(api, 'newcomer', 'running');
      expect((await revealed(api, 'newcomer')).environment).toEqual({
        OTHER: 'x',
      });
      expect((await view(api, 'remote-one')).remote.headers).toEqual({
        'X-Tenant': '********',
      });
    });
    expect(existsSync(secretsFile())).toBe(true);
  });

  it('rotate-key with the key in the environment prints what to set, and refuses while a proxy answers', async () => {
    const current = storedKey();
    const newKey = 'cd'.repeat(32);
    const printed = await rotateKey({ ENCRYPTION_KEY: current }, [`--new-key=${newKey}`]);
    expect(printed).toContain(`Set ENCRYPTION_KEY=${newKey}`);
    // The key in the environment wins: secrets.json is left alone.
    expect(storedKey()).toBe(current);
    await withApp({ ENCRYPTION_KEY: newKey }, async (api) => {
      await waitFor(api, 'keeper', 'running');
      expect((await revealed(api, 'keeper')).environment).toEqual({
        SECRET_TOKEN: 'tok-123',
      });
    });

    const bad = await rotateKey({ ENCRYPTION_KEY: newKey }, ['--new-key=short']).catch((error: { code: number; stdout: string }) => error);
    expect(bad).toMatchObject({
      code: 2,
      stdout: expect.stringContaining('--new-key must be'),
    });

    await withApp({ ENCRYPTION_KEY: newKey }, async (_api, app) => {
      const port = (app.getHttpServer().address() as { port: number }).port;
      const refused = await rotateKey({
        ENCRYPTION_KEY: newKey,
        BACKEND_PORT: String(port),
      }).catch((error: { code: number; stdout: string }) => error);
      expect(refused).toMatchObject({
        code: 1,
        stdout: expect.stringContaining('stop it before rotating the key'),
      });
    });
  });
});

describe('rotate-key on PostgreSQL', () => {
  it('reseals services and remote headers in a PostgreSQL database', async () => {
    const database = await createTemporaryDatabase();
    const env = makeTestEnv({
      DATABASE_URL: database.url,
      BACKEND_PORT: String(await freePort()),
      ENCRYPTION_KEY: '12'.repeat(32),
    });
    const start = async (extra: Record<string, string>) => {
      const restore = applyEnv({ ...env.vars, ...extra });
      const app = await createApp();
      return {
        api: () => request(app.getHttpServer()),
        close: async () => (await app.close(), restore()),
      };
    };
    try {
      const first = await start({});
      await first
        .api()
        .post('/api/services')
        .set('X-API-Key', env.apiKey)
        .send({
          name: 'pg-keeper',
          process: { command: 'node' },
          environment: { SECRET_TOKEN: 'pg-123' },
        })
        .expect(201);
      await first
        .api()
        .post('/api/services')
        .set('X-API-Key', env.apiKey)
        .send({
          name: 'pg-remote',
          transport: 'remote',
          remote: REMOTE,
          start: false,
        })
        .expect(201);
      await first.close();

      const lines: string[] = [];
      const code = await runRotateKeyCli(['--new-key=' + '34'.repeat(32)], validateEnv({ ...env.vars }), (line) => lines.push(line));
      expect(code).toBe(0);
      // pg-keeper's environment, pg-remote's environment and headers.
      expect(lines.join('\n')).toMatch(/Resealed 3 values with the new key/);

      const after = await start({ ENCRYPTION_KEY: '34'.repeat(32) });
      try {
        expect(
          (await after.api().get('/api/services/pg-keeper/environment').set('X-API-Key', env.apiKey).expect(200)).body.environment,
        ).toEqual({ SECRET_TOKEN: 'pg-123' });
        expect((await after.api().get('/api/services/pg-remote').set('X-API-Key', env.apiKey).expect(200)).body.remote.headers).toEqual({
          'X-Tenant': '********',
        });
      } finally {
        await after.close();
      }
    } finally {
      env.cleanup();
      await database.drop();
    }
  });
});
