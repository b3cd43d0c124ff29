import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../../src/sandbox/index.ts';
import { loadConfig } from '../src/config.ts';
import { VippsClient } from '../src/vipps/client.ts';
import { TEST_MERCHANT } from '../../../test/helpers/sandbox.ts';
import { checkout, control, ECOM_OP, eventually, http, orderOf, startSandbox, startTestShop, trafficOf, waitForStatus, type TestShop } from './harness.ts';

/** The shop against the real golive sandbox, both on 127.0.0.1, through real HTTP. */
describe('ecom-shop end to end', () => {
  let sandbox: Sandbox;
  let shop: TestShop;
  const ctl = () => control(sandbox);
  const api = (orderId: string) => trafficOf(sandbox, orderId).filter((e) => e.kind === 'api');

  beforeAll(async () => {
    sandbox = await startSandbox();
    shop = await startTestShop(sandbox);
  });
  afterAll(async () => {
    await shop?.stop();
    await sandbox?.close();
  });

  async function reservedOrder(amount = 49900) {
    const { orderId } = await checkout(shop, amount);
    expect((await ctl().approve(orderId)).status).toBe(200);
    await waitForStatus(shop, orderId, 'reserved');
    return orderId;
  }

  it('checkout → approve → callback → reserved → part capture → capture → part refund → refund', async () => {
    const started = await checkout(shop);
    expect(started.orderId).toMatch(/^ecomshop-\d{8}-[0-9a-f]{4}-\d+$/);
    expect(started.status).toBe('awaiting-payment');
    const initiate = trafficOf(sandbox, started.orderId, ECOM_OP.initiate)[0];
    const body = initiate.request.body as any;
    expect(body.merchantInfo.callbackPrefix).toBe(`${shop.url}/vipps/callback`);
    expect(body.merchantInfo.fallBack).toBe(`${shop.url}/return?order=${started.orderId}`);
    expect(body.merchantInfo.authToken).toMatch(/^[\w-]{20,}$/);
    expect(started.redirectUrl).toBe((initiate.response!.body as any).url); // unchanged

    expect((await ctl().approve(started.orderId)).status).toBe(200);
    const callback = await eventually(() => trafficOf(sandbox, started.orderId, ECOM_OP.callback).find((e) => e.response), 'the callback');
    expect(callback.response!.status).toBe(200);
    expect(callback.durationMs).toBeLessThan(1000);
    await waitForStatus(shop, started.orderId, 'reserved');

    const path = `${shop.url}/api/orders/${started.orderId}`;
    let res = await http('POST', `${path}/capture`, { body: { amount: 20000 } });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ status: 'part-captured', amounts: { captured: 20000, remainingToCapture: 29900 } });
    res = await http('POST', `${path}/capture`, { body: {} });
    expect(res.body).toMatchObject({ status: 'captured', amounts: { captured: 49900 } });
    res = await http('POST', `${path}/refund`, { body: { amount: 10000 } });
    expect(res.body).toMatchObject({ status: 'part-refunded', amounts: { refunded: 10000 } });
    res = await http('POST', `${path}/refund`, { body: {} });
    expect(res.body).toMatchObject({ status: 'refunded', amounts: { captured: 49900, refunded: 49900 } });
    const admin = await http('GET', `${shop.url}/admin/orders/${started.orderId}`);
    expect(admin.text).toContain('<strong id="status">refunded</strong>');
    expect(admin.text).toContain('CAPTURE');

    const captures = trafficOf(sandbox, started.orderId, ECOM_OP.capture);
    expect((captures[0].request.body as any).transaction.amount).toBe(20000);
    expect((captures[1].request.body as any).transaction.amount).toBeUndefined();
    const ids = [...captures, ...trafficOf(sandbox, started.orderId, ECOM_OP.refund)].map((e) => e.request.headers['x-request-id']);
    expect(new Set(ids).size).toBe(4);
    for (const e of api(started.orderId)) {
      expect(e.request.headers).toMatchObject({
        'vipps-system-name': 'ecomshop',
        'vipps-system-version': '1.0.0',
        'vipps-system-plugin-name': 'ecomshop-checkout',
        'vipps-system-plugin-version': '1.0.0',
        'merchant-serial-number': '123456',
        authorization: expect.stringMatching(/^Bearer /),
        'ocp-apim-subscription-key': expect.any(String),
      });
    }
    expect(shop.client.tokenFetches).toBe(1);

    // The receipt in the customer's payment history (Order Management API).
    const receipt = sandbox.traffic.query({ api: 'order-management', operation: 'postReceiptV2' }).find((e) => e.request.path.endsWith(`/receipts/${started.orderId}`));
    expect(receipt?.response?.status, JSON.stringify(receipt?.response?.body)).toBe(201);
    expect((receipt!.request.body as any).orderLines[0]).toMatchObject({ totalAmount: 49900, totalAmountExcludingTax: 39920, totalTaxAmount: 9980 });
  });

  it('backs off when Vipps answers 429 to a details read', async () => {
    const amount = 31_800;
    ctl().fault({ match: { operation: ECOM_OP.details, amount }, effect: { type: 'status', status: 429, retryAfter: 1 }, times: 1 });
    const { orderId } = await checkout(shop, amount);
    await eventually(() => trafficOf(sandbox, orderId, ECOM_OP.details).length >= 2, 'a read after the 429', 5000);
    const [limited, next] = trafficOf(sandbox, orderId, ECOM_OP.details);
    expect(limited.response?.status).toBe(429);
    expect(next.startedAt - limited.startedAt).toBeGreaterThanOrEqual(1000);
  });

  it('a lagging details read neither hides the approval nor undoes it', async () => {
    const amount = 31_900;
    const stale = ctl().fault({ match: { operation: ECOM_OP.details, amount }, effect: { type: 'stale-read' } });
    const { orderId } = await checkout(shop, amount);
    await ctl().approve(orderId);
    await eventually(() => trafficOf(sandbox, orderId, ECOM_OP.details).length >= 2, 'reads while details lag', 5000);
    expect((await orderOf(shop, orderId)).status).toBe('awaiting-payment'); // the callback alone does not decide
    sandbox.faults.remove(stale.id);
    await waitForStatus(shop, orderId, 'reserved');
    ctl().fault({ match: { operation: ECOM_OP.details, reference: orderId }, effect: { type: 'stale-read' } });
    const before = trafficOf(sandbox, orderId, ECOM_OP.details).length;
    await shop.shop.refresh(shop.shop.orders.get(orderId)!); // answered as INITIATE
    expect(trafficOf(sandbox, orderId, ECOM_OP.details).length).toBe(before + 1);
    expect((await orderOf(shop, orderId)).status).toBe('reserved');
    expect((await http('GET', `${shop.url}/return?order=${orderId}`)).text).toContain('Thank you!');
    sandbox.faults.clear();
  });

  it('stops polling once the customer decided', async () => {
    const orderId = await reservedOrder();
    await new Promise((r) => setTimeout(r, 1200)); // several poll intervals
    const reads = trafficOf(sandbox, orderId, ECOM_OP.details);
    const settled = reads.findIndex((e) => (e.response?.body as any)?.transactionLogHistory?.some((l: any) => l.operation === 'RESERVE'));
    expect(settled).toBeGreaterThanOrEqual(0);
    expect(reads.length - 1 - settled).toBe(0);
    expect(shop.shop.poller.isPolling(orderId)).toBe(false);
  });

  it('a dropped callback still resolves by polling details', async () => {
    const amount = 31_700;
    ctl().fault({ match: { api: 'ecom-v2', amount }, effect: { type: 'callback-drop' } });
    const { orderId } = await checkout(shop, amount);
    await ctl().approve(orderId);
    await waitForStatus(shop, orderId, 'reserved');
    expect((await orderOf(shop, orderId)).callbacks).toBe(0);
  });

  it('a lost capture answer is retried with the same X-Request-Id and captures once', async () => {
    const orderId = await reservedOrder(42_100);
    ctl().fault({ match: { operation: ECOM_OP.capture, reference: orderId }, effect: { type: 'drop-response' }, times: 1 });
    const res = await http('POST', `${shop.url}/api/orders/${orderId}/capture`, { body: { amount: 10000 } });
    expect(res.status, res.text).toBe(200);
    const captures = trafficOf(sandbox, orderId, ECOM_OP.capture);
    expect(captures.length).toBe(2);
    expect(captures[1].request.headers['x-request-id']).toBe(captures[0].request.headers['x-request-id']);
    expect(captures[1].request.body).toEqual(captures[0].request.body);
    expect(res.body.amounts.captured).toBe(10000);
    const record = await ctl().record(orderId);
    expect(record.transactionLogHistory.filter((l: any) => l.operation === 'CAPTURE')).toHaveLength(1);
    expect(res.body.operations[0].requestIds).toEqual([captures[0].request.headers['x-request-id'], captures[0].request.headers['x-request-id']]);
  });

  it('a refund answered 500 is retried with the same X-Request-Id and refunds once', async () => {
    const orderId = await reservedOrder(42_200);
    await http('POST', `${shop.url}/api/orders/${orderId}/capture`, { body: {} });
    ctl().fault({ match: { operation: ECOM_OP.refund, reference: orderId }, effect: { type: 'status', status: 500 }, times: 1 });
    const res = await http('POST', `${shop.url}/api/orders/${orderId}/refund`, { body: { amount: 2000 } });
    expect(res.status, res.text).toBe(200);
    const refunds = trafficOf(sandbox, orderId, ECOM_OP.refund);
    expect(refunds.map((e) => e.response?.status)).toEqual([500, 200]);
    expect(refunds[1].request.headers['x-request-id']).toBe(refunds[0].request.headers['x-request-id']);
    expect(res.body).toMatchObject({ status: 'part-refunded', amounts: { refunded: 2000 } });
  });

  it('cancels before approval, a reservation, and the rest after a partial capture', async () => {
    const open = await checkout(shop, 12_300);
    let res = await http('POST', `${shop.url}/api/orders/${open.orderId}/cancel`);
    expect(res.body.status).toBe('cancelled');

    const reserved = await reservedOrder(12_400);
    res = await http('POST', `${shop.url}/api/orders/${reserved}/cancel`);
    expect(res.body).toMatchObject({ status: 'cancelled', amounts: { cancelled: 12_400 } });

    const part = await reservedOrder(12_500);
    await http('POST', `${shop.url}/api/orders/${part}/capture`, { body: { amount: 5000 } });
    res = await http('POST', `${shop.url}/api/orders/${part}/cancel`);
    expect(res.body).toMatchObject({ status: 'captured', amounts: { captured: 5000, cancelled: 7500 } });
    const cancel = trafficOf(sandbox, part, ECOM_OP.cancel)[0];
    expect(cancel.request.method).toBe('PUT');
    expect((cancel.request.body as any).shouldReleaseRemainingFunds).toBe(true);
  });

  it('complete order captures what shipped and releases the rest', async () => {
    const orderId = await reservedOrder(30_000);
    const res = await http('POST', `${shop.url}/api/orders/${orderId}/complete`, { body: { shipped: 18_000 } });
    expect(res.body).toMatchObject({ status: 'captured', amounts: { captured: 18_000, cancelled: 12_000 } });
  });

  it('the return page works in a fresh browser and shows the real outcome', async () => {
    const { orderId } = await checkout(shop, 22_200);
    const page = () => http('GET', `${shop.url}/return?order=${orderId}`); // no cookie
    let res = await page();
    expect(res.status).toBe(200);
    expect(res.text).toContain('waiting for the payment confirmation');
    expect(res.text).not.toMatch(/thank you/i);
    await ctl().approve(orderId);
    res = await page();
    expect(res.text).toMatch(/Thank you! Your payment of 222\.00 kr is reserved/);

    const rejected = await checkout(shop, 22_300);
    await ctl().reject(rejected.orderId);
    res = await http('GET', `${shop.url}/return?order=${rejected.orderId}`);
    expect(res.text).toContain('The payment was cancelled');
    expect(res.text).not.toMatch(/thank you/i);
  });

  it('a timed-out payment is confirmed with Vipps and shown as failed', async () => {
    const { orderId } = await checkout(shop, 22_400);
    await ctl().expire(orderId);
    await waitForStatus(shop, orderId, 'failed');
    expect(trafficOf(sandbox, orderId, ECOM_OP.status).length).toBeGreaterThan(0);
    expect((await http('GET', `${shop.url}/return?order=${orderId}`)).text).toContain('The payment failed');
  });

  it('a callback with the wrong Authorization is refused and changes nothing', async () => {
    const { orderId } = await checkout(shop, 22_500);
    const res = await http('POST', `${shop.url}/vipps/callback/v2/payments/${orderId}`, {
      headers: { authorization: 'forged' },
      body: { merchantSerialNumber: '123456', orderId, transactionInfo: { amount: 22_500, status: 'RESERVED', timeStamp: new Date().toISOString() } },
    });
    expect(res.status).toBe(401);
    expect((await orderOf(shop, orderId)).status).toBe('awaiting-payment');
  });

  it('an initiate error is shown to the customer and logged with its errorCode and contextId', async () => {
    ctl().fault({ match: { operation: ECOM_OP.initiate, amount: 22_600 }, effect: { type: 'status', status: 400, code: 35 }, times: 2 });
    const res = await http('POST', `${shop.url}/api/orders`, { body: { amount: 22_600 } });
    expect(res.status).toBe(502);
    expect(res.body.error).toMatch(/^The payment could not be started\. Vipps MobilePay said: /);
    const form = await http('POST', `${shop.url}/checkout`, { form: { amount: '22600', description: 'Socks' } });
    expect(form.status).toBe(200);
    expect(form.text).toContain('The payment could not be started');
    expect(form.text).not.toMatch(/thank you/i);
    expect(shop.logs.some((l) => /initiate \S+ failed: HTTP 400 errorGroup=\S+ errorCode=35 .*contextId=[0-9a-f-]{36}/.test(l))).toBe(true);
  });

  it('a capture Vipps refuses gives the staff member a readable message', async () => {
    const orderId = await reservedOrder(22_700);
    ctl().fault({ match: { operation: ECOM_OP.capture, reference: orderId }, effect: { type: 'status', status: 400, code: 61 }, times: 1 });
    const res = await http('POST', `${shop.url}/api/orders/${orderId}/capture`, { body: {} });
    expect(res.status).toBe(502);
    expect(res.body.error).toMatch(/^capture failed: Vipps MobilePay answered HTTP 400: .+\(Payment 61\)/);
    expect(res.body.status).toBe('reserved');
    expect(trafficOf(sandbox, orderId, ECOM_OP.capture)).toHaveLength(1); // a 4xx is not retried
  });

  it('the form checkout redirects the browser to the landing page unchanged', async () => {
    const res = await http('POST', `${shop.url}/checkout`, { form: { amount: '22800', description: 'Socks' } });
    expect(res.status).toBe(303);
    const initiate = sandbox.traffic.query({ api: 'ecom-v2', operation: ECOM_OP.initiate }).at(-1)!;
    expect(res.headers.location).toBe((initiate.response!.body as any).url);
    expect(String(res.headers['set-cookie'])).toMatch(/^ecomshop_session=/);
  });

  it('the customer journey over HTTP: form → landing page → approve → fallBack in a fresh browser', async () => {
    const form = await http('POST', `${shop.url}/checkout`, { form: { amount: '23000', description: 'Socks' } });
    const landingUrl = String(form.headers.location);
    const landing = await http('GET', landingUrl);
    const token = /name="token" value="([^"]+)"/.exec(landing.text)?.[1];
    expect(token).toBeTruthy();
    const approved = await http('POST', new URL('/landing/approve', landingUrl).href, { form: { token: token! } });
    expect(approved.status).toBe(303);
    const fallBack = String(approved.headers.location);
    expect(fallBack).toMatch(new RegExp(`^${shop.url}/return\\?order=ecomshop-`));
    const page = await http('GET', fallBack); // no cookie: another browser
    expect(page.text).toContain('Thank you! Your payment of 230.00 kr is reserved');
  });

  it('caches the access token until shortly before it expires', async () => {
    let now = Date.now();
    const config = loadConfig({ VIPPS_BASE_URL: sandbox.url, VIPPS_CLIENT_ID: TEST_MERCHANT.clientId, VIPPS_CLIENT_SECRET: TEST_MERCHANT.clientSecret, VIPPS_SUBSCRIPTION_KEY: TEST_MERCHANT.subscriptionKeys[0], VIPPS_MSN: '123456' });
    const client = new VippsClient(config, () => now);
    const read = () => client.send({ operation: 'details', method: 'GET', path: '/ecomm/v2/payments/no-such-order/details' }).catch(() => undefined);
    await Promise.all([read(), read(), read()]);
    expect(client.tokenFetches).toBe(1);
    const token = sandbox.traffic.query({ api: 'access-token' }).at(-1)!;
    expect(token.request.headers).toMatchObject({ 'vipps-system-name': 'ecomshop', 'merchant-serial-number': '123456' });
    const lifetime = Number((token.response!.body as any).expires_in) * 1000;
    now += lifetime - 301_000;
    await read();
    expect(client.tokenFetches).toBe(1);
    now += 2000;
    await read();
    expect(client.tokenFetches).toBe(2);
  });
});
