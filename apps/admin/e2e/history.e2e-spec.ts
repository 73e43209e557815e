import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { MetricsHistoryView, ServiceEventPageView } from '@mcp-proxy/shared/dto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, signIn, watchPage } from './support/browser';
import { Gateway, WORKSPACE_ROOT, startGateway, stopGatewayKeepingLog } from './support/gateway-process';

const GATEWAY_LOG = join(WORKSPACE_ROOT, 'tmp/e2e/history-gateway.log');
const SCREENSHOTS = join(WORKSPACE_ROOT, 'tmp/screenshots');
const SERVER_EVERYTHING = join(WORKSPACE_ROOT, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js');
const STEADY = 'steady-everything';
const CRASHING = 'crashing-svc';
// The server writes its first history point at the end of the first whole minute: up to two minutes here.
jest.setTimeout(240_000);

/** Polls (bounded) until `check` returns something truthy. */
async function until<T>(check: () => Promise<T | null | undefined | false>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await check().catch(() => null);
    if (value) return value;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/**
 * What the portal shows of the past comes from the server, so a reload shows it again: the metrics charts open
 * on the last hour the gateway kept, the dashboard lists the events it kept, and says `Degraded` with the reason
 * when a service crashed.
 */
describe('history and health in a real browser', () => {
  let gateway: Gateway;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let watched: ReturnType<typeof watchPage>;

  async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${gateway.backendUrl}/api${path}`, {
      method,
      headers: { 'X-API-Key': gateway.apiKey, ...(body ? { 'Content-Type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  }

  async function statusOf(name: string): Promise<string> {
    return (await api<{ status: string }>('GET', `/services/${name}`)).status;
  }

  beforeAll(async () => {
    gateway = await startGateway({ PROCESS_STOP_GRACE_SEC: '2' });
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    context.setDefaultTimeout(20_000);
    page = await context.newPage();
    watched = watchPage(page);
    mkdirSync(SCREENSHOTS, { recursive: true });
    await api('POST', '/services', {
      name: STEADY,
      process: { command: process.execPath, args: [SERVER_EVERYTHING, 'stdio'] },
      start: true,
    });
    await until(async () => (await statusOf(STEADY)) === 'running', 60_000, `${STEADY} running`);
    await signIn(page, gateway);
  }, 120_000);

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    if (gateway) await stopGatewayKeepingLog(gateway, GATEWAY_LOG);
  });

  it('opens the metrics charts on the last hour the server kept, and shows it again after a reload', async () => {
    // The gateway flushes a minute's figures (CPU and memory samples of the running service) once a minute.
    await until(
      async () => {
        const view = await api<MetricsHistoryView>('GET', `/metrics/history?service=${STEADY}&range=hour`);
        return (view.services[0]?.points.length ?? 0) > 0;
      },
      150_000,
      'the first stored history point',
    );
    await page.goto(`${gateway.frontendUrl}/charts?service=${STEADY}`);
    const status = page.getByTestId('metrics-status');
    await status.filter({ hasText: /\d+ points? over the last hour/ }).waitFor();
    expect(await page.locator('mcp-metrics-chart canvas').count()).toBe(5);
    await page.getByText(/latest \d+(\.\d)? MiB/).waitFor();

    await page.reload();
    await status.filter({ hasText: /\d+ points? over the last hour/ }).waitFor();
    await page.getByText(/latest \d+(\.\d)? MiB/).waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'metrics-history.png'), fullPage: true });

    await page.getByTestId('metrics-range').click();
    await page.getByRole('option', { name: 'Last 24 hours' }).click();
    await page.waitForURL(/range=day/);
    await status.filter({ hasText: /over the last 24 hours/ }).waitFor();
  });

  it('says Degraded with the reason when a service crashed, and lists the events the server kept after a reload', async () => {
    await page.goto(`${gateway.frontendUrl}/dashboard`);
    await page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();
    await api('POST', '/services', {
      name: CRASHING,
      process: { command: process.execPath, args: ['-e', 'process.exit(3)'], maxRestarts: 1 },
      start: true,
    });
    await until(async () => (await statusOf(CRASHING)) === 'crashed', 60_000, `${CRASHING} crashed`);

    const banner = page.locator('.health-problems');
    await banner.filter({ hasText: new RegExp(`Service ${CRASHING} crashed: .*exited with code 3`) }).waitFor();
    await page
      .locator('.stat')
      .filter({ has: page.getByRole('heading', { name: 'Status' }) })
      .getByText('Degraded')
      .waitFor();
    await page.getByTestId('gateway-health').filter({ hasText: 'Degraded' }).waitFor();

    await until(
      async () =>
        (await api<ServiceEventPageView>('GET', '/events')).items.some((item) => item.serviceName === CRASHING && item.kind === 'crashed'),
      30_000,
      'the crash event stored',
    );
    await page.reload();
    const events = page.getByRole('list', { name: 'Recent events' });
    await events.locator('li[data-kind="crashed"]').filter({ hasText: CRASHING }).waitFor();
    await events.locator('li[data-kind="running"]').filter({ hasText: STEADY }).waitFor();
    await banner.filter({ hasText: CRASHING }).waitFor();
    expect(await page.getByTestId('gateway-health').textContent()).toContain('Degraded');
    await page.screenshot({ path: join(SCREENSHOTS, 'dashboard-degraded.png'), fullPage: true });
  });

  it('ran without uncaught errors or Content-Security-Policy violations in the page', () => {
    expect(watched.pageErrors).toEqual([]);
    expect(watched.cspViolations).toEqual([]);
  });
});
