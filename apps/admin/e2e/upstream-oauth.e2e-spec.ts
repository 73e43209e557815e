import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, watchPage } from './support/browser';
import { Gateway, WORKSPACE_ROOT, startGateway, stopGatewayKeepingLog } from './support/gateway-process';
import { seriousFindings } from './support/look';

const GATEWAY_LOG = join(WORKSPACE_ROOT, 'tmp/e2e/upstream-oauth-gateway.log');
/** The API tests' remote that needs OAuth: oidc-provider as its authorization server, an SDK McpServer with `whoami`. */
const UPSTREAM = join(WORKSPACE_ROOT, 'apps/api/test/fixtures/oauth-upstream.mjs');

/**
 * "Connect your account" in a real browser: the service page of a remote with upstream OAuth, the remote's
 * authorization server's sign-in, the way back to the page showing who is connected, and MCP calls carrying
 * that account; then Disconnect.
 */
describe('Upstream OAuth in a real browser', () => {
  let upstreamChild: ChildProcess;
  let upstream: { issuer: string; mcpUrl: string; staticClientId: string; staticClientSecret: string };
  let gateway: Gateway;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let watched: ReturnType<typeof watchPage>;

  const whoami = async (): Promise<string> => {
    const answer = await fetch(`${gateway.backendUrl}/mcp/notes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${gateway.apiKey}` },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'whoami', arguments: {} } }),
    });
    const body = (await answer.json()) as { result?: { content: { text: string }[] }; error?: { message: string } };
    return body.result?.content[0]?.text ?? body.error?.message ?? '';
  };

  beforeAll(async () => {
    upstreamChild = spawn(process.execPath, ['--no-warnings', UPSTREAM], {
      env: { PATH: process.env['PATH'] ?? '', ACCESS_TOKEN_TTL: '3600' },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    upstream = await new Promise((resolve) =>
      createInterface({ input: upstreamChild.stdout as NodeJS.ReadableStream }).once('line', (line) => resolve(JSON.parse(line))),
    );
    expect((await fetch(`${upstream.issuer}/_test/accounts/browser-upstream`, { method: 'POST' })).status).toBe(204);
    gateway = await startGateway();
    browser = await launchChromium();
    context = await browser.newContext();
    context.setDefaultTimeout(20_000);
    page = await context.newPage();
    watched = watchPage(page);
    await page.goto(`${gateway.backendUrl}/login`);
    await page.getByLabel('API key', { exact: true }).fill(gateway.apiKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/dashboard$/);
    const created = await fetch(`${gateway.backendUrl}/api/services`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': gateway.apiKey },
      body: JSON.stringify({
        name: 'notes',
        transport: 'remote',
        remote: { url: upstream.mcpUrl, auth: 'oauth', oauth: { connection: 'perUser' } },
        start: true,
      }),
    });
    expect(created.status).toBe(201);
  }, 60_000);

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    if (gateway) await stopGatewayKeepingLog(gateway, GATEWAY_LOG);
    upstreamChild?.kill('SIGTERM');
  });

  it('connects the account from the service page, shows it, and calls carry it until Disconnect', async () => {
    expect(await whoami()).toContain('connect it at');
    await page.goto(`${gateway.backendUrl}/services/notes`);
    await page.getByText('Not connected: calls ask you to connect your own account first.').waitFor();

    await page.getByRole('button', { name: 'Connect your account' }).click();
    await page.waitForURL((url) => url.origin === upstream.issuer);
    await page.getByLabel('Account').fill('browser-upstream');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(/\/services\/[0-9a-f-]{36}\?upstreamOAuth=connected$/);
    await page.getByText('Connected as browser-upstream').waitFor();
    expect(await whoami()).toBe('browser-upstream');

    await page.getByRole('button', { name: 'Disconnect' }).click();
    await page.getByText('Not connected: calls ask you to connect your own account first.').waitFor();
    expect(await whoami()).toContain('connect it at');
    expect(watched.pageErrors).toEqual([]);
    expect(watched.cspViolations).toEqual([]);
  }, 90_000);

  it('sets up an OAuth remote in the service form: shared, a pre-registered client, its secret write-only', async () => {
    await page.goto(`${gateway.backendUrl}/services/new`);
    await page.getByRole('heading', { name: 'New service' }).waitFor();
    await page.getByLabel('Name', { exact: true }).fill('notes-shared');
    await page.getByRole('combobox', { name: 'Transport' }).click();
    await page.getByRole('option', { name: 'remote' }).click();
    await page.getByLabel('URL', { exact: true }).fill(upstream.mcpUrl);
    await page.getByRole('combobox', { name: 'Sign-in at the server' }).click();
    await page.getByRole('option', { name: 'OAuth: sign in at the server' }).click();
    await page.getByRole('combobox', { name: 'Whose account' }).click();
    await page.getByRole('option', { name: /^Shared/ }).click();
    await page.getByLabel('Client ID (pre-registered)').fill(upstream.staticClientId);
    await page.getByLabel('Client secret').fill(upstream.staticClientSecret);
    await page.getByLabel('Scopes').fill('openid mcp:tools');
    expect(await seriousFindings(page)).toEqual([]);
    await page.getByRole('button', { name: 'Create service' }).click();
    await page.waitForURL(/\/services\/notes-shared$/);

    const view = (await (
      await fetch(`${gateway.backendUrl}/api/services/notes-shared`, { headers: { 'x-api-key': gateway.apiKey } })
    ).json()) as { remote: { auth: string; oauth: Record<string, unknown> } };
    expect(view.remote.auth).toBe('oauth');
    expect(view.remote.oauth).toEqual({
      connection: 'shared',
      clientId: upstream.staticClientId,
      clientSecret: '********',
      scopes: ['openid', 'mcp:tools'],
    });

    // Editing shows the client, never its secret (not even masked in a field), and says it is kept.
    await page.goto(`${gateway.backendUrl}/services/notes-shared/edit`);
    await page.getByRole('heading', { name: 'Edit notes-shared' }).waitFor();
    expect(await page.getByLabel('Client ID (pre-registered)').inputValue()).toBe(upstream.staticClientId);
    expect(await page.getByLabel('Client secret').inputValue()).toBe('');
    await page.getByText('Stored and never shown').waitFor();
    expect(await page.content()).not.toContain(upstream.staticClientSecret);
    expect(await seriousFindings(page)).toEqual([]);
    expect(watched.pageErrors).toEqual([]);
    expect(watched.cspViolations).toEqual([]);
  }, 90_000);
});
