import type { NestExpressApplication } from '@nestjs/platform-express';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import request from 'supertest';
import { createApp } from '../src/app.factory';
import { createBackup, restoreBackup } from '../src/backup/backup-archive';
import { BUILT_API, requireBuiltApi, startBuiltApi, freePort, WORKSPACE_ROOT } from './support/built-app';
import { EVERYTHING_SERVER } from './support/mcp-clients';
import { createTemporaryDatabase } from './support/postgres';
import { eventually } from './support/running-app';
import { applyEnv, makeTestEnv, TestEnv } from './support/test-env';

jest.setTimeout(60_000);

const run = promisify(execFile);
const SEALED = 'sealed-value-from-before';

/** Starts the app in-process on the env's data dir; closing it keeps the data dir. */
async function withApp<T>(env: TestEnv, use: (http: ReturnType<NestExpressApplication['getHttpServer']>) => Promise<T>): Promise<T> {
  const restore = applyEnv(env.vars);
  const app = await createApp();
  await app.init();
  try {
    return await use(app.getHttpServer());
  } finally {
    await app.close();
    restore();
  }
}

describe.each([
  ['SQLite', async () => ({ vars: {}, drop: async () => undefined })],
  [
    'PostgreSQL',
    async () => {
      const database = await createTemporaryDatabase();
      return { vars: { DATABASE_URL: database.url }, drop: database.drop };
    },
  ],
])('backup and restore on %s', (_dialect, makeDatabase) => {
  let env: TestEnv;
  let dropDatabase: () => Promise<void>;

  beforeAll(async () => {
    const database = await makeDatabase();
    dropDatabase = database.drop;
    // No API_KEY in the environment: the generated one in secrets.json must come back with the backup.
    env = makeTestEnv(database.vars);
    delete env.vars['API_KEY'];
  });

  afterAll(async () => {
    env?.cleanup();
    await dropDatabase?.();
  });

  it('brings back services, their sealed secrets, the keys and the audit log, taken while the proxy ran', async () => {
    const archive = join(env.dir, 'backups', 'proxy.tar.gz');
    const apiKey = await withApp(env, async (http) => {
      const key = JSON.parse(readFileSync(join(env.vars['DATA_DIR'], 'secrets.json'), 'utf8')).apiKey as string;
      await request(http)
        .post('/api/services')
        .set('X-API-Key', key)
        .send({ name: 'kept', process: { command: process.execPath, args: [EVERYTHING_SERVER] }, environment: { TOKEN: SEALED } })
        .expect(201);
      writeFileSync(join(env.vars['DATA_DIR'], 'notes.txt'), 'a file of the data dir');
      await eventually(async () => {
        const audit = await request(http).get('/api/audit').query({ action: 'POST /api/services' }).set('X-API-Key', key);
        if (audit.body.total !== 1) throw new Error('the audit event is not written yet');
      });
      await createBackup({ dataDir: env.vars['DATA_DIR'], databaseUrl: env.vars['DATABASE_URL'] }, archive);
      await request(http)
        .post('/api/services')
        .set('X-API-Key', key)
        .send({ name: 'after-backup', process: { command: 'node' } })
        .expect(201);
      return key;
    });
    expect(statSync(archive).mode & 0o777).toBe(0o600);

    const { previousDataDir } = await restoreBackup({ dataDir: env.vars['DATA_DIR'], databaseUrl: env.vars['DATABASE_URL'] }, archive);
    expect(previousDataDir && existsSync(join(previousDataDir, 'secrets.json'))).toBe(true);
    expect(readdirSync(env.vars['DATA_DIR']).sort()).toEqual(expect.arrayContaining(['notes.txt', 'secrets.json']));

    await withApp(env, async (http) => {
      const list = await request(http).get('/api/services').set('X-API-Key', apiKey).expect(200);
      expect(list.body.map((service: { name: string }) => service.name)).toEqual(['kept']);
      const audit = await request(http).get('/api/audit').query({ action: 'POST /api/services' }).set('X-API-Key', apiKey).expect(200);
      expect(audit.body.total).toBe(1);
      // The sealed variable decrypts with the restored key: the child gets it.
      await request(http).post('/api/services/kept/start').set('X-API-Key', apiKey).expect(200);
      const envText = await eventually(async () => {
        const call = await request(http)
          .post('/mcp/kept')
          .set('X-API-Key', apiKey)
          .set('Accept', 'application/json, text/event-stream')
          .send({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'get-env', arguments: {} } });
        if (call.status !== 200) throw new Error(`${call.status} ${call.text}`);
        return call.text;
      });
      expect(envText).toContain(SEALED);
    });
  });

  it('refuses a backup of the other database kind, and a file that is not a backup', async () => {
    const archive = join(env.dir, 'backups', 'proxy.tar.gz');
    const otherKind = env.vars['DATABASE_URL'].startsWith('postgres')
      ? join(env.dir, 'other.db')
      : 'postgres://postgres@127.0.0.1:5432/none';
    await expect(restoreBackup({ dataDir: join(env.dir, 'elsewhere'), databaseUrl: otherKind }, archive)).rejects.toThrow(
      /This backup holds a (sqlite|postgres) database/,
    );
    const notABackup = join(env.dir, 'not-a-backup.tar.gz');
    await run('tar', ['-czf', notABackup, '-C', env.dir, 'backups']);
    await expect(restoreBackup({ dataDir: join(env.dir, 'elsewhere'), databaseUrl: env.vars['DATABASE_URL'] }, notABackup)).rejects.toThrow(
      'manifest.json is missing',
    );
  });
});

describe('backup CLI (node main.js backup|restore)', () => {
  it('writes a backup, and refuses to restore under a running proxy', async () => {
    requireBuiltApi();
    const env = makeTestEnv({ BACKEND_PORT: String(await freePort()), FRONTEND_PORT: String(await freePort()), HOST: '127.0.0.1' });
    const proxy = startBuiltApi(env.vars);
    try {
      await eventually(async () => {
        const health = await fetch(`http://127.0.0.1:${env.vars['BACKEND_PORT']}/health`);
        if (!health.ok) throw new Error(String(health.status));
      });
      const cliEnv = { PATH: process.env['PATH'] ?? '', ...env.vars };
      const archive = join(env.dir, 'cli-backup.tar.gz');
      const backup = await run(process.execPath, [BUILT_API, 'backup', archive], { cwd: WORKSPACE_ROOT, env: cliEnv });
      expect(backup.stdout).toContain(`Backup written to ${archive}: the sqlite database`);
      const refused = await run(process.execPath, [BUILT_API, 'restore', archive], { cwd: WORKSPACE_ROOT, env: cliEnv }).catch(
        (error: { code: number; stdout: string }) => error,
      );
      expect(refused).toMatchObject({ code: 1, stdout: expect.stringContaining('stop it before restoring') });
    } finally {
      await proxy.stop();
      env.cleanup();
    }
  });
});
