import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, signIn, watchPage } from './support/browser';
import { Gateway, WORKSPACE_ROOT, startGateway, stopGatewayKeepingLog } from './support/gateway-process';

const GATEWAY_LOG = join(WORKSPACE_ROOT, 'tmp/e2e/users-roles-gateway.log');
const SCREENSHOTS = join(WORKSPACE_ROOT, 'tmp/screenshots');
const SERVER_EVERYTHING = join(WORKSPACE_ROOT, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js');
const SERVICE = 'roles-e2e';
const VIEWER = 'vera';
const VIEWER_PASSWORD = 'viewer passphrase 42';

/**
 * Roles through the portal, against the built gateway: an admin creates a viewer, the viewer signs
 * in and is offered nothing they may not do, the API refuses what they try anyway, and the admin
 * finds that refusal in the audit log.
 */
describe('users and roles, in a real browser', () => {
  let gateway: Gateway;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let watched: ReturnType<typeof watchPage>;

  beforeAll(async () => {
    gateway = await startGateway();
    const created = await fetch(`${gateway.backendUrl}/api/services`, {
      method: 'POST',
      headers: { 'X-API-Key': gateway.apiKey, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        name: SERVICE,
        process: { command: process.execPath, args: [SERVER_EVERYTHING, 'stdio'] },
        environment: { TOKEN: 'e2e-secret' },
      }),
    });
    if (created.status !== 201) throw new Error(`creating ${SERVICE}: HTTP ${created.status} ${await created.text()}`);
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
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

  async function screenshot(name: string): Promise<void> {
    await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
  }

  async function logOut(): Promise<void> {
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL(/\/login/);
  }

  it('an admin creates a viewer on the Users page', async () => {
    await signIn(page, gateway);
    await page.getByTestId('signed-in-as').filter({ hasText: 'API key' }).filter({ hasText: 'admin' }).waitFor();
    await page.getByRole('link', { name: 'Users' }).click();
    await page.getByRole('heading', { name: 'Users', level: 1 }).waitFor();
    await page.getByLabel('User name').fill(VIEWER);
    await page.getByLabel('Password').fill(VIEWER_PASSWORD);
    await page.getByRole('button', { name: 'Create user' }).click();
    const row = page.locator(`tr[data-user="${VIEWER}"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain('All services');
    await screenshot('users-created-viewer');
    await logOut();
  });

  it('the viewer signs in with a password and is offered no Start, Delete or reveal', async () => {
    await page.getByRole('button', { name: 'User name' }).click();
    await page.getByLabel('User name').fill(VIEWER);
    await page.getByLabel('Password').fill(VIEWER_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/dashboard$/);
    await page.getByTestId('signed-in-as').filter({ hasText: VIEWER }).filter({ hasText: 'viewer' }).waitFor();
    expect(await page.getByRole('link', { name: 'Users' }).count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Audit log' }).count()).toBe(0);

    await page.goto(`${gateway.frontendUrl}/services/${SERVICE}`);
    await page.getByRole('heading', { name: SERVICE, level: 1 }).waitFor();
    await page.getByTestId('read-only-note').waitFor();
    const actions = page.getByRole('group', { name: 'Service actions' });
    for (const name of ['Start', 'Stop', 'Restart', 'Delete', 'Edit']) {
      expect(await actions.getByRole('button', { name, exact: true }).count()).toBe(0);
    }
    expect(await actions.getByRole('link', { name: 'Edit' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Reveal values' }).count()).toBe(0);
    await screenshot('users-viewer-service-read-only');
  });

  it('the API refuses the viewer a direct start and a reveal (403)', async () => {
    const token = await page.evaluate(
      () => (JSON.parse(sessionStorage.getItem('mcp-proxy.token') ?? '{}') as { token?: string }).token ?? '',
    );
    expect(token).not.toBe('');
    const headers = { Authorization: `Bearer ${token}` };
    const start = await fetch(`${gateway.backendUrl}/api/services/${SERVICE}/start`, { method: 'POST', headers });
    expect(start.status).toBe(403);
    expect(((await start.json()) as { message: string }).message).toMatch(/needs the operator role; you are signed in as viewer/);
    const reveal = await fetch(`${gateway.backendUrl}/api/services/${SERVICE}/environment`, { headers });
    expect(reveal.status).toBe(403);
    expect(await reveal.text()).not.toContain('e2e-secret');
    await logOut();
  });

  it('the admin finds the refusals in the audit log, filters them and exports them', async () => {
    await signIn(page, gateway);
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('heading', { name: 'Audit log', level: 1 }).waitFor();
    await page.getByLabel('Actor').fill(VIEWER);
    await page.getByLabel('Outcome').click();
    await page.getByRole('option', { name: 'refused' }).click();
    await page.getByRole('button', { name: 'Apply' }).click();

    const table = page.getByRole('table', { name: 'Audit events' });
    // The unfiltered page shown before Apply holds these rows too: wait until it has been replaced.
    await page.getByRole('progressbar', { name: 'Loading audit events' }).waitFor({ state: 'detached' });
    await table.locator('tr[data-outcome]:not([data-outcome="refused"])').first().waitFor({ state: 'detached' });
    await table.getByText(`POST /api/services/${SERVICE}/start`).waitFor();
    await table.getByText(`GET /api/services/${SERVICE}/environment`).waitFor();
    const rows = table.locator('tr[data-outcome]');
    expect(await rows.count()).toBe(2);
    expect(await table.locator('tr[data-outcome="ok"]').count()).toBe(0);
    await screenshot('users-audit-refusals');

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^audit-.*\.csv$/);
    const csv = readFileSync(await download.path(), 'utf8');
    expect(csv).toContain(`POST /api/services/${SERVICE}/start`);
    expect(csv).not.toContain('auth.login');
  });

  it('the audit log names the portal admin and the service, with the service id on hover', async () => {
    const token = await page.evaluate(
      () => (JSON.parse(sessionStorage.getItem('mcp-proxy.token') ?? '{}') as { token?: string }).token ?? '',
    );
    const service = (await (
      await fetch(`${gateway.backendUrl}/api/services/${SERVICE}`, { headers: { 'X-API-Key': gateway.apiKey } })
    ).json()) as { id: string };
    const patched = await fetch(`${gateway.backendUrl}/api/services/${service.id}`, {
      method: 'PATCH',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ process: { autoRestart: false } }),
    });
    expect(patched.status).toBe(200);

    await page.goto(`${gateway.frontendUrl}/audit`);
    await page.getByRole('heading', { name: 'Audit log', level: 1 }).waitFor();
    await page.getByLabel('Action contains').fill('PATCH');
    await page.getByRole('button', { name: 'Apply' }).click();
    const row = page.getByRole('table', { name: 'Audit events' }).locator('tr[data-outcome="ok"]').first();
    await row.getByText('admin (portal)').waitFor();
    const target = row.locator('td', { hasText: SERVICE });
    expect(await target.getAttribute('title')).toBe(service.id);
    expect(await row.textContent()).not.toContain('session:');
    await screenshot('users-audit-named');
  });

  it('ran without uncaught errors or Content-Security-Policy violations in the page', () => {
    expect(watched.pageErrors).toEqual([]);
    expect(watched.cspViolations).toEqual([]);
  });
});
