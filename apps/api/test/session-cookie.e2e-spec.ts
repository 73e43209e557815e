import { WebSocket } from 'ws';
import { RunningApp, startApp } from './support/running-app';

const PASSWORD = 'correct horse battery';
// Each sign-in runs scrypt: slow on a loaded 2-core machine.
jest.setTimeout(90_000);

/** The `name=value` of the session cookie a sign-in set, with its attributes. */
function sessionCookie(setCookie: string[] | string | undefined): { pair: string; attributes: string } {
  const line = [setCookie ?? []].flat().find((value) => value.startsWith('mcp_session='));
  if (!line) throw new Error(`no mcp_session cookie in ${JSON.stringify(setCookie)}`);
  const [pair, ...attributes] = line.split(';');
  return { pair: pair.trim(), attributes: attributes.join(';') };
}

/**
 * The portal's session cookie: set at sign-in beside the bearer token (httpOnly, SameSite=Strict),
 * accepted for reads, for writes only with the portal's header (no cross-site forgery), on the live
 * socket from our own origin only, and ended everywhere by logout.
 */
describe('the session cookie', () => {
  let running: RunningApp;

  beforeAll(async () => {
    // Loopback is a trusted reverse proxy here, so a request can say it came in over HTTPS (X-Forwarded-Proto).
    running = await startApp({ TRUSTED_PROXIES: 'loopback' });
    await running
      .api()
      .post('/api/users')
      .set('X-API-Key', running.env.apiKey)
      .send({ username: 'cora', password: PASSWORD, role: 'admin' })
      .expect(201);
  });

  afterAll(async () => {
    await running?.close();
  });

  async function signIn(): Promise<{ token: string; cookie: string }> {
    const response = await running.api().post('/api/auth/login').send({ username: 'cora', password: PASSWORD }).expect(201);
    const { pair, attributes } = sessionCookie(response.headers['set-cookie']);
    expect(attributes).toMatch(/HttpOnly/i);
    expect(attributes).toMatch(/SameSite=Strict/i);
    expect(attributes).toMatch(/Path=\//);
    // Plain HTTP here: Secure would make the browser drop it (over HTTPS it is set).
    expect(attributes).not.toMatch(/Secure/i);
    return { token: (response.body as { token: string }).token, cookie: pair };
  }

  it('is set at sign-in and opens reads on its own', async () => {
    const { cookie } = await signIn();
    const me = await running.api().get('/api/auth/me').set('Cookie', cookie).expect(200);
    expect(me.body).toMatchObject({ kind: 'user', name: 'cora', role: 'admin' });
    await running.api().get('/api/services').set('Cookie', cookie).expect(200);
    await running.api().get('/api/services').expect(401);
  });

  it('is Secure when the browser came over HTTPS (here through a trusted reverse proxy)', async () => {
    const response = await running
      .api()
      .post('/api/auth/login')
      .set('X-Forwarded-Proto', 'https')
      .send({ username: 'cora', password: PASSWORD })
      .expect(201);
    const line = [response.headers['set-cookie'] ?? []].flat().find((value) => value.startsWith('mcp_session='));
    expect(line).toMatch(/; Secure/i);
    expect(line).toMatch(/HttpOnly/i);
    expect(line).toMatch(/SameSite=Strict/i);
  });

  it('changes something only with the portal header: a cross-site form cannot', async () => {
    const { cookie } = await signIn();
    const body = { name: 'cookie-made', process: { command: 'node', args: ['-e', ''] } };
    await running.api().post('/api/services').set('Cookie', cookie).send(body).expect(401);
    await running.api().post('/api/services').set('Cookie', cookie).set('X-Requested-With', 'mcp-portal').send(body).expect(201);
  });

  it('reaches the MCP endpoints (the Try-it panel of a tab without a token) under the same header rule', async () => {
    const { cookie } = await signIn();
    const ping = { jsonrpc: '2.0', id: 1, method: 'ping' };
    // Without the header the cookie is not taken: anonymous, 401. With it, the caller is known (and the service is not).
    await running.api().post('/mcp/no-such-service').set('Cookie', cookie).send(ping).expect(401);
    await running.api().post('/mcp/no-such-service').set('Cookie', cookie).set('X-Requested-With', 'mcp-portal').send(ping).expect(404);
  });

  it('opens the live socket only from a page of our own origin', async () => {
    const { cookie } = await signIn();
    const url = `${running.baseUrl.replace(/^http/, 'ws')}/ws`;
    const host = new URL(running.baseUrl).host;
    const first = (origin: string): Promise<string> =>
      new Promise((resolve, reject) => {
        const socket = new WebSocket(url, { headers: { Cookie: cookie, Origin: origin } });
        const timer = setTimeout(() => reject(new Error('no answer from the live socket')), 20_000);
        socket.on('message', (data: Buffer) => {
          clearTimeout(timer);
          socket.close();
          resolve((JSON.parse(data.toString()) as { type: string }).type);
        });
        socket.on('close', (code: number) => {
          clearTimeout(timer);
          resolve(`closed ${code}`);
        });
        socket.on('error', reject);
      });
    expect(await first(`http://${host}`)).toBe('ready');
    // Another origin's page: the cookie is not taken; the socket waits for a token and is closed for lack of one.
    expect(await first('http://evil.example')).toBe('closed 4401');
  });

  it('logout in one place ends the session for the cookie and the bearer token alike, and clears the cookie', async () => {
    const { token, cookie } = await signIn();
    const out = await running.api().post('/api/auth/logout').set('Cookie', cookie).set('X-Requested-With', 'mcp-portal').expect(204);
    expect(sessionCookie(out.headers['set-cookie']).attributes).toMatch(/Expires=Thu, 01 Jan 1970/);
    await running.api().get('/api/auth/me').set('Cookie', cookie).expect(401);
    await running.api().get('/api/auth/me').set('Authorization', `Bearer ${token}`).expect(401);
  });
});
