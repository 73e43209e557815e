import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { RunningApp, startApp } from './support/running-app';

const PASSWORD = 'correct horse battery';
// Each sign-in runs scrypt (~32 MiB, a second or more on a loaded 2-core machine).
jest.setTimeout(90_000);

interface SessionRow {
  id: string;
  user: string;
  createdAt: string;
  lastUsedAt: string;
  expiresAt: string;
  address: string | null;
  userAgent: string | null;
  current: boolean;
}

/** UI sessions are records: listed, ended by their owner or an admin, and ended by whatever changes who the principal is. */
describe('UI sessions', () => {
  let running: RunningApp;
  const asAdmin = (): [string, string] => ['X-API-Key', running.env.apiKey];
  const bearer = (token: string): [string, string] => ['Authorization', `Bearer ${token}`];

  async function createUser(username: string, role = 'viewer'): Promise<string> {
    const response = await running
      .api()
      .post('/api/users')
      .set(...asAdmin())
      .send({ username, password: PASSWORD, role });
    if (response.status !== 201) throw new Error(`creating user: ${response.status} ${JSON.stringify(response.body)}`);
    return (response.body as { id: string }).id;
  }

  async function login(username: string, password = PASSWORD, userAgent = 'e2e-browser/1.0'): Promise<string> {
    const response = await running.api().post('/api/auth/login').set('User-Agent', userAgent).send({ username, password }).expect(201);
    return (response.body as { token: string }).token;
  }

  const works = async (token: string): Promise<number> =>
    (
      await running
        .api()
        .get('/api/auth/me')
        .set(...bearer(token))
    ).status;
  const sessionsOf = async (token: string): Promise<SessionRow[]> =>
    (
      await running
        .api()
        .get('/api/auth/sessions')
        .set(...bearer(token))
        .expect(200)
    ).body as SessionRow[];

  beforeAll(async () => {
    running = await startApp();
  }, 60_000);

  afterAll(async () => {
    await running?.close();
  });

  it('lists your own sessions with when, where from and which one is this; anonymous gets 401', async () => {
    await createUser('lena');
    const first = await login('lena', PASSWORD, 'laptop-browser/1.0');
    const second = await login('lena', PASSWORD, 'phone-browser/2.0');
    const rows = await sessionsOf(second);
    expect(rows).toHaveLength(2);
    expect(rows.filter((row) => row.current)).toHaveLength(1);
    const current = rows.find((row) => row.current);
    expect(current).toEqual(
      expect.objectContaining({
        user: 'lena',
        userAgent: 'phone-browser/2.0',
        address: expect.stringMatching(/127\.0\.0\.1/),
      }),
    );
    for (const row of rows)
      expect(Date.parse(row.createdAt) <= Date.parse(row.lastUsedAt) && Date.parse(row.expiresAt) > Date.now()).toBe(true);
    expect(JSON.stringify(rows)).not.toContain(first.split('.')[2]);

    await running.api().get('/api/auth/sessions').expect(401);
    await running
      .api()
      .delete(`/api/auth/sessions/${current?.id ?? ''}`)
      .expect(401);
    await running.api().delete(`/api/users/lena/sessions`).expect(401);
  });

  it('a user ends one of their own sessions: that token stops at once, the others keep working', async () => {
    await createUser('omar');
    const kept = await login('omar');
    const ended = await login('omar');
    const target = (await sessionsOf(kept)).find((row) => !row.current);
    await running
      .api()
      .delete(`/api/auth/sessions/${target?.id ?? ''}`)
      .set(...bearer(kept))
      .expect(204);
    expect(await works(ended)).toBe(401);
    expect(await works(kept)).toBe(200);
    expect((await sessionsOf(kept)).map((row) => row.id)).not.toContain(target?.id);
  });

  it('logout ends the current session, and its open live connection with it', async () => {
    await createUser('pia');
    const token = await login('pia');
    const socket = new WebSocket(`${running.baseUrl.replace(/^http/, 'ws')}/ws?token=${token}`);
    const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => (socket.once('message', () => resolve()), socket.once('error', reject)));

    await running
      .api()
      .post('/api/auth/logout')
      .set(...bearer(token))
      .expect(204);
    expect(await works(token)).toBe(401);
    expect(await closed).toBe(4401);
  });

  it('a viewer cannot see or end another user’s sessions; an admin ends anyone’s, one or all', async () => {
    await createUser('vic');
    const quinnId = await createUser('quinn');
    const vic = await login('vic');
    const quinnOne = await login('quinn');
    const quinnTwo = await login('quinn');
    const quinnRows = await sessionsOf(quinnOne);
    expect((await sessionsOf(vic)).map((row) => row.user)).toEqual(['vic']);

    await running
      .api()
      .delete(`/api/auth/sessions/${quinnRows[0].id}`)
      .set(...bearer(vic))
      .expect(404);
    await running
      .api()
      .get(`/api/users/${quinnId}/sessions`)
      .set(...bearer(vic))
      .expect(403);
    await running
      .api()
      .delete(`/api/users/${quinnId}/sessions`)
      .set(...bearer(vic))
      .expect(403);
    expect(await works(quinnOne)).toBe(200);
    expect(await works(quinnTwo)).toBe(200);

    const listed = await running
      .api()
      .get(`/api/users/${quinnId}/sessions`)
      .set(...asAdmin())
      .expect(200);
    expect((listed.body as SessionRow[]).map((row) => row.id).sort()).toEqual(quinnRows.map((row) => row.id).sort());
    const one = quinnRows.find((row) => row.current);
    await running
      .api()
      .delete(`/api/auth/sessions/${one?.id ?? ''}`)
      .set(...asAdmin())
      .expect(204);
    expect(await works(quinnOne)).toBe(401);
    expect(await works(quinnTwo)).toBe(200);

    const all = await running
      .api()
      .delete(`/api/users/${quinnId}/sessions`)
      .set(...asAdmin())
      .expect(200);
    expect(all.body).toEqual({ ended: 1 });
    expect(await works(quinnTwo)).toBe(401);
    expect(await works(vic)).toBe(200);
  });

  it('changing your own password ends your other sessions (not the one that changed it); an admin reset ends them all', async () => {
    await createUser('rita');
    const changer = await login('rita');
    const other = await login('rita');
    await running
      .api()
      .post('/api/users/me/password')
      .set(...bearer(changer))
      .send({ currentPassword: PASSWORD, newPassword: `${PASSWORD} two` })
      .expect(204);
    expect(await works(other)).toBe(401);
    expect(await works(changer)).toBe(200);

    await running
      .api()
      .patch('/api/users/rita')
      .set(...asAdmin())
      .send({ password: `${PASSWORD} three` })
      .expect(200);
    expect(await works(changer)).toBe(401);
  });

  it('a role change or a delete ends the user’s sessions', async () => {
    await createUser('sam', 'operator');
    const before = await login('sam');
    await running
      .api()
      .patch('/api/users/sam')
      .set(...asAdmin())
      .send({ role: 'viewer' })
      .expect(200);
    expect(await works(before)).toBe(401);

    const again = await login('sam');
    expect(await works(again)).toBe(200);
    await running
      .api()
      .delete('/api/users/sam')
      .set(...asAdmin())
      .expect(204);
    expect(await works(again)).toBe(401);
    // A new user of the same name gets nothing of the old one's sessions.
    await createUser('sam');
    expect(await works(again)).toBe(401);
  });

  it('the API key lists and ends its own UI sessions; a viewer cannot end them', async () => {
    await createUser('tom');
    const tom = await login('tom');
    const keySession = (await running.api().post('/api/auth/login').send({ apiKey: running.env.apiKey }).expect(201)).body.token as string;
    const rows = (
      await running
        .api()
        .get('/api/auth/sessions')
        .set(...asAdmin())
        .expect(200)
    ).body as SessionRow[];
    const row = rows.find((item) => item.user === 'admin');
    expect(row).toBeDefined();
    expect(rows.every((item) => item.user === 'admin')).toBe(true);
    await running
      .api()
      .delete(`/api/auth/sessions/${row?.id ?? ''}`)
      .set(...bearer(tom))
      .expect(404);
    expect(await works(keySession)).toBe(200);
    await running
      .api()
      .delete(`/api/auth/sessions/${row?.id ?? ''}`)
      .set(...bearer(keySession))
      .expect(204);
    expect(await works(keySession)).toBe(401);
  });
});

/** Rotating API_KEY ends the sessions the old key opened, across a restart on the same data. */
describe('UI sessions after an API key rotation', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mcp-proxy-rotation-'));
  const shared = {
    DATA_DIR: join(dir, 'data'),
    DATABASE_URL: join(dir, 'data', 'test.db'),
    LOG_DIR: join(dir, 'logs'),
    CLONE_DIRECTORY: join(dir, 'clones'),
  };

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a session of the old key is refused once the proxy runs with a new key; a user session stays', async () => {
    const before = await startApp({
      ...shared,
      API_KEY: 'rotation_old_key_0123456789abcdef',
    });
    let keySession: string;
    let userSession: string;
    try {
      await before
        .api()
        .post('/api/users')
        .set('X-API-Key', 'rotation_old_key_0123456789abcdef')
        .send({ username: 'uma', password: PASSWORD, role: 'viewer' })
        .expect(201);
      keySession = (await before.api().post('/api/auth/login').send({ apiKey: 'rotation_old_key_0123456789abcdef' }).expect(201)).body
        .token as string;
      userSession = (await before.api().post('/api/auth/login').send({ username: 'uma', password: PASSWORD }).expect(201)).body
        .token as string;
      await before.api().get('/api/auth/me').set('Authorization', `Bearer ${keySession}`).expect(200);
    } finally {
      await before.close();
    }

    const after = await startApp({
      ...shared,
      API_KEY: 'rotation_new_key_0123456789abcdef',
    });
    try {
      await after.api().get('/api/auth/me').set('Authorization', `Bearer ${keySession}`).expect(401);
      await after.api().get('/api/auth/me').set('Authorization', `Bearer ${userSession}`).expect(200);
      const rows = (await after.api().get('/api/auth/sessions').set('X-API-Key', 'rotation_new_key_0123456789abcdef').expect(200))
        .body as SessionRow[];
      expect(rows).toEqual([]);
    } finally {
      await after.close();
    }
  });
});
