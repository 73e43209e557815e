import type { NestExpressApplication } from '@nestjs/platform-express';
import { readFileSync } from 'node:fs';
import request from 'supertest';
import { createApp } from '../src/app.factory';
import { applyEnv, makeTestEnv, TestEnv } from './support/test-env';

describe('API platform (real app, real SQLite file)', () => {
  let env: TestEnv;
  let restoreEnv: () => void;
  let app: NestExpressApplication;
  let http: ReturnType<NestExpressApplication['getHttpServer']>;
  const key = (): [string, string] => ['X-API-Key', env.apiKey];

  beforeAll(async () => {
    env = makeTestEnv({ AUTH_FAILURE_LIMIT: '10' });
    restoreEnv = applyEnv(env.vars);
    app = await createApp();
    http = app.getHttpServer();
  });

  afterAll(async () => {
    await app.close();
    restoreEnv();
    env.cleanup();
  });

  describe('health', () => {
    it('answers without auth and tells nothing secret', async () => {
      const response = await request(http).get('/health').expect(200);
      expect(response.body).toEqual({
        status: 'ok',
        version: expect.stringMatching(/^\d+\.\d+\.\d+/),
        uptime: expect.any(Number),
        services: { running: 0, total: 0 },
        // How MCP servers are kept from the proxy's secrets here (as root: users of their own).
        children: {
          isolation: expect.stringMatching(/^(own-users|bubblewrap|none)$/),
          proxySecretsProtected: expect.any(Boolean),
          summary: expect.any(String),
          // Which resource limits this host enforces, and why not the others.
          limits: expect.objectContaining({
            cgroup: expect.stringMatching(/^(v1|v2|hybrid|none)$/),
            memory: expect.any(Boolean),
            pids: expect.any(Boolean),
            cpu: expect.any(Boolean),
          }),
        },
        // Counts only: names and reasons are for a caller with a valid credential.
        problemCounts: { service: 0, certificate: 0, upnp: 0, deploy: 0 },
      });
      expect(JSON.stringify(response.body)).not.toContain(env.apiKey);
    });
  });

  describe('authentication', () => {
    it('refuses /api/services without a key: 401, WWW-Authenticate, one error shape', async () => {
      const response = await request(http).get('/api/services').expect(401);
      expect(response.headers['www-authenticate']).toMatch(/^Bearer/);
      expect(response.body).toEqual({
        statusCode: 401,
        error: 'Unauthorized',
        message: expect.any(String),
        requestId: expect.any(String),
      });
    });

    it('accepts the key as X-API-Key or Authorization: Bearer', async () => {
      await request(http)
        .get('/api/services')
        .set(...key())
        .expect(200, []);
      await request(http).get('/api/services').set('Authorization', `Bearer ${env.apiKey}`).expect(200, []);
    });

    it('refuses a wrong key of the same length', async () => {
      const wrong = env.apiKey.slice(0, -1) + (env.apiKey.endsWith('a') ? 'b' : 'a');
      await request(http).get('/api/services').set('X-API-Key', wrong).expect(401);
    });

    it('logs in with the key and then works with the session token', async () => {
      const login = await request(http).post('/api/auth/login').send({ apiKey: env.apiKey }).expect(201);
      expect(login.body).toEqual({ token: expect.any(String), expiresAt: expect.any(String), role: 'admin' });
      expect(new Date(login.body.expiresAt).getTime()).toBeGreaterThan(Date.now());
      await request(http).get('/api/services').set('Authorization', `Bearer ${login.body.token}`).expect(200);
      await request(http).get('/api/services').set('Authorization', `Bearer ${login.body.token}x`).expect(401);
    });

    it('refuses a login with a wrong key, and a login without one names the field', async () => {
      await request(http).post('/api/auth/login').send({ apiKey: 'nope' }).expect(401);
      const response = await request(http).post('/api/auth/login').send({}).expect(400);
      expect(response.body.message).toEqual(expect.arrayContaining([expect.stringMatching(/^apiKey /)]));
    });
  });

  describe('services registry', () => {
    it('creates a service, masks its environment and stores it encrypted', async () => {
      const created = await request(http)
        .post('/api/services')
        .set(...key())
        .send({
          name: 'everything',
          process: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-everything'] },
          environment: { UPSTREAM_TOKEN: 'hunter2-very-secret' },
        })
        .expect(201);
      expect(created.body).toMatchObject({
        name: 'everything',
        status: 'stopped',
        transport: 'stdio',
        pid: null,
        proxy: { path: '/mcp/everything', rateLimit: 100, cache: true },
        process: { command: 'npx', autoRestart: true, maxRestarts: 5, isolation: 'shared' },
        environment: { UPSTREAM_TOKEN: '********' },
      });
      expect(JSON.stringify(created.body)).not.toContain('hunter2');
      expect(readFileSync(env.vars['DATABASE_URL']).toString('latin1')).not.toContain('hunter2');

      const byName = await request(http)
        .get('/api/services/everything')
        .set(...key())
        .expect(200);
      const byId = await request(http)
        .get(`/api/services/${created.body.id}`)
        .set(...key())
        .expect(200);
      expect(byName.body).toEqual(byId.body);
    });

    it('answers 409 for a taken name and 400 naming each bad field', async () => {
      const taken = await request(http)
        .post('/api/services')
        .set(...key())
        .send({ name: 'everything', process: { command: 'x' } });
      expect(taken.status).toBe(409);
      const bad = await request(http)
        .post('/api/services')
        .set(...key())
        .send({ name: 'Not Valid', process: { command: 'x', maxRestarts: -1 }, environment: { NODE_OPTIONS: '--require /tmp/x.js' } })
        .expect(400);
      expect(bad.body.statusCode).toBe(400);
      expect(bad.body.message).toEqual([
        expect.stringMatching(/^name /),
        expect.stringMatching(/^process\.maxRestarts /),
        expect.stringMatching(/^environment\.NODE_OPTIONS is not allowed/),
      ]);
    });

    it.each([
      'JAVA_TOOL_OPTIONS',
      'JDK_JAVA_OPTIONS',
      'npm_config_registry',
      'NPM_CONFIG_USERCONFIG',
      'GIT_SSH_COMMAND',
      'GIT_CONFIG_GLOBAL',
      'PATH',
      'PYTHONPATH',
      'PYTHONSTARTUP',
      'PYTHONHOME',
      'PERL5OPT',
      'PERL5LIB',
      'RUBYOPT',
      'RUBYLIB',
      'BASH_ENV',
      'ENV',
      'LD_BIND_NOW',
    ])('refuses %s in a service environment with a 400 naming it', async (variable) => {
      const refused = await request(http)
        .post('/api/services')
        .set(...key())
        .send({ name: 'loader-trick', process: { command: 'x' }, environment: { [variable]: '/tmp/x' } })
        .expect(400);
      expect(refused.body.message).toEqual([`environment.${variable} is not allowed: it changes how the child loads code`]);
    });

    it('updates and deletes, then answers 404', async () => {
      const updated = await request(http)
        .patch('/api/services/everything')
        .set(...key())
        .send({ proxy: { rateLimit: 0 }, environment: { OTHER: 'x' } })
        .expect(200);
      expect(updated.body.proxy).toMatchObject({ path: '/mcp/everything', rateLimit: 0, cache: true, requestTimeoutSec: 60 });
      expect(updated.body.environment).toEqual({ OTHER: '********' });
      await request(http)
        .delete('/api/services/everything')
        .set(...key())
        .expect(204);
      const missing = await request(http)
        .get('/api/services/everything')
        .set(...key())
        .expect(404);
      expect(missing.body.message).toContain('everything');
    });

    it('answers malformed JSON with a 400 in the same error shape', async () => {
      const response = await request(http)
        .post('/api/services')
        .set(...key())
        .set('Content-Type', 'application/json')
        .send('{"name": ')
        .expect(400);
      expect(response.body).toMatchObject({ statusCode: 400, error: 'Bad Request', requestId: expect.any(String) });
    });
  });

  describe('platform', () => {
    it('sends security headers, a request id, and no X-Powered-By or HSTS on plain HTTP', async () => {
      const response = await request(http).get('/health').set('X-Request-Id', 'trace-123').expect(200);
      expect(response.headers['x-request-id']).toBe('trace-123');
      expect(response.headers['content-security-policy']).toContain("default-src 'self'");
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['x-powered-by']).toBeUndefined();
      expect(response.headers['strict-transport-security']).toBeUndefined();
    });

    it('serves Prometheus metrics to the key holder only', async () => {
      await request(http).get('/metrics').expect(401);
      const response = await request(http)
        .get('/metrics')
        .set(...key())
        .expect(200);
      expect(response.headers['content-type']).toMatch(/^text\/plain/);
      expect(response.text).toContain('mcp_proxy_process_resident_memory_bytes');
      expect(response.text).toMatch(
        /mcp_proxy_http_request_duration_seconds_count\{method="GET",route="\/api\/services",status="200"\} \d+/,
      );
    });

    it('publishes OpenAPI generated from the shared DTOs', async () => {
      const response = await request(http).get('/api/docs-json').expect(200);
      expect(response.body.openapi).toMatch(/^3\./);
      expect(Object.keys(response.body.paths)).toEqual(
        expect.arrayContaining(['/api/services', '/api/services/{id}', '/api/auth/login', '/health']),
      );
      const schema = response.body.components.schemas.CreateServiceDto;
      expect(schema.required).toEqual(expect.arrayContaining(['name']));
      expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['name', 'transport', 'process', 'environment', 'proxy']));
      await request(http).get('/api/docs').expect(200);
    });

    it('throttles failed authentication per client: 429 with Retry-After for further guesses, never for the right (strong) key', async () => {
      let response = await request(http).get('/api/services').set('X-API-Key', 'wrong');
      for (let i = 0; i < 12 && response.status !== 429; i++) {
        response = await request(http).get('/api/services').set('X-API-Key', 'wrong');
      }
      expect(response.status).toBe(429);
      expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
      await request(http).post('/api/auth/login').send({ apiKey: 'wrong' }).expect(429);
      await request(http)
        .get('/api/services')
        .set(...key())
        .expect(200);
      await request(http).post('/api/auth/login').send({ apiKey: env.apiKey }).expect(201);
      await request(http).get('/health').expect(200);
    });
  });
});
