import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../../src/sandbox/index.ts';
import { control, eventually, json, orderOf, placeOrder, startSandbox, startShop, waitForStatus, type RunningShop } from './harness.ts';

// The clean shop against the golive sandbox: every behaviour the checklist asks for.
describe('sdk-shop (clean)', () => {
  let sandbox: Sandbox;
  let shop: RunningShop;
  let vipps: ReturnType<typeof control>;

  beforeAll(async () => {
    sandbox = await startSandbox();
    vipps = control(sandbox);
    shop = await startShop(sandbox.url);
  }, 30_000);

  afterAll(async () => {
    await shop?.stop();
    await sandbox?.close();
  });

  it('books an approved payment as reserved by polling alone (webhooks dropped), at the guideline pace, and stops', async () => {
    await vipps.fault({ match: { amount: 10101 }, effect: { type: 'webhook-drop' } });
    const order = await placeOrder(shop.url, 10101);
    expect(order.status).toBe('awaiting-payment');
    expect(order.reference).toMatch(/^sdkshop-[a-z0-9]+-\d{4}$/);
    expect(new URL(order.redirectUrl).origin).toBe(sandbox.url);
    expect((await vipps.approve(order.reference)).status).toBe(200);
    await waitForStatus(shop.url, order.reference, 'reserved', 12_000);
    await new Promise((r) => setTimeout(r, 3000)); // time for a poll that should not come

    const traffic = await vipps.traffic({ reference: order.reference });
    const created = traffic.find((e) => e.operation === 'createPayment');
    const gets = traffic.filter((e) => e.operation === 'getPayment');
    // The sandbox logs the dropped delivery; none reached the shop.
    expect(traffic.filter((e) => e.kind === 'webhook' && e.response)).toHaveLength(0);
    expect(gets.length).toBeGreaterThanOrEqual(1);
    expect(gets[0].startedAt - created.startedAt).toBeGreaterThanOrEqual(4500);
    gets.slice(1).forEach((g, i) => expect(g.startedAt - gets[i].startedAt).toBeGreaterThanOrEqual(1500));
    // The first GET that saw AUTHORIZED is the last one.
    expect(gets.at(-1).response.body.state).toBe('AUTHORIZED');
    expect(gets.filter((g) => g.response.body.state === 'AUTHORIZED')).toHaveLength(1);
  }, 30_000);

  it('sends the four Vipps-System-* headers and the MSN on every API call, and fetches one token', async () => {
    const api = (await vipps.traffic()).filter((e) => e.kind === 'api');
    expect(api.length).toBeGreaterThan(3);
    for (const e of api) {
      const h = e.request.headers;
      expect(h['merchant-serial-number']).toBe('123456');
      for (const name of ['vipps-system-name', 'vipps-system-version', 'vipps-system-plugin-name', 'vipps-system-plugin-version']) expect(h[name]).toBeTruthy();
    }
    expect(api.filter((e) => e.operation === 'fetchAuthorizationTokenUsingPost')).toHaveLength(1);
    const register = api.find((e) => e.operation === 'registerWebhook');
    expect(register.request.body.url).toBe(`${shop.url}/webhooks/vipps`);
    expect(register.request.body.events).toContain('epayments.payment.authorized.v1');
  });

  it('captures in part, completes the order (captures what shipped, releases the rest) and refunds, amounts adding up', async () => {
    const order = await placeOrder(shop.url, 49900, 'Coffee beans');
    await vipps.approve(order.reference);
    await waitForStatus(shop.url, order.reference, 'reserved');
    const captured = await json('POST', `${shop.url}/api/orders/${order.reference}/capture`, { amount: 20000 });
    expect(captured).toMatchObject({ status: 200, body: { status: 'part-shipped', amounts: { authorized: 49900, captured: 20000 } } });
    const completed = await json('POST', `${shop.url}/api/orders/${order.reference}/complete`, { shipped: 30000 });
    expect(completed.body).toMatchObject({ status: 'completed', amounts: { authorized: 49900, captured: 30000, cancelled: 19900, refunded: 0 } });
    const refunded = await json('POST', `${shop.url}/api/orders/${order.reference}/refund`, { amount: 5000 });
    expect(refunded.body).toMatchObject({ status: 'refunded', amounts: { captured: 30000, refunded: 5000 } });
    const tooMuch = await json('POST', `${shop.url}/api/orders/${order.reference}/refund`, { amount: 90000 });
    expect(tooMuch.status).toBe(400);
    expect(tooMuch.body.error).toMatch(/refund amount/);
    const payment = sandbox.ctx.epayment!.get('123456', order.reference)!;
    expect(payment.aggregate).toMatchObject({ capturedAmount: { value: 30000 }, cancelledAmount: { value: 19900 }, refundedAmount: { value: 5000 } });
    // The capture/cancel/refund webhooks each cause a confirming GET; the order stays as booked.
    await new Promise((r) => setTimeout(r, 500));
    expect((await orderOf(shop.url, order.reference)).amounts).toEqual({ authorized: 49900, captured: 30000, refunded: 5000, cancelled: 19900 });
  }, 30_000);

  it('captures and refunds in full, cancels a reservation, and cancels before approval (TERMINATED)', async () => {
    const full = await placeOrder(shop.url, 25000);
    await vipps.approve(full.reference);
    await waitForStatus(shop.url, full.reference, 'reserved');
    expect((await json('POST', `${shop.url}/api/orders/${full.reference}/capture`, {})).body).toMatchObject({ status: 'completed', amounts: { captured: 25000 } });
    expect((await json('POST', `${shop.url}/api/orders/${full.reference}/refund`, {})).body).toMatchObject({ status: 'refunded', amounts: { refunded: 25000 } });

    const released = await placeOrder(shop.url, 26000);
    await vipps.approve(released.reference);
    await waitForStatus(shop.url, released.reference, 'reserved');
    expect((await json('POST', `${shop.url}/api/orders/${released.reference}/cancel`)).body).toMatchObject({ status: 'cancelled', amounts: { cancelled: 26000 } });

    const early = await placeOrder(shop.url, 27000);
    expect((await json('POST', `${shop.url}/api/orders/${early.reference}/cancel`)).body.status).toBe('cancelled');
    expect(sandbox.ctx.epayment!.get('123456', early.reference)!.state).toBe('TERMINATED');
  }, 30_000);

  it('shows ABORTED and EXPIRED as failed, on a return page that needs no session', async () => {
    const rejected = await placeOrder(shop.url, 28000);
    await vipps.reject(rejected.reference);
    await waitForStatus(shop.url, rejected.reference, 'failed');
    const expired = await placeOrder(shop.url, 28100);
    await vipps.expire(expired.reference);
    await waitForStatus(shop.url, expired.reference, 'failed');
    const page = await fetch(`${shop.url}/return?ref=${rejected.reference}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/plain/);
    const text = await page.text();
    expect(text).toMatch(/failed/);
    expect(text).not.toMatch(/Thank you/);
    expect((await fetch(`${shop.url}/return?ref=nope-123`)).status).toBe(404);
  }, 30_000);

  it('rejects a webhook with a bad signature or altered body (401) and accepts a genuine one', async () => {
    const order = await placeOrder(shop.url, 29000);
    for (const tamper of ['signature', 'body', 'missing-signature']) {
      const res = await vipps.deliver({ reference: order.reference, name: 'AUTHORIZED', tamper });
      expect(res.body.deliveries[0].status, tamper).toBe(401);
    }
    expect((await orderOf(shop.url, order.reference)).status).toBe('awaiting-payment');
    // A genuine AUTHORIZED for a payment still CREATED: answered 200, re-read with GET, not booked.
    const genuine = await vipps.deliver({ reference: order.reference, name: 'AUTHORIZED' });
    expect(genuine.body.deliveries[0].status).toBe(200);
    await eventually(async () => (await vipps.traffic({ reference: order.reference, operation: 'getPayment' })).length > 0, 'a confirming GET');
    expect((await orderOf(shop.url, order.reference)).status).toBe('awaiting-payment');
  }, 30_000);

  it('answers a failed create with a readable JSON error and a non-2xx status', async () => {
    await vipps.fault({ match: { operation: 'createPayment', amount: 31000 }, effect: { type: 'status', status: 500, code: 3010 } });
    await vipps.fault({ match: { operation: 'createPayment', amount: 32000 }, effect: { type: 'status', status: 400, code: 6010, title: 'Amount too small' } });
    const serverError = await json('POST', `${shop.url}/api/orders`, { amount: 31000, description: 'x' });
    expect(serverError.status).toBe(502);
    expect(serverError.body.error).toMatch(/^payment could not be created: /);
    const refused = await json('POST', `${shop.url}/api/orders`, { amount: 32000, description: 'x' });
    expect(refused.status).toBe(502);
    expect(refused.body.error).toMatch(/^payment could not be created: Amount too small.*6010/);
    expect((await json('POST', `${shop.url}/api/orders`, { amount: -1 })).status).toBe(400);
  }, 30_000);

  it('retries a capture whose answer was lost with the same Idempotency-Key, capturing once', async () => {
    const order = await placeOrder(shop.url, 33000);
    await vipps.approve(order.reference);
    await waitForStatus(shop.url, order.reference, 'reserved');
    await vipps.fault({ match: { operation: 'capturePayment', reference: order.reference }, effect: { type: 'drop-response' }, times: 1 });
    const res = await json('POST', `${shop.url}/api/orders/${order.reference}/capture`, {});
    expect(res.body).toMatchObject({ status: 'completed', amounts: { captured: 33000 } });
    const captures = await vipps.traffic({ reference: order.reference, operation: 'capturePayment' });
    expect(captures.length).toBe(2);
    expect(new Set(captures.map((c) => c.idempotencyKey)).size).toBe(1);
  }, 30_000);

  it('fetches a new token after a 401 and retries once', async () => {
    const order = await placeOrder(shop.url, 34000);
    await vipps.fault({ match: { operation: 'capturePayment', reference: order.reference }, effect: { type: 'status', status: 401 }, times: 1 });
    await vipps.approve(order.reference);
    await waitForStatus(shop.url, order.reference, 'reserved');
    const before = (await vipps.traffic({ operation: 'fetchAuthorizationTokenUsingPost' })).length;
    expect((await json('POST', `${shop.url}/api/orders/${order.reference}/capture`, {})).body.status).toBe('completed');
    expect((await vipps.traffic({ operation: 'fetchAuthorizationTokenUsingPost' })).length).toBe(before + 1);
  }, 30_000);
});
