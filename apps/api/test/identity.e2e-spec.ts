import { createHash } from 'node:crypto';
import { browse, CookieJar, locationOf, startIdp, TestIdp } from './support/oidc-idp';
import { RunningApp, startApp } from './support/running-app';

// The redirect URI registered at the IdP. The IdP sends the browser there; the test plays the browser
// and delivers that redirect to the app it started (on a port of its own).
const PUBLIC_URL = 'http://127.0.0.1:9';
const REDIRECT_URI = `${PUBLIC_URL}/api/auth/oidc/callback`;
jest.setTimeout(90_000);

interface Flow {
  /** Where the callback sent the browser (`/login?oidc=done…` or `/login?oidcError=…`). */
  landing: URL;
  jar: CookieJar;
}

/**
 * Sign-in through the team's OpenID provider: oidc-provider on loopback as the IdP (a child), its login
 * form posted as a browser would, the real app with its real database.
 */
describe('Sign-in through an OpenID provider', () => {
  let idp: TestIdp;
  let running: RunningApp;

  /** Portal button → IdP → login as `account` → back to the callback; `tamper` edits the authorization URL first. */
  async function signInAs(
    account: string,
    options: { tamper?: (url: URL) => void; returnUrl?: string; app?: RunningApp; jar?: CookieJar; link?: boolean } = {},
  ): Promise<Flow> {
    const app = options.app ?? running;
    const jar = options.jar ?? new CookieJar();
    const idpJar = new CookieJar();
    const query = new URLSearchParams(options.returnUrl ? { returnUrl: options.returnUrl } : {});
    if (options.link) query.set('link', '1');
    const started = await browse(jar, `${app.baseUrl}/api/auth/oidc/start${query.size > 0 ? `?${query.toString()}` : ''}`);
    expect(started.status).toBe(302);
    const authorize = locationOf(started, app.baseUrl);
    expect(authorize.origin).toBe(idp.issuer);
    options.tamper?.(authorize);
    const toLogin = await browse(idpJar, authorize.href);
    const loginPage = locationOf(toLogin, idp.issuer);
    const resumed = await browse(idpJar, `${loginPage.href}/login`, { form: { login: account } });
    let next = locationOf(resumed, idp.issuer);
    // The IdP may pass through its own resume step(s) before sending the browser back to us.
    for (let hops = 0; next.origin === idp.issuer && hops < 5; hops++) next = locationOf(await browse(idpJar, next.href), idp.issuer);
    expect(`${next.origin}${next.pathname}`).toBe(REDIRECT_URI);
    const back = await browse(jar, `${app.baseUrl}${next.pathname}${next.search}`);
    expect(back.status).toBe(303);
    return { landing: locationOf(back, app.baseUrl), jar };
  }

  async function pickUp(flow: Flow, app = running): Promise<{ token: string; role: string; username: string }> {
    const response = await browse(flow.jar, `${app.baseUrl}/api/auth/oidc/session`, { method: 'POST' });
    expect(response.status).toBe(200);
    return (await response.json()) as { token: string; role: string; username: string };
  }

  const me = async (token: string) => (await running.api().get('/api/auth/me').set('Authorization', `Bearer ${token}`).expect(200)).body;

  beforeAll(async () => {
    idp = await startIdp([REDIRECT_URI]);
    running = await startApp({
      PUBLIC_URL,
      OIDC_ISSUER: idp.issuer,
      OIDC_CLIENT_ID: idp.clientId,
      OIDC_CLIENT_SECRET: idp.clientSecret,
      OIDC_SCOPES: 'openid profile email groups',
      OIDC_PROVIDER_NAME: 'Test IdP',
      OIDC_AUTO_CREATE: 'true',
      OIDC_ROLE_MAP: 'mcp-admins=admin,mcp-ops=operator,staff=viewer',
    });
  }, 60_000);

  afterAll(async () => {
    await running?.close();
    await idp?.stop();
  });

  it('offers the provider on the login page, without a credential', async () => {
    const options = await running.api().get('/api/auth/sign-in-options').expect(200);
    expect(options.body).toEqual({ password: true, provider: { name: 'Test IdP', startUrl: '/api/auth/oidc/start' } });
  });

  it('signs a new person in, creates their user with the role of their groups, and hands the session over once', async () => {
    await idp.setAccount('sub-ann', { preferred_username: 'ann', email: 'ann@example.com', groups: ['mcp-ops'] });
    const flow = await signInAs('sub-ann', { returnUrl: '/consent/abc' });
    expect(flow.landing.pathname).toBe('/login');
    expect(Object.fromEntries(flow.landing.searchParams)).toEqual({ oidc: 'done', returnUrl: '/consent/abc' });
    const session = await pickUp(flow);
    expect(session).toEqual(expect.objectContaining({ role: 'operator', username: 'ann' }));
    expect(await me(session.token)).toEqual(expect.objectContaining({ kind: 'user', name: 'ann', role: 'operator' }));
    // Handed over once: the second pick-up finds nothing.
    expect((await browse(flow.jar, `${running.baseUrl}/api/auth/oidc/session`, { method: 'POST' })).status).toBe(401);
    const users = await running.api().get('/api/users').set('X-API-Key', running.env.apiKey).expect(200);
    expect((users.body as { username: string; role: string }[]).filter((user) => user.username === 'ann')).toEqual([
      expect.objectContaining({ role: 'operator' }),
    ]);
  });

  it('evaluates the role again at the next sign-in, and the user’s open sessions follow', async () => {
    await idp.setAccount('sub-ben', { preferred_username: 'ben', groups: ['staff'] });
    const first = await pickUp(await signInAs('sub-ben'));
    expect(first.role).toBe('viewer');
    await idp.setAccount('sub-ben', { preferred_username: 'ben', groups: ['staff', 'mcp-admins'] });
    const second = await pickUp(await signInAs('sub-ben'));
    expect(second).toEqual(expect.objectContaining({ role: 'admin', username: 'ben' }));
    expect((await me(first.token)).role).toBe('admin');
  });

  it('refuses a person none of whose groups is mapped (no `*`), and creates no user', async () => {
    await idp.setAccount('sub-cat', { preferred_username: 'cat', groups: ['marketing'] });
    const flow = await signInAs('sub-cat');
    expect(flow.landing.searchParams.get('oidcError')).toBe('no-role');
    expect((await browse(flow.jar, `${running.baseUrl}/api/auth/oidc/session`, { method: 'POST' })).status).toBe(401);
    const users = await running.api().get('/api/users').set('X-API-Key', running.env.apiKey).expect(200);
    expect((users.body as { username: string }[]).map((user) => user.username)).not.toContain('cat');
  });

  it('never links a local user by a matching name or e-mail: the person gets a user of their own', async () => {
    await running
      .api()
      .post('/api/users')
      .set('X-API-Key', running.env.apiKey)
      .send({ username: 'dora', password: 'local password for dora', role: 'admin' })
      .expect(201);
    await idp.setAccount('sub-dora', { preferred_username: 'dora', email: 'dora@example.com', groups: ['staff'] });
    const session = await pickUp(await signInAs('sub-dora'));
    expect(session.username).not.toBe('dora');
    expect(session.role).toBe('viewer');
  });

  it('links a signed-in local user to their provider account on request; the provider then signs in that very user', async () => {
    await running
      .api()
      .post('/api/users')
      .set('X-API-Key', running.env.apiKey)
      .send({ username: 'lina', password: 'local password for lina', role: 'viewer' })
      .expect(201);
    await idp.setAccount('sub-lina', { preferred_username: 'lina.idp', groups: ['mcp-ops'] });
    // Signed in to the portal: the session cookie is what the browser carries on its way to the provider.
    const jar = new CookieJar();
    const login = await fetch(`${running.baseUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'lina', password: 'local password for lina' }),
    });
    expect(login.status).toBe(201);
    jar.take(login);
    const linked = await signInAs('sub-lina', { jar, link: true });
    expect(`${linked.landing.pathname}${linked.landing.search}`).toBe('/account?oidcLinked=done');

    const session = await pickUp(await signInAs('sub-lina'));
    expect(session.username).toBe('lina');
    // The provider's groups decide the role from then on, as for every user it signs in.
    expect(session.role).toBe('operator');
    const users = await running.api().get('/api/users').set('X-API-Key', running.env.apiKey).expect(200);
    expect((users.body as { username: string }[]).filter((user) => user.username.startsWith('lina'))).toHaveLength(1);
  });

  it('links nobody but a signed-in user, and never an identity that is another user’s', async () => {
    await running.api().get('/api/auth/oidc/start?link=1').expect(401);
    await running.api().get('/api/auth/oidc/start?link=1').set('X-API-Key', running.env.apiKey).expect(403);
    // A client token (limited to no service) is no one to link to: it is not even a caller of the management API.
    const clientToken = await running
      .api()
      .post('/api/client-tokens')
      .set('X-API-Key', running.env.apiKey)
      .send({ label: 'linker', services: [] })
      .expect(201);
    await running
      .api()
      .get('/api/auth/oidc/start?link=1')
      .set('Authorization', `Bearer ${(clientToken.body as { token: string }).token}`)
      .expect(401);
    await running
      .api()
      .post('/api/users')
      .set('X-API-Key', running.env.apiKey)
      .send({ username: 'otto', password: 'local password for otto', role: 'viewer' })
      .expect(201);
    const jar = new CookieJar();
    const login = await fetch(`${running.baseUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'otto', password: 'local password for otto' }),
    });
    jar.take(login);
    // A viewer limited to no service may still link their own account: it changes only how they sign in.
    await running
      .api()
      .post('/api/users')
      .set('X-API-Key', running.env.apiKey)
      .send({ username: 'vera', password: 'local password for vera', role: 'viewer', services: [] })
      .expect(201);
    const vera = new CookieJar();
    vera.take(
      await fetch(`${running.baseUrl}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'vera', password: 'local password for vera' }),
      }),
    );
    await idp.setAccount('sub-vera', { preferred_username: 'vera.idp', groups: ['staff'] });
    const veraLinked = await signInAs('sub-vera', { jar: vera, link: true });
    expect(veraLinked.landing.searchParams.get('oidcLinked')).toBe('done');
    // A provider account that signed in before has a user of its own.
    await idp.setAccount('sub-tara', { preferred_username: 'tara', groups: ['staff'] });
    expect((await pickUp(await signInAs('sub-tara'))).username).toBe('tara');
    const refused = await signInAs('sub-tara', { jar, link: true, returnUrl: '/account' });
    expect(`${refused.landing.pathname}${refused.landing.search}`).toBe('/account?oidcLinkError=taken');
    expect((await pickUp(await signInAs('sub-tara'))).username).toBe('tara');
  });

  it.each([
    ['state', (url: URL) => url.searchParams.set('state', 'not-the-state-we-sent')],
    ['nonce', (url: URL) => url.searchParams.set('nonce', 'not-the-nonce-we-sent')],
    [
      'PKCE challenge',
      (url: URL) => url.searchParams.set('code_challenge', createHash('sha256').update('another verifier').digest('base64url')),
    ],
  ])('refuses a return whose %s does not match what the sign-in sent', async (_what, tamper) => {
    await idp.setAccount('sub-eve', { preferred_username: 'eve', groups: ['mcp-admins'] });
    const flow = await signInAs('sub-eve', { tamper });
    expect(flow.landing.searchParams.get('oidcError')).toBe('failed');
    expect((await browse(flow.jar, `${running.baseUrl}/api/auth/oidc/session`, { method: 'POST' })).status).toBe(401);
  });

  it('refuses a callback with no pending sign-in in the browser, and a return URL of another origin is dropped', async () => {
    const back = await browse(new CookieJar(), `${running.baseUrl}/api/auth/oidc/callback?code=x&state=y`);
    expect(back.status).toBe(303);
    expect(locationOf(back, running.baseUrl).searchParams.get('oidcError')).toBe('expired');
    await idp.setAccount('sub-fay', { preferred_username: 'fay', groups: ['staff'] });
    for (const returnUrl of ['//evil.example/x', 'https://evil.example/', '/\\evil.example']) {
      const flow = await signInAs('sub-fay', { returnUrl });
      expect(flow.landing.origin).toBe(running.baseUrl);
      expect(flow.landing.searchParams.get('returnUrl')).toBeNull();
    }
  });

  describe('with auto-create off and OIDC_ONLY', () => {
    let strict: RunningApp;

    beforeAll(async () => {
      strict = await startApp({
        PUBLIC_URL,
        OIDC_ISSUER: idp.issuer,
        OIDC_CLIENT_ID: idp.clientId,
        OIDC_CLIENT_SECRET: idp.clientSecret,
        OIDC_SCOPES: 'openid profile groups',
        OIDC_ROLE_MAP: '*=viewer',
        // Set out loud: the outer app's settings are still in the environment.
        OIDC_AUTO_CREATE: 'false',
        OIDC_PROVIDER_NAME: '',
        OIDC_ONLY: 'true',
      });
    }, 60_000);

    afterAll(async () => {
      await strict?.close();
    });

    it('refuses a subject no user is linked to', async () => {
      await idp.setAccount('sub-gus', { preferred_username: 'gus', groups: ['staff'] });
      const flow = await signInAs('sub-gus', { app: strict });
      expect(flow.landing.searchParams.get('oidcError')).toBe('unknown-user');
    });

    it('refuses password sign-in (403) but not the API key, and says so to the login page', async () => {
      await strict
        .api()
        .post('/api/users')
        .set('X-API-Key', strict.env.apiKey)
        .send({ username: 'hal', password: 'local password for hal', role: 'viewer' })
        .expect(201);
      const refused = await strict.api().post('/api/auth/login').send({ username: 'hal', password: 'local password for hal' });
      expect(refused.status).toBe(403);
      expect(refused.body.message).toMatch(/OIDC_ONLY/);
      const byKey = await strict.api().post('/api/auth/login').send({ apiKey: strict.env.apiKey }).expect(201);
      expect(byKey.body.role).toBe('admin');
      expect((await strict.api().get('/api/auth/sign-in-options').expect(200)).body.password).toBe(false);
    });
  });

  it('counts failed returns like password guesses: past AUTH_FAILURE_LIMIT the callback answers "throttled"', async () => {
    const limited = await startApp({
      PUBLIC_URL,
      OIDC_ISSUER: idp.issuer,
      OIDC_CLIENT_ID: idp.clientId,
      OIDC_CLIENT_SECRET: idp.clientSecret,
      OIDC_ROLE_MAP: '*=viewer',
      AUTH_FAILURE_LIMIT: '2',
    });
    try {
      const reasons: (string | null)[] = [];
      for (let attempt = 0; attempt < 3; attempt++) {
        const back = await browse(new CookieJar(), `${limited.baseUrl}/api/auth/oidc/callback?code=x&state=y`);
        reasons.push(locationOf(back, limited.baseUrl).searchParams.get('oidcError'));
      }
      expect(reasons).toEqual(['expired', 'expired', 'throttled']);
    } finally {
      await limited.close();
    }
  });
});
