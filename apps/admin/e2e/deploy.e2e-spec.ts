import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, signIn, watchPage } from './support/browser';
import { Gateway, WORKSPACE_ROOT, startGateway, stopGatewayKeepingLog } from './support/gateway-process';
import { LocalGitServer, LocalRepository, startGitServer } from './support/git-server';

const GATEWAY_LOG = join(WORKSPACE_ROOT, 'tmp/e2e/deploy-gateway.log');
const SCREENSHOTS = join(WORKSPACE_ROOT, 'tmp/screenshots');
const SECRET_VALUE = 'deploy-e2e-secret-do-not-show';
const SERVICE = 'weather';
const SERVER_EVERYTHING = join(WORKSPACE_ROOT, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js');

/**
 * A repository the proxy can deploy: described by mcp.json, no dependencies, its entry point starting
 * the real server-everything (stdio) from this workspace.
 */
const REPOSITORY_FILES: Record<string, string> = {
  'mcp.json': JSON.stringify({ name: SERVICE, description: 'admin e2e fixture', entryPoint: 'server.mjs', requiredEnv: [] }, null, 2),
  'package.json': JSON.stringify({ name: 'weather-mcp', version: '1.0.0', private: true, type: 'module' }, null, 2),
  'server.mjs': `await import(${JSON.stringify(pathToFileURL(SERVER_EVERYTHING).href)});\n`,
  VERSION: '1\n',
};

/**
 * Deploys from a local git repository through the portal, against the built gateway: the form, the
 * live deployment page to the end, the service's history, a redeploy of a new commit, and a rollback.
 */
describe('deploying from a git repository in a real browser', () => {
  let git: LocalGitServer;
  let repo: LocalRepository;
  let gateway: Gateway;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let watched: ReturnType<typeof watchPage>;
  let firstCommit: string;

  beforeAll(async () => {
    git = await startGitServer();
    repo = git.repository('acme/weather', REPOSITORY_FILES);
    firstCommit = repo.head();
    // GITHUB_HOST stays github.com: 127.0.0.1 is a plain git server, cloned without GitHub's API.
    gateway = await startGateway({ PROCESS_STOP_GRACE_SEC: '2' });
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    context.setDefaultTimeout(20_000);
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
    await git?.close();
  });

  async function screenshot(name: string): Promise<void> {
    await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
  }

  async function expectDeploymentDone(commit: string, trigger: string): Promise<void> {
    await page.waitForURL(/\/deploy\/[0-9a-f-]{36}$/);
    await page.locator('h1 + mcp-status-chip .chip', { hasText: 'succeeded' }).waitFor();
    await page
      .getByRole('status')
      .filter({ hasText: `serves ${commit.slice(0, 12)} now` })
      .waitFor();
    const facts = page.locator('dl.facts');
    expect((await facts.locator('dt:has-text("Trigger") + dd').textContent())?.trim()).toBe(trigger);
    await page
      .getByRole('log', { name: 'Build log' })
      .getByText(/==> MCP check passed/)
      .waitFor();
  }

  it('deploys a repository from the form and follows it to the end', async () => {
    await signIn(page, gateway);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Deploy' }).click();
    await page.getByText('None yet: the first deploy creates its service here.').waitFor();

    await page.getByLabel('Repository URL', { exact: true }).fill(repo.url);
    await page.getByText(`Empty: ${SERVICE}. Part of the MCP URL.`).waitFor();
    await page.getByRole('button', { name: 'Add variable' }).click();
    await page.getByLabel('Name', { exact: true }).fill('FIXTURE_SECRET');
    await page.getByLabel('Value', { exact: true }).fill(SECRET_VALUE);
    await screenshot('deploy-form');
    await page.getByRole('button', { name: 'Deploy', exact: true }).click();

    await expectDeploymentDone(firstCommit, 'api');
    // Watched to its end, the deploy says so in a toast.
    await page.locator('mat-snack-bar-container').getByText(`Deployed ${SERVICE}`).waitFor();
    const steps = await page
      .getByRole('list', { name: 'Steps' })
      .locator('li')
      .evaluateAll((items) =>
        items.map((item) => `${item.querySelector('.step-label')?.textContent?.trim()}:${item.getAttribute('data-state')}`),
      );
    expect(steps).toEqual(['Queued:done', 'Clone:done', 'Install:done', 'Build:done', 'Start and check:done', 'Serving:done']);
    expect(await page.content()).not.toContain(SECRET_VALUE);
    await screenshot('deployment');
  });

  it('shows the deployment in the service’s history', async () => {
    await page.getByRole('link', { name: 'All deployments' }).click();
    await page.waitForURL(new RegExp(`/services/${SERVICE}\\?tab=deployments$`));
    const rows = page.getByRole('table', { name: 'Deployments' }).locator('tbody tr');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(1);
    const cells = (await rows.first().locator('td').allTextContents()).map((cell) => cell.trim());
    expect(cells[1]).toBe('succeeded');
    expect(cells[2]).toContain(firstCommit.slice(0, 12));
    expect(await page.getByRole('button', { name: 'Roll back' }).isDisabled()).toBe(true);
  });

  it('redeploys a new commit from the history', async () => {
    const second = repo.commit({ VERSION: '2\n' }, 'version 2');
    await page.getByRole('group', { name: 'Deployment actions' }).getByRole('link', { name: 'Redeploy' }).click();
    await page.getByRole('heading', { name: `Redeploy ${SERVICE}` }).waitFor();
    expect(await page.getByLabel('Repository URL', { exact: true }).inputValue()).toBe(repo.url);
    await page.getByRole('button', { name: 'Redeploy', exact: true }).click();
    await expectDeploymentDone(second, 'api');
  });

  it('rolls back to the first build after confirmation', async () => {
    await page.getByRole('link', { name: 'All deployments' }).click();
    await page.getByRole('table', { name: 'Deployments' }).locator('tbody tr').nth(1).waitFor();
    await page.getByRole('button', { name: 'Roll back' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText(`Roll back ${SERVICE}?`).waitFor();
    await dialog.getByRole('button', { name: 'Roll back' }).click();

    await expectDeploymentDone(firstCommit, 'rollback');
    const skipped = await page.getByRole('list', { name: 'Steps' }).locator('li[data-state="skipped"] .step-label').allTextContents();
    expect(skipped.map((label) => label.trim())).toEqual(['Clone', 'Install', 'Build']);
    await screenshot('deployment-rollback');
  });

  it('ran without uncaught errors or Content-Security-Policy violations in the page', () => {
    expect(watched.pageErrors).toEqual([]);
    expect(watched.cspViolations).toEqual([]);
  });
});
