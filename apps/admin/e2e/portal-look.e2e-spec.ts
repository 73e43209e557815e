import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, signIn, watchPage } from './support/browser';
import { SCREENSHOTS, overflow, screenshot, seriousFindings } from './support/look';
import { Gateway, WORKSPACE_ROOT, startGateway, stopGatewayKeepingLog } from './support/gateway-process';

const GATEWAY_LOG = join(WORKSPACE_ROOT, 'tmp/e2e/portal-look-gateway.log');
const SERVER_EVERYTHING = join(WORKSPACE_ROOT, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js');
const SERVICE = 'everything';
const GROUP = 'team';

const PHONE = { width: 390, height: 844 };
const TABLET = { width: 768, height: 1024 };
const DESKTOP = { width: 1440, height: 900 };
const THEMES = ['light', 'dark'] as const;

/** Every page of the portal, by the name its screenshots get; `heading` is its h1 once it has loaded. */
const STATIC_PAGES: readonly { name: string; path: string; heading: string | RegExp }[] = [
  { name: 'dashboard', path: '/dashboard', heading: 'Dashboard' },
  { name: 'services', path: '/services', heading: 'Services' },
  { name: 'service-new', path: '/services/new', heading: 'New service' },
  { name: 'service-detail', path: `/services/${SERVICE}`, heading: SERVICE },
  { name: 'service-connect', path: `/services/${SERVICE}?tab=connect`, heading: SERVICE },
  { name: 'service-try-it', path: `/services/${SERVICE}?tab=try-it`, heading: SERVICE },
  { name: 'service-edit', path: `/services/${SERVICE}/edit`, heading: /Edit/ },
  { name: 'catalog', path: '/catalog', heading: 'Catalog' },
  { name: 'groups', path: '/groups', heading: 'Groups' },
  { name: 'group-new', path: '/groups/new', heading: 'New group' },
  { name: 'group-detail', path: `/groups/${GROUP}`, heading: GROUP },
  { name: 'group-edit', path: `/groups/${GROUP}/edit`, heading: /Edit/ },
  { name: 'deploy', path: '/deploy', heading: /Deploy/ },
  { name: 'logs', path: '/logs', heading: 'Logs' },
  { name: 'calls', path: '/calls', heading: 'Call history' },
  { name: 'metrics', path: '/charts', heading: 'Metrics' },
  { name: 'network', path: '/network', heading: 'Network' },
  { name: 'certificates', path: '/certificates', heading: 'Certificates' },
  { name: 'access', path: '/access', heading: 'Access' },
  { name: 'settings', path: '/settings', heading: 'Settings' },
  { name: 'account', path: '/account', heading: 'Account' },
  { name: 'users', path: '/users', heading: 'Users' },
  { name: 'audit', path: '/audit', heading: 'Audit log' },
];
const ONLY = process.env['LOOK_PAGES']?.split(',');

/**
 * How the portal looks and behaves on every screen: each page at phone, tablet and desktop width in the
 * light and the dark theme (no sideways scrolling of the document, axe-core without serious or critical
 * findings, a screenshot for review in tmp/screenshots), the keyboard path to the main actions, and the
 * toasts and confirmations of service actions against a real server with a real MCP client connected.
 */
describe('the portal on every screen, in both themes', () => {
  let gateway: Gateway;
  let browser: Browser;
  const watchedPages: ReturnType<typeof watchPage>[] = [];
  const consoleErrors: string[] = [];
  /** Where an OAuth client sends the owner: the gateway keeps the request and opens the consent page. */
  let authorizePath = '';

  /** Every page, the consent screen last (each visit of the authorize URL opens a new request); LOOK_PAGES=a,b narrows it. */
  function pages(): { name: string; path: string; heading: string | RegExp }[] {
    const all = [...STATIC_PAGES, { name: 'consent', path: authorizePath, heading: 'Authorize a client' }];
    return ONLY ? all.filter((page) => ONLY.includes(page.name)) : all;
  }

  async function api(method: string, path: string, body?: unknown): Promise<unknown> {
    const response = await fetch(`${gateway.backendUrl}/api${path}`, {
      method,
      headers: { 'X-API-Key': gateway.apiKey, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status} ${await response.text()}`);
    return response.status === 204 ? null : response.json();
  }

  async function openContext(viewport: { width: number; height: number }, colorScheme: 'light' | 'dark'): Promise<BrowserContext> {
    const context = await browser.newContext({ viewport, colorScheme, reducedMotion: 'reduce' });
    context.setDefaultTimeout(20_000);
    return context;
  }

  async function signedInPage(context: BrowserContext): Promise<Page> {
    const page = await context.newPage();
    watchedPages.push(watchPage(page));
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    await signIn(page, gateway);
    return page;
  }

  /** Opens `path` and waits until its heading shows and nothing is loading any more. */
  async function visit(page: Page, path: string, heading: string | RegExp): Promise<void> {
    await page.goto(`${gateway.frontendUrl}${path}`);
    await page
      .getByRole('heading', { level: 1, name: heading })
      .first()
      .waitFor()
      .catch(async (error: Error) => {
        const errors = watchedPages.flatMap((watched) => watched.pageErrors);
        const shown = `at ${page.url()}: ${(await page.locator('body').innerText()).slice(0, 300)}`;
        throw new Error(
          `${path} did not show its heading (${shown}): ${error.message}\npage errors: ${errors.join('\n')}\nconsole: ${consoleErrors.join('\n')}`,
        );
      });
    await page
      .locator('mat-progress-bar[mode="indeterminate"]')
      .first()
      .waitFor({ state: 'detached', timeout: 10_000 })
      .catch(() => undefined);
    await page.waitForTimeout(150);
  }

  beforeAll(async () => {
    gateway = await startGateway();
    await api('POST', '/services', {
      name: SERVICE,
      process: { command: process.execPath, args: [SERVER_EVERYTHING, 'stdio'] },
      environment: { API_TOKEN: 'look-secret' },
      start: true,
    });
    await api('POST', '/groups', { name: GROUP, members: [{ service: SERVICE }] });
    await api('POST', '/users', { username: 'vera', password: 'vera-password-123', role: 'viewer' });
    await api('POST', '/client-tokens', { label: 'laptop', services: [SERVICE] });
    await api('POST', '/services', {
      name: 'remote',
      process: { command: process.execPath, args: [SERVER_EVERYTHING, 'stdio'] },
      proxy: { auth: 'oauth' },
    });
    const registered = await fetch(`${gateway.backendUrl}/oauth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_name: 'Look client', redirect_uris: ['http://127.0.0.1:9/callback'] }),
    });
    const { client_id: clientId } = (await registered.json()) as { client_id: string };
    authorizePath = `/oauth/authorize?${new URLSearchParams({
      response_type: 'code',
      client_id: clientId,
      redirect_uri: 'http://127.0.0.1:9/callback',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
      resource: `${gateway.frontendUrl}/mcp/remote`,
      state: 'look',
    }).toString()}`;
    browser = await launchChromium();
    mkdirSync(SCREENSHOTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    if (gateway) await stopGatewayKeepingLog(gateway, GATEWAY_LOG);
  });

  for (const theme of THEMES) {
    it(`has no sideways overflow and no serious accessibility findings on any page at phone width, ${theme}`, async () => {
      const context = await openContext(PHONE, theme);
      const problems: string[] = [];
      try {
        const login = await context.newPage();
        await login.goto(`${gateway.frontendUrl}/login`);
        await login.getByRole('heading', { name: 'Sign in' }).waitFor();
        problems.push(...(await checkPage(login, 'login', theme)));
        await login.close();

        const page = await signedInPage(context);
        for (const { name, path, heading } of pages()) {
          await visit(page, path, heading);
          problems.push(...(await checkPage(page, name, theme)));
        }
      } finally {
        await context.close();
      }
      expect(problems).toEqual([]);
    }, 400_000);
  }

  async function checkPage(page: Page, name: string, theme: string): Promise<string[]> {
    const problems: string[] = [];
    const sideways = await overflow(page);
    if (sideways.by > 0) problems.push(`${name} (${theme}): ${sideways.by}px too wide: ${sideways.offenders.join(', ')}`);
    for (const finding of await seriousFindings(page)) problems.push(`${name} (${theme}): ${finding}`);
    await screenshot(page, `${name}-phone-${theme}.png`);
    return problems;
  }

  it('has no sideways overflow at tablet width', async () => {
    const context = await openContext(TABLET, 'light');
    const problems: string[] = [];
    try {
      const page = await signedInPage(context);
      for (const { name, path, heading } of pages()) {
        await visit(page, path, heading);
        const sideways = await overflow(page);
        if (sideways.by > 0) problems.push(`${name}: ${sideways.by}px too wide: ${sideways.offenders.join(', ')}`);
      }
    } finally {
      await context.close();
    }
    expect(problems).toEqual([]);
  });

  for (const theme of THEMES) {
    it(`writes a desktop screenshot of every page, ${theme}`, async () => {
      const context = await openContext(DESKTOP, theme);
      try {
        const login = await context.newPage();
        await login.goto(`${gateway.frontendUrl}/login`);
        await login.getByRole('heading', { name: 'Sign in' }).waitFor();
        await login.screenshot({ path: join(SCREENSHOTS, `login-desktop-${theme}.png`), fullPage: true });
        await login.close();
        const page = await signedInPage(context);
        for (const { name, path, heading } of pages()) {
          await visit(page, path, heading);
          await screenshot(page, `${name}-desktop-${theme}.png`);
        }
      } finally {
        await context.close();
      }
    });
  }

  it('reaches the navigation and every header action by keyboard on a phone, with the focus visible', async () => {
    const context = await openContext(PHONE, 'light');
    try {
      const page = await signedInPage(context);
      await visit(page, '/services', 'Services');
      // The navigation sits behind the menu button on a phone.
      const reached: string[] = [];
      for (let press = 0; press < 20 && !reached.includes('New service'); press++) {
        await page.keyboard.press('Tab');
        const focused = await page.evaluate(() => {
          const element = document.activeElement as HTMLElement | null;
          if (!element || element === document.body) return null;
          const ring = element.querySelector('.mat-focus-indicator') ?? element;
          const before = getComputedStyle(ring, '::before');
          const style = getComputedStyle(element);
          const visible =
            element.matches(':focus-visible') &&
            ((style.outlineStyle !== 'none' && style.outlineWidth !== '0px') ||
              (before.borderStyle !== 'none' && before.borderWidth !== '0px'));
          return { label: (element.getAttribute('aria-label') ?? element.textContent ?? '').trim(), visible };
        });
        if (!focused) continue;
        expect({ label: focused.label, visible: focused.visible }).toEqual({ label: focused.label, visible: true });
        reached.push(focused.label);
      }
      expect(reached).toEqual(expect.arrayContaining(['Open navigation', 'Log out', 'New service']));

      await page.getByRole('button', { name: 'Open navigation' }).focus();
      await page.keyboard.press('Enter');
      const nav = page.getByRole('navigation', { name: 'Main' });
      await nav.getByRole('link', { name: 'Users' }).waitFor();
      // Once open, the drawer moves the focus to its first link: wait for that before moving it on.
      await page.waitForFunction(() => document.getElementById('main-navigation')?.contains(document.activeElement) === true);
      await nav.getByRole('link', { name: 'Users' }).focus();
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { level: 1, name: 'Users' }).waitFor();
    } finally {
      await context.close();
    }
  });

  it('keeps the chosen theme across a reload', async () => {
    const context = await openContext(DESKTOP, 'light');
    try {
      const page = await signedInPage(context);
      const background = (): Promise<string> => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      const light = await background();
      await page.getByRole('button', { name: 'Use the dark theme' }).click();
      await page.waitForFunction((before) => getComputedStyle(document.body).backgroundColor !== before, light);
      await page.reload();
      await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
      const dark = await background();
      expect(dark).not.toBe(light);
      await page.getByRole('button', { name: 'Use the light theme' }).click();
      await page.waitForFunction((before) => getComputedStyle(document.body).backgroundColor === before, light);
    } finally {
      await context.close();
    }
  });

  it('confirms a stop with the number of connected clients, and toasts each outcome', async () => {
    const client = new Client({ name: 'portal-look-client', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${gateway.backendUrl}/mcp/${SERVICE}`), {
        requestInit: { headers: { 'X-API-Key': gateway.apiKey } },
      }),
    );
    const context = await openContext(DESKTOP, 'light');
    try {
      const page = await signedInPage(context);
      await visit(page, `/services/${SERVICE}`, SERVICE);
      const actions = page.getByRole('group', { name: 'Service actions' });
      const toast = page.locator('mat-snack-bar-container');

      await actions.getByRole('button', { name: 'Stop', exact: true }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByText('1 client is connected').waitFor();
      await dialog.getByRole('button', { name: 'Stop' }).click();
      await toast.getByText(`Stopped ${SERVICE}`).waitFor();
      await page.screenshot({ path: join(SCREENSHOTS, 'toast-stopped-desktop-light.png') });

      await actions.getByRole('button', { name: 'Start', exact: true }).click();
      await toast.getByText(`Started ${SERVICE}`).waitFor();

      await visit(page, `/services/${SERVICE}/edit`, /Edit/);
      // Advanced settings wait collapsed below the essentials.
      await page.getByRole('button', { name: /^Proxy/ }).click();
      await page.getByLabel('Rate limit (requests/min per client)').fill('600');
      await page.getByRole('button', { name: /^Save/ }).click();
      await toast.getByText(`Saved ${SERVICE}`).waitFor();

      // A failure says what the API said.
      await visit(page, '/services/new', 'New service');
      await page.getByLabel('Name', { exact: true }).first().fill(SERVICE);
      await page.getByLabel('Command', { exact: true }).fill(process.execPath);
      await page.getByRole('button', { name: 'Create service' }).click();
      await toast.getByText(/Could not create everything: .*already (used|exists)/i).waitFor();

      // Inline start and stop from the list, confirmed the same way.
      await visit(page, '/services', 'Services');
      const row = page.locator(`[data-service="${SERVICE}"]`);
      await row.getByRole('button', { name: `Stop ${SERVICE}` }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Stop' }).click();
      await toast.getByText(`Stopped ${SERVICE}`).waitFor();
      await row.getByRole('button', { name: `Start ${SERVICE}` }).click();
      await toast.getByText(`Started ${SERVICE}`).waitFor();
    } finally {
      await context.close();
      await client.close().catch(() => undefined);
    }
  });

  it('ran without uncaught errors or Content-Security-Policy violations in the page', () => {
    expect(watchedPages.flatMap((watched) => watched.pageErrors)).toEqual([]);
    expect(watchedPages.flatMap((watched) => watched.cspViolations)).toEqual([]);
  });
});
