import { Browser, Page, chromium } from 'playwright-core';
import type { Gateway } from './gateway-process';

/** Headless Debian Chromium (`CHROMIUM_PATH` to use another), with the flags a sandboxed CI needs. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Signs in with the gateway's API key and waits for the dashboard. */
export async function signIn(page: Page, gateway: Gateway): Promise<void> {
  await page.goto(`${gateway.frontendUrl}/login`);
  await page.getByLabel('API key', { exact: true }).fill(gateway.apiKey);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/dashboard$/);
}

/** Records uncaught page errors and Content-Security-Policy violations, for a final "none" check. */
export function watchPage(page: Page): { pageErrors: string[]; cspViolations: string[] } {
  const watched = { pageErrors: [] as string[], cspViolations: [] as string[] };
  page.on('pageerror', (error) => watched.pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) watched.cspViolations.push(message.text());
  });
  return watched;
}
