import type { AuditEventView, AuditPageView } from '@mcp-proxy/shared/dto';
import { WebSocket } from 'ws';
import { connectClient, EVERYTHING_SERVER, textOf, TransportKind } from './support/mcp-clients';
import { eventually, registerService, RunningApp, serviceAction, startApp, waitForStatus } from './support/running-app';

const PASSWORD = 'correct horse battery';
// Each sign-in runs scrypt (~32 MiB, a second or more on a loaded 2-core machine).
jest.setTimeout(60_000);

/** Named users with roles: who may sign in, and what each role and service limit lets them do. */
describe('users and roles', () => {
  let running: RunningApp;
  const asAdmin = (): [string, string] => ['X-API-Key', running.env.apiKey];
  const bearer = (token: string): [string, string] => ['Authorization', `Bearer ${token}`];

  async function createUser(body: Record<string, unknown>): Promise<{ id: string }> {
    const response = await running
      .api()
      .post('/api/users')
      .set(...asAdmin())
      .send({ password: PASSWORD, ...body });
    if (response.status !== 201) throw new Error(`creating user: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body as { id: string };
  }

  async function login(username: string, password = PASSWORD): Promise<string> {
    const response = await running.api().post('/api/auth/login').send({ username, password }).expect(201);
    return (response.body as { token: string }).token;
  }

  beforeAll(async () => {
    running = await startApp();
    await registerService(running, {
      name: 'everything',
      process: { command: process.execPath, args: [EVERYTHING_SERVER, 'stdio'] },
      environment: { UPSTREAM_TOKEN: 'sk-live-123456' },
    });
    await registerService(running, {
      name: 'other',
      process: { command: process.execPath, args: [EVERYTHING_SERVER, 'stdio'] },
      start: false,
    });
    await createUser({ username: 'vera', role: 'viewer' });
    await createUser({ username: 'otto', role: 'operator' });
  }, 60_000);

  afterAll(async () => {
    await running?.close();
  });

  describe('managing users', () => {
    it('creates a user without ever returning a password or its hash, and refuses a taken name', async () => {
      const list = await running
        .api()
        .get('/api/users')
        .set(...asAdmin())
        .expect(200);
      const vera = (list.body as Record<string, unknown>[]).find((user) => user['username'] === 'vera');
      expect(vera).toEqual(expect.objectContaining({ role: 'viewer', services: null, lastLoginAt: null }));
      expect(JSON.stringify(list.body)).not.toMatch(/scrypt|passwordHash|correct horse/);

      const taken = await running
        .api()
        .post('/api/users')
        .set(...asAdmin())
        .send({ username: 'vera', password: PASSWORD, role: 'admin' });
      expect(taken.status).toBe(409);
    });

    it('names the field that is wrong: a short password, an unknown role, a bad user name, an unknown service', async () => {
      const cases: [Record<string, unknown>, RegExp][] = [
        [{ username: 'sam', password: 'short', role: 'viewer' }, /password must be at least 12/],
        [{ username: 'sam', password: PASSWORD, role: 'root' }, /role must be one of admin, operator, viewer/],
        [{ username: 'Sam Smith', password: PASSWORD, role: 'viewer' }, /username must be/],
        [{ username: 'sam', password: PASSWORD, role: 'viewer', services: ['nope'] }, /services: no service "nope"/],
      ];
      for (const [body, message] of cases) {
        const response = await running
          .api()
          .post('/api/users')
          .set(...asAdmin())
          .send(body)
          .expect(400);
        expect([response.body.message].flat().join(' ')).toMatch(message);
      }
      const list = await running
        .api()
        .get('/api/users')
        .set(...asAdmin())
        .expect(200);
      expect((list.body as { username: string }[]).map((user) => user.username)).not.toContain('sam');
    });
  });

  describe('signing in', () => {
    it('issues a session carrying the user and role; /api/auth/me tells who is signed in', async () => {
      const response = await running.api().post('/api/auth/login').send({ username: 'vera', password: PASSWORD }).expect(201);
      expect(response.body).toEqual(expect.objectContaining({ role: 'viewer', username: 'vera' }));
      const me = await running
        .api()
        .get('/api/auth/me')
        .set(...bearer(response.body.token))
        .expect(200);
      expect(me.body).toEqual({ kind: 'user', name: 'vera', role: 'viewer', services: null });
      const user = await running
        .api()
        .get('/api/users/vera')
        .set(...asAdmin())
        .expect(200);
      expect(user.body.lastLoginAt).not.toBeNull();
    });

    it('refuses a wrong password and an unknown user alike, and still accepts the API key', async () => {
      const wrong = await running.api().post('/api/auth/login').send({ username: 'vera', password: 'not the password' }).expect(401);
      const unknown = await running.api().post('/api/auth/login').send({ username: 'nobody', password: PASSWORD }).expect(401);
      expect(wrong.body.message).toBe(unknown.body.message);
      const byKey = await running.api().post('/api/auth/login').send({ apiKey: running.env.apiKey }).expect(201);
      expect(byKey.body.role).toBe('admin');
      await running.api().post('/api/auth/login').send({}).expect(400);
    });

    it('lets a user change their own password, after which only the new one works', async () => {
      await createUser({ username: 'pat', role: 'viewer' });
      const token = await login('pat');
      await running
        .api()
        .post('/api/users/me/password')
        .set(...bearer(token))
        .send({ currentPassword: 'guess guess guess', newPassword: 'a brand new passphrase' })
        .expect(401);
      await running
        .api()
        .post('/api/users/me/password')
        .set(...bearer(token))
        .send({ currentPassword: PASSWORD, newPassword: 'a brand new passphrase' })
        .expect(204);
      await running.api().post('/api/auth/login').send({ username: 'pat', password: PASSWORD }).expect(401);
      await login('pat', 'a brand new passphrase');
      // The API key holder has no password of their own to change.
      await running
        .api()
        .post('/api/users/me/password')
        .set(...asAdmin())
        .send({ currentPassword: PASSWORD, newPassword: PASSWORD })
        .expect(403);
    });

    it('a changed role signs the user out (the next sign-in has the new role), and a deleted user is signed out at once', async () => {
      const { id } = await createUser({ username: 'temp', role: 'viewer' });
      const before = await login('temp');
      await running
        .api()
        .post('/api/services/other/start')
        .set(...bearer(before))
        .expect(403);
      await running
        .api()
        .patch(`/api/users/${id}`)
        .set(...asAdmin())
        .send({ role: 'operator' })
        .expect(200);
      await running
        .api()
        .get('/api/services')
        .set(...bearer(before))
        .expect(401);
      const token = await login('temp');
      await running
        .api()
        .post('/api/services/other/stop')
        .set(...bearer(token))
        .expect(200);
      await running
        .api()
        .delete(`/api/users/${id}`)
        .set(...asAdmin())
        .expect(204);
      await running
        .api()
        .get('/api/services')
        .set(...bearer(token))
        .expect(401);
    });
  });

  describe('roles', () => {
    it('a viewer reads everything but cannot start, stop, deploy, delete, change or reveal a secret (403)', async () => {
      const token = await login('vera');
      const list = await running
        .api()
        .get('/api/services')
        .set(...bearer(token))
        .expect(200);
      expect((list.body as { name: string }[]).map((service) => service.name).sort()).toEqual(['everything', 'other']);
      await running
        .api()
        .get('/api/services/everything/logs')
        .set(...bearer(token))
        .expect(200);

      const refused = [
        running
          .api()
          .post('/api/services/everything/start')
          .set(...bearer(token)),
        running
          .api()
          .post('/api/services/everything/stop')
          .set(...bearer(token)),
        running
          .api()
          .post('/api/services/everything/restart')
          .set(...bearer(token)),
        running
          .api()
          .post('/api/github/deploy')
          .set(...bearer(token))
          .send({ repositoryUrl: 'https://github.com/a/b', serviceName: 'x' }),
        running
          .api()
          .delete('/api/services/everything')
          .set(...bearer(token)),
        running
          .api()
          .patch('/api/services/everything')
          .set(...bearer(token))
          .send({ environment: { A: 'b' } }),
        running
          .api()
          .get('/api/services/everything/environment')
          .set(...bearer(token)),
        running
          .api()
          .post('/api/users')
          .set(...bearer(token))
          .send({ username: 'mallory', password: PASSWORD, role: 'admin' }),
        running
          .api()
          .post('/api/config/import')
          .set(...bearer(token))
          .send({ yaml: 'services: []' }),
      ];
      for (const response of await Promise.all(refused)) {
        expect(response.status).toBe(403);
        expect(response.body.message).toMatch(/needs the (operator|admin) role; you are signed in as viewer/);
      }
      await waitForStatus(running, 'everything', 'running');
    });

    it('an operator starts and stops services but cannot reveal secrets or manage users', async () => {
      const token = await login('otto');
      await running
        .api()
        .post('/api/services/other/start')
        .set(...bearer(token))
        .expect(200);
      await waitForStatus(running, 'other', 'running');
      await running
        .api()
        .post('/api/services/other/stop')
        .set(...bearer(token))
        .expect(200);
      const reveal = await running
        .api()
        .get('/api/services/everything/environment')
        .set(...bearer(token))
        .expect(403);
      expect(reveal.body.message).toMatch(/needs the admin role; you are signed in as operator/);
      expect(JSON.stringify(reveal.body)).not.toContain('sk-live-123456');
      await running
        .api()
        .get('/api/users')
        .set(...bearer(token))
        .expect(403);
      const view = await running
        .api()
        .get('/api/services/everything')
        .set(...bearer(token))
        .expect(200);
      expect(JSON.stringify(view.body)).not.toContain('sk-live-123456');
    });

    it('the admin key, and an admin user, reveal the environment in clear', async () => {
      const byKey = await running
        .api()
        .get('/api/services/everything/environment')
        .set(...asAdmin())
        .expect(200);
      expect(byKey.body).toEqual({ environment: { UPSTREAM_TOKEN: 'sk-live-123456' } });
      await createUser({ username: 'ada', role: 'admin' });
      const token = await login('ada');
      await running
        .api()
        .get('/api/services/everything/environment')
        .set(...bearer(token))
        .expect(200);
    });
  });

  describe('audit log', () => {
    const audit = async (query: Record<string, string>): Promise<AuditEventView[]> =>
      (
        (
          await running
            .api()
            .get('/api/audit')
            .query({ limit: '500', ...query })
            .set(...asAdmin())
            .expect(200)
        ).body as AuditPageView
      ).items;

    it('records every refused attempt with actor, address, action and target', async () => {
      const refusedVera = await eventually(async () => {
        const items = await audit({ actor: 'vera', outcome: 'refused' });
        if (items.length < 9) throw new Error(`only ${items.length} refusals so far`);
        return items;
      });
      const actions = refusedVera.map((event) => event.action);
      for (const expected of [
        'POST /api/services/everything/start',
        'POST /api/services/everything/stop',
        'POST /api/github/deploy',
        'DELETE /api/services/everything',
        'GET /api/services/everything/environment',
      ]) {
        expect(actions).toContain(expected);
      }
      const reveal = refusedVera.find((event) => event.action === 'GET /api/services/everything/environment');
      expect(reveal).toEqual(
        expect.objectContaining({ actorKind: 'user', target: 'everything', address: expect.stringMatching(/127\.0\.0\.1/) }),
      );
      expect(reveal?.detail).toEqual(expect.objectContaining({ status: 403, reason: expect.stringContaining('needs the admin role') }));

      const refusedOtto = await audit({ actor: 'otto', outcome: 'refused' });
      expect(refusedOtto.map((event) => event.action)).toContain('GET /api/services/everything/environment');
    });

    it('records reveals that were allowed, and sign-ins that worked and failed, under the user name', async () => {
      const reveals = await audit({ action: 'secret.reveal', outcome: 'ok' });
      expect(reveals.map((event) => [event.actor, event.target])).toEqual(
        expect.arrayContaining([
          ['admin', 'everything'],
          ['ada', 'everything'],
        ]),
      );
      expect(JSON.stringify(reveals)).not.toContain('sk-live-123456');

      const logins = await audit({ actor: 'vera', action: 'auth.login' });
      expect(logins.map((event) => event.outcome)).toEqual(expect.arrayContaining(['ok', 'refused']));
      expect(JSON.stringify(await audit({ action: 'auth.login' }))).not.toMatch(/correct horse|not the password/);
    });
  });

  describe('per-service permissions', () => {
    it('a user limited to one service sees only it; the others answer 404 as if absent', async () => {
      await createUser({ username: 'lim', role: 'operator', services: ['everything'] });
      const token = await login('lim');
      const list = await running
        .api()
        .get('/api/services')
        .set(...bearer(token))
        .expect(200);
      expect((list.body as { name: string }[]).map((service) => service.name)).toEqual(['everything']);
      const everything = list.body[0] as { id: string };
      await running
        .api()
        .get(`/api/services/${everything.id}`)
        .set(...bearer(token))
        .expect(200);
      await running
        .api()
        .get('/api/services/everything/logs')
        .set(...bearer(token))
        .expect(200);
      await running
        .api()
        .get('/api/services/other')
        .set(...bearer(token))
        .expect(404);
      await running
        .api()
        .post('/api/services/other/start')
        .set(...bearer(token))
        .expect(404);
      await running
        .api()
        .get('/api/services/other/logs')
        .set(...bearer(token))
        .expect(404);
      const me = await running
        .api()
        .get('/api/auth/me')
        .set(...bearer(token))
        .expect(200);
      expect(me.body.services).toEqual([everything.id, 'everything']);
    });

    it('on the live gateway, such a user gets status and logs of their services only', async () => {
      const token = await login('lim');
      const socket = new WebSocket(`${running.baseUrl.replace('http', 'ws')}/ws?token=${token}`);
      const inbox: Record<string, unknown>[] = [];
      socket.on('message', (data) => inbox.push(JSON.parse(data.toString()) as Record<string, unknown>));
      const waitFor = async (match: (message: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> => {
        const deadline = Date.now() + 10_000;
        while (Date.now() < deadline) {
          const found = inbox.find(match);
          if (found) return found;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        throw new Error(`no such message; got ${JSON.stringify(inbox)}`);
      };
      try {
        await waitFor((message) => message['type'] === 'ready');
        socket.send(JSON.stringify({ type: 'subscribe', channel: 'logs:other' }));
        expect(await waitFor((message) => message['channel'] === 'logs:other')).toEqual(
          expect.objectContaining({ type: 'error', message: 'service "other" not found' }),
        );
        socket.send(JSON.stringify({ type: 'subscribe', channel: 'logs:everything' }));
        await waitFor((message) => message['type'] === 'backlog' && message['channel'] === 'logs:everything');
        socket.send(JSON.stringify({ type: 'subscribe', channel: 'status' }));
        await waitFor((message) => message['type'] === 'subscribed' && message['channel'] === 'status');

        // Both change status; only the permitted one reaches this socket.
        await serviceAction(running, 'other', 'start');
        await serviceAction(running, 'everything', 'restart');
        await waitFor((message) => message['type'] === 'status' && (message['service'] as { name: string }).name === 'everything');
        await waitForStatus(running, 'other', 'running');
        expect(
          inbox.filter((message) => message['type'] === 'status').map((message) => (message['service'] as { name: string }).name),
        ).not.toContain('other');
      } finally {
        socket.close();
        await running
          .api()
          .post('/api/services/other/stop')
          .set(...asAdmin());
      }
    });
  });

  describe('on the MCP endpoints', () => {
    const REFUSAL = 'viewers may list but not call: ask an operator or use a client token';
    let viewerId = '';
    let viewerToken = '';
    let operatorToken = '';

    beforeAll(async () => {
      // The same limits for both: only the role differs.
      viewerId = (await createUser({ username: 'mcp-viewer', role: 'viewer', services: ['everything'] })).id;
      await createUser({ username: 'mcp-operator', role: 'operator', services: ['everything'] });
      viewerToken = await login('mcp-viewer');
      operatorToken = await login('mcp-operator');
    });

    it.each<TransportKind>(['streamable', 'websocket', 'sse'])(
      'a viewer signed in to the portal lists the tools over %s but cannot call one; the refusal says why and is audited',
      async (kind) => {
        const client = await connectClient(running.baseUrl, 'everything', viewerToken, kind);
        try {
          const { tools } = await client.listTools();
          expect(tools.map((tool) => tool.name)).toContain('echo');
          const marker = `viewer-${kind}-${Date.now()}`;
          await expect(client.callTool({ name: 'echo', arguments: { message: marker } })).rejects.toThrow(`tools/call refused: ${REFUSAL}`);
          await expect(client.readResource({ uri: 'demo://resource/static/document/architecture.md' })).rejects.toThrow(REFUSAL);
        } finally {
          await client.close();
        }
      },
    );

    it('records the refused calls under the viewer, with the method and the service', async () => {
      const refused = await eventually(async () => {
        const page = (
          await running
            .api()
            .get('/api/audit')
            .query({ limit: '500', actor: `user:${viewerId}`, outcome: 'refused' })
            .set(...asAdmin())
            .expect(200)
        ).body as AuditPageView;
        if (page.items.length < 6) throw new Error(`only ${page.items.length} refusals so far`);
        return page.items;
      });
      expect(new Set(refused.map((event) => event.action))).toEqual(
        new Set(['tools/call /mcp/everything', 'resources/read /mcp/everything']),
      );
      expect(refused[0]).toEqual(
        expect.objectContaining({
          actorKind: 'user',
          detail: expect.objectContaining({ status: 403, reason: expect.stringContaining(REFUSAL) }),
        }),
      );
    });

    it('a plain JSON-RPC call with the viewer’s token is refused the same way, before the server sees it', async () => {
      const response = await running
        .api()
        .post('/mcp/everything')
        .set(...bearer(viewerToken))
        .set('Accept', 'application/json, text/event-stream')
        .send({ jsonrpc: '2.0', id: 9, method: 'tools/call', params: { name: 'echo', arguments: { message: 'plain' } } })
        .expect(200);
      expect(response.body).toEqual({ jsonrpc: '2.0', id: 9, error: { code: -32600, message: `tools/call refused: ${REFUSAL}` } });
    });

    it.each<TransportKind>(['streamable', 'websocket'])('an operator with the same limits calls the tool over %s', async (kind) => {
      const client = await connectClient(running.baseUrl, 'everything', operatorToken, kind);
      try {
        expect(textOf(await client.callTool({ name: 'echo', arguments: { message: 'from otto' } }))).toContain('from otto');
      } finally {
        await client.close();
      }
    });

    it('still answers 401 to an anonymous client', async () => {
      await running.api().post('/mcp/everything').send({ jsonrpc: '2.0', id: 1, method: 'tools/list' }).expect(401);
    });
  });
});
