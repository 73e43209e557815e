import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, signIn, watchPage } from './support/browser';
import { Gateway, WORKSPACE_ROOT, startGateway, stopGatewayKeepingLog } from './support/gateway-process';

const GATEWAY_LOG = join(WORKSPACE_ROOT, 'tmp/e2e/sessions-gateway.log');
const USER = 'sid';
const PASSWORD = 'sessions passphrase 42';

/**
 * UI sessions through the portal, against the built gateway: a user sees where they are signed in
 * on the Account page and ends another of their sessions; an admin ends all of a user's sessions
 * from the Users page. Each ended token is refused by the API at once.
 */
describe('sessions, in a real browser', () => {
  let gateway: Gateway;
  let browser: Browser;
  let userContext: BrowserContext;
  let adminContext: BrowserContext;
  const watched: ReturnType<typeof watchPage>[] = [];

  /** A sign-in made elsewhere (another device), straight through the API. */
  async function signInElsewhere(userAgent: string): Promise<string> {
    const response = await fetch(`${gateway.backendUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'User-Agent': userAgent },
      body: JSON.stringify({ username: USER, password: PASSWORD }),
    });
    if (response.status !== 201) throw new Error(`login: HTTP ${response.status}`);
    return ((await response.json()) as { token: string }).token;
  }

  const status = async (token: string): Promise<number> =>
    (
      await fetch(`${gateway.backendUrl}/api/auth/me`, {
        headers: { Authorization: `Bearer ${token}` },
      })
    ).status;

  async function newPage(context: BrowserContext): Promise<Page> {
    const page = await context.newPage();
    watched.push(watchPage(page));
    return page;
  }

  beforeAll(async () => {
    gateway = await startGateway();
    const created = await fetch(`${gateway.backendUrl}/api/users`, {
      method: 'POST',
      headers: {
        'X-API-Key': gateway.apiKey,
        'Content-Type': 'application/json',
      },
      body: JSON.stringify({
        username: USER,
        password: PASSWORD,
        role: 'viewer',
      }),
    });
    if (created.status !== 201) throw new Error(`creating ${USER}: HTTP ${created.status} ${await created.text()}`);
    browser = await launchChromium();
    userContext = await browser.newContext({
      viewport: { width: 1280, height: 900 },
    });
    adminContext = await browser.newContext({
      viewport: { width: 1280, height: 900 },
    });
    userContext.setDefaultTimeout(15_000);
    adminContext.setDefaultTimeout(15_000);
  });

  afterAll(async () => {
    await userContext?.close().catch(() => undefined);
    await adminContext?.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    if (gateway) await stopGatewayKeepingLog(gateway, GATEWAY_LOG);
  });

  it('a user sees their sessions on the Account page and ends the one on another device', async () => {
    const page = await newPage(userContext);
    await page.goto(`${gateway.frontendUrl}/login`);
    await page.getByRole('button', { name: 'User name' }).click();
    await page.getByLabel('User name').fill(USER);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/dashboard$/);
    const phone = await signInElsewhere('PhoneBrowser/1.0');

    await page.getByRole('link', { name: 'Account' }).click();
    await page.getByRole('heading', { name: 'Sessions' }).waitFor();
    const phoneRow = page.locator('tr[data-session]').filter({ hasText: 'PhoneBrowser/1.0' });
    await phoneRow.waitFor();
    expect(await page.locator('tr[data-session]').count()).toBe(2);
    await page.locator('tr[data-session]').filter({ hasText: 'This session' }).waitFor();

    await phoneRow.getByRole('button', { name: 'End' }).click();
    await page.getByRole('status').filter({ hasText: 'Session ended.' }).waitFor();
    await page.locator('mat-snack-bar-container').getByText('Session ended.').waitFor();
    await phoneRow.waitFor({ state: 'detached' });
    expect(await status(phone)).toBe(401);
  });

  it('an admin ends every session of a user from the Users page', async () => {
    const laptop = await signInElsewhere('LaptopBrowser/2.0');
    const page = await newPage(adminContext);
    await signIn(page, gateway);
    await page.getByRole('link', { name: 'Users' }).click();
    await page.getByRole('button', { name: `Sessions of ${USER}` }).click();
    await page.getByRole('heading', { name: `Sessions of ${USER}` }).waitFor();
    await page.locator('tr[data-session]').filter({ hasText: 'LaptopBrowser/2.0' }).waitFor();

    await page.getByRole('button', { name: 'End all' }).click();
    await page.getByText('No open sessions.').waitFor();
    expect(await status(laptop)).toBe(401);
    // The user's own browser session (from the first test) ended with them.
    const userPage = userContext.pages()[0];
    const token = await userPage.evaluate(
      () =>
        (
          JSON.parse(sessionStorage.getItem('mcp-proxy.token') ?? '{}') as {
            token?: string;
          }
        ).token ?? '',
    );
    expect(await status(token)).toBe(401);
  });

  it('had no page errors or CSP violations', () => {
    for (const { pageErrors, cspViolations } of watched) {
      expect(pageErrors).toEqual([]);
      expect(cspViolations).toEqual([]);
    }
  });
});
