import type { AuditEventView, AuditPageView } from '@mcp-proxy/shared/dto';
import { createTemporaryDatabase } from './support/postgres';
import { eventually, RunningApp, startApp } from './support/running-app';

const SECRET_VALUE = 'hunter2-never-logged';
// A sign-in runs scrypt: slow on a loaded machine.
jest.setTimeout(90_000);

/** The audit log as an operator reads it: who did what, from where, filterable, exportable. */
describe.each([
  ['SQLite', async () => ({ env: {}, drop: async () => undefined })],
  [
    'PostgreSQL',
    async () => {
      const database = await createTemporaryDatabase();
      return { env: { DATABASE_URL: database.url }, drop: database.drop };
    },
  ],
])('audit log on %s', (_dialect, makeDatabase) => {
  let running: RunningApp;
  let dropDatabase: () => Promise<void>;
  let startedAt: string;

  const audit = async (query: Record<string, string | number> = {}): Promise<AuditPageView> => {
    const response = await running.api().get('/api/audit').query(query).set('X-API-Key', running.env.apiKey).expect(200);
    return response.body as AuditPageView;
  };

  beforeAll(async () => {
    const database = await makeDatabase();
    dropDatabase = database.drop;
    running = await startApp(database.env);
    startedAt = new Date().toISOString();

    await running.api().post('/api/auth/login').send({ apiKey: 'wrong-key' }).expect(401);
    await running.api().post('/api/auth/login').send({ apiKey: running.env.apiKey }).expect(201);
    await running.api().get('/api/services').expect(401);
    await running
      .api()
      .post('/api/services')
      .set('X-API-Key', running.env.apiKey)
      .send({ name: 'audited', process: { command: 'node', args: ['server.js'] }, environment: { TOKEN: SECRET_VALUE } })
      .expect(201);
    await running.api().delete('/api/services/audited').set('X-API-Key', running.env.apiKey).expect(204);
    await running.api().delete('/api/services/no-such-service').set('X-API-Key', running.env.apiKey).expect(404);
  });

  afterAll(async () => {
    await running?.close();
    await dropDatabase?.();
  });

  it('records logins, refusals and changes with who, where and how they ended', async () => {
    const { items } = await eventually(async () => {
      const page = await audit();
      if (page.total < 6) throw new Error(`only ${page.total} events so far`);
      return page;
    });
    const summary = items.map((event) => [event.action, event.outcome, event.actor, event.target]);
    expect(summary).toEqual([
      ['DELETE /api/services/:id', 'failed', 'admin', 'no-such-service'],
      ['DELETE /api/services/:id', 'ok', 'admin', 'audited'],
      // A creation names what it created (its id; the log shows its name).
      ['POST /api/services', 'ok', 'admin', expect.stringMatching(/^[0-9a-f-]{36}$/)],
      ['GET /api/services', 'refused', null, null],
      ['auth.login', 'ok', 'admin', null],
      ['auth.login', 'refused', null, null],
    ]);
    expect(items.every((event) => event.address === '127.0.0.1' || event.address === '::ffff:127.0.0.1')).toBe(true);
    expect(items.find((event) => event.action === 'POST /api/services')?.detail).toEqual({
      status: 201,
      fields: ['name', 'process', 'environment'],
    });
    expect(items[0].detail).toEqual({ status: 404 });
  });

  it('filters by action, outcome, actor and time, and pages', async () => {
    expect((await audit({ action: 'LOGIN' })).items.map((event) => event.outcome)).toEqual(['ok', 'refused']);
    expect((await audit({ outcome: 'refused' })).total).toBe(2);
    expect((await audit({ actor: 'admin', action: 'services' })).total).toBe(3);
    expect((await audit({ target: 'audited' })).total).toBe(1);
    expect((await audit({ since: new Date(Date.now() + 60_000).toISOString() })).total).toBe(0);
    expect((await audit({ since: startedAt })).total).toBeGreaterThanOrEqual(5);
    expect((await audit({ until: startedAt })).total).toBeLessThanOrEqual(1);
    const second = await audit({ limit: 2, offset: 2 });
    expect(second.total).toBeGreaterThanOrEqual(6);
    expect(second.items.map((event) => event.action)).toEqual(['POST /api/services', 'GET /api/services']);
  });

  it('exports every matching event as CSV or JSON, oldest first', async () => {
    const csv = await running.api().get('/api/audit/export').query({ action: 'login' }).set('X-API-Key', running.env.apiKey).expect(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.headers['content-disposition']).toMatch(/^attachment; filename="audit-.+\.csv"$/);
    const lines = csv.text.trim().split('\r\n');
    expect(lines[0]).toBe('at,actor,actorKind,action,outcome,target,address,actorName,targetName,targetKind,detail');
    const rows = lines.slice(1).map((line) => line.split(',').slice(1, 5));
    expect(rows).toEqual([
      ['', 'anonymous', 'auth.login', 'refused'],
      ['admin', 'admin', 'auth.login', 'ok'],
    ]);

    const json = await running
      .api()
      .get('/api/audit/export')
      .query({ format: 'json', outcome: 'ok' })
      .set('X-API-Key', running.env.apiKey)
      .expect(200);
    expect((json.body as AuditEventView[]).map((event) => event.action).slice(0, 3)).toEqual([
      'auth.login',
      'POST /api/services',
      'DELETE /api/services/:id',
    ]);
  });

  it('never keeps a secret value sent in a body', async () => {
    const json = await running.api().get('/api/audit/export').query({ format: 'json' }).set('X-API-Key', running.env.apiKey).expect(200);
    expect(JSON.stringify(json.body)).not.toContain(SECRET_VALUE);
    expect(JSON.stringify(json.body)).not.toContain(running.env.apiKey);
  });

  it('answers a bad filter with a 400 naming it', async () => {
    const response = await running
      .api()
      .get('/api/audit')
      .query({ outcome: 'maybe', since: 'yesterday' })
      .set('X-API-Key', running.env.apiKey)
      .expect(400);
    const messages = (response.body.message as string[]).join(' ');
    expect(messages).toContain('outcome');
    expect(messages).toContain('since');
  });

  it('names people and things: "admin (portal)", a user, a token label; a service by its name with its id kept', async () => {
    const asKey = (): [string, string] => ['X-API-Key', running.env.apiKey];
    const created = await running
      .api()
      .post('/api/services')
      .set(...asKey())
      .send({ name: 'named-target', process: { command: 'node', args: ['server.js'] } })
      .expect(201);
    const serviceId = (created.body as { id: string }).id;
    const portal = await running.api().post('/api/auth/login').send({ apiKey: running.env.apiKey }).expect(201);
    const portalToken = (portal.body as { token: string }).token;
    await running
      .api()
      .patch(`/api/services/${serviceId}`)
      .set('Authorization', `Bearer ${portalToken}`)
      .send({ process: { autoRestart: false } })
      .expect(200);
    await running
      .api()
      .post('/api/users')
      .set(...asKey())
      .send({ username: 'nadia', password: 'correct horse battery', role: 'admin' })
      .expect(201);
    const nadia = await running.api().post('/api/auth/login').send({ username: 'nadia', password: 'correct horse battery' }).expect(201);
    const token = await running
      .api()
      .post('/api/client-tokens')
      .set('Authorization', `Bearer ${(nadia.body as { token: string }).token}`)
      .send({ label: 'laptop claude' })
      .expect(201);
    const tokenId = (token.body as { id: string }).id;
    await running
      .api()
      .post(`/api/client-tokens/${tokenId}/revoke`)
      .set(...asKey());

    const events = await eventually(async () => {
      const page = await audit({ since: startedAt, limit: 200 });
      const patched = page.items.find((event) => event.action === 'PATCH /api/services/:id' && event.target === serviceId);
      const revoked = page.items.find((event) => event.action === 'client-token.revoke');
      const minted = page.items.find((event) => event.action === 'client-token.create');
      if (!patched || !revoked || !minted) throw new Error('events not there yet');
      return { patched, revoked, minted };
    });
    // The stored actor keeps the session id (for the record); people read who it was.
    expect(events.patched.actor).toMatch(/^session:/);
    expect(events.patched).toMatchObject({
      actorName: 'admin (portal)',
      target: serviceId,
      targetName: 'named-target',
      targetKind: 'service',
    });
    expect(events.minted).toMatchObject({ actorName: 'nadia', actorKind: 'user' });
    expect(events.revoked).toMatchObject({
      actorName: 'admin (API key)',
      target: tokenId,
      targetKind: 'client token',
      targetName: 'laptop claude',
    });
    const renamed = await running
      .api()
      .get('/api/audit/export')
      .query({ format: 'json', target: serviceId })
      .set(...asKey())
      .expect(200);
    // Its creation and its change, both named.
    expect((renamed.body as AuditEventView[]).map((event) => [event.action, event.targetName])).toEqual([
      ['POST /api/services', 'named-target'],
      ['PATCH /api/services/:id', 'named-target'],
    ]);

    // An admin limited to no service reads the log without learning the names of services outside their limits.
    await running
      .api()
      .post('/api/users')
      .set(...asKey())
      .send({ username: 'limited-admin', password: 'correct horse battery', role: 'admin', services: [] })
      .expect(201);
    const limited = await running
      .api()
      .post('/api/auth/login')
      .send({ username: 'limited-admin', password: 'correct horse battery' })
      .expect(201);
    const seen = await running
      .api()
      .get('/api/audit')
      .query({ target: serviceId })
      .set('Authorization', `Bearer ${(limited.body as { token: string }).token}`)
      .expect(200);
    const seenItems = (seen.body as AuditPageView).items;
    expect(seenItems).toHaveLength(2);
    expect(seenItems.every((event) => event.targetName === serviceId && event.targetKind === null)).toBe(true);
    expect(JSON.stringify(seen.body)).not.toContain('named-target');
  });
});
