import type { Page } from 'playwright-core';
import { firstLine } from './merchant.ts';

/** Playwright's words for a page, context or browser that is gone. */
const CLOSED = /has been closed|Target closed|Browser closed/i;

/**
 * The page's text; '' while it is between documents (a navigation tears the body down). A page
 * or browser that has closed is no such moment: reading it throws, so a browser that exits (a
 * signal, a crash) never reads as an empty page that would judge a correct shop FAILED.
 */
export async function pageText(page: Page, timeoutMs: number): Promise<string> {
  try {
    return await page.locator('body').innerText({ timeout: timeoutMs });
  } catch (err) {
    const browser = page.context().browser();
    if (page.isClosed() || (browser !== null && !browser.isConnected()) || CLOSED.test(String((err as Error)?.message)))
      throw new Error(`the browser page closed while golive read it: ${firstLine(err)}`);
    return '';
  }
}
