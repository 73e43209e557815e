import { freePort, startBuiltApi, waitForOk } from './support/built-app';
import { EVERYTHING_SERVER } from './support/mcp-clients';
import { createTemporaryDatabase } from './support/postgres';
import { eventually, RunningApp, startApp, waitForStatus } from './support/running-app';
import { makeTestEnv, TestEnv } from './support/test-env';

interface Setting {
  key: string;
  runtime: boolean;
  value: unknown;
  source: string;
  environmentValue: unknown;
  defaultValue: unknown;
  changedAt: string | null;
}

jest.setTimeout(60_000);

const SECRET_KEYS = ['API_KEY', 'JWT_SECRET', 'ENCRYPTION_KEY', 'GITHUB_TOKEN', 'GITHUB_WEBHOOK_SECRET', 'CLOUDFLARE_TOKEN'];

function settingOf(body: Setting[], key: string): Setting {
  const setting = body.find((item) => item.key === key);
  if (!setting) throw new Error(`${key} is not listed`);
  return setting;
}

/** Another app on the same data (the same key, database and data dir), as after a restart or on a second instance. */
async function startOn(shared: TestEnv): Promise<RunningApp> {
  const running = await startApp(shared.vars);
  return { ...running, env: shared };
}

async function settings(running: RunningApp): Promise<Setting[]> {
  const response = await running.api().get('/api/settings').set('X-API-Key', running.env.apiKey).expect(200);
  return response.body as Setting[];
}

function patch(running: RunningApp, body: Record<string, unknown>) {
  return running.api().patch('/api/settings').set('X-API-Key', running.env.apiKey).send(body);
}

describe('server settings changed at runtime (GET/PATCH/DELETE /api/settings)', () => {
  describe('on one server', () => {
    let running: RunningApp;
    const secrets = { GITHUB_TOKEN: 'ghp_settings-e2e-token-value', GITHUB_WEBHOOK_SECRET: 'webhook-secret-value-e2e', LOG_LEVEL: 'warn' };

    beforeAll(async () => {
      running = await startApp(secrets);
    });

    afterAll(async () => {
      await running?.close();
    });

    it('lists every setting with its value, source and default, and never a secret', async () => {
      const response = await running.api().get('/api/settings').set('X-API-Key', running.env.apiKey).expect(200);
      const body = response.body as Setting[];
      expect(settingOf(body, 'LOG_LEVEL')).toMatchObject({
        runtime: true,
        value: 'warn',
        source: 'environment',
        environmentValue: 'warn',
        defaultValue: 'info',
        changedAt: null,
      });
      expect(settingOf(body, 'SERVICE_DEFAULT_RATE_LIMIT')).toMatchObject({
        runtime: true,
        value: 100,
        source: 'default',
        defaultValue: 100,
      });
      expect(settingOf(body, 'BACKEND_PORT')).toMatchObject({ runtime: false, defaultValue: 8437 });
      expect(settingOf(body, 'DATABASE_URL')).toMatchObject({ runtime: false, source: 'environment' });
      for (const key of SECRET_KEYS) expect(body.map((item) => item.key)).not.toContain(key);
      for (const value of [running.env.apiKey, secrets.GITHUB_TOKEN, secrets.GITHUB_WEBHOOK_SECRET])
        expect(response.text).not.toContain(value);
    });

    it('documents the endpoints and the PATCH body in OpenAPI', async () => {
      const docs = await running.api().get('/api/docs-json').set('X-API-Key', running.env.apiKey).expect(200);
      expect(Object.keys(docs.body.paths['/api/settings'])).toEqual(expect.arrayContaining(['get', 'patch']));
      expect(docs.body.paths['/api/settings/{key}']).toHaveProperty('delete');
      expect(Object.keys(docs.body.components.schemas.UpdateSettingsDto.properties)).toEqual(
        expect.arrayContaining(['LOG_LEVEL', 'API_RATE_LIMIT', 'ALLOWED_HOSTS', 'SERVICE_DEFAULT_RATE_LIMIT']),
      );
    });

    it('refuses a bad value with a 400 naming the field, and applies nothing of that request', async () => {
      const response = await patch(running, { SESSION_TTL_MINUTES: 30, API_RATE_LIMIT: 0 }).expect(400);
      expect(response.body.message).toEqual(['API_RATE_LIMIT must be a whole number from 1 to 1000000']);
      expect(settingOf(await settings(running), 'SESSION_TTL_MINUTES')).toMatchObject({ value: 720, source: 'default' });

      const cases: [Record<string, unknown>, RegExp][] = [
        [{ LOG_LEVEL: 'loud' }, /^LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent$/],
        [{ API_RATE_LIMIT: '100' }, /^API_RATE_LIMIT must be a number$/],
        [{ ALLOWED_HOSTS: ['ok.example', 'not a host'] }, /^ALLOWED_HOSTS must be a domain name$/],
        [{ SERVICE_DEFAULT_CACHE: 'yes' }, /^SERVICE_DEFAULT_CACHE must be true or false$/],
        [{ BACKEND_PORT: 9000 }, /^BACKEND_PORT cannot be changed at runtime: set it in the environment and restart$/],
        [{ API_KEY: 'a-new-admin-key-value' }, /^API_KEY cannot be changed at runtime/],
        [{ NOT_A_SETTING: 1 }, /^NOT_A_SETTING is not a setting$/],
      ];
      for (const [body, message] of cases) {
        const refused = await patch(running, body).expect(400);
        expect(refused.body.message).toEqual([expect.stringMatching(message)]);
        expect(refused.text).not.toContain('a-new-admin-key-value');
      }
      await running.api().delete('/api/settings/BACKEND_PORT').set('X-API-Key', running.env.apiKey).expect(400);
      await running.api().delete('/api/settings/API_KEY').set('X-API-Key', running.env.apiKey).expect(404);
    });

    it('gives a new service the changed default rate limit, and the proxy enforces it', async () => {
      const body = await patch(running, { SERVICE_DEFAULT_RATE_LIMIT: 3, SERVICE_DEFAULT_MAX_RESTARTS: 2 }).expect(200);
      expect(settingOf(body.body, 'SERVICE_DEFAULT_RATE_LIMIT')).toMatchObject({
        value: 3,
        source: 'runtime',
        environmentValue: 100,
        changedAt: expect.any(String),
      });

      const created = await running
        .api()
        .post('/api/services')
        .set('X-API-Key', running.env.apiKey)
        .send({ name: 'defaults', process: { command: process.execPath, args: [EVERYTHING_SERVER, 'stdio'] }, start: true })
        .expect(201);
      expect(created.body.proxy).toMatchObject({ rateLimit: 3, cache: true });
      expect(created.body.process).toMatchObject({ maxRestarts: 2, autoRestart: true });
      await waitForStatus(running, 'defaults', 'running');

      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) {
        const reply = await fetch(`${running.baseUrl}/mcp/defaults`, {
          method: 'POST',
          headers: { 'X-API-Key': running.env.apiKey, 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' },
          // The limit counts work: tool calls, not housekeeping such as ping.
          body: JSON.stringify({ jsonrpc: '2.0', id: i, method: 'tools/call', params: { name: 'echo', arguments: { message: 'x' } } }),
        });
        statuses.push(reply.status);
      }
      expect(statuses.slice(0, 3)).toEqual([200, 200, 200]);
      expect(statuses.slice(3)).toEqual([429, 429]);

      // A service that names its own limit keeps it.
      const own = await running
        .api()
        .post('/api/services')
        .set('X-API-Key', running.env.apiKey)
        .send({ name: 'own-limit', process: { command: process.execPath, args: [EVERYTHING_SERVER, 'stdio'] }, proxy: { rateLimit: 0 } })
        .expect(201);
      expect(own.body.proxy.rateLimit).toBe(0);
    });

    it('lets a browser origin reach /mcp once it is added to ALLOWED_HOSTS, and refuses it again after a reset', async () => {
      const fromOrigin = () =>
        fetch(`${running.baseUrl}/mcp/defaults`, {
          method: 'POST',
          headers: { 'X-API-Key': running.env.apiKey, 'Content-Type': 'application/json', Origin: 'https://mcp.settings-e2e.test' },
          body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
        });
      expect((await fromOrigin()).status).toBe(403);
      await patch(running, { ALLOWED_HOSTS: ['mcp.settings-e2e.test'] }).expect(200);
      expect((await fromOrigin()).status).not.toBe(403);
      const reset = await running.api().delete('/api/settings/ALLOWED_HOSTS').set('X-API-Key', running.env.apiKey).expect(200);
      expect(settingOf(reset.body, 'ALLOWED_HOSTS')).toMatchObject({ value: [], source: 'default', changedAt: null });
      expect((await fromOrigin()).status).toBe(403);
    });

    it('null in a PATCH resets a setting like DELETE does', async () => {
      await patch(running, { SESSION_TTL_MINUTES: 5 }).expect(200);
      const login = await running
        .api()
        .post('/api/auth/login')
        .send({ apiKey: running.env.apiKey })
        .expect((r) => expect(r.status).toBeLessThan(300));
      const minutes = (Date.parse(login.body.expiresAt) - Date.now()) / 60_000;
      expect(minutes).toBeGreaterThan(4);
      expect(minutes).toBeLessThanOrEqual(5);
      const reset = await patch(running, { SESSION_TTL_MINUTES: null }).expect(200);
      expect(settingOf(reset.body, 'SESSION_TTL_MINUTES')).toMatchObject({ value: 720, source: 'default' });
    });

    it('changes the REST rate limit live (last: it throttles this client)', async () => {
      await patch(running, { API_RATE_LIMIT: 5 }).expect(200);
      const statuses: number[] = [];
      for (let i = 0; i < 8; i++) statuses.push((await running.api().get('/api/services').set('X-API-Key', running.env.apiKey)).status);
      expect(statuses).toContain(429);
      expect(statuses.filter((status) => status === 200).length).toBeLessThanOrEqual(5);
    });
  });

  it('keeps a change across a restart (it wins over the environment) until it is reset', async () => {
    const shared = makeTestEnv({ LOG_LEVEL: 'warn' });
    try {
      const first = await startOn(shared);
      await patch(first, { LOG_LEVEL: 'error', HEALTH_CHECK_TIMEOUT_SEC: 3 }).expect(200);
      await first.app.close();

      const second = await startOn(shared);
      try {
        const body = await settings(second);
        expect(settingOf(body, 'LOG_LEVEL')).toMatchObject({ value: 'error', source: 'runtime', environmentValue: 'warn' });
        expect(settingOf(body, 'HEALTH_CHECK_TIMEOUT_SEC')).toMatchObject({ value: 3, source: 'runtime', environmentValue: 10 });
        const reset = await second.api().delete('/api/settings/LOG_LEVEL').set('X-API-Key', second.env.apiKey).expect(200);
        expect(settingOf(reset.body, 'LOG_LEVEL')).toMatchObject({ value: 'warn', source: 'environment', changedAt: null });
      } finally {
        await second.close();
      }
    } finally {
      shared.cleanup();
    }
  });

  it('shares changes between instances on one PostgreSQL database, and shows its URL without credentials', async () => {
    const database = await createTemporaryDatabase();
    const url = new URL(database.url);
    url.username = 'postgres';
    url.password = 'pg-password-not-shown';
    const shared = makeTestEnv({ DATABASE_URL: url.toString() });
    try {
      const first = await startOn(shared);
      const second = await startOn(shared);
      try {
        await patch(first, { SERVICE_DEFAULT_CACHE: false }).expect(200);
        const response = await second.api().get('/api/settings').set('X-API-Key', second.env.apiKey).expect(200);
        expect(settingOf(response.body, 'SERVICE_DEFAULT_CACHE')).toMatchObject({ value: false, source: 'runtime' });
        expect(settingOf(response.body, 'DATABASE_URL').value).toBe(`postgres://127.0.0.1:5432${url.pathname}`);
        expect(response.text).not.toContain('pg-password-not-shown');
        const created = await second
          .api()
          .post('/api/services')
          .set('X-API-Key', second.env.apiKey)
          .send({ name: 'uncached', process: { command: process.execPath, args: [EVERYTHING_SERVER, 'stdio'] } })
          .expect(201);
        expect(created.body.proxy.cache).toBe(false);
      } finally {
        await second.app.close();
        await first.app.close();
      }
    } finally {
      shared.cleanup();
      await database.drop();
    }
  });

  it('LOG_LEVEL changes what the running server logs, without a restart (built app)', async () => {
    const env = makeTestEnv({ LOG_LEVEL: 'warn', HOST: '127.0.0.1' });
    const port = await freePort();
    const api = startBuiltApi({ ...env.vars, BACKEND_PORT: String(port), FRONTEND_PORT: String(await freePort()) });
    const base = `http://127.0.0.1:${port}`;
    const requestLines = () =>
      api
        .output()
        .split('\n')
        .filter((line) => line.includes('"msg":"request"') && line.includes('"path":"/health"'));
    try {
      await waitForOk(`${base}/health`);
      await fetch(`${base}/health`);
      expect(requestLines()).toHaveLength(0);

      const changed = await fetch(`${base}/api/settings`, {
        method: 'PATCH',
        headers: { 'X-API-Key': env.apiKey, 'Content-Type': 'application/json' },
        body: JSON.stringify({ LOG_LEVEL: 'info' }),
      });
      expect(changed.status).toBe(200);
      await fetch(`${base}/health`);
      await eventually(async () => expect(requestLines().length).toBeGreaterThanOrEqual(1), 5000);
      expect(api.output()).toContain('LOG_LEVEL is now \\"info\\" (changed at runtime)');
    } finally {
      await api.stop();
      env.cleanup();
    }
  });
});
