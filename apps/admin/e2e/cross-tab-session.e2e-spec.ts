import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, signIn, watchPage } from './support/browser';
import { Gateway, WORKSPACE_ROOT, startGateway, stopGatewayKeepingLog } from './support/gateway-process';

const GATEWAY_LOG = join(WORKSPACE_ROOT, 'tmp/e2e/cross-tab-session-gateway.log');
jest.setTimeout(120_000);

/**
 * A sign-in lasts across tabs and reloads through the httpOnly session cookie, which page scripts
 * never see; logging out in one tab sends the other to the login page at its next action.
 */
describe('one sign-in across tabs, in a real browser', () => {
  let gateway: Gateway;
  let browser: Browser;
  let context: BrowserContext;
  const watched: ReturnType<typeof watchPage>[] = [];

  async function newPage(): Promise<Page> {
    const page = await context.newPage();
    watched.push(watchPage(page));
    return page;
  }

  beforeAll(async () => {
    gateway = await startGateway();
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    context.setDefaultTimeout(20_000);
  });

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    if (gateway) await stopGatewayKeepingLog(gateway, GATEWAY_LOG);
  });

  it('a deep link in a second tab and a reload stay signed in; logout in one tab ends the other', async () => {
    const first = await newPage();
    await signIn(first, gateway);

    const cookies = await context.cookies(gateway.frontendUrl);
    const session = cookies.find((cookie) => cookie.name === 'mcp_session');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict' });

    // A link opened in a new tab: no token in that tab's storage, yet not sent to the login page.
    const second = await newPage();
    await second.goto(`${gateway.frontendUrl}/settings`);
    await second.getByRole('heading', { name: 'Settings', exact: true }).first().waitFor();
    expect(new URL(second.url()).pathname).toBe('/settings');
    // Page scripts cannot read the credential: not in document.cookie, not in this tab's storage.
    expect(await second.evaluate(() => document.cookie)).not.toContain('mcp_session');
    expect(await second.evaluate(() => JSON.stringify(sessionStorage))).not.toContain('eyJ');

    await second.reload();
    await second.getByRole('heading', { name: 'Settings', exact: true }).first().waitFor();
    expect(new URL(second.url()).pathname).toBe('/settings');

    // The live socket opened with the cookie too (the dashboard's live state needs it).
    await second.goto(`${gateway.frontendUrl}/dashboard`);
    await second.waitForURL(/\/dashboard$/);

    await first.getByRole('button', { name: 'Log out' }).click();
    await first.waitForURL(/\/login/);

    // The other tab lands on the login page: at its next action, which meets the ended session, or before it, when
    // its live channel is closed with the session (then the link it would click is gone).
    await Promise.race([
      second.waitForURL(/\/login/),
      second
        .getByRole('link', { name: /Services/ })
        .first()
        .click()
        .catch(() => undefined),
    ]);
    await second.waitForURL(/\/login/);
    await second.reload();
    await second.waitForURL(/\/login/);
    await second.goto(`${gateway.frontendUrl}/settings`);
    await second.waitForURL(/\/login\?returnUrl=%2Fsettings/);

    for (const page of watched) {
      expect(page.pageErrors).toEqual([]);
      expect(page.cspViolations).toEqual([]);
    }
  });
});
