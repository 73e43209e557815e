import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, watchPage } from './support/browser';
import { Gateway, WORKSPACE_ROOT, startGateway, stopGatewayKeepingLog } from './support/gateway-process';

const GATEWAY_LOG = join(WORKSPACE_ROOT, 'tmp/e2e/admin-shell-gateway.log');

interface HealthBody {
  status: string;
  version: string;
  uptime: number;
  services: { running: number; total: number };
}

describe('admin shell in a real browser against the built gateway', () => {
  let gateway: Gateway;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let watched: ReturnType<typeof watchPage>;

  beforeAll(async () => {
    gateway = await startGateway();
    browser = await launchChromium();
    context = await browser.newContext();
    context.setDefaultTimeout(15_000);
    page = await context.newPage();
    watched = watchPage(page);
  });

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    if (gateway) {
      await stopGatewayKeepingLog(gateway, GATEWAY_LOG);
    }
  });

  it('sends a visitor without a session to the login screen', async () => {
    await page.goto(`${gateway.frontendUrl}/`);
    await page.waitForURL(/\/login(\?|$)/);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(await page.getByLabel('API key', { exact: true }).getAttribute('type')).toBe('password');
  });

  it('refuses a wrong API key with a clear message', async () => {
    await page.getByLabel('API key', { exact: true }).fill(`wrong-${gateway.apiKey}`);
    await page.getByRole('button', { name: 'Sign in' }).click();

    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect((await alert.innerText()).trim()).toBe('Invalid API key');
    expect(new URL(page.url()).pathname).toBe('/login');
    expect(await sessionToken(page)).toBeNull();
  });

  it('signs in with the right key and shows the health data on the dashboard', async () => {
    const health = (await (await fetch(`${gateway.backendUrl}/health`)).json()) as HealthBody;

    await page.getByLabel('API key', { exact: true }).fill(gateway.apiKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/dashboard$/);
    await page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();

    const version = page.getByRole('region', { name: 'Version' });
    await version.getByText(health.version, { exact: true }).waitFor();
    const status = page.getByRole('region', { name: 'Status' });
    expect((await status.innerText()).toLowerCase()).toContain('ok');
    const services = page.getByRole('region', { name: 'Services running' });
    expect(await services.innerText()).toContain('0 of 0');
    await page.getByRole('region', { name: 'Uptime' }).waitFor();

    // The global stylesheet really applied (it is not left waiting on a CSP-blocked onload handler).
    const headerDisplay = await page.evaluate(() => getComputedStyle(document.querySelector('.page-header') as Element).display);
    expect(headerDisplay).toBe('flex');

    const stored = await sessionToken(page);
    expect(stored).not.toBeNull();
    const session = JSON.parse(stored ?? '{}') as { token?: string; expiresAt?: string };
    expect(session.token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(Date.parse(session.expiresAt ?? '')).toBeGreaterThan(Date.now());
  });

  it('shows the empty state on the Services page', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Services' }).click();
    await page.waitForURL(/\/services$/);
    await page.getByRole('heading', { name: 'Services', level: 1 }).waitFor();
    await page.getByRole('heading', { name: 'No services yet' }).waitFor();
    expect(await page.getByRole('table').count()).toBe(0);
  });

  it('logs out back to the login screen', async () => {
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL(/\/login(\?|$)/);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(await sessionToken(page)).toBeNull();

    // The session really is gone: protected pages bounce back to the login screen.
    await page.goto(`${gateway.frontendUrl}/services`);
    await page.waitForURL(/\/login\?returnUrl=%2Fservices$/);
  });

  it('ran without uncaught errors or Content-Security-Policy violations in the page', () => {
    expect(watched.pageErrors).toEqual([]);
    expect(watched.cspViolations).toEqual([]);
  });
});

function sessionToken(page: Page): Promise<string | null> {
  return page.evaluate(() => sessionStorage.getItem('mcp-proxy.token'));
}
