import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, signIn, watchPage } from './support/browser';
import { Gateway, WORKSPACE_ROOT, startGateway, stopGatewayKeepingLog } from './support/gateway-process';

const GATEWAY_LOG = join(WORKSPACE_ROOT, 'tmp/e2e/call-history-gateway.log');
const SCREENSHOTS = join(WORKSPACE_ROOT, 'tmp/screenshots');
const SERVER_EVERYTHING = join(WORKSPACE_ROOT, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js');
const SECRET = 'history-secret-4242';

/** Asks again until `check` holds (every 250 ms, at most 15 s). */
async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * The Call history page against the built gateway with CALL_LOG on: an admin keeps a service's payloads in its
 * form, a real MCP client calls it, and the page lists the call, opens it with its arguments redacted, shows the
 * tool's figures and exports what it lists.
 */
describe('call history, in a real browser', () => {
  let gateway: Gateway;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let watched: ReturnType<typeof watchPage>;

  async function api(method: string, path: string, body?: unknown): Promise<unknown> {
    const response = await fetch(`${gateway.backendUrl}${path}`, {
      method,
      headers: { 'X-API-Key': gateway.apiKey, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status} ${await response.text()}`);
    return response.json();
  }

  beforeAll(async () => {
    gateway = await startGateway({ CALL_LOG: 'true' });
    await api('POST', '/api/services', {
      name: 'history',
      process: { command: process.execPath, args: [SERVER_EVERYTHING, 'stdio'] },
      environment: { API_TOKEN: SECRET },
      start: true,
    });
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    context.setDefaultTimeout(15_000);
    page = await context.newPage();
    watched = watchPage(page);
  });

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    if (gateway) await stopGatewayKeepingLog(gateway, GATEWAY_LOG);
  });

  it("keeps a service's arguments and results from its form", async () => {
    await signIn(page, gateway);
    await page.goto(`${gateway.frontendUrl}/services/history/edit`);
    // Call history is one of the advanced sections, collapsed until opened.
    await page.getByRole('button', { name: /^Call history/ }).click();
    await page.getByRole('switch', { name: "Store each call's arguments and result" }).click();
    await page.getByRole('button', { name: /^Save/ }).click();
    await until(
      async () => JSON.stringify(((await api('GET', '/api/services/history')) as { callLog: unknown }).callLog) === '{"payloads":true}',
      'the setting to be saved',
    );
  });

  it('lists a call made by an MCP client and opens it with its arguments redacted', async () => {
    const client = new Client({ name: 'browser-e2e-client', version: '2.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${gateway.backendUrl}/mcp/history`), {
        requestInit: { headers: { Authorization: `Bearer ${gateway.apiKey}` } },
      }),
    );
    await client.callTool({ name: 'echo', arguments: { message: `say ${SECRET} to dana@example.com` } });
    await client.close();

    await page.getByRole('link', { name: 'Call history' }).click();
    await page.getByRole('heading', { name: 'Call history', level: 1 }).waitFor();
    const open = page.getByRole('button', { name: 'Open call echo' });
    // Recorded within a moment (written in batches): reload until it shows.
    await until(async () => {
      if (await open.count()) return true;
      await page.getByRole('button', { name: 'Apply' }).click();
      return false;
    }, 'the call to be listed');
    await open.first().click();
    const detail = page.getByRole('region', { name: /tools\/call/ });
    await detail.waitFor();
    const text = (await detail.textContent()) ?? '';
    expect(text).toContain('say [REDACTED] to [REDACTED]');
    expect(text).toContain('browser-e2e-client');
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain('dana@example.com');

    const figures = page.getByRole('table', { name: 'Per-tool figures' });
    await figures.getByText('echo', { exact: true }).waitFor();
    expect(await figures.textContent()).toContain('browser-e2e-client (1)');
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOTS, 'call-history-detail.png'), fullPage: true });
  });

  it('filters by outcome and exports what it lists as CSV', async () => {
    await page.getByLabel('Service').fill('history');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByRole('button', { name: 'Open call echo' }).first().waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^calls-.*\.csv$/);
    const csv = readFileSync(await download.path(), 'utf8');
    expect(csv.split('\r\n')[0]).toContain('argumentsSha256');
    expect(csv).toContain('browser-e2e-client');
    expect(csv).not.toContain(SECRET);

    await page.getByRole('combobox', { name: 'Outcome' }).click();
    await page.getByRole('option', { name: 'timeout' }).click();
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByText('No calls match these filters.').waitFor();
    expect(watched.pageErrors).toEqual([]);
    expect(watched.cspViolations).toEqual([]);
  });
});
