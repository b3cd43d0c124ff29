// Each fault switch makes the merchant break its one checklist item, visibly: in the sandbox's
// traffic log or on the merchant's own pages/API. (The healthy behaviour for the same scenario
// is asserted in robustness.test.ts and browser.test.ts.)
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../../src/sandbox/index.ts';
import type { FaultSwitch } from '../src/config.ts';
import { CHROMIUM, checkout, customer, header, http, order, sleep, startMerchant, startSandbox, waitFor, waitForStatus, withMerchant } from './helpers.ts';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(async () => {
  await sandbox?.close();
});

type Merchant = Awaited<ReturnType<typeof startMerchant>>;
const withFault = (fault: FaultSwitch, options: Parameters<typeof startMerchant>[1], fn: (m: Merchant) => Promise<void>) =>
  withMerchant(sandbox, { ...options, faults: [fault] }, fn);
const api = (m: Merchant, operation?: string | string[], reference?: string) => sandbox.traffic.query({ kind: 'api', msn: m.msn, operation, reference });
const dropWebhooks = (m: Merchant) => sandbox.faults.add({ match: { msn: m.msn }, effect: { type: 'webhook-drop' } });

describe('fault switches', () => {
  it('no-system-headers (EP-HEADERS): no Vipps-System-* header on any request, the token call included', async () => {
    await withFault('no-system-headers', {}, async (m) => {
      await checkout(m);
      const all = api(m);
      expect(all.map((e) => e.api)).toContain('access-token');
      for (const e of all) {
        for (const h of ['vipps-system-name', 'vipps-system-version', 'vipps-system-plugin-name', 'vipps-system-plugin-version'])
          expect(header(e, h), `${e.operation} ${h}`).toBeUndefined();
        expect(header(e, 'merchant-serial-number')).toBe(m.msn);
      }
    });
  });

  it('no-idempotency-key (EP-IDEMPOTENCY): create goes out without an Idempotency-Key', async () => {
    await withFault('no-idempotency-key', {}, async (m) => {
      const res = await http(m.url, 'POST', '/api/checkout', { amount: 14900 });
      const creates = api(m, 'createPayment');
      expect(creates).toHaveLength(1);
      expect(header(creates[0], 'idempotency-key')).toBeUndefined();
      // The API requires the key, so the shop cannot take payments at all (a cascade, documented).
      expect(creates[0].response?.status).toBe(400);
      expect(res.status).toBe(422);
    });
  });

  it('new-idempotency-key-on-retry (EP-IDEMPOTENCY): a retry after a lost answer uses a different key — and captures twice', async () => {
    await withFault('new-idempotency-key-on-retry', { pollInitialDelayMs: 60_000 }, async (m) => {
      const { reference } = await checkout(m);
      await customer(sandbox, m.msn, reference, 'approve');
      await waitForStatus(m, reference, 'paid');
      sandbox.faults.add({ match: { msn: m.msn, operation: 'capturePayment' }, effect: { type: 'drop-response' }, times: 1 });
      await http(m.url, 'POST', `/api/orders/${reference}/capture`, { amount: 10000 });
      const captures = api(m, 'capturePayment', reference);
      expect(captures).toHaveLength(2);
      expect(captures[0].idempotencyKey).not.toBe(captures[1].idempotencyKey);
      expect((await order(m, reference)).vipps.aggregate.capturedAmount.value).toBe(20000);
    });
  });

  it('token-per-request (EP-TOKEN-CACHE): one /accesstoken/get per API call', async () => {
    await withFault('token-per-request', { pollInitialDelayMs: 60_000 }, async (m) => {
      dropWebhooks(m);
      const { reference } = await checkout(m);
      await http(m.url, 'GET', `/return?reference=${reference}`);
      await http(m.url, 'GET', `/orders/${reference}`);
      const tokens = api(m).filter((e) => e.api === 'access-token').length;
      const calls = api(m).filter((e) => e.api !== 'access-token').length;
      expect(calls).toBeGreaterThanOrEqual(5); // list + register webhook, create, get ×2, events
      expect(tokens).toBe(calls);
    });
  });

  it('webhooks-only (EP-POLLING): never polls, so without webhooks the order stays pending', async () => {
    await withFault('webhooks-only', { pollInitialDelayMs: 100, pollIntervalMs: 100 }, async (m) => {
      dropWebhooks(m);
      const { reference } = await checkout(m);
      await customer(sandbox, m.msn, reference, 'approve');
      await sleep(1500);
      expect((await order(m, reference)).status).toBe('pending');
      expect(api(m, 'getPayment')).toEqual([]);
      expect(api(m, 'registerWebhook')).toHaveLength(1);
    });
  });

  it('redirect-only (EP-POLLING / EP-WEBHOOKS-AND-POLLING): no webhook registration, no polling; only a return-page visit updates the order', async () => {
    await withFault('redirect-only', { pollInitialDelayMs: 100, pollIntervalMs: 100 }, async (m) => {
      const { reference } = await checkout(m);
      await customer(sandbox, m.msn, reference, 'approve');
      await sleep(1500);
      expect(api(m, ['registerWebhook', 'getWebhooks', 'getPayment'])).toEqual([]);
      expect((await order(m, reference)).status).toBe('pending');
      await http(m.url, 'GET', `/return?reference=${reference}`);
      expect((await order(m, reference)).status).toBe('paid');
    });
  });

  it('return-page-needs-session (EP-REDIRECT): the return page in a fresh browser says the session expired', async () => {
    await withFault('return-page-needs-session', {}, async (m) => {
      let browser: Browser | undefined;
      try {
        browser = await chromium.launch(CHROMIUM);
        const shopper = await browser.newContext();
        const page = await shopper.newPage();
        await page.goto(m.url + '/');
        await page.getByTestId('pay-with-vipps').click();
        await page.waitForURL((u) => u.href.startsWith(`${sandbox.url}/landing`));
        await page.getByTestId('approve-button').click();
        await page.waitForURL((u) => u.href.startsWith(`${m.url}/return`));
        // Same browser, session cookie present: fine.
        expect(await page.getByTestId('order-status').getAttribute('data-status')).toMatch(/paid|pending/);
        const returnUrl = page.url();

        const fresh = await browser.newContext();
        const other = await fresh.newPage();
        const res = await other.goto(returnUrl);
        expect(res?.status()).toBe(403);
        expect(await other.getByTestId('message-title').textContent()).toBe('Your session has expired');
        expect(await other.getByTestId('order-status').count()).toBe(0);
      } finally {
        await browser?.close();
      }
    });
  });

  it('ignore-aborted-expired (EP-STATES-ABORTED / EP-STATES-EXPIRED): rejected and expired orders stay pending', async () => {
    await withFault('ignore-aborted-expired', {}, async (m) => {
      const rejected = await checkout(m, 10000);
      const expired = await checkout(m, 11000);
      await customer(sandbox, m.msn, rejected.reference, 'reject');
      await customer(sandbox, m.msn, expired.reference, 'expire');
      await waitFor('both read back', async () => [await order(m, rejected.reference), await order(m, expired.reference)], (l) => l.every((o) => o.vipps?.state !== 'CREATED'));
      expect((await order(m, rejected.reference)).status).toBe('pending');
      expect((await order(m, expired.reference)).status).toBe('pending');
      const page = await http(m.url, 'GET', `/return?reference=${rejected.reference}`);
      expect(page.body).toContain('Waiting for your payment');
    });
  });

  it('no-event-log (EP-ENDPOINT-EVENTS): the order page and the events API never call the event log', async () => {
    await withFault('no-event-log', {}, async (m) => {
      const { reference } = await checkout(m);
      const page = await http(m.url, 'GET', `/orders/${reference}`);
      expect(page.body).toContain('data-testid="events-unavailable"');
      expect((await http(m.url, 'GET', `/api/orders/${reference}/events`)).body.events).toEqual([]);
      expect(api(m, 'getPaymentEventLog')).toEqual([]);
    });
  });

  it('no-refund (EP-ENDPOINT-REFUND-*): refunds fail in the shop, the refund endpoint is never called', async () => {
    await withFault('no-refund', {}, async (m) => {
      const { reference } = await checkout(m);
      await customer(sandbox, m.msn, reference, 'approve');
      await waitForStatus(m, reference, 'paid');
      expect((await http(m.url, 'POST', `/api/orders/${reference}/capture`, {})).body.status).toBe('captured');
      const refund = await http(m.url, 'POST', `/api/orders/${reference}/refund`, {});
      expect(refund.status).toBe(501);
      expect(api(m, 'refundPayment')).toEqual([]);
    });
  });

  it('weak-references (EP-REFERENCE): sequential digits-only references', async () => {
    await withFault('weak-references', {}, async (m) => {
      const a = await checkout(m);
      const b = await checkout(m);
      expect([a.reference, b.reference]).toEqual(['10000001', '10000002']);
      expect(api(m, 'createPayment').map((e) => (e.request.body as any).reference)).toEqual(['10000001', '10000002']);
    });
  });

  it('swallow-errors (EP-ERRORS-DISPLAY): a failed checkout shows a fake confirmation; a refused capture reports success', async () => {
    await withFault('swallow-errors', {}, async (m) => {
      const { reference } = await checkout(m, 10000);
      await customer(sandbox, m.msn, reference, 'approve');
      await waitForStatus(m, reference, 'paid');

      sandbox.faults.add({ match: { msn: m.msn, operation: 'createPayment' }, effect: { type: 'status', status: 500, code: 3010 } });
      const page = await fetch(`${m.url}/checkout`, { method: 'POST', body: new URLSearchParams({ amount: '149.00' }), redirect: 'manual' });
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain('Thank you for your order!');
      expect(html).not.toContain('checkout-error');
      expect(api(m, 'createPayment').at(-1)!.response?.status).toBe(500);

      const capture = await http(m.url, 'POST', `/api/orders/${reference}/capture`, { amount: 99999 });
      expect(capture.status).toBe(200);
      expect(api(m, 'capturePayment').at(-1)!.response?.status).toBe(400);
    });
  });

  it('accept-bad-webhook-signature (WH-VERIFY-HMAC): forged deliveries are answered 200', async () => {
    await withFault('accept-bad-webhook-signature', { pollInitialDelayMs: 60_000 }, async (m) => {
      const { reference } = await checkout(m);
      const res = await http(sandbox.url, 'POST', '/_sandbox/v1/webhooks/deliver', { webhookId: m.webhook!.id, reference, name: 'AUTHORIZED', tamper: 'signature' });
      expect(res.body).toMatchObject({ accepted: true, status: 200 });
    });
  });

  it('capture-more-than-authorized (EP-ERRORS-DISPLAY): "everything left" is 100 øre too much, and the refusal is ignored', async () => {
    await withFault('capture-more-than-authorized', {}, async (m) => {
      const { reference } = await checkout(m, 10000);
      await customer(sandbox, m.msn, reference, 'approve');
      await waitForStatus(m, reference, 'paid');
      const res = await http(m.url, 'POST', `/api/orders/${reference}/capture`, {});
      expect(res.status).toBe(200);
      expect(res.body.status).toBe('paid');
      const [capture] = api(m, 'capturePayment', reference);
      expect((capture.request.body as any).modificationAmount.value).toBe(10100);
      expect(capture.response?.status).toBe(400);
      expect(res.body.problems).toEqual([]);
      // The staff page says nothing either.
      const page = await http(m.url, 'GET', `/orders/${reference}`);
      expect(page.body).not.toContain('data-testid="order-error"');
      // An explicit amount is sent as asked: only "everything left" is miscalculated.
      const partial = await http(m.url, 'POST', `/api/orders/${reference}/capture`, { amount: 4000 });
      expect(partial.body.status).toBe('partially-captured');
      expect((api(m, 'capturePayment', reference)[1].request.body as any).modificationAmount.value).toBe(4000);
    });
  });

  it('poll-too-fast (EP-POLLING guideline): first GET well before 5 s and then every ~100 ms', async () => {
    await withFault('poll-too-fast', {}, async (m) => {
      dropWebhooks(m);
      const { reference } = await checkout(m);
      await waitFor('six polls', () => api(m, 'getPayment', reference), (l) => l.length >= 6, 5000);
      const created = api(m, 'createPayment', reference)[0];
      const gets = api(m, 'getPayment', reference);
      expect(gets[0].startedAt - created.startedAt).toBeLessThan(1000);
      const gaps = gets.slice(1).map((g, i) => g.startedAt - gets[i].startedAt).sort((a, b) => a - b);
      expect(gaps[Math.floor(gaps.length / 2)]).toBeLessThan(500); // the guideline says 2 s
      await m.close(); // stop hammering
    });
  });
});
