// End to end in real Chromium: shop → Pay with Vipps → sandbox landing page → approve → return
// page → paid; then the back office captures, refunds and cancels. Screenshots go to
// test-results/reference-merchant/.
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../../src/sandbox/index.ts';
import { CHROMIUM, SCREENSHOT_DIR, checkout, customer, http, order, startMerchant, startSandbox, waitForStatus } from './helpers.ts';

let sandbox: Sandbox;
let merchant: Awaited<ReturnType<typeof startMerchant>>;
let browser: Browser;

beforeAll(async () => {
  sandbox = await startSandbox();
  merchant = await startMerchant(sandbox);
  browser = await chromium.launch(CHROMIUM);
}, 30_000);

afterAll(async () => {
  await browser?.close();
  await merchant?.close();
  await sandbox?.close();
});

const status = (page: Page) => page.getByTestId('order-status').getAttribute('data-status');
/** Text of a data-testid element, waiting for it to appear. */
const text = async (page: Page, testid: string) => ((await page.getByTestId(testid).first().textContent({ timeout: 10_000 })) ?? '').trim();

describe('a purchase in the browser', () => {
  let reference: string;

  it('pays through the landing page and lands on a return page that says paid', async () => {
    const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    const page = await context.newPage();
    await page.goto(merchant.url + '/');
    await page.screenshot({ path: `${SCREENSHOT_DIR}/shop.png`, fullPage: true });

    await page.getByTestId('choose-product-3').click();
    expect(await page.getByTestId('amount-input').inputValue()).toBe('429.00');
    await page.getByTestId('description-input').fill('House espresso blend, 1 kg');
    await page.getByTestId('pay-with-vipps').click();

    // Top-level navigation to the sandbox landing page, with the redirectUrl exactly as created.
    await page.waitForURL((url) => url.href.startsWith(`${sandbox.url}/landing?token=`));
    reference = (await page.getByTestId('landing-reference').textContent())!.trim();
    expect(reference).toMatch(/^acme-shop-[a-z0-9]+-[0-9a-f]{4}-1$/);
    const created = await order(merchant, reference);
    expect(page.url()).toBe(created.redirectUrl);
    expect(created).toMatchObject({ status: 'pending', amount: 42900, description: 'House espresso blend, 1 kg' });
    await page.screenshot({ path: `${SCREENSHOT_DIR}/landing.png`, fullPage: true });

    await page.getByTestId('approve-button').click();
    await page.waitForURL((url) => url.href.startsWith(`${merchant.url}/return?reference=${reference}`));
    await expect.poll(() => status(page), { timeout: 10_000 }).toBe('paid');
    expect(await text(page, 'status-title')).toBe('Thank you — payment approved');
    await page.screenshot({ path: `${SCREENSHOT_DIR}/return.png`, fullPage: true });
    expect((await order(merchant, reference)).vipps).toMatchObject({ state: 'AUTHORIZED', aggregate: { authorizedAmount: { value: 42900 } } });
    await context.close();
  });

  it('ships part of it and the rest from the order page, then refunds part and the rest', async () => {
    const context = await browser.newContext({ viewport: { width: 1100, height: 1000 } });
    const page = await context.newPage();
    await page.goto(`${merchant.url}/orders/${reference}`);
    expect(await status(page)).toBe('paid');

    await page.getByTestId('capture-amount-input').fill('100');
    await page.getByTestId('capture-button').click();
    expect(await text(page, 'notice')).toBe('Captured kr 100,00.');
    expect(await status(page)).toBe('partially-captured');
    expect(await text(page, 'amount-captured')).toBe('kr 100,00');

    // The rest over the JSON API (no amount = everything left).
    const full = await http(merchant.url, 'POST', `/api/orders/${reference}/capture`, {});
    expect(full.status).toBe(200);
    expect(full.body).toMatchObject({ status: 'captured', vipps: { aggregate: { capturedAmount: { value: 42900 } } } });

    await page.goto(`${merchant.url}/orders/${reference}`);
    await page.getByTestId('refund-amount-input').fill('29,50');
    await page.getByTestId('refund-button').click();
    expect(await text(page, 'notice')).toBe('Refunded kr 29,50.');
    expect(await status(page)).toBe('partially-refunded');

    const rest = await http(merchant.url, 'POST', `/api/orders/${reference}/refund`, {});
    expect(rest.body).toMatchObject({ status: 'refunded', vipps: { aggregate: { refundedAmount: { value: 42900 } } } });

    // A refund of nothing left is refused by the shop before bothering Vipps.
    const none = await http(merchant.url, 'POST', `/api/orders/${reference}/refund`, {});
    expect(none.status).toBe(422);
    expect(none.body.error.message).toBe('There is nothing left to refund on this order.');

    await page.goto(`${merchant.url}/orders/${reference}`);
    expect(await status(page)).toBe('refunded');
    const events = await page.getByTestId('event-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-event-name')));
    expect(events).toEqual(['CREATED', 'AUTHORIZED', 'CAPTURED', 'CAPTURED', 'REFUNDED', 'REFUNDED']);
    expect(await text(page, 'amount-refunded')).toBe('kr 429,00');
    await page.screenshot({ path: `${SCREENSHOT_DIR}/order.png`, fullPage: true });

    // The sandbox agrees.
    const modifications = sandbox.traffic.query({ msn: merchant.msn, reference, operation: ['capturePayment', 'refundPayment'] });
    expect(modifications.map((e) => [e.operation, (e.request.body as any).modificationAmount.value, e.response?.status])).toEqual([
      ['capturePayment', 10000, 200],
      ['capturePayment', 32900, 200],
      ['refundPayment', 2950, 200],
      ['refundPayment', 39950, 200],
    ]);
    await context.close();
  });

  it('shows the right status on the return page in a fresh browser without cookies', async () => {
    const context = await browser.newContext({ userAgent: 'Mozilla/5.0 (Linux; Android 14) DefaultBrowser/1.0' });
    const page = await context.newPage();
    expect(await context.cookies()).toEqual([]);
    await page.goto(`${merchant.url}/return?reference=${reference}`);
    expect(await status(page)).toBe('refunded');
    expect(await text(page, 'status-title')).toBe('Refunded');
    // Twice is fine too.
    await page.reload();
    expect(await status(page)).toBe('refunded');
    await context.close();
  });

  it('shows pending and refreshes itself until the customer approves', async () => {
    const { reference: ref, returnUrl } = await checkout(merchant, 14900);
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(returnUrl);
    expect(await status(page)).toBe('pending');
    expect(await page.getByTestId('pending-indicator').isVisible()).toBe(true);
    await page.screenshot({ path: `${SCREENSHOT_DIR}/return-pending.png`, fullPage: true });
    await customer(sandbox, merchant.msn, ref, 'approve');
    // No click: the page reloads itself (meta refresh) and looks the payment up again.
    await expect.poll(() => status(page).catch(() => null), { timeout: 10_000 }).toBe('paid');
    await context.close();
  });

  it('a rejected payment shows as cancelled by the customer, and trying again uses a new reference', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${merchant.url}/?amount=139.00&description=Colombia%20Huila%2C%20250%20g`);
    await page.getByTestId('pay-with-vipps').click();
    await page.waitForURL((url) => url.href.startsWith(`${sandbox.url}/landing`));
    const first = (await page.getByTestId('landing-reference').textContent())!.trim();
    await page.getByTestId('reject-button').click();
    await page.waitForURL((url) => url.href.startsWith(`${merchant.url}/return`));
    await expect.poll(() => status(page), { timeout: 10_000 }).toBe('failed');
    expect(await text(page, 'status-title')).toBe('Payment cancelled');
    await page.screenshot({ path: `${SCREENSHOT_DIR}/return-failed.png`, fullPage: true });

    await page.getByTestId('retry-button').click();
    await page.waitForURL((url) => url.href.startsWith(`${sandbox.url}/landing`));
    const second = (await page.getByTestId('landing-reference').textContent())!.trim();
    expect(second).toBe(first.replace(/-1$/, '-2'));
    await page.getByTestId('approve-button').click();
    await page.waitForURL((url) => url.href.startsWith(`${merchant.url}/return?reference=${second}`));
    await expect.poll(() => status(page), { timeout: 10_000 }).toBe('paid');
    expect((await order(merchant, first)).status).toBe('failed');
    expect(sandbox.traffic.query({ msn: merchant.msn, operation: 'capturePayment', reference: first })).toEqual([]);
    await context.close();
  });

  it('explains a refused payment to the customer on the shop page, and a refused capture to staff', async () => {
    const context = await browser.newContext({ viewport: { width: 1100, height: 800 } });
    const page = await context.newPage();
    sandbox.faults.add({ match: { msn: merchant.msn, operation: 'createPayment' }, effect: { type: 'status', status: 400, code: 6010, title: 'Amount too small' }, times: 1 });
    await page.goto(`${merchant.url}/`);
    await page.getByTestId('amount-input').fill('0,50');
    await page.getByTestId('pay-with-vipps').click();
    expect(await text(page, 'checkout-error')).toBe('The amount is too small to pay with Vipps MobilePay. The smallest amount is 1 kr.');
    expect(page.url()).toBe(`${merchant.url}/checkout`);
    await page.screenshot({ path: `${SCREENSHOT_DIR}/shop-error.png`, fullPage: true });

    const { reference: ref } = await checkout(merchant, 9900);
    await customer(sandbox, merchant.msn, ref, 'approve');
    await waitForStatus(merchant, ref, 'paid');
    sandbox.faults.add({ match: { msn: merchant.msn, reference: ref, operation: 'capturePayment' }, effect: { type: 'status', status: 400, code: 6260, title: 'Funds unavailable' }, times: 1 });
    await page.goto(`${merchant.url}/orders/${ref}`);
    await page.getByTestId('capture-button').click();
    expect(await text(page, 'order-error')).toMatch(/^The capture did not go through: The reserved funds are no longer available on the customer's account\. \(HTTP 400, error 6260, trace 00-[0-9a-f-]+\)$/);
    expect(await text(page, 'problem-message')).toContain('The reserved funds are no longer available');
    expect(await status(page)).toBe('paid');
    await page.screenshot({ path: `${SCREENSHOT_DIR}/order-error.png`, fullPage: true });
    await context.close();
  });

  it('cancels another order from the back office: the whole reservation is released', async () => {
    const { reference: ref } = await checkout(merchant, 13900);
    await customer(sandbox, merchant.msn, ref, 'approve');
    await waitForStatus(merchant, ref, 'paid');
    const cancelled = await http(merchant.url, 'POST', `/api/orders/${ref}/cancel`, {});
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: 'cancelled', vipps: { state: 'AUTHORIZED', aggregate: { cancelledAmount: { value: 13900 } } } });

    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${merchant.url}/orders/${ref}`);
    expect(await status(page)).toBe('cancelled');
    expect(await text(page, 'amount-cancelled')).toBe('kr 139,00');
    // Capturing now is refused by Vipps, and the page says so in words.
    await page.getByTestId('capture-button').click();
    expect(await text(page, 'order-error')).toContain('There is nothing left to capture on this order.');
    await page.goto(`${merchant.url}/admin`);
    expect(await page.getByTestId('order-row').count()).toBe(7);
    await page.screenshot({ path: `${SCREENSHOT_DIR}/admin.png`, fullPage: true });
    await context.close();
  });
});
