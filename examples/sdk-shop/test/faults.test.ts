import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../../src/sandbox/index.ts';
import { control, eventually, json, orderOf, placeOrder, startSandbox, startShop, waitForStatus, type RunningShop } from './harness.ts';

// Each fault switch breaks one checklist class; each test shows the break in the sandbox's
// traffic log or in the shop's own answers. One shop process per fault, one shared sandbox.
describe('sdk-shop fault switches', () => {
  let sandbox: Sandbox;
  let vipps: ReturnType<typeof control>;
  let shop: RunningShop | undefined;
  const withFault = async (fault: string) => (shop = await startShop(sandbox.url, { faults: [fault] }));
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  beforeAll(async () => {
    sandbox = await startSandbox();
    vipps = control(sandbox);
  });
  afterEach(async () => {
    await shop?.stop();
    shop = undefined;
  });
  afterAll(async () => sandbox?.close());

  it('refuses an unknown fault name', async () => {
    await expect(startShop(sandbox.url, { faults: ['no-such-fault'] })).rejects.toThrow(/unknown SDK_SHOP_FAULTS/);
  });

  it('poll-after-final: GETs go on after the payment is AUTHORIZED (EP-POLLING)', async () => {
    const s = await withFault('poll-after-final');
    const order = await placeOrder(s.url, 40001);
    await vipps.approve(order.reference);
    await waitForStatus(s.url, order.reference, 'reserved');
    await sleep(8000);
    const gets = await vipps.traffic({ reference: order.reference, operation: 'getPayment' });
    expect(gets.filter((g) => g.response?.body?.state === 'AUTHORIZED').length).toBeGreaterThanOrEqual(3);
  }, 30_000);

  it('fake-success-on-create-error: a refused create answers 201 and a reserved order (EP-ERRORS-DISPLAY)', async () => {
    const s = await withFault('fake-success-on-create-error');
    await vipps.fault({ match: { operation: 'createPayment', amount: 40002 }, effect: { type: 'status', status: 400, code: 6010 } });
    const res = await json('POST', `${s.url}/api/orders`, { amount: 40002, description: 'x' });
    expect(res.status).toBe(201);
    expect(res.body.status).toBe('reserved');
    expect(res.body.redirectUrl).toMatch(/\/return\?ref=/);
  }, 30_000);

  it('never-release-remainder: complete order captures but never cancels the rest (EP-CANCEL-REMAINDER)', async () => {
    const s = await withFault('never-release-remainder');
    const order = await placeOrder(s.url, 40003);
    await vipps.approve(order.reference);
    await waitForStatus(s.url, order.reference, 'reserved');
    const res = await json('POST', `${s.url}/api/orders/${order.reference}/complete`, { shipped: 20000 });
    expect(res.body).toMatchObject({ status: 'part-shipped', amounts: { captured: 20000, cancelled: 0 } });
    expect(await vipps.traffic({ reference: order.reference, operation: 'cancelPayment' })).toHaveLength(0);
  }, 30_000);

  it('trust-webhook-name: a signed AUTHORIZED webhook is booked without a GET, though Vipps says CREATED (WH-NOT-TRUTH)', async () => {
    const s = await withFault('trust-webhook-name');
    const order = await placeOrder(s.url, 40004);
    await vipps.deliver({ reference: order.reference, name: 'AUTHORIZED' });
    expect((await orderOf(s.url, order.reference)).status).toBe('reserved');
    expect(sandbox.ctx.epayment!.get('123456', order.reference)!.state).toBe('CREATED');
    expect(await vipps.traffic({ reference: order.reference, operation: 'getPayment' })).toHaveLength(0);
  }, 30_000);

  it('no-system-headers: API calls carry no Vipps-System-* values (EP-HEADERS)', async () => {
    const s = await withFault('no-system-headers');
    const order = await placeOrder(s.url, 40005);
    const [create] = await vipps.traffic({ reference: order.reference, operation: 'createPayment' });
    expect(create.request.headers['vipps-system-name'] ?? '').toBe('');
    expect(create.request.headers['vipps-system-plugin-name'] ?? '').toBe('');
  }, 30_000);

  it('poll-too-fast: GETs start within a second of create and come less than a second apart (EP-POLLING)', async () => {
    const s = await withFault('poll-too-fast');
    const order = await placeOrder(s.url, 40006);
    await sleep(2000);
    const [create] = await vipps.traffic({ reference: order.reference, operation: 'createPayment' });
    const gets = await vipps.traffic({ reference: order.reference, operation: 'getPayment' });
    expect(gets.length).toBeGreaterThanOrEqual(4);
    expect(gets[0].startedAt - create.startedAt).toBeLessThan(1000);
    expect(gets[1].startedAt - gets[0].startedAt).toBeLessThan(1000);
  }, 30_000);

  it('ignore-aborted-expired: a rejected payment stays awaiting-payment (EP-STATES-ABORTED, EP-STATES-EXPIRED)', async () => {
    const s = await withFault('ignore-aborted-expired');
    const order = await placeOrder(s.url, 40007);
    await vipps.reject(order.reference);
    await eventually(async () => (await vipps.traffic({ reference: order.reference, operation: 'getPayment' })).some((g) => g.response?.body?.state === 'ABORTED'), 'a GET showing ABORTED');
    await sleep(200);
    expect((await orderOf(s.url, order.reference)).status).toBe('awaiting-payment');
  }, 30_000);

  it('accept-bad-signature: a forged webhook is answered 200 (WH-VERIFY-HMAC)', async () => {
    const s = await withFault('accept-bad-signature');
    const order = await placeOrder(s.url, 40008);
    const res = await vipps.deliver({ reference: order.reference, name: 'AUTHORIZED', tamper: 'signature' });
    expect(res.body.deliveries[0].status).toBe(200);
  }, 30_000);

  it('new-key-on-retry: the retry of a lost capture uses a new Idempotency-Key (EP-IDEMPOTENCY)', async () => {
    const s = await withFault('new-key-on-retry');
    const order = await placeOrder(s.url, 40009);
    await vipps.approve(order.reference);
    await waitForStatus(s.url, order.reference, 'reserved');
    await vipps.fault({ match: { operation: 'capturePayment', reference: order.reference }, effect: { type: 'drop-response' }, times: 1 });
    await json('POST', `${s.url}/api/orders/${order.reference}/capture`, { amount: 10000 });
    const captures = await vipps.traffic({ reference: order.reference, operation: 'capturePayment' });
    expect(captures).toHaveLength(2);
    expect(captures[0].idempotencyKey).not.toBe(captures[1].idempotencyKey);
    // Both were carried out: the customer is charged twice for one shipment.
    expect(sandbox.ctx.epayment!.get('123456', order.reference)!.aggregate.capturedAmount.value).toBe(20000);
  }, 30_000);

  it('capture-over-authorized: a full capture asks for more than was reserved and is refused (EP-ENDPOINT-CAPTURE-FULL)', async () => {
    const s = await withFault('capture-over-authorized');
    const order = await placeOrder(s.url, 40010);
    await vipps.approve(order.reference);
    await waitForStatus(s.url, order.reference, 'reserved');
    const res = await json('POST', `${s.url}/api/orders/${order.reference}/capture`, {});
    expect(res.status).toBe(502);
    const [capture] = await vipps.traffic({ reference: order.reference, operation: 'capturePayment' });
    expect(capture.request.body.modificationAmount.value).toBe(40110);
    expect(capture.response.status).toBeGreaterThanOrEqual(400);
  }, 30_000);

  it('token-per-call: a new access token for every API call (EP-TOKEN-CACHE)', async () => {
    const before = (await vipps.traffic({ operation: 'fetchAuthorizationTokenUsingPost' })).length;
    const s = await withFault('token-per-call');
    await placeOrder(s.url, 40011);
    await placeOrder(s.url, 40012);
    const tokens = (await vipps.traffic({ operation: 'fetchAuthorizationTokenUsingPost' })).length - before;
    expect(tokens).toBeGreaterThanOrEqual(4); // list + register webhook, two creates
  }, 30_000);
});
