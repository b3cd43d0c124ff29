// In person (seed 003): merchant-redirect QR → bill page → PUSH_MESSAGE with the phoneNumber
// scope and a receipt → outcome by polling and webhooks → Userinfo → the phone number kept for
// the next payment; and the POS screen's one-time payment QR. Real shop, real sandbox; the QR
// API's merchant-redirect endpoints come from a fake in front of the sandbox (test/fake-qr.ts).
// Receipts are judged with golive's own arithmetic (src/contract/receipts.ts; tests only, the shop never imports it).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { receiptProblems } from '../../../src/contract/receipts.ts';
import type { Sandbox } from '../../../src/sandbox/index.ts';
import type { FaultSwitch } from '../src/config.ts';
import { startFakeQr, type FakeQr } from './fake-qr.ts';
import { customer, http, order, sleep, startMerchant, startSandbox, waitFor, waitForStatus, withMerchant } from './helpers.ts';

let sandbox: Sandbox;
let qr: FakeQr;
beforeAll(async () => {
  sandbox = await startSandbox();
  qr = await startFakeQr(sandbox.url);
});
afterAll(async () => {
  await qr?.close();
  await sandbox?.close();
});

type Merchant = Awaited<ReturnType<typeof startMerchant>>;
const PHONE = '4791234567';
const shopWith = (options: Parameters<typeof startMerchant>[1], fn: (m: Merchant) => Promise<void>) => withMerchant(sandbox, { vippsBaseUrl: qr.url, ...options }, fn);
const withFault = (fault: FaultSwitch, options: Parameters<typeof startMerchant>[1], fn: (m: Merchant) => Promise<void>) => shopWith({ ...options, faults: [fault] }, fn);
const api = (m: Merchant, operation?: string | string[], reference?: string) => sandbox.traffic.query({ kind: 'api', msn: m.msn, operation, reference });
const createBody = (m: Merchant, reference: string) => api(m, 'createPayment', reference)[0]?.request.body as any;
const dropWebhooks = (m: Merchant) => sandbox.faults.add({ match: { msn: m.msn }, effect: { type: 'webhook-drop' } });

async function push(m: Merchant, body: Record<string, unknown>) {
  return http(m.url, 'POST', '/api/push-payments', { amount: 34900, description: 'Taxi, Oslo S → Majorstuen', ...body });
}
async function pushed(m: Merchant, phoneNumber = PHONE): Promise<string> {
  const res = await push(m, { phoneNumber });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.reference;
}
/** The customer approves on the phone and (healthy shop) Userinfo gives the number: the order says it is shared. */
async function approvedAndShared(m: Merchant, reference: string) {
  await customer(sandbox, m.msn, reference, 'approve');
  return waitFor(`${reference} paid with a shared phone number`, () => order(m, reference), (o) => o.status === 'paid' && o.sharedPhoneNumber === true);
}
const formPost = (base: string, path: string, form: Record<string, string>, headers: Record<string, string> = {}) =>
  fetch(base + path, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(form).toString() });

describe('in person: push payment', () => {
  it('creates a PUSH_MESSAGE payment to the phone, asking for the phoneNumber scope, customer present, with a receipt that adds up', async () => {
    await shopWith({}, async (m) => {
      const reference = await pushed(m, '+47 912 34 567');
      const body = createBody(m, reference);
      expect(body).toMatchObject({
        userFlow: 'PUSH_MESSAGE',
        customer: { phoneNumber: PHONE },
        profile: { scope: 'phoneNumber' },
        customerInteraction: 'CUSTOMER_PRESENT',
        amount: { currency: 'NOK', value: 34900 },
      });
      expect(body.returnUrl).toBeUndefined();
      expect(receiptProblems(body.receipt, body.amount)).toEqual([]);
      expect(api(m, 'createPayment', reference)[0].response?.status).toBe(201);
      const o = await order(m, reference);
      expect(o).toMatchObject({ status: 'pending', userFlow: 'PUSH_MESSAGE', sharedPhoneNumber: false });
      expect(JSON.stringify(o)).not.toContain('"phoneNumber"');
    });
  });

  it('learns the approval by polling with webhooks lost, reads Userinfo once, keeps the number and never shows it', async () => {
    await shopWith({}, async (m) => {
      dropWebhooks(m);
      const reference = await pushed(m);
      const o = await approvedAndShared(m, reference);
      expect(api(m, 'getPayment', reference).length).toBeGreaterThan(0);
      await sleep(300);
      const userinfo = api(m, 'getUserinfo');
      expect(userinfo).toHaveLength(1);
      expect(userinfo[0].request.path).toMatch(/^\/vipps-userinfo-api\/userinfo\/[^/]+$/);
      expect(JSON.stringify(o)).not.toContain(PHONE);
    });
  });

  it('learns the approval from an HMAC-verified webhook when polling has not started yet', async () => {
    await shopWith({ pollInitialDelayMs: 60_000 }, async (m) => {
      const reference = await pushed(m);
      await approvedAndShared(m, reference);
      expect(api(m, 'getPayment', reference).every((e) => e.response?.status === 200)).toBe(true);
      expect(sandbox.traffic.query({ kind: 'webhook', msn: m.msn }).some((e) => e.response?.status === 200)).toBe(true);
    });
  });

  it('returningFrom pushes to the number the customer shared — and again from that next order', async () => {
    await shopWith({}, async (m) => {
      const first = await pushed(m);
      await approvedAndShared(m, first);
      const next = await push(m, { returningFrom: first, amount: 12900 });
      expect(next.status, JSON.stringify(next.body)).toBe(201);
      const body = createBody(m, next.body.reference);
      expect(body).toMatchObject({ userFlow: 'PUSH_MESSAGE', customer: { phoneNumber: PHONE }, amount: { value: 12900 } });
      expect(body.profile).toBeUndefined(); // already shared: not asked again
      expect((await order(m, next.body.reference)).sharedPhoneNumber).toBe(true);
      expect((await push(m, { returningFrom: next.body.reference })).status).toBe(201);
    });
  });

  it('returningFrom refuses (409, no payment) when the customer did not share: rejected, still pending, or a web order', async () => {
    await shopWith({}, async (m) => {
      const rejected = await pushed(m);
      await customer(sandbox, m.msn, rejected, 'reject');
      await waitForStatus(m, rejected, 'failed');
      const pending = await pushed(m, '4798765432');
      const web = (await http(m.url, 'POST', '/api/checkout', { amount: 14900 })).body.reference;
      const before = api(m, 'createPayment').length;
      for (const previous of [rejected, pending, web]) {
        const res = await push(m, { returningFrom: previous });
        expect(res.status, previous).toBe(409);
        expect(res.body).toEqual({ error: 'no shared phone number for this customer' });
      }
      expect(api(m, 'createPayment')).toHaveLength(before);
      expect((await push(m, { returningFrom: 'no-such-order' })).status).toBe(404);
      expect(api(m, 'getUserinfo')).toHaveLength(0);
    });
  });
});

describe('in person: a new attempt', () => {
  it('a new attempt after a rejected push pushes again to the same phone (not a web redirect)', async () => {
    await shopWith({}, async (m) => {
      const first = await pushed(m);
      await customer(sandbox, m.msn, first, 'reject');
      await waitForStatus(m, first, 'failed');
      const retry = await http(m.url, 'POST', `/api/orders/${first}/retry`);
      expect(retry.status).toBe(201);
      expect(createBody(m, retry.body.reference)).toMatchObject({ userFlow: 'PUSH_MESSAGE', customer: { phoneNumber: PHONE }, profile: { scope: 'phoneNumber' } });
      const page = await fetch(`${m.url}/orders/${first}/retry`, { method: 'POST', redirect: 'manual' });
      expect(page.headers.get('location')).toBe(`/orders/${encodeURIComponent(retry.body.reference)}`);
    });
  });
});

describe('in person: merchant-redirect QR and the bill page', () => {
  it('creates the QR (Accept image/svg+xml) pointing at the stateless bill page, and updates it with PUT when it exists', async () => {
    await shopWith({}, async (m) => {
      const id = `taxi-${m.msn}`;
      const first = await http(m.url, 'POST', `/api/qr/${id}`);
      expect(first.status, JSON.stringify(first.body)).toBe(200);
      expect(first.body).toEqual({ qrId: id, url: `https://qr.test/merchant-redirect/${id}.svg`, redirectUrl: `${m.publicUrl}/bill/${id}`, action: 'created' });
      const second = await http(m.url, 'POST', `/api/qr/${id}`);
      expect(second.status).toBe(200);
      expect(second.body.action).toBe('updated');
      expect(second.body.redirectUrl).toBe(`${m.publicUrl}/bill/${id}`);
      const mine = qr.calls.filter((c) => c.path.includes(id) || c.body?.id === id);
      expect(mine.map((c) => [c.method, c.path, c.status])).toEqual([
        ['POST', '/qr/v1/merchant-redirect', 200],
        ['POST', '/qr/v1/merchant-redirect', 409],
        ['PUT', `/qr/v1/merchant-redirect/${id}`, 200],
      ]);
      expect(mine.every((c) => c.accept === 'image/svg+xml' && c.auth)).toBe(true);
      expect(mine[0].body).toEqual({ id, redirectUrl: `${m.publicUrl}/bill/${id}` });
      expect(mine[2].body).toEqual({ redirectUrl: `${m.publicUrl}/bill/${id}` });
      expect((await http(m.url, 'POST', '/api/qr/not%20ok')).status).toBe(400);
    });
  });

  it('the back office form creates the QR and shows the image to print', async () => {
    await shopWith({}, async (m) => {
      expect((await http(m.url, 'GET', '/admin')).body).toContain('data-testid="qr-id-input"');
      const id = `table-${m.msn}`;
      const res = await formPost(m.url, '/admin/qr', { qrId: id });
      const page = await res.text();
      expect(res.status).toBe(200);
      expect(page).toContain(`data-testid="merchant-qr" src="https://qr.test/merchant-redirect/${id}.svg"`);
      expect(page).toContain(`${m.publicUrl}/bill/${id}`);
      expect(qr.codes.get(id)).toBe(`${m.publicUrl}/bill/${id}`);
    });
  });

  it('the bill page works in a fresh browser and pushes the payment, then shows the order page (no redirect from Vipps)', async () => {
    // Webhooks lost and the poller starting late: any early read of the payment would be the page's own.
    await shopWith({ pollInitialDelayMs: 1500 }, async (m) => {
      dropWebhooks(m);
      const page = await http(m.url, 'GET', '/bill/table-12');
      expect(page.status).toBe(200);
      for (const id of ['bill-amount-input', 'bill-description-input', 'phone-input', 'push-pay']) expect(page.body).toContain(`data-testid="${id}"`);
      const res = await formPost(m.url, '/bill/table-12', { amount: '249,50', description: 'Dinner, table 12', phoneNumber: '91234567' });
      expect(res.status).toBe(303);
      const location = res.headers.get('location')!;
      expect(location).toMatch(/^\/orders\/acme-shop-/);
      const reference = decodeURIComponent(location.split('/').pop()!);
      expect(createBody(m, reference)).toMatchObject({ userFlow: 'PUSH_MESSAGE', customer: { phoneNumber: PHONE }, amount: { value: 24950 } });
      const orderPage = await http(m.url, 'GET', location);
      expect(orderPage.body).toContain('data-status="pending"');
      expect(orderPage.body).toContain('http-equiv="refresh"');
      expect(api(m, 'getPayment', reference)).toHaveLength(0); // the page view did not read the payment; poller and webhooks do
      await customer(sandbox, m.msn, reference, 'approve');
      await waitForStatus(m, reference, 'paid');
      expect((await http(m.url, 'GET', location)).body).toContain('data-status="paid"');
      const bad = await formPost(m.url, '/bill/table-12', { amount: '10', phoneNumber: '12' });
      expect(bad.status).toBe(400);
      expect(await bad.text()).toContain('data-testid="in-person-error"');
    });
  });
});

describe('in person: POS screen', () => {
  it('shows a one-time payment QR (userFlow QR, SVG, customer present) with its reference, and the status the server learns', async () => {
    await shopWith({}, async (m) => {
      const pos = await http(m.url, 'GET', '/pos');
      for (const id of ['pos-amount-input', 'show-qr']) expect(pos.body).toContain(`data-testid="${id}"`);
      const res = await formPost(m.url, '/pos', { amount: '59' });
      expect(res.status).toBe(303);
      const location = res.headers.get('location')!;
      const reference = decodeURIComponent(location.split('/').pop()!);
      const create = api(m, 'createPayment', reference)[0];
      expect(create.request.body).toMatchObject({ userFlow: 'QR', qrFormat: { format: 'IMAGE/SVG+XML' }, customerInteraction: 'CUSTOMER_PRESENT', amount: { value: 5900 } });
      expect(receiptProblems((create.request.body as any).receipt, (create.request.body as any).amount)).toEqual([]);
      const redirectUrl = (create.response?.body as any).redirectUrl as string;
      const page = (await http(m.url, 'GET', location)).body as string;
      expect(page).toContain(`data-testid="payment-qr" src="${redirectUrl.replace(/&/g, '&amp;')}"`);
      expect(page).toContain(`data-testid="pos-reference">${reference}<`);
      dropWebhooks(m);
      await customer(sandbox, m.msn, reference, 'approve');
      await waitFor('POS screen shows paid', async () => (await http(m.url, 'GET', location)).body as string, (b) => b.includes('data-status="paid"'));
      const json = await http(m.url, 'POST', '/api/qr-payments', { amount: 4500, description: 'Espresso' });
      expect(json.status).toBe(201);
      expect(json.body.redirectUrl).toBe((api(m, 'createPayment', json.body.reference)[0].response?.body as any).redirectUrl);
    });
  });
});

describe('in person: fault switches', () => {
  it('scope-without-userinfo: asks for the scope, never calls Userinfo, keeps the typed number', async () => {
    await withFault('scope-without-userinfo', {}, async (m) => {
      const first = await pushed(m);
      expect(createBody(m, first).profile).toEqual({ scope: 'phoneNumber' });
      await approvedAndShared(m, first);
      await sleep(300);
      expect(api(m, 'getUserinfo')).toHaveLength(0);
      expect((await push(m, { returningFrom: first })).status).toBe(201);
    });
  });

  it('phone-without-consent: keeps the typed number although the payment failed, and returningFrom pushes to it', async () => {
    await withFault('phone-without-consent', {}, async (m) => {
      const first = await pushed(m);
      await customer(sandbox, m.msn, first, 'reject');
      await waitForStatus(m, first, 'failed');
      const next = await push(m, { returningFrom: first });
      expect(next.status).toBe(201);
      expect(createBody(m, next.body.reference).customer).toEqual({ phoneNumber: PHONE });
    });
  });

  it('receipt-lines-mismatch: push and QR receipts whose lines do not add up to the amount', async () => {
    await withFault('receipt-lines-mismatch', {}, async (m) => {
      const reference = await pushed(m);
      const qrPayment = (await http(m.url, 'POST', '/api/qr-payments', { amount: 4500 })).body.reference;
      for (const ref of [reference, qrPayment]) {
        const body = createBody(m, ref);
        expect(receiptProblems(body.receipt, body.amount), ref).toEqual([expect.stringMatching(/order lines add up to \d+, the payment amount is \d+/)]);
      }
      // The web checkout's receipt is not touched.
      const web = (await http(m.url, 'POST', '/api/checkout', { amount: 14900 })).body.reference;
      expect(receiptProblems(createBody(m, web).receipt, createBody(m, web).amount)).toEqual([]);
    });
  });

  it('push-without-polling: with webhooks lost, an approved push payment stays pending (never polled)', async () => {
    await withFault('push-without-polling', { pollInitialDelayMs: 100, pollIntervalMs: 100 }, async (m) => {
      dropWebhooks(m);
      const reference = await pushed(m);
      await customer(sandbox, m.msn, reference, 'approve');
      await sleep(1200);
      expect((await order(m, reference)).status).toBe('pending');
      expect(api(m, 'getPayment', reference)).toHaveLength(0);
      // The web checkout is still polled.
      const web = (await http(m.url, 'POST', '/api/checkout', { amount: 14900 })).body.reference;
      await waitFor('web order polled', () => api(m, 'getPayment', web).length, (n) => n > 0);
    });
  });

  it('push-without-polling: webhooks still tell', async () => {
    await withFault('push-without-polling', {}, async (m) => {
      const reference = await pushed(m);
      await customer(sandbox, m.msn, reference, 'approve');
      await waitForStatus(m, reference, 'paid');
    });
  });

  it('qr-session-url: the QR carries ?session=…, and a fresh browser scanning it gets 410 "session expired"', async () => {
    await withFault('qr-session-url', {}, async (m) => {
      const id = `taxi-s-${m.msn}`;
      const res = await http(m.url, 'POST', `/api/qr/${id}`);
      expect(res.body.redirectUrl).toMatch(new RegExp(`^${m.publicUrl}/bill/${id}\\?session=[0-9a-f]+$`));
      const session = new URL(res.body.redirectUrl).searchParams.get('session')!;
      expect(res.headers.get('set-cookie')).toContain(`sid=${session}`);
      const path = new URL(res.body.redirectUrl).pathname + new URL(res.body.redirectUrl).search;
      const fresh = await http(m.url, 'GET', path);
      expect(fresh.status).toBe(410);
      expect(fresh.body).toContain('Session expired');
      const withCookie = await http(m.url, 'GET', path, undefined, { cookie: `sid=${session}` });
      expect(withCookie.status).toBe(200);
      expect(withCookie.body).toContain(`action="${path}"`); // the form posts back with the session
      const form = { amount: '120', phoneNumber: PHONE };
      expect((await formPost(m.url, path, form)).status).toBe(410);
      expect((await formPost(m.url, path, form, { cookie: `sid=${session}` })).status).toBe(303);
    });
    // Healthy: no session in the URL, any browser gets the bill.
    await shopWith({}, async (m) => {
      const res = await http(m.url, 'POST', `/api/qr/taxi-h-${m.msn}`);
      expect(new URL(res.body.redirectUrl).search).toBe('');
      expect((await http(m.url, 'GET', new URL(res.body.redirectUrl).pathname)).status).toBe(200);
    });
  });
});
