import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, signIn, watchPage } from './support/browser';
import { Gateway, WORKSPACE_ROOT, startGateway, stopGatewayKeepingLog } from './support/gateway-process';

const GATEWAY_LOG = join(WORKSPACE_ROOT, 'tmp/e2e/groups-network-gateway.log');
const SCREENSHOTS = join(WORKSPACE_ROOT, 'tmp/screenshots');
const SERVER_EVERYTHING = join(WORKSPACE_ROOT, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js');
/** Named `everything` so the group exposes `everything__echo`. */
const SERVICE = 'everything';
const GROUP = 'team';

/**
 * Groups and the network page through the portal, against the built gateway and the real
 * server-everything: a group of it is created in the form, its mapping shows the exposed names and
 * the group really serves them; the network page shows the status and, with UPnP off (as here), the
 * manual port-forwarding steps, and checks the ports.
 */
describe('groups and network in a real browser', () => {
  let gateway: Gateway;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let watched: ReturnType<typeof watchPage>;

  beforeAll(async () => {
    gateway = await startGateway();
    await api('POST', '/services', {
      name: SERVICE,
      process: { command: process.execPath, args: [SERVER_EVERYTHING, 'stdio'] },
      start: true,
    });
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

  async function api(method: string, path: string, body?: unknown): Promise<unknown> {
    const response = await fetch(`${gateway.backendUrl}/api${path}`, {
      method,
      headers: { 'X-API-Key': gateway.apiKey, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status} ${await response.text()}`);
    return response.status === 204 ? null : response.json();
  }

  async function screenshot(name: string): Promise<void> {
    await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
  }

  it('signs in and finds Groups in the navigation, empty', async () => {
    await signIn(page, gateway);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Groups' }).click();
    await page.getByRole('heading', { name: 'No groups yet' }).waitFor();
    const allServices = await page.locator('pre[aria-label="All services MCP URL"]').textContent();
    expect(allServices?.trim()).toBe(`${gateway.frontendUrl}/mcp`);
  });

  it('creates a group of the real server-everything in the form', async () => {
    await page.getByRole('link', { name: 'New group' }).click();
    await page.waitForURL(/\/groups\/new$/);
    await page.getByLabel('Name', { exact: true }).fill(GROUP);
    await page.getByRole('combobox', { name: 'Service to add' }).click();
    await page.getByRole('option', { name: new RegExp(`^${SERVICE} `) }).click();
    await page.getByRole('button', { name: 'Add member' }).click();
    await page.getByRole('group', { name: `Member ${SERVICE}` }).waitFor();
    await screenshot('group-form');
    await page.getByRole('button', { name: 'Create group' }).click();

    await page.waitForURL(new RegExp(`/groups/${GROUP}$`));
    await page.getByRole('heading', { name: GROUP, level: 1 }).waitFor();
  });

  it('shows the exposed-name mapping and the member healthy', async () => {
    const tools = page.getByRole('table', { name: 'Tools' });
    const echo = tools.locator('tr', { has: page.locator('td code', { hasText: /^everything__echo$/ }) });
    await echo.waitFor();
    expect((await echo.locator('td').allTextContents()).map((cell) => cell.trim())).toEqual(['everything__echo', SERVICE, 'echo']);
    await page.locator(`[data-member="${SERVICE}"] .chip`, { hasText: 'ok' }).waitFor();
    await screenshot('group-detail');
  });

  it('gives the group’s MCP URL, and the group serves its tools there', async () => {
    await page.getByRole('tab', { name: 'Connect' }).click();
    const url = (await page.locator('pre[aria-label="MCP URL"]').textContent())?.trim();
    expect(url).toBe(`${gateway.frontendUrl}/mcp/g/${GROUP}`);
    expect((await page.locator('pre[aria-label="WebSocket URL"]').textContent())?.trim()).toBe(
      `${gateway.frontendUrl.replace(/^http/, 'ws')}/mcp/ws?group=${GROUP}`,
    );

    const response = await fetch(`${gateway.backendUrl}/mcp/g/${GROUP}`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${gateway.apiKey}`,
        'Content-Type': 'application/json',
        Accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/call',
        params: { name: 'everything__echo', arguments: { message: 'via the group' } },
      }),
    });
    expect(response.status).toBe(200);
    expect(JSON.stringify(await response.json())).toContain('Echo: via the group');
    await screenshot('group-connect');
  });

  it('lists the group', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Groups' }).click();
    const row = page.locator(`tr[data-group="${GROUP}"]`);
    await row.waitFor();
    expect((await row.locator('td').allTextContents()).map((cell) => cell.trim())).toEqual([GROUP, `/mcp/g/${GROUP}`, SERVICE, 'enabled']);
  });

  it('shows the network status with the manual port-forwarding steps, since UPnP is off', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Network' }).click();
    await page.getByRole('heading', { name: 'Network', level: 1 }).waitFor();
    await page.getByRole('region', { name: 'UPnP' }).locator('.chip', { hasText: 'disabled' }).waitFor();
    const manual = page.getByRole('region', { name: 'Forward the ports by hand' });
    await manual.getByText('UPnP is off (ENABLE_UPNP=false)').waitFor();
    const backendPort = new URL(gateway.backendUrl).port;
    await manual
      .getByRole('table', { name: 'Port forwarding rules' })
      .locator('td', { hasText: new RegExp(`^${backendPort}$`) })
      .waitFor();
    expect(await manual.locator('ol li').count()).toBeGreaterThan(0);
    expect(await page.getByRole('button', { name: 'Map all ports', exact: true }).isDisabled()).toBe(true);
    await screenshot('network');
  });

  it('checks the ports: the API port listens here, the outside view is unknown without a checker', async () => {
    await page.getByRole('button', { name: 'Check ports' }).click();
    const backendPort = new URL(gateway.backendUrl).port;
    const row = page.getByRole('table', { name: 'Port check results' }).locator(`tr[data-port="${backendPort}"]`);
    await row.waitFor();
    const cells = (await row.locator('td').allTextContents()).map((cell) => cell.trim());
    expect(cells.slice(0, 5)).toEqual([`${backendPort}/TCP`, 'API and MCP', 'yes', 'no', 'unknown']);
    await screenshot('network-check');
  });

  it('deletes the group after confirmation', async () => {
    await page.goto(`${gateway.frontendUrl}/groups/${GROUP}`);
    await page.getByRole('group', { name: 'Group actions' }).getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('heading', { name: 'No groups yet' }).waitFor();
  });

  it('ran without uncaught errors or Content-Security-Policy violations in the page', () => {
    expect(watched.pageErrors).toEqual([]);
    expect(watched.cspViolations).toEqual([]);
  });
});
