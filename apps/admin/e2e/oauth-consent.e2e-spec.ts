import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, watchPage } from './support/browser';
import { Gateway, WORKSPACE_ROOT, startGateway, stopGatewayKeepingLog } from './support/gateway-process';

const GATEWAY_LOG = join(WORKSPACE_ROOT, 'tmp/e2e/oauth-consent-gateway.log');
const SERVER_EVERYTHING = join(WORKSPACE_ROOT, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js');
const REDIRECT_URI = 'http://127.0.0.1:9/callback';

/**
 * The owner's side of an OAuth connection, in a real browser: the client's authorization URL leads
 * to sign-in, then to the consent screen; approving only `echo` sends the browser back with a code
 * whose token sees only `echo`.
 */
describe('OAuth consent screen in a real browser', () => {
  let gateway: Gateway;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let watched: ReturnType<typeof watchPage>;

  const admin = (path: string, body: unknown) =>
    fetch(`${gateway.backendUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': gateway.apiKey },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    gateway = await startGateway();
    browser = await launchChromium();
    context = await browser.newContext();
    context.setDefaultTimeout(20_000);
    page = await context.newPage();
    watched = watchPage(page);
    const created = await admin('/api/services', {
      name: 'remote',
      process: { command: process.execPath, args: [SERVER_EVERYTHING, 'stdio'] },
      proxy: { rateLimit: 0, auth: 'oauth' },
      start: true,
    });
    expect(created.status).toBe(201);
  }, 60_000);

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    if (gateway) {
      await stopGatewayKeepingLog(gateway, GATEWAY_LOG);
    }
  });

  it('signs the owner in, shows who asks for what, and returns the approved client with a code limited to echo', async () => {
    const registered = await fetch(`${gateway.backendUrl}/oauth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_name: 'Browser e2e client', redirect_uris: [REDIRECT_URI] }),
    });
    const { client_id: clientId } = (await registered.json()) as { client_id: string };
    const verifier = randomBytes(32).toString('base64url');
    const resource = `${gateway.backendUrl}/mcp/remote`;
    const authorize = new URL(`${gateway.backendUrl}/oauth/authorize`);
    for (const [name, value] of Object.entries({
      response_type: 'code',
      client_id: clientId,
      redirect_uri: REDIRECT_URI,
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
      resource,
      state: 'browser-state',
    })) {
      authorize.searchParams.set(name, value);
    }
    // The client's own page, where the browser lands at the end (nothing listens on port 9).
    let landed: URL | null = null;
    await page.route('http://127.0.0.1:9/**', (route) => {
      landed = new URL(route.request().url());
      return route.fulfill({ status: 200, contentType: 'text/html', body: '<p>client callback</p>' });
    });

    await page.goto(authorize.toString());
    await page.waitForURL(/\/login\?returnUrl=%2Fconsent%2F/);
    await page.getByLabel('API key', { exact: true }).fill(gateway.apiKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/consent\/[0-9a-f-]{36}$/);
    await page.getByRole('heading', { name: 'Browser e2e client wants to use remote' }).waitFor();
    expect(await page.getByText(REDIRECT_URI, { exact: true }).count()).toBe(1);

    await page.getByText('Only these tools').click();
    await page.getByLabel('Tools', { exact: true }).fill('echo');
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.waitForURL(/^http:\/\/127\.0\.0\.1:9\/callback/);
    const back = landed as URL | null;
    expect(back?.searchParams.get('state')).toBe('browser-state');

    const token = await fetch(`${gateway.backendUrl}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: back?.searchParams.get('code') ?? '',
        client_id: clientId,
        redirect_uri: REDIRECT_URI,
        code_verifier: verifier,
      }),
    });
    expect(token.status).toBe(200);
    const { access_token: accessToken } = (await token.json()) as { access_token: string };
    const listed = await fetch(resource, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${accessToken}` },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(((await listed.json()) as { result: { tools: { name: string }[] } }).result.tools.map((tool) => tool.name)).toEqual(['echo']);

    // The grant is on the Access page, and nothing went wrong in the page meanwhile.
    await page.goto(`${gateway.backendUrl}/access`);
    await page.getByRole('heading', { name: 'OAuth grants' }).waitFor();
    await page.getByRole('cell', { name: 'Browser e2e client', exact: true }).waitFor();
    expect(watched.pageErrors).toEqual([]);
    expect(watched.cspViolations).toEqual([]);
  }, 90_000);
});
