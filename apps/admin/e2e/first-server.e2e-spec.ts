import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, signIn, watchPage } from './support/browser';
import { Gateway, WORKSPACE_ROOT, startGateway, stopGatewayKeepingLog } from './support/gateway-process';

const GATEWAY_LOG = join(WORKSPACE_ROOT, 'tmp/e2e/first-server-gateway.log');
const SCREENSHOTS = join(WORKSPACE_ROOT, 'tmp/screenshots');
const SERVER_EVERYTHING = join(WORKSPACE_ROOT, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js');
const SECRET = 'pasted-secret-value-5512';
jest.setTimeout(180_000);

/**
 * The first ten minutes of a new user, in a real browser: from the empty dashboard to a template's
 * service answering a tool call in Try it; a pasted Claude Desktop / VS Code config previewed (values
 * masked) and created in one click, answering too; and a client token made on the Connect tab that
 * the official SDK client then uses to list the tools it is limited to.
 */
describe('the first server, in a real browser', () => {
  let gateway: Gateway;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let watched: ReturnType<typeof watchPage>;

  beforeAll(async () => {
    gateway = await startGateway();
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    context.setDefaultTimeout(20_000);
    page = await context.newPage();
    watched = watchPage(page);
    mkdirSync(SCREENSHOTS, { recursive: true });
  }, 60_000);

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    if (gateway) await stopGatewayKeepingLog(gateway, GATEWAY_LOG);
  });

  const screenshot = (name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });

  /** On a service page: the Try it tab calls echo and shows the answer. */
  async function echoInTryIt(message: string): Promise<void> {
    await page.getByRole('tab', { name: 'Try it' }).click();
    const connect = page.getByRole('button', { name: 'Connect', exact: true });
    const connected = page.getByText(/Connected to .* · protocol /);
    await connect.or(connected).first().waitFor({ timeout: 60_000 });
    if (await connect.isVisible()) await connect.click();
    await connected.waitFor({ timeout: 60_000 });
    await page.getByRole('navigation', { name: 'Tools' }).getByRole('button', { name: /^echo/ }).click();
    await page.getByLabel('message', { exact: true }).fill(message);
    await page.getByRole('button', { name: 'Call echo' }).click();
    await page.locator('mcp-tool-result pre[data-kind="text"]', { hasText: `Echo: ${message}` }).waitFor({ timeout: 60_000 });
  }

  /** The service page's status chip shows `running` (the first start may fetch nothing but takes a while). */
  async function waitRunning(): Promise<void> {
    await page
      .locator('mcp-status-chip .chip')
      .first()
      .filter({ hasText: /^\s*running\s*$/ })
      .waitFor({ timeout: 90_000 });
  }

  it('leads from the empty dashboard to the template gallery', async () => {
    await signIn(page, gateway);
    await page.getByRole('link', { name: 'Add your first server' }).click();
    await page.getByRole('heading', { name: 'Ready templates' }).waitFor();
    await page.getByTestId('template-card').nth(6).waitFor();
    const ids = await page.getByTestId('template-card').evaluateAll((cards) => cards.map((card) => card.getAttribute('data-template')));
    expect(ids).toEqual(expect.arrayContaining(['everything', 'filesystem', 'memory', 'fetch', 'git', 'sequential-thinking', 'time']));
    await screenshot('first-server-templates');
  });

  it('fills a template (a field per variable, start on by default) and calls a tool in Try it', async () => {
    await page.getByRole('button', { name: 'Use the Filesystem template' }).click();
    let dialog = page.getByRole('dialog');
    await dialog.getByLabel('Allowed directory').fill('/srv/shared');
    await dialog.getByTestId('template-command').filter({ hasText: 'server-filesystem /srv/shared' }).waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });

    await page.getByRole('button', { name: 'Use the Everything (test server) template' }).click();
    dialog = page.getByRole('dialog');
    expect(await dialog.getByRole('checkbox', { name: 'Start after creating' }).isChecked()).toBe(true);
    await dialog.getByText('Advanced').click();
    // Inside the workspace, npx finds the package in node_modules: no registry needed.
    await dialog.getByLabel('Working directory').fill(WORKSPACE_ROOT);
    await dialog.getByRole('button', { name: 'Create service' }).click();
    await page.getByRole('heading', { name: 'everything', level: 1 }).waitFor();
    await waitRunning();
    await echoInTryIt('from a template');
    await screenshot('first-server-template-try-it');
  });

  it('previews a pasted client config with values masked and creates it in one click', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Catalog' }).click();
    await page.getByRole('button', { name: 'Paste a client config' }).click();
    const dialog = page.getByRole('dialog');
    const config = `{
  // VS Code allows comments
  "inputs": [{ "type": "promptString", "id": "demo-token", "description": "Demo token", "password": true }],
  "servers": {
    "Pasted Everything": { "type": "stdio", "command": ${JSON.stringify(process.execPath)}, "args": [${JSON.stringify(SERVER_EVERYTHING)}, "stdio"], "env": { "DEMO_TOKEN": "\${input:demo-token}", "OTHER": "${SECRET}" } }
  }
}`;
    await dialog.getByTestId('client-config').fill(config);
    await dialog.getByRole('button', { name: 'Preview' }).click();
    const entry = dialog.getByTestId('import-entry');
    await entry.getByText('pasted-everything').waitFor();
    await entry.getByText('DEMO_TOKEN = ********').waitFor();
    expect(await dialog.textContent()).not.toContain(SECRET);
    expect(await dialog.getByTestId('import-create').isDisabled()).toBe(true);
    await dialog.getByLabel('Demo token').fill('typed-in-value');
    await screenshot('first-server-paste-preview');
    await dialog.getByTestId('import-create').click();
    await page.getByRole('heading', { name: 'pasted-everything', level: 1 }).waitFor();
    await waitRunning();
    await echoInTryIt('from a pasted config');
  });

  it('creates a client token on the Connect tab that the SDK client then uses', async () => {
    await page.getByRole('tab', { name: 'Connect' }).click();
    const form = page.getByRole('form', { name: 'Create a token for this client' });
    await form.getByLabel('Label').fill('sdk client');
    await form.getByLabel('Limit to tools').fill('echo');
    await form.getByRole('button', { name: 'Create a token for this client' }).click();
    const token = ((await page.locator('pre[aria-label="Client token"]').textContent()) ?? '').trim();
    expect(token).toMatch(/^mcpt_/);
    await page.getByRole('button', { name: 'Copy Client token' }).waitFor();
    await page.getByRole('tab', { name: 'Claude Code' }).click();
    const command = (await page.locator('pre[aria-label="Claude Code configuration"]').textContent()) ?? '';
    const url = `${gateway.frontendUrl}/mcp/pasted-everything`;
    expect(command.trim()).toBe(`claude mcp add --transport http pasted-everything ${url} --header "Authorization: Bearer ${token}"`);
    expect(await page.getByText('admin API key').count()).toBe(0);
    await screenshot('first-server-connect-token');

    const client = new Client({ name: 'first-server-e2e', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }),
    );
    try {
      expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual(['echo']);
    } finally {
      await client.close();
    }
  });

  it('Try it connects on its own, shows real progress, and answers elicitation, sampling and roots', async () => {
    await page.getByRole('tab', { name: 'Overview' }).click();
    await page.getByRole('tab', { name: 'Try it' }).click();
    await page.getByText(/Connected to .* · protocol /).waitFor({ timeout: 60_000 });
    const tools = page.getByRole('navigation', { name: 'Tools' });

    await tools.getByRole('button', { name: /^trigger-long-running-operation/ }).click();
    await page.getByLabel('duration', { exact: true }).fill('4');
    await page.getByLabel('steps', { exact: true }).fill('4');
    await page.getByRole('button', { name: 'Call trigger-long-running-operation' }).click();
    const bar = page.getByRole('progressbar', { name: 'Progress of the tool' });
    await bar.waitFor({ timeout: 30_000 });
    expect(Number(await bar.getAttribute('aria-valuenow'))).toBeGreaterThan(0);
    await page.getByText(/Progress \d of 4/).waitFor();
    await page.locator('mcp-tool-result', { hasText: 'Long running operation completed' }).waitFor({ timeout: 60_000 });

    await tools.getByRole('button', { name: /^trigger-elicitation-request / }).click();
    await page.getByRole('button', { name: 'Call trigger-elicitation-request' }).click();
    const asked = page.getByRole('region', { name: 'The server asks you for input' });
    await asked.getByLabel('String', { exact: true }).fill('Ada Lovelace');
    await screenshot('first-server-try-it-elicitation');
    await asked.getByRole('button', { name: 'Accept' }).click();
    await page.locator('mcp-tool-result', { hasText: 'User provided the requested information' }).waitFor({ timeout: 60_000 });
    await page.locator('mcp-tool-result', { hasText: 'Ada Lovelace' }).waitFor();

    await tools.getByRole('button', { name: /^trigger-sampling-request / }).click();
    await page.getByLabel('prompt', { exact: true }).fill('Say hello');
    await page.getByRole('button', { name: 'Call trigger-sampling-request' }).click();
    const sampling = page.getByRole('region', { name: 'The server asks the model (you) for a reply' });
    await sampling.getByText('Say hello').waitFor();
    await sampling.getByLabel('Your reply, as the model').fill('Hello from a person');
    await sampling.getByRole('button', { name: 'Send reply' }).click();
    await page.locator('mcp-tool-result', { hasText: 'Hello from a person' }).waitFor({ timeout: 60_000 });

    await tools.getByRole('button', { name: /^get-roots-list/ }).click();
    await page.getByRole('button', { name: 'Call get-roots-list' }).click();
    await page.locator('mcp-tool-result').waitFor({ timeout: 60_000 });
    expect(await page.locator('mcp-tool-result').textContent()).not.toContain('-32601');
  });

  it('a group has Try it too', async () => {
    const created = await fetch(`${gateway.backendUrl}/api/groups`, {
      method: 'POST',
      headers: { 'X-API-Key': gateway.apiKey, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'starter', members: [{ service: 'pasted-everything' }] }),
    });
    expect(created.status).toBe(201);
    await page.goto(`${gateway.frontendUrl}/groups/starter`);
    await page.getByRole('tab', { name: 'Try it' }).click();
    await page.getByText(/Connected to .* · protocol /).waitFor({ timeout: 60_000 });
    await page.getByRole('navigation', { name: 'Tools' }).getByRole('button', { name: /echo/ }).first().click();
    await page.getByLabel('message', { exact: true }).fill('from a group');
    await page.getByRole('button', { name: /^Call .*echo$/ }).click();
    await page.locator('mcp-tool-result pre[data-kind="text"]', { hasText: 'Echo: from a group' }).waitFor({ timeout: 60_000 });
  });

  it('raised no page error', () => {
    expect(watched.pageErrors).toEqual([]);
    expect(watched.cspViolations).toEqual([]);
  });
});
