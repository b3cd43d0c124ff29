import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../../src/sandbox/index.ts';
import type { FaultName } from '../src/config.ts';
import { checkout, control, ECOM_OP, eventually, http, orderOf, startSandbox, startTestShop, trafficOf, waitForStatus, type TestShop } from './harness.ts';

/** Each fault switch breaks the behaviour it claims to, seen in the sandbox's traffic or the shop's answers. */
describe('ecom-shop fault switches', () => {
  let sandbox: Sandbox;
  let shop: TestShop | undefined;
  let amount = 60_000;
  const nextAmount = () => ++amount; // faults and orders of one test are matched by amount
  const ctl = () => control(sandbox);
  const start = async (fault: FaultName, env: Record<string, string> = {}) => (shop = await startTestShop(sandbox, [fault], env));

  beforeAll(async () => {
    sandbox = await startSandbox();
  });
  afterEach(async () => {
    await shop?.stop();
    shop = undefined;
    sandbox.faults.clear();
  });
  afterAll(async () => {
    await sandbox?.close();
  });

  async function reserved(s: TestShop) {
    const { orderId } = await checkout(s, nextAmount());
    await ctl().approve(orderId);
    await waitForStatus(s, orderId, 'reserved');
    return orderId;
  }

  it('no-system-headers: Vipps-System-* missing on every call (EC-HEADERS)', async () => {
    const s = await start('no-system-headers');
    const orderId = await reserved(s);
    const calls = trafficOf(sandbox, orderId).filter((e) => e.kind === 'api');
    expect(calls.length).toBeGreaterThan(1);
    for (const e of calls) expect(e.request.headers['vipps-system-name']).toBeUndefined();
  });

  it('new-request-id-on-retry: a retried capture gets a new X-Request-Id and captures twice (EC-XREQUESTID)', async () => {
    const s = await start('new-request-id-on-retry');
    const orderId = await reserved(s);
    ctl().fault({ match: { operation: ECOM_OP.capture, reference: orderId }, effect: { type: 'drop-response' }, times: 1 });
    const res = await http('POST', `${s.url}/api/orders/${orderId}/capture`, { body: { amount: 10_000 } });
    const ids = trafficOf(sandbox, orderId, ECOM_OP.capture).map((e) => e.request.headers['x-request-id']);
    expect(ids).toHaveLength(2);
    expect(ids[1]).not.toBe(ids[0]);
    expect(res.body.amounts.captured).toBe(20_000);
  });

  it('callback-only: never reads details while the customer decides; a dropped callback leaves the order open (EC-POLLING, EC-CALLBACK)', async () => {
    const s = await start('callback-only');
    const orderId = await reserved(s);
    expect(trafficOf(sandbox, orderId, ECOM_OP.details)).toHaveLength(0);
    // The back office still works (it reads details after an operation, not while the customer decides).
    const captured = await http('POST', `${s.url}/api/orders/${orderId}/capture`, { body: { amount: 1000 } });
    expect(captured.body).toMatchObject({ status: 'part-captured', amounts: { captured: 1000 } });

    const dropped = nextAmount();
    ctl().fault({ match: { api: 'ecom-v2', amount: dropped }, effect: { type: 'callback-drop' } });
    const open = await checkout(s, dropped);
    await ctl().approve(open.orderId);
    await new Promise((r) => setTimeout(r, 1000)); // well past the test poll pace
    expect((await orderOf(s, open.orderId)).status).toBe('awaiting-payment');
    expect(trafficOf(sandbox, open.orderId, ECOM_OP.details)).toHaveLength(0);
  });

  it('slow-callback: the callback is answered after more than 3 s (EC-CALLBACK)', async () => {
    const s = await start('slow-callback');
    const { orderId } = await checkout(s, nextAmount());
    await ctl().approve(orderId);
    const callback = await eventually(() => trafficOf(sandbox, orderId, ECOM_OP.callback).find((e) => e.response || e.error), 'the callback', 8000);
    expect(callback.response?.status).not.toBe(200);
    expect(callback.durationMs).toBeGreaterThanOrEqual(2900);
  });

  it('session-return-page: the return page needs the checkout cookie (EC-FALLBACK-REDIRECT)', async () => {
    const s = await start('session-return-page');
    const res = await http('POST', `${s.url}/api/orders`, { body: { amount: nextAmount() } });
    const cookie = String(res.headers['set-cookie']).split(';')[0];
    await ctl().approve(res.body.orderId);
    await waitForStatus(s, res.body.orderId, 'reserved');
    const fresh = await http('GET', `${s.url}/return?order=${res.body.orderId}`);
    expect(fresh.text).toContain('Your session has expired');
    const same = await http('GET', `${s.url}/return?order=${res.body.orderId}`, { headers: { cookie } });
    expect(same.text).toContain('Thank you!');
  });

  it('success-on-error: a failed initiate is answered as a paid order (EC-ERRORS)', async () => {
    const s = await start('success-on-error');
    const failing = nextAmount();
    ctl().fault({ match: { operation: ECOM_OP.initiate, amount: failing }, effect: { type: 'status', status: 500 } });
    const res = await http('POST', `${s.url}/api/orders`, { body: { amount: failing } });
    expect(res.status).toBe(201);
    expect(res.body.error).toBeUndefined();
    const page = await http('GET', `${s.url}${res.body.redirectUrl}`);
    expect(page.text).toContain('Thank you!');
  });

  it('reuse-order-id: every checkout sends the same orderId; the second is refused (EC-ORDERID)', async () => {
    const s = await start('reuse-order-id');
    const first = await checkout(s, nextAmount());
    const second = await http('POST', `${s.url}/api/orders`, { body: { amount: nextAmount() } });
    expect(second.body.orderId).toBe(first.orderId);
    expect(second.status).toBe(502);
    expect(trafficOf(sandbox, first.orderId, ECOM_OP.initiate)).toHaveLength(2);
  });

  it('digits-order-id: the orderId is digits with leading zeros (EC-ORDERID)', async () => {
    const s = await start('digits-order-id');
    const { orderId } = await checkout(s, nextAmount());
    expect(orderId).toMatch(/^0+\d+$/);
  });

  it('poll-after-final: details reads go on after the reservation (EC-POLLING)', async () => {
    const s = await start('poll-after-final');
    const orderId = await reserved(s);
    const before = trafficOf(sandbox, orderId, ECOM_OP.details).length;
    await new Promise((r) => setTimeout(r, 800));
    expect(trafficOf(sandbox, orderId, ECOM_OP.details).length).toBeGreaterThan(before + 1);
  });

  it('no-partial-capture: a partial capture captures everything (EC-ENDPOINTS)', async () => {
    const s = await start('no-partial-capture');
    const orderId = await reserved(s);
    const res = await http('POST', `${s.url}/api/orders/${orderId}/capture`, { body: { amount: 10_000 } });
    expect((trafficOf(sandbox, orderId, ECOM_OP.capture)[0].request.body as any).transaction.amount).toBeUndefined();
    expect(res.body.status).toBe('captured');
    expect(res.body.amounts.captured).toBe(amount);
  });
});
