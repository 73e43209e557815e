/** What the look e2e measures on a page (sideways overflow, axe-core findings) and how it photographs it. */
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { WORKSPACE_ROOT } from './gateway-process';

/** Where the look e2e writes its pictures for review (gitignored). */
export const SCREENSHOTS = join(WORKSPACE_ROOT, 'tmp/screenshots');

/**
 * The page's sideways overflow in CSS pixels (0: none): of the document, and of the frame around the
 * page (which scrolls on its own), with the widest offenders for the message. Tables scroll in their own box.
 */
export function overflow(page: Page): Promise<{ by: number; offenders: string[] }> {
  return page.evaluate(() => {
    const width = window.innerWidth;
    const frame = document.querySelector('mat-sidenav-content');
    const by = Math.max(document.documentElement.scrollWidth - width, frame ? frame.scrollWidth - frame.clientWidth : 0);
    const tooWide = (element: Element | null): boolean => element !== null && element.getBoundingClientRect().right > width + 1;
    // The outermost elements that stick out (their parent fits), outside boxes that scroll on their own.
    const scrolls = (element: Element): boolean => {
      const style = getComputedStyle(element);
      return style.overflowX === 'auto' || style.overflowX === 'scroll' || style.overflowX === 'hidden';
    };
    const clipped = (element: Element): boolean => {
      for (let parent = element.parentElement; parent && parent !== frame; parent = parent.parentElement) if (scrolls(parent)) return true;
      return false;
    };
    const offenders =
      by <= 0
        ? []
        : Array.from(document.querySelectorAll('body *'))
            .filter((element) => tooWide(element) && !tooWide(element.parentElement) && !clipped(element))
            .slice(-5)
            .map(
              (element) =>
                `${element.tagName.toLowerCase()}.${Array.from(element.classList).join('.')} right=${Math.round(element.getBoundingClientRect().right)}`,
            );
    return { by, offenders };
  });
}

/**
 * A screenshot of the whole page: the shell scrolls the page inside its own frame, so for the picture
 * the frame is let grow to its content (set through the CSSOM, which the page's CSP allows), then put back.
 */
export async function screenshot(page: Page, file: string): Promise<void> {
  const frames = ['mcp-shell', 'mat-sidenav-container', 'mat-sidenav-content'];
  await page.evaluate((selectors) => {
    for (const selector of selectors) {
      const element = document.querySelector<HTMLElement>(selector);
      element?.style.setProperty('height', 'auto', 'important');
      element?.style.setProperty('overflow', 'visible', 'important');
    }
  }, frames);
  await page.screenshot({ path: join(SCREENSHOTS, file), fullPage: true });
  await page.evaluate((selectors) => {
    for (const selector of selectors) {
      const element = document.querySelector<HTMLElement>(selector);
      element?.style.removeProperty('height');
      element?.style.removeProperty('overflow');
    }
  }, frames);
}

export async function seriousFindings(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map(
      (violation) =>
        `${violation.id} (${violation.impact}): ${violation.nodes
          .slice(0, 3)
          .map((node) => node.target.join(' '))
          .join(' | ')}`,
    );
}
