import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, watchPage } from './support/browser';
import { Gateway, WORKSPACE_ROOT, startGateway, stopGatewayKeepingLog } from './support/gateway-process';

const GATEWAY_LOG = join(WORKSPACE_ROOT, 'tmp/e2e/service-lifecycle-gateway.log');
const SCREENSHOTS = join(WORKSPACE_ROOT, 'tmp/screenshots');
const SERVER_EVERYTHING = join(WORKSPACE_ROOT, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js');
const SERVICE = 'everything-e2e';
const SECRET_VALUE = 'e2e-secret-value-do-not-show';

interface ServiceBody {
  status: string;
  pid: number | null;
}

/**
 * The whole life of a service through the portal, against the built gateway and the real
 * server-everything: create, start, see it live, call a tool through the proxy, read its log as it
 * is written, watch charts, stop and delete it.
 */
describe('a service from creation to deletion, in a real browser', () => {
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

  async function screenshot(name: string): Promise<void> {
    await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
  }

  /** Calls the management API directly, as another admin (or a script) would. */
  async function api(method: string, path: string): Promise<ServiceBody> {
    const response = await fetch(`${gateway.backendUrl}/api${path}`, {
      method,
      headers: { 'X-API-Key': gateway.apiKey },
    });
    if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status} ${await response.text()}`);
    return (await response.json()) as ServiceBody;
  }

  function statusChip(scope: Page | ReturnType<Page['locator']> = page) {
    return scope.locator('mcp-status-chip .chip').first();
  }

  async function expectStatus(expected: string, scope: Page | ReturnType<Page['locator']> = page): Promise<void> {
    await statusChip(scope)
      .filter({ hasText: new RegExp(`^\\s*${expected}\\s*$`) })
      .waitFor();
  }

  it('signs in', async () => {
    await page.goto(`${gateway.frontendUrl}/login`);
    await page.getByLabel('API key', { exact: true }).fill(gateway.apiKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/dashboard$/);
    await page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();
  });

  it('creates a service running the real server-everything', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Services' }).click();
    await page.getByRole('heading', { name: 'No services yet' }).waitFor();
    await page.getByRole('link', { name: 'New service' }).click();
    await page.waitForURL(/\/services\/new$/);

    await page.getByLabel('Name', { exact: true }).first().fill(SERVICE);
    await page.getByLabel('Command', { exact: true }).fill(process.execPath);
    await page.getByLabel('Arguments', { exact: true }).fill(`${SERVER_EVERYTHING}\nstdio`);
    await page.getByRole('button', { name: 'Add variable' }).click();
    await page.getByLabel('Name', { exact: true }).nth(1).fill('DEMO_TOKEN');
    await page.getByLabel('Value', { exact: true }).fill(SECRET_VALUE);
    await screenshot('service-create-form');
    await page.getByRole('button', { name: 'Create service' }).click();

    await page.waitForURL(new RegExp(`/services/${SERVICE}$`));
    await page.getByRole('heading', { name: SERVICE, level: 1 }).waitFor();
    await expectStatus('stopped');
    // The variable's name is listed, its value never.
    await page.getByRole('region', { name: 'Environment' }).getByText('DEMO_TOKEN').waitFor();
    expect(await page.content()).not.toContain(SECRET_VALUE);
  });

  it('starts it and sees it running', async () => {
    await page.getByRole('group', { name: 'Service actions' }).getByRole('button', { name: 'Start', exact: true }).click();
    await expectStatus('running');
    await page.getByText('Live', { exact: true }).waitFor();
    const pid = await page.getByRole('region', { name: 'Runtime' }).locator('dt:has-text("PID") + dd').textContent();
    expect(Number(pid?.trim())).toBeGreaterThan(0);
    await screenshot('service-detail');
  });

  it('shows the MCP URL and client snippets', async () => {
    await page.getByRole('tab', { name: 'Connect' }).click();
    const url = await page.locator('pre[aria-label="MCP URL"]').textContent();
    expect(url?.trim()).toBe(`${gateway.frontendUrl}/mcp/${SERVICE}`);
    const cursor = page.getByRole('tab', { name: 'Cursor' });
    await cursor.click();
    const config = JSON.parse((await page.locator('pre[aria-label="Cursor configuration"]').textContent()) ?? '{}') as {
      mcpServers: Record<string, { url: string; headers: Record<string, string> }>;
    };
    expect(config.mcpServers[SERVICE]?.url).toBe(`${gateway.frontendUrl}/mcp/${SERVICE}`);
    expect(JSON.stringify(config)).not.toContain(gateway.apiKey);
    await screenshot('service-connect');
  });

  it('lists the tools and calls echo through the proxy in the Try it panel', async () => {
    // The panel connects on its own once the service runs.
    await page.getByRole('tab', { name: 'Try it' }).click();
    await page.getByText(/Connected to .* · protocol /).waitFor();

    const tools = page.getByRole('navigation', { name: 'Tools' });
    const names = await tools.locator('.tool-name').allTextContents();
    expect(names).toEqual(expect.arrayContaining(['echo', 'get-sum', 'get-tiny-image']));

    await tools.getByRole('button', { name: /^echo/ }).click();
    await page.getByLabel('message', { exact: true }).fill('hello through the proxy');
    await page.getByRole('button', { name: 'Call echo' }).click();
    await page.locator('mcp-tool-result pre[data-kind="text"]', { hasText: 'Echo: hello through the proxy' }).waitFor();
    await screenshot('service-try-it');
  });

  it('shows the log, then new lines as they are written', async () => {
    await page.getByRole('group', { name: 'Service actions' }).getByRole('link', { name: 'Logs' }).click();
    await page.waitForURL(new RegExp(`/logs\\?service=${SERVICE}$`));
    const log = page.getByRole('log', { name: 'Log lines' });
    await log.getByText('Starting default (STDIO) server...').first().waitFor();

    // A restart made elsewhere writes new lines; they arrive without reloading the page.
    const restarted = await api('POST', `/services/${SERVICE}/restart`);
    await log.getByText(`started, pid ${restarted.pid}`).waitFor();
    await screenshot('logs');
  });

  it('keeps the services list current without reloading', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Services' }).click();
    const row = page.locator(`tr[data-service="${SERVICE}"]`);
    await expectStatus('running', row);

    await api('POST', `/services/${SERVICE}/stop`);
    await expectStatus('stopped', row);
    await api('POST', `/services/${SERVICE}/start`);
    await expectStatus('running', row);
    await screenshot('services');
  });

  it('shows the service with its figures on the dashboard', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Dashboard' }).click();
    const row = page.locator(`tr[data-service="${SERVICE}"]`);
    await row.getByRole('img', { name: 'running' }).waitFor();
    await row.locator('td').nth(4).filter({ hasText: /MiB$/ }).waitFor();
    await screenshot('dashboard');
  });

  it('charts the service on the metrics page', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Metrics' }).click();
    await page.waitForURL(/\/charts/);
    // The stored history opens first (the server writes a point a minute); live samples are a range of their own.
    await page.getByTestId('metrics-status').waitFor();
    await page.getByTestId('metrics-range').click();
    await page.getByRole('option', { name: 'Live (while open)' }).click();
    await page.waitForURL(/range=live/);
    await page
      .getByRole('status')
      .filter({ hasText: /\d+ samples?/ })
      .waitFor();
    expect(await page.locator('mcp-metrics-chart canvas').count()).toBe(5);
    await page.getByText(/now \d+(\.\d)? MiB/).waitFor();
    await screenshot('metrics');
  });

  it('stops and deletes it after confirmation', async () => {
    await page.goto(`${gateway.frontendUrl}/services/${SERVICE}`);
    await expectStatus('running');
    await page.getByRole('group', { name: 'Service actions' }).getByRole('button', { name: 'Stop', exact: true }).click();
    await expectStatus('stopped');

    await page.getByRole('group', { name: 'Service actions' }).getByRole('button', { name: 'Delete' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText(`Delete ${SERVICE}?`).waitFor();
    await dialog.getByRole('button', { name: 'Delete' }).click();

    await page.waitForURL(/\/services$/);
    await page.getByRole('heading', { name: 'No services yet' }).waitFor();
    const response = await fetch(`${gateway.backendUrl}/api/services/${SERVICE}`, { headers: { 'X-API-Key': gateway.apiKey } });
    expect(response.status).toBe(404);
  });

  it('ran without uncaught errors or Content-Security-Policy violations in the page', () => {
    expect(watched.pageErrors).toEqual([]);
    expect(watched.cspViolations).toEqual([]);
  });
});
