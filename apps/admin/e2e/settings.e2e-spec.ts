import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, signIn, watchPage } from './support/browser';
import { Gateway, WORKSPACE_ROOT, startGateway, stopGatewayKeepingLog } from './support/gateway-process';

const GATEWAY_LOG = join(WORKSPACE_ROOT, 'tmp/e2e/settings-gateway.log');
const SCREENSHOTS = join(WORKSPACE_ROOT, 'tmp/screenshots');

interface Setting {
  key: string;
  value: unknown;
  source: string;
}

/**
 * The Settings page against the built gateway: a runtime setting changed in the form is saved, shown as
 * changed, and in force (a service created afterwards gets the new default); a value the API refuses shows
 * its message under the field; a reset returns to the default; the page fits a phone screen.
 */
describe('server settings in a real browser', () => {
  let gateway: Gateway;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let watched: ReturnType<typeof watchPage>;

  beforeAll(async () => {
    gateway = await startGateway();
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    context.setDefaultTimeout(15_000);
    page = await context.newPage();
    watched = watchPage(page);
    mkdirSync(SCREENSHOTS, { recursive: true });
  });

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    if (gateway) {
      await stopGatewayKeepingLog(gateway, GATEWAY_LOG);
    }
  });

  async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${gateway.backendUrl}/api${path}`, {
      method,
      headers: { 'X-API-Key': gateway.apiKey, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  }

  async function setting(key: string): Promise<Setting> {
    const found = (await api<Setting[]>('GET', '/settings')).find((item) => item.key === key);
    if (!found) throw new Error(`${key} is not listed`);
    return found;
  }

  function box(key: string) {
    return page.locator(`[data-key="${key}"]`);
  }

  async function screenshot(name: string): Promise<void> {
    await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
  }

  it('signs in and opens Settings from the navigation', async () => {
    await signIn(page, gateway);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('form', { name: 'Runtime settings' }).getByRole('heading', { name: 'Defaults for new services' }).waitFor();
    // The read-only part waits collapsed below the form.
    await page.getByRole('button', { name: /^Set in the environment/ }).waitFor();
    expect(await box('BACKEND_PORT').locator('input').count()).toBe(0);
    expect(await box('SERVICE_DEFAULT_RATE_LIMIT').locator('.meta').textContent()).toContain('Default: 100');
    // Never a secret on the page.
    expect(await page.content()).not.toContain(gateway.apiKey);
    await screenshot('settings');
  });

  it('saves a changed default, shows it as changed, and a service created next gets it', async () => {
    await page.getByLabel('Service default rate limit', { exact: true }).fill('7');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Saved and in force: SERVICE_DEFAULT_RATE_LIMIT.' }).waitFor();
    await box('SERVICE_DEFAULT_RATE_LIMIT').getByText('changed here').waitFor();
    expect(await setting('SERVICE_DEFAULT_RATE_LIMIT')).toMatchObject({ value: 7, source: 'runtime' });

    const created = await api<{ proxy: { rateLimit: number } }>('POST', '/services', {
      name: 'after-settings',
      process: { command: process.execPath, args: ['-e', 'setInterval(() => {}, 1000)'] },
    });
    expect(created.proxy.rateLimit).toBe(7);
    await screenshot('settings-saved');
  });

  it('shows what the API refuses under the field, and saves nothing', async () => {
    await page.getByLabel('Allowed hosts', { exact: true }).fill('not a host');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await box('ALLOWED_HOSTS').locator('mat-error').filter({ hasText: 'ALLOWED_HOSTS must be a domain name' }).waitFor();
    expect(await setting('ALLOWED_HOSTS')).toMatchObject({ value: [], source: 'default' });
    await screenshot('settings-error');
    await page.getByRole('button', { name: 'Discard changes' }).click();
  });

  it('resets a setting to its default', async () => {
    await box('SERVICE_DEFAULT_RATE_LIMIT').getByRole('button', { name: 'Reset SERVICE_DEFAULT_RATE_LIMIT' }).click();
    await box('SERVICE_DEFAULT_RATE_LIMIT').getByText('default', { exact: true }).waitFor();
    expect(await page.getByLabel('Service default rate limit', { exact: true }).inputValue()).toBe('100');
    expect(await setting('SERVICE_DEFAULT_RATE_LIMIT')).toMatchObject({ value: 100, source: 'default' });
  });

  it('fits a phone screen without sideways scrolling', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    await page.getByRole('form', { name: 'Runtime settings' }).getByRole('heading', { name: 'Defaults for new services' }).waitFor();
    await screenshot('settings-phone');
    // The widest element inside the Settings page itself (the shell's toolbar is not this page's).
    const overflow = await page.evaluate(() => {
      const pageRoot = document.querySelector('mcp-settings-page') as HTMLElement;
      const limit = document.documentElement.clientWidth;
      return Math.max(0, ...Array.from(pageRoot.querySelectorAll('*')).map((element) => element.getBoundingClientRect().right - limit));
    });
    expect(overflow).toBeLessThanOrEqual(0);
    expect(watched.pageErrors).toEqual([]);
    expect(watched.cspViolations).toEqual([]);
  });
});
