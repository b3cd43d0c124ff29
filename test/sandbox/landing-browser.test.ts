import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.ts';
import { call, merchantHeaders, startSandbox } from '../helpers/sandbox.ts';

/**
 * The landing page in a real Chromium: a merchant's WEB_REDIRECT checkout opens the
 * redirectUrl, the customer approves or rejects, the browser lands on returnUrl.
 */
const CHROMIUM = '/usr/bin/chromium';
const here = dirname(fileURLToPath(import.meta.url));
const SCREENSHOT = resolve(here, '../../test-results/landing.png');

describe.skipIf(!existsSync(CHROMIUM))('landing page in Chromium', () => {
  let sandbox: Sandbox;
  let api: Record<string, string>;
  let browser: Browser;
  let shop: Server;
  let shopUrl: string;
  const shopHits: string[] = [];

  beforeAll(async () => {
    sandbox = await startSandbox();
    api = await merchantHeaders(sandbox.url);
    // The merchant's return page: records what the browser asked for.
    shop = createServer((req, res) => {
      shopHits.push(req.url ?? '');
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<!doctype html><title>Thanks</title><h1 id="thanks">Thank you for your order</h1>');
    });
    await new Promise<void>((r) => shop.listen(0, '127.0.0.1', r));
    shopUrl = `http://127.0.0.1:${(shop.address() as AddressInfo).port}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((r) => (shop ? shop.close(() => r()) : r()));
    await sandbox?.close();
  });

  async function createPayment(value = 49900, description = 'Two pairs of wool socks') {
    const reference = `browser-${randomUUID()}`;
    const returnUrl = `${shopUrl}/checkout/return?orderId=${reference}&lang=nb`;
    const res = await call(sandbox.url, 'POST', '/epayment/v1/payments', {
      headers: { ...api, 'Idempotency-Key': randomUUID() },
      body: {
        amount: { currency: 'NOK', value },
        paymentMethod: { type: 'WALLET' },
        reference,
        userFlow: 'WEB_REDIRECT',
        returnUrl,
        paymentDescription: description,
        customer: { phoneNumber: '4791234567' },
      },
    });
    expect(res.status, res.text).toBe(201);
    return { reference, returnUrl, redirectUrl: res.body.redirectUrl as string };
  }
  const stateOf = async (reference: string) => (await call(sandbox.url, 'GET', `/epayment/v1/payments/${reference}`, { headers: api })).body.state;

  it('approve: shows the payment, then returns the browser to exactly returnUrl; AUTHORIZED', async () => {
    const p = await createPayment();
    const context = await browser.newContext({ viewport: { width: 480, height: 900 }, deviceScaleFactor: 1 });
    const page = await context.newPage();
    try {
      await page.goto(p.redirectUrl);
      await expect(page.getByTestId('landing-merchant').textContent()).resolves.toBe('golive test shop');
      await expect(page.getByTestId('landing-amount').textContent()).resolves.toBe('499,00 kr');
      await expect(page.getByTestId('landing-description').textContent()).resolves.toBe('Two pairs of wool socks');
      await expect(page.getByTestId('landing-reference').textContent()).resolves.toBe(p.reference);
      await expect(page.getByTestId('landing-phone').inputValue()).resolves.toBe('4791234567');
      mkdirSync(dirname(SCREENSHOT), { recursive: true });
      await page.screenshot({ path: SCREENSHOT, fullPage: true });

      await page.getByTestId('approve-button').click();
      await page.waitForURL(p.returnUrl);
      expect(page.url()).toBe(p.returnUrl);
      await expect(page.locator('#thanks').textContent()).resolves.toBe('Thank you for your order');
      expect(shopHits).toContain(new URL(p.returnUrl).pathname + new URL(p.returnUrl).search);
      expect(await stateOf(p.reference)).toBe('AUTHORIZED');
      // Nothing of the sandbox's ends up in the merchant's cookie jar.
      expect(await context.cookies()).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('reject: ABORTED and the browser reaches returnUrl', async () => {
    const p = await createPayment(25000, 'Concert ticket');
    const context = await browser.newContext({ viewport: { width: 480, height: 900 } });
    const page = await context.newPage();
    try {
      await page.goto(p.redirectUrl);
      await page.getByTestId('reject-button').click();
      await page.waitForURL(p.returnUrl);
      expect(page.url()).toBe(p.returnUrl);
      expect(await stateOf(p.reference)).toBe('ABORTED');
      // Opening the link again shows the final state and a link back to the shop.
      await page.goto(p.redirectUrl);
      await expect(page.getByTestId('landing-status').getAttribute('data-state')).resolves.toBe('ABORTED');
      await expect(page.getByTestId('landing-return-link').getAttribute('href')).resolves.toBe(p.returnUrl);
      await page.screenshot({ path: resolve(dirname(SCREENSHOT), 'landing-aborted.png'), fullPage: true });
      // An unknown token: a 404 page, not a crash.
      const missing = await page.goto(`${sandbox.url}/landing?token=not-a-token`);
      expect(missing?.status()).toBe(404);
      await expect(page.getByTestId('landing-error').isVisible()).resolves.toBe(true);
      await page.screenshot({ path: resolve(dirname(SCREENSHOT), 'landing-404.png'), fullPage: true });
    } finally {
      await context.close();
    }
  });

  it('a magic-amount decline shows the error and keeps the payment CREATED; the customer can then reject', async () => {
    const p = await createPayment(151, 'Declined card test');
    const context = await browser.newContext({ viewport: { width: 480, height: 900 } });
    const page = await context.newPage();
    try {
      await page.goto(p.redirectUrl);
      await page.getByTestId('approve-button').click();
      await expect(page.getByTestId('landing-error').textContent()).resolves.toMatch(/declined because there is not enough money/);
      expect(page.url().startsWith(sandbox.url)).toBe(true);
      expect(await stateOf(p.reference)).toBe('CREATED');
      await page.screenshot({ path: resolve(dirname(SCREENSHOT), 'landing-declined.png'), fullPage: true });
      await page.getByTestId('reject-button').click();
      await page.waitForURL(p.returnUrl);
      expect(await stateOf(p.reference)).toBe('ABORTED');
    } finally {
      await context.close();
    }
  });

  it('"stay on this page" (redirect=false) keeps the browser on the sandbox', async () => {
    const p = await createPayment(9900, 'Coffee');
    const before = shopHits.length;
    const context = await browser.newContext({ viewport: { width: 480, height: 900 } });
    const page = await context.newPage();
    try {
      await page.goto(p.redirectUrl);
      await page.getByTestId('landing-phone').fill('4798765432');
      await page.getByTestId('landing-stay').check();
      await page.getByTestId('approve-button').click();
      await expect(page.getByTestId('landing-done').textContent()).resolves.toMatch(/you can close this window/);
      expect(page.url().startsWith(sandbox.url)).toBe(true);
      expect(shopHits.length).toBe(before);
      expect(await stateOf(p.reference)).toBe('AUTHORIZED');
      await page.screenshot({ path: resolve(dirname(SCREENSHOT), 'landing-done.png'), fullPage: true });
    } finally {
      await context.close();
    }
  });
});
