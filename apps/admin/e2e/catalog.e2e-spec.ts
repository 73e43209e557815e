import { mkdirSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, signIn, watchPage } from './support/browser';
import { Gateway, WORKSPACE_ROOT, startGateway, stopGatewayKeepingLog } from './support/gateway-process';

const GATEWAY_LOG = join(WORKSPACE_ROOT, 'tmp/e2e/catalog-gateway.log');
const SCREENSHOTS = join(WORKSPACE_ROOT, 'tmp/screenshots');
const EVERYTHING = 'io.github.modelcontextprotocol/server-everything';
const SECRET = 'browser-secret-token-4321';

/**
 * The Catalog page against the built gateway and a loopback registry: search and "Load more" over the
 * registry's cursor, an image marked not installable, the install dialog (Install stays off until the
 * required secret is entered, in a masked field), then "update available" with Update and Rollback.
 */
describe('the MCP Registry catalog in a real browser', () => {
  let registry: Server;
  let records: Record<string, unknown>[];
  let gateway: Gateway;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let watched: ReturnType<typeof watchPage>;

  beforeAll(async () => {
    records = [everything('1.0.0'), image()];
    for (let index = 0; index < 24; index++) records.push(filler(index));
    registry = await serveRegistry(() => records);
    gateway = await startGateway({
      REGISTRY_URL: `http://127.0.0.1:${(registry.address() as AddressInfo).port}`,
      REGISTRY_CACHE_TTL_SEC: '0',
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
    if (gateway) await stopGatewayKeepingLog(gateway, GATEWAY_LOG);
    registry?.closeAllConnections();
    await new Promise((resolve) => registry?.close(resolve));
  });

  const cards = () => page.locator('[data-testid="catalog-card"]');

  it('lists the registry page by page and searches it', async () => {
    await signIn(page, gateway);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Catalog' }).click();
    await page.getByRole('heading', { name: 'Catalog', level: 1 }).waitFor();
    await cards().nth(19).waitFor();
    expect(await cards().count()).toBe(20);
    await page.getByTestId('catalog-more').click();
    await cards().nth(25).waitFor();
    expect(await page.getByTestId('catalog-more').count()).toBe(0);

    await page.getByTestId('catalog-search').fill('image-tools');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="catalog-card"]').length === 1);
    await cards().first().getByText('Not installable here: no container engine is reachable here').waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'catalog.png'), fullPage: true });
  });

  it('installs an entry: required secret enforced and masked, the service created pinned', async () => {
    await page.getByTestId('catalog-search').fill('server-everything');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="catalog-card"]').length === 1);
    await cards().first().getByTestId('catalog-install').click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('Runs npx -y @modelcontextprotocol/server-everything@2026.8.31 stdio').waitFor();
    const confirm = dialog.getByTestId('install-confirm');
    expect(await confirm.isDisabled()).toBe(true);
    await dialog.getByText('Still needed: EVERYTHING_TOKEN').waitFor();
    const secret = dialog.locator('[data-field="env.EVERYTHING_TOKEN"]');
    expect(await secret.getAttribute('type')).toBe('password');
    await secret.fill(SECRET);
    const start = dialog.getByRole('checkbox', { name: 'Start it after installing' });
    await start.uncheck();
    expect(await start.isChecked()).toBe(false);
    await page.screenshot({ path: join(SCREENSHOTS, 'catalog-install.png') });
    await confirm.click();
    await page.getByText('Installed io.github.modelcontextprotocol/server-everything 1.0.0 as "server-everything".').waitFor();
    await page.getByTestId('installed-service').filter({ hasText: 'server-everything' }).waitFor();

    const service = await api<{ status: string; process: { command: string; args: string[] }; environment: Record<string, string> }>(
      '/services/server-everything',
    );
    expect(service.status).toBe('stopped');
    expect(service.process).toMatchObject({ command: 'npx', args: ['-y', '@modelcontextprotocol/server-everything@2026.8.31', 'stdio'] });
    expect(service.environment).toEqual({ EVERYTHING_TOKEN: '********' });
    expect(await page.content()).not.toContain(SECRET);
  });

  it('shows update available once the registry has a newer version; Update, then Rollback', async () => {
    const current = records.find((record) => (record as { server: { name: string } }).server.name === EVERYTHING) as Meta;
    current._meta['io.modelcontextprotocol.registry/official'].isLatest = false;
    records.push(everything('1.1.0'));
    await page.reload();
    const installed = page.getByTestId('installed-service').filter({ hasText: 'server-everything' });
    await installed.getByText('update available: 1.1.0').waitFor();
    await installed.getByRole('button', { name: 'Update to 1.1.0' }).click();
    await page.getByText('Updated "server-everything" to 1.1.0.').waitFor();
    await installed.getByRole('button', { name: 'Roll back to 1.0.0' }).click();
    await page.getByText('"server-everything" is back on 1.0.0.').waitFor();
    await installed.getByText('update available: 1.1.0').waitFor();
    expect(watched.pageErrors).toEqual([]);
    expect(watched.cspViolations).toEqual([]);
  });

  async function api<T>(path: string): Promise<T> {
    const response = await fetch(`${gateway.backendUrl}/api${path}`, { headers: { 'X-API-Key': gateway.apiKey } });
    if (!response.ok) throw new Error(`GET ${path}: HTTP ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  }
});

type Meta = { _meta: Record<string, { isLatest: boolean }> };

function wrap(server: Record<string, unknown>): Record<string, unknown> {
  return { server, _meta: { 'io.modelcontextprotocol.registry/official': { status: 'active', isLatest: true } } };
}

function everything(version: string): Record<string, unknown> {
  return wrap({
    name: EVERYTHING,
    description: 'MCP server that exercises all the features of the MCP protocol',
    version,
    packages: [
      {
        registryType: 'npm',
        identifier: '@modelcontextprotocol/server-everything',
        version: '2026.8.31',
        transport: { type: 'stdio' },
        packageArguments: [{ type: 'positional', value: 'stdio' }],
        environmentVariables: [{ name: 'EVERYTHING_TOKEN', description: 'A token', isRequired: true, isSecret: true }],
      },
    ],
  });
}

function image(): Record<string, unknown> {
  return wrap({
    name: 'io.github.example/image-tools',
    description: 'Tools packaged as a container image',
    version: '2.0.0',
    packages: [{ registryType: 'oci', identifier: 'ghcr.io/example/image-tools:2.0.0', transport: { type: 'stdio' } }],
  });
}

function filler(index: number): Record<string, unknown> {
  const number = String(index).padStart(2, '0');
  return wrap({
    name: `com.example/filler-${number}`,
    description: `Filler ${number}`,
    version: '1.0.0',
    packages: [{ registryType: 'npm', identifier: `@example/filler-${number}`, version: '1.0.0', transport: { type: 'stdio' } }],
  });
}

/** `/v0.1/servers` (latest versions, search, a cursor that is the next index) and `/v0.1/servers/<name>/versions/<v>`. */
async function serveRegistry(current: () => Record<string, unknown>[]): Promise<Server> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://registry.invalid');
    const send = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    const latest = current().filter((record) => (record as Meta)._meta['io.modelcontextprotocol.registry/official'].isLatest);
    const named = (record: Record<string, unknown>) => record['server'] as { name: string; version: string; description: string };
    if (url.pathname === '/v0.1/servers') {
      const search = (url.searchParams.get('search') ?? '').toLowerCase();
      const matching = latest.filter((record) => `${named(record).name} ${named(record).description}`.toLowerCase().includes(search));
      const start = Number(url.searchParams.get('cursor') ?? 0);
      const limit = Number(url.searchParams.get('limit') ?? 30);
      const next = start + limit < matching.length ? String(start + limit) : undefined;
      return send(200, { servers: matching.slice(start, start + limit), metadata: { count: limit, nextCursor: next } });
    }
    const match = /^\/v0\.1\/servers\/([^/]+)\/versions\/([^/]+)$/.exec(url.pathname);
    const name = match ? decodeURIComponent(match[1]) : '';
    const version = match ? decodeURIComponent(match[2]) : '';
    const found = (version === 'latest' ? latest : current()).find(
      (record) => named(record).name === name && (version === 'latest' || named(record).version === version),
    );
    return found ? send(200, found) : send(404, { detail: 'Server not found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}
