import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, watchPage } from './support/browser';
import { Gateway, WORKSPACE_ROOT, freePort, startGateway, stopGatewayKeepingLog } from './support/gateway-process';
import { IdentityProvider, startIdentityProvider } from './support/identity-provider';
import { createTemporaryDatabase } from './support/postgres';

const CLIENT_REDIRECT = 'http://127.0.0.1:9/callback';
jest.setTimeout(180_000);

/**
 * "Sign in with <provider>" in a real browser, through oidc-provider's own login form: a person of a
 * mapped group reaches the dashboard, one of no mapped group reads why not, and an MCP client's OAuth
 * consent goes through the same sign-in and comes back to the consent screen. On SQLite and PostgreSQL.
 */
describe.each([
  ['SQLite', async () => ({ env: {}, drop: async () => undefined })],
  [
    'PostgreSQL',
    async () => {
      const database = await createTemporaryDatabase();
      return { env: { DATABASE_URL: database.url }, drop: database.drop };
    },
  ],
])('sign-in through an OpenID provider in a real browser, on %s', (dialect, makeDatabase) => {
  let idp: IdentityProvider;
  let gateway: Gateway;
  let dropDatabase: () => Promise<void>;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let watched: ReturnType<typeof watchPage>;

  beforeAll(async () => {
    const backendPort = await freePort();
    let frontendPort = await freePort();
    while (frontendPort === backendPort) frontendPort = await freePort();
    const frontendUrl = `http://127.0.0.1:${frontendPort}`;
    idp = await startIdentityProvider([`${frontendUrl}/api/auth/oidc/callback`]);
    await idp.setAccount('sub-olga', { preferred_username: 'olga', email: 'olga@example.com', groups: ['mcp-admins'] });
    await idp.setAccount('sub-mallory', { preferred_username: 'mallory', groups: ['marketing'] });
    const database = await makeDatabase();
    dropDatabase = database.drop;
    gateway = await startGateway({
      ...database.env,
      BACKEND_PORT: String(backendPort),
      FRONTEND_PORT: String(frontendPort),
      PUBLIC_URL: frontendUrl,
      OIDC_ISSUER: idp.issuer,
      OIDC_CLIENT_ID: idp.clientId,
      OIDC_CLIENT_SECRET: idp.clientSecret,
      OIDC_SCOPES: 'openid profile email groups',
      OIDC_PROVIDER_NAME: 'Test IdP',
      OIDC_AUTO_CREATE: 'true',
      OIDC_ROLE_MAP: 'mcp-admins=admin,staff=viewer',
    });
    browser = await launchChromium();
  }, 120_000);

  beforeEach(async () => {
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    context.setDefaultTimeout(30_000);
    page = await context.newPage();
    watched = watchPage(page);
  });

  afterEach(async () => {
    expect(watched.pageErrors).toEqual([]);
    expect(watched.cspViolations).toEqual([]);
    await context?.close().catch(() => undefined);
  });

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    if (gateway) await stopGatewayKeepingLog(gateway, join(WORKSPACE_ROOT, `tmp/e2e/oidc-sign-in-${dialect}-gateway.log`));
    await idp?.stop();
    await dropDatabase?.();
  });

  /** The IdP's own login form, as its user fills it. */
  async function signInAtProvider(account: string): Promise<void> {
    await page.waitForURL((url) => url.origin === idp.issuer);
    await page.getByRole('heading', { name: 'Test IdP sign-in' }).waitFor();
    await page.getByLabel('Account').fill(account);
    await page.getByRole('button', { name: 'Continue' }).click();
  }

  it('a person of a mapped group signs in with the provider and lands on the dashboard as themselves', async () => {
    await page.goto(`${gateway.frontendUrl}/login`);
    await page.getByRole('button', { name: 'Sign in with Test IdP' }).click();
    await signInAtProvider('sub-olga');
    await page.waitForURL(/\/dashboard$/);
    await page.getByTestId('signed-in-as').filter({ hasText: 'olga' }).filter({ hasText: 'admin' }).waitFor();
    // Signed in for real: a page that needs the session opens.
    await page.getByRole('link', { name: 'Users' }).click();
    await page.locator('tr[data-user="olga"]').waitFor();
  });

  it('a person of no mapped group is told why, and is not signed in', async () => {
    await page.goto(`${gateway.frontendUrl}/login`);
    await page.getByRole('button', { name: 'Sign in with Test IdP' }).click();
    await signInAtProvider('sub-mallory');
    await page.waitForURL(/\/login\?oidcError=no-role/);
    await page.getByRole('alert').filter({ hasText: 'has no role here' }).waitFor();
    await page.goto(`${gateway.frontendUrl}/dashboard`);
    await page.waitForURL(/\/login\?returnUrl=%2Fdashboard/);
  });

  it('an MCP client’s consent goes through the provider and comes back to the consent screen', async () => {
    const created = await fetch(`${gateway.backendUrl}/api/services`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': gateway.apiKey },
      body: JSON.stringify({ name: 'remote', process: { command: process.execPath, args: ['-e', ''] }, proxy: { auth: 'oauth' } }),
    });
    expect(created.status).toBe(201);
    const registered = await fetch(`${gateway.backendUrl}/oauth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_name: 'Connector via IdP', redirect_uris: [CLIENT_REDIRECT] }),
    });
    const { client_id: clientId } = (await registered.json()) as { client_id: string };
    const authorize = new URL(`${gateway.frontendUrl}/oauth/authorize`);
    for (const [name, value] of Object.entries({
      response_type: 'code',
      client_id: clientId,
      redirect_uri: CLIENT_REDIRECT,
      code_challenge: createHash('sha256').update(randomBytes(32).toString('base64url')).digest('base64url'),
      code_challenge_method: 'S256',
      resource: `${gateway.frontendUrl}/mcp/remote`,
      state: 'idp-state',
    }))
      authorize.searchParams.set(name, value);
    let landed: URL | null = null;
    await page.route('http://127.0.0.1:9/**', (route) => {
      landed = new URL(route.request().url());
      return route.fulfill({ status: 200, contentType: 'text/html', body: '<p>client callback</p>' });
    });

    await page.goto(authorize.toString());
    await page.waitForURL(/\/login\?returnUrl=%2Fconsent%2F/);
    await page.getByRole('button', { name: 'Sign in with Test IdP' }).click();
    await signInAtProvider('sub-olga');
    await page.waitForURL(/\/consent\/[0-9a-f-]{36}$/);
    await page.getByRole('heading', { name: 'Connector via IdP wants to use remote' }).waitFor();
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.waitForURL(/^http:\/\/127\.0\.0\.1:9\/callback/);
    const back = landed as URL | null;
    expect(back?.searchParams.get('state')).toBe('idp-state');
    expect(back?.searchParams.get('code')).toBeTruthy();
  });

  it('a local user links their provider account from the Account page, then signs in with the provider as themselves', async () => {
    const created = await fetch(`${gateway.backendUrl}/api/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': gateway.apiKey },
      body: JSON.stringify({ username: 'lars', password: 'local password for lars', role: 'viewer' }),
    });
    expect(created.status).toBe(201);
    await idp.setAccount('sub-lars', { preferred_username: 'lars.at.idp', groups: ['staff'] });

    await page.goto(`${gateway.frontendUrl}/login`);
    await page.getByRole('button', { name: 'User name' }).click();
    await page.getByLabel('User name').fill('lars');
    await page.getByLabel('Password').fill('local password for lars');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(/\/dashboard$/);
    await page.goto(`${gateway.frontendUrl}/account`);
    await page.getByRole('button', { name: 'Link your Test IdP account' }).click();
    await signInAtProvider('sub-lars');
    await page.waitForURL(/\/account\?oidcLinked=done$/);
    await page.getByRole('status').filter({ hasText: 'Your Test IdP account is linked' }).waitFor();

    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL(/\/login/);
    // A fresh login page (the one logout left may remember the Account page to return to).
    await page.goto(`${gateway.frontendUrl}/login`);
    await page.getByRole('button', { name: 'Sign in with Test IdP' }).click();
    // The provider still knows the person from the linking (its own session): straight back, no form.
    await page.waitForURL(/\/dashboard$/);
    await page.getByTestId('signed-in-as').filter({ hasText: 'lars' }).filter({ hasText: 'viewer' }).waitFor();
    expect(await page.getByTestId('signed-in-as').textContent()).not.toContain('lars.at.idp');
  });
});
