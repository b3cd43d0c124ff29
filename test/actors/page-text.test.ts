// pageText reads what a page shows. '' is its answer only while a page is between documents; a
// page or browser that has gone must throw, or a browser exiting under a step (SIGINT reaches
// Chromium too) reads as an empty return page and judges a correct shop FAILED.
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pageText } from '../../src/actors/page-text.ts';

const launch = () => chromium.launch({ executablePath: process.env.GOLIVE_CHROMIUM ?? '/usr/bin/chromium', args: ['--disable-gpu', '--no-first-run'] });
let browser: Browser;
beforeAll(async () => {
  browser = await launch();
}, 30_000);
afterAll(async () => {
  await browser?.close();
});

describe('pageText', () => {
  it('reads the text of an open page', async () => {
    const page = await browser.newPage();
    await page.setContent('<body><h1>Thank you</h1><p>Payment received</p></body>');
    expect(await pageText(page, 2000)).toMatch(/Thank you\s+Payment received/);
    await page.close();
  });

  it('throws for a page that has closed', async () => {
    const page = await browser.newPage();
    await page.setContent('<body>Payment received</body>');
    await page.close();
    await expect(pageText(page, 2000)).rejects.toThrow(/the browser page closed while golive read it/);
  });

  it('throws once the browser has exited', async () => {
    const own = await launch();
    const page = await own.newPage();
    await page.setContent('<body>Payment received</body>');
    await own.close();
    await expect(pageText(page, 2000)).rejects.toThrow(/the browser page closed while golive read it/);
  }, 30_000);
});
