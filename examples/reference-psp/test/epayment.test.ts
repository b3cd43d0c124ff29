// What the PSP sends to ePayment and Webhooks (seen by a fake Vipps on 127.0.0.1): the create
// with CARD_PASSTHROUGH, Psp-Id / MSN / system headers, capture/refund/cancel reports with
// reused Idempotency-Keys, webhook registration and verification, polling, the pages.
import { afterEach, describe, expect, it } from 'vitest';
import type { FaultName } from '../src/config.ts';
import { api, FakeVipps, MSN, PSP_ID, sendCardCallback, sendWebhook, startTestPsp } from './fake-vipps.ts';

let vipps: FakeVipps;
let psp: Awaited<ReturnType<typeof startTestPsp>>;

async function setup(faults: FaultName[] = [], env: Record<string, string> = {}) {
  vipps = await new FakeVipps().start();
  psp = await startTestPsp(vipps, faults, env);
}

async function reserved(amount = 10_000): Promise<string> {
  const created = await api('POST', `${psp.url}/api/payments`, { amount, description: 'Coffee' });
  expect(created.status).toBe(201);
  await sendCardCallback(vipps, created.body.reference);
  return created.body.reference;
}

const SYSTEM = { 'vipps-system-name': 'refpsp', 'vipps-system-version': '1.0.0', 'vipps-system-plugin-name': 'refpsp-card-passthrough', 'vipps-system-plugin-version': '1.0.0' };

afterEach(async () => {
  await psp?.stop();
  await vipps?.stop();
});

describe('ePayment calls', () => {
  it('creates a CARD_PASSTHROUGH payment with Psp-Id, the merchant MSN, system headers and an Idempotency-Key', async () => {
    await setup();
    const res = await api('POST', `${psp.url}/api/payments`, { amount: 6000, description: 'Socks' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ reference: expect.stringMatching(/^[a-zA-Z0-9-]{8,50}$/), redirectUrl: expect.stringContaining('/landing'), status: 'created' });
    const [create] = vipps.calls('POST', '/epayment/v1/payments');
    expect(create.headers).toMatchObject({ 'psp-id': PSP_ID, 'merchant-serial-number': MSN, 'ocp-apim-subscription-key': 'psp-subscription-key', authorization: expect.stringMatching(/^Bearer token-/), 'idempotency-key': expect.any(String), ...SYSTEM });
    expect(create.body).toMatchObject({
      amount: { currency: 'NOK', value: 6000 },
      paymentMethod: { type: 'CARD_PASSTHROUGH' },
      userFlow: 'WEB_REDIRECT',
      returnUrl: `${psp.url}/return?payment=${res.body.reference}`,
      cardPassthrough: {
        pspReference: expect.any(String),
        cardCallbackUrl: `${psp.url}/card-callback`,
        cardCallbackAuthHeader: expect.stringMatching(/^RefPsp .{20,}/),
        allowedCardTypes: ['VISA_DEBIT', 'VISA_CREDIT', 'VISA_DANKORT', 'DANKORT', 'MC_CREDIT', 'MC_DEBIT'],
        preferVisaPartOfVisaDankort: false,
      },
    });
    await api('POST', `${psp.url}/api/payments`, { amount: 100 });
    const [a, b] = vipps.calls('POST', '/epayment/v1/payments').map((r) => r.body.cardPassthrough);
    expect(a.pspReference).not.toBe(b.pspReference);
    expect(a.cardCallbackAuthHeader).not.toBe(b.cardCallbackAuthHeader);
    expect(vipps.calls('POST', '/accesstoken/get')).toHaveLength(1);
    expect(vipps.calls('POST', '/accesstoken/get')[0].headers['psp-id']).toBeUndefined();
  });

  it('reports capture, refund and cancel with Psp-Id and system headers; its amounts match what it reported', async () => {
    await setup();
    const ref = await reserved();
    let s = (await api('POST', `${psp.url}/api/payments/${ref}/capture`, { amount: 4000 })).body;
    expect(s).toMatchObject({ status: 'part-captured', amounts: { captured: 4000, refunded: 0, cancelled: 0 } });
    s = (await api('POST', `${psp.url}/api/payments/${ref}/refund`, { amount: 1000 })).body;
    expect(s).toMatchObject({ status: 'part-refunded', amounts: { captured: 4000, refunded: 1000 } });
    const capture = vipps.calls('POST', `/payments/${ref}/capture`)[0];
    expect(capture.headers).toMatchObject({ 'psp-id': PSP_ID, 'merchant-serial-number': MSN, 'idempotency-key': expect.any(String), ...SYSTEM });
    expect(capture.body).toEqual({ modificationAmount: { currency: 'NOK', value: 4000 } });
    expect(vipps.calls('POST', `/payments/${ref}/refund`)[0].body).toEqual({ modificationAmount: { currency: 'NOK', value: 1000 } });

    const other = await reserved(5000);
    s = (await api('POST', `${psp.url}/api/payments/${other}/capture`, { amount: 2000 })).body;
    s = (await api('POST', `${psp.url}/api/payments/${other}/cancel`)).body;
    expect(s).toMatchObject({ status: 'captured', amounts: { captured: 2000, cancelled: 3000 } });
    expect(vipps.calls('POST', `/payments/${other}/cancel`)[0].headers).toMatchObject({ 'psp-id': PSP_ID, ...SYSTEM });
    const third = await reserved(3000);
    expect((await api('POST', `${psp.url}/api/payments/${third}/cancel`)).body).toMatchObject({ status: 'cancelled', amounts: { cancelled: 3000 } });
    expect((await api('POST', `${psp.url}/api/payments/${third}/capture`, {})).status).toBe(409);
    const full = await reserved(2500);
    expect((await api('POST', `${psp.url}/api/payments/${full}/capture`, {})).body).toMatchObject({ status: 'captured', amounts: { captured: 2500 } });
    expect((await api('POST', `${psp.url}/api/payments/${full}/refund`, {})).body).toMatchObject({ status: 'refunded', amounts: { refunded: 2500 } });
  });

  it('retries a capture after a 500 with the same Idempotency-Key', async () => {
    await setup();
    const ref = await reserved();
    vipps.failNext.push({ path: /\/capture$/, status: 500 });
    const res = await api('POST', `${psp.url}/api/payments/${ref}/capture`, { amount: 10_000 });
    expect(res.body.status).toBe('captured');
    const keys = vipps.calls('POST', `/payments/${ref}/capture`).map((r) => r.headers['idempotency-key']);
    expect(keys).toHaveLength(2);
    expect(keys[0]).toBe(keys[1]);
  });

  it('a capture Vipps refuses changes nothing and is answered 409', async () => {
    await setup();
    const ref = await reserved();
    vipps.failNext.push({ path: /\/capture$/, status: 400 });
    const res = await api('POST', `${psp.url}/api/payments/${ref}/capture`, { amount: 1000 });
    expect(res.status).toBe(409);
    expect((await api('GET', `${psp.url}/api/payments/${ref}`)).body).toMatchObject({ status: 'authorised', amounts: { captured: 0 } });
  });
});

describe('webhooks and polling', () => {
  it('registers epayments.payment.* webhooks, verifies their HMAC, and re-reads the payment', async () => {
    await setup();
    const [reg] = vipps.calls('POST', '/webhooks/v1/webhooks');
    expect(reg.headers).toMatchObject({ 'psp-id': PSP_ID, ...SYSTEM });
    expect(reg.body.url).toBe(`${psp.url}/webhooks/vipps`);
    expect(reg.body.events).toEqual(expect.arrayContaining(['epayments.payment.authorized.v1', 'epayments.payment.captured.v1', 'epayments.payment.aborted.v1', 'epayments.payment.expired.v1']));
    const ref = await reserved();
    const gets = () => vipps.calls('GET', `/epayment/v1/payments/${ref}`).filter((r) => !r.path.endsWith('/events')).length;
    const event = { msn: MSN, reference: ref, pspReference: 'x', name: 'AUTHORIZED', amount: { currency: 'NOK', value: 10_000 }, timestamp: new Date().toISOString(), success: true };
    expect(await sendWebhook(vipps, event, 'forged-secret')).toBe(401);
    expect(gets()).toBe(0);
    expect(await sendWebhook(vipps, event)).toBe(200);
    await expect.poll(gets, { timeout: 2000 }).toBe(1);
    expect((await api('GET', `${psp.url}/api/payments/${ref}`)).body.vippsState).toBe('AUTHORIZED');
  });

  it('polls a new payment first after firstPoll and then at the interval until Vipps settles it', async () => {
    await setup([], { REFERENCE_PSP_FIRST_POLL_MS: '150', REFERENCE_PSP_POLL_INTERVAL_MS: '100' });
    const ref = (await api('POST', `${psp.url}/api/payments`, { amount: 1000 })).body.reference;
    const gets = () => vipps.calls('GET', `/epayment/v1/payments/${ref}`).length;
    await new Promise((r) => setTimeout(r, 100));
    expect(gets()).toBe(0);
    await expect.poll(gets, { timeout: 2000 }).toBeGreaterThanOrEqual(2);
    vipps.payments.get(ref)!.state = 'ABORTED';
    await expect.poll(async () => (await api('GET', `${psp.url}/api/payments/${ref}`)).body.status, { timeout: 2000 }).toBe('cancelled');
    const settled = gets();
    await new Promise((r) => setTimeout(r, 300));
    expect(gets()).toBe(settled);
  });

  it('webhooks-only never polls, not even for the return page', async () => {
    await setup(['webhooks-only'], { REFERENCE_PSP_FIRST_POLL_MS: '50', REFERENCE_PSP_POLL_INTERVAL_MS: '50' });
    const ref = (await api('POST', `${psp.url}/api/payments`, { amount: 1000 })).body.reference;
    await api('GET', `${psp.url}/return?payment=${ref}`);
    await new Promise((r) => setTimeout(r, 300));
    expect(vipps.calls('GET', `/epayment/v1/payments/${ref}`)).toEqual([]);
  });
});

describe('pages', () => {
  it('the return page works in a fresh browser (reads the payment from the URL, polls when not final)', async () => {
    await setup();
    const ref = (await api('POST', `${psp.url}/api/payments`, { amount: 1000 })).body.reference;
    let page = await api('GET', `${psp.url}/return?payment=${ref}`);
    expect(page.text).toContain('id="outcome" data-status="created"');
    expect(vipps.calls('GET', `/epayment/v1/payments/${ref}`)).toHaveLength(1);
    await sendCardCallback(vipps, ref);
    page = await api('GET', `${psp.url}/return?payment=${ref}`);
    expect(page.text).toContain('data-status="authorised"');
    expect((await api('GET', `${psp.url}/return?payment=nope`)).status).toBe(404);
  });

  it('the admin page shows status, card attempts and the Vipps event log', async () => {
    await setup();
    const ref = await reserved();
    const page = await api('GET', `${psp.url}/admin/payments/${ref}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('<strong id="status">authorised</strong>');
    expect(page.text).toContain('id="event-log"');
    expect(page.text).toContain('CREATED');
    expect(page.text).toContain('VISA_DEBIT');
    expect(vipps.calls('GET', `/payments/${ref}/events`)[0].headers).toMatchObject({ 'psp-id': PSP_ID });
  });
});

describe('header and reference fault switches', () => {
  it('no-psp-id omits Psp-Id; no-system-headers omits the Vipps-System-* headers', async () => {
    await setup(['no-psp-id', 'no-system-headers']);
    await reserved();
    for (const r of vipps.requests.filter((q) => q.path.startsWith('/epayment') || q.path.startsWith('/webhooks'))) {
      expect(r.headers['psp-id']).toBeUndefined();
      expect(r.headers['vipps-system-name']).toBeUndefined();
      expect(r.headers['merchant-serial-number']).toBe(MSN);
    }
  });

  it('reuse-psp-reference sends one pspReference for every payment', async () => {
    await setup(['reuse-psp-reference']);
    await api('POST', `${psp.url}/api/payments`, { amount: 1000 });
    await api('POST', `${psp.url}/api/payments`, { amount: 2000 });
    const [a, b] = vipps.calls('POST', '/epayment/v1/payments').map((r) => r.body.cardPassthrough.pspReference);
    expect(a).toBe(b);
  });
});
