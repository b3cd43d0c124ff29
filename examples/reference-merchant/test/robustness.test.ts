// The healthy merchant against an unfriendly sandbox: lost webhooks, no redirect, stale reads,
// forged and duplicated webhooks, dropped answers, 401/429/5xx, hanging connections.
// Every assertion reads either the sandbox's traffic log or the merchant's own API/pages.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../../src/sandbox/index.ts';
import { startReferenceMerchant } from '../src/index.ts';
import { EPAYMENT_EVENT_TYPES } from '../src/vipps/webhooks.ts';
import { checkout, customer, header, http, order, sleep, startMerchant, startSandbox, waitFor, waitForStatus, withMerchant as withSandboxMerchant } from './helpers.ts';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(async () => {
  await sandbox?.close();
});

type Merchant = Awaited<ReturnType<typeof startMerchant>>;
const withMerchant = (options: Parameters<typeof startMerchant>[1], fn: (m: Merchant) => Promise<void>) => withSandboxMerchant(sandbox, options ?? {}, fn);

const api = (m: Merchant, operation?: string | string[], reference?: string) => sandbox.traffic.query({ kind: 'api', msn: m.msn, operation, reference });
const webhooksTo = (m: Merchant, reference?: string) => sandbox.traffic.query({ kind: 'webhook', msn: m.msn, reference });

describe('polling', () => {
  it('gets the order right with webhooks dropped and no redirect (customer approves in the app)', async () => {
    await withMerchant({ pollInitialDelayMs: 600, pollIntervalMs: 300 }, async (m) => {
      sandbox.faults.add({ match: { msn: m.msn }, effect: { type: 'webhook-drop' } });
      const { reference } = await checkout(m);
      const created = api(m, 'createPayment', reference)[0];
      await customer(sandbox, m.msn, reference, 'approve');
      const paid = await waitForStatus(m, reference, 'paid', 8000);
      expect(paid.history.at(-1)).toMatchObject({ status: 'paid', source: 'poll' });
      expect(webhooksTo(m, reference).every((e) => e.response === undefined)).toBe(true);

      // First GET not before the initial delay; then roughly every interval; none after the final state.
      const gets = api(m, 'getPayment', reference);
      expect(gets.length).toBeGreaterThanOrEqual(1);
      expect(gets[0].startedAt - created.startedAt).toBeGreaterThanOrEqual(550);
      for (let i = 1; i < gets.length; i++) expect(gets[i].startedAt - gets[i - 1].startedAt).toBeGreaterThanOrEqual(250);
      await sleep(1000);
      expect(api(m, 'getPayment', reference).length).toBe(gets.length);
      expect(m.shop.pollers.active()).toEqual([]);
    });
  });

  it('rejected, expired and cancelled-before-approval payments reach failed, expired and terminated', async () => {
    await withMerchant({}, async (m) => {
      sandbox.faults.add({ match: { msn: m.msn }, effect: { type: 'webhook-drop' } });
      const rejected = await checkout(m, 10000);
      const expired = await checkout(m, 11000);
      const terminated = await checkout(m, 12000);
      await customer(sandbox, m.msn, rejected.reference, 'reject');
      await customer(sandbox, m.msn, expired.reference, 'expire');
      const cancel = await http(m.url, 'POST', `/api/orders/${terminated.reference}/cancel`, {});
      expect(cancel.body).toMatchObject({ status: 'terminated', vipps: { state: 'TERMINATED' } });
      await waitForStatus(m, rejected.reference, 'failed');
      await waitForStatus(m, expired.reference, 'expired');
      // Nobody tries to capture a failed payment.
      expect(api(m, 'capturePayment')).toEqual([]);
      // The return page says so in words.
      const page = await http(m.url, 'GET', `/return?reference=${expired.reference}`);
      expect(page.body).toContain('data-status="expired"');
      expect(page.body).toContain('Payment timed out');
    });
  });

  it('never cancels a payment the customer has not acted on yet', async () => {
    await withMerchant({ pollInitialDelayMs: 100, pollIntervalMs: 100 }, async (m) => {
      const { reference } = await checkout(m);
      await sleep(1500);
      expect((await order(m, reference)).status).toBe('pending');
      expect(api(m, 'cancelPayment')).toEqual([]);
      expect(api(m, 'getPayment', reference).length).toBeGreaterThan(3);
    });
  });
});

describe('webhooks', () => {
  it('registers for all eight ePayment events at start-up and replaces an older registration for the same URL', async () => {
    const publicUrl = 'http://127.0.0.1:9/acme';
    const first = await startMerchant(sandbox, { publicUrl });
    const second = await startReferenceMerchant({ ...first.config, port: 0 });
    try {
      const registrations = api(first, 'registerWebhook');
      expect(registrations).toHaveLength(2);
      for (const r of registrations) expect(r.request.body).toEqual({ url: `${publicUrl}/vipps/webhooks`, events: [...EPAYMENT_EVENT_TYPES] });
      const list = await http(sandbox.url, 'GET', `/_sandbox/v1/webhooks?msn=${first.msn}`);
      expect(list.body.webhooks.map((w: { id: string }) => w.id)).toEqual([second.webhook!.id]);
      expect(api(first, 'deleteWebhook').map((e) => e.request.path)).toEqual([`/webhooks/v1/webhooks/${first.webhook!.id}`]);
    } finally {
      await second.close();
      await first.close();
    }
    // Both deregistered on close (the first one's was already gone: a 404, logged, harmless).
    expect((await http(sandbox.url, 'GET', `/_sandbox/v1/webhooks?msn=${first.msn}`)).body.webhooks).toEqual([]);
  });

  it('a delivered webhook makes the order paid at once, followed by a GET of the payment', async () => {
    await withMerchant({ pollInitialDelayMs: 60_000 }, async (m) => {
      const { reference } = await checkout(m);
      await customer(sandbox, m.msn, reference, 'approve');
      const paid = await waitForStatus(m, reference, 'paid', 8000);
      expect(paid.history.at(-1).source).toBe('webhook');
      const authorized = await waitFor('the AUTHORIZED delivery in the log', () => webhooksTo(m, reference).find((e) => (e.request.body as any)?.name === 'AUTHORIZED'), Boolean);
      expect(authorized!.response?.status).toBe(200);
      await waitFor('a GET after the webhook', () => api(m, 'getPayment', reference).some((g) => g.seq > authorized!.seq), Boolean);
    });
  });

  it('rejects forged, altered, re-dated and replayed deliveries with 401 and changes nothing', async () => {
    await withMerchant({ pollInitialDelayMs: 60_000 }, async (m) => {
      sandbox.faults.add({ match: { msn: m.msn }, effect: { type: 'webhook-drop' } });
      const { reference } = await checkout(m);
      for (const tamper of ['signature', 'body', 'date', 'stale-date', 'missing-signature']) {
        const res = await http(sandbox.url, 'POST', '/_sandbox/v1/webhooks/deliver', { webhookId: m.webhook!.id, reference, name: 'AUTHORIZED', tamper });
        expect(res.body, tamper).toMatchObject({ accepted: false, status: 401 });
      }
      await sleep(200);
      expect(await order(m, reference)).toMatchObject({ status: 'pending' });
      expect(api(m, 'getPayment', reference)).toEqual([]);
    });
  });

  it('handles duplicates once and ignores success:false', async () => {
    await withMerchant({ pollInitialDelayMs: 60_000 }, async (m) => {
      sandbox.faults.add({ match: { msn: m.msn }, effect: { type: 'webhook-duplicate', copies: 3 } });
      const { reference } = await checkout(m);
      await customer(sandbox, m.msn, reference, 'approve');
      await waitForStatus(m, reference, 'paid', 8000);
      await waitFor('3 copies of AUTHORIZED', () => webhooksTo(m, reference).filter((e) => (e.request.body as any)?.name === 'AUTHORIZED'), (l) => l.length === 3, 8000);
      await sleep(200);
      const o = await order(m, reference);
      expect(o.history.filter((h: { status: string }) => h.status === 'paid')).toHaveLength(1);
      expect(webhooksTo(m, reference).every((e) => e.response?.status === 200)).toBe(true);

      const failed = await http(sandbox.url, 'POST', '/_sandbox/v1/webhooks/deliver', { webhookId: m.webhook!.id, reference, name: 'CAPTURED', success: false });
      expect(failed.body).toMatchObject({ accepted: true, status: 200 });
      await sleep(200);
      const after = await order(m, reference);
      expect(after.status).toBe('paid');
      expect(after.vipps.aggregate.capturedAmount.value).toBe(0);
      expect(after.history.at(-1).note).toBe('Vipps reported a failed CAPTURED');
    });
  });

  it('trusts a verified webhook while GET payment lags behind, and keeps polling until a GET confirms it', async () => {
    await withMerchant({ pollInitialDelayMs: 200, pollIntervalMs: 200 }, async (m) => {
      const { reference } = await checkout(m);
      const stale = sandbox.faults.add({ match: { msn: m.msn, operation: 'getPayment' }, effect: { type: 'stale-read' } });
      await customer(sandbox, m.msn, reference, 'approve');
      const o = await waitForStatus(m, reference, 'paid', 8000);
      expect(o.vipps.confirmed).toBe(false);
      await sleep(600);
      expect(m.shop.pollers.active()).toEqual([reference]);
      sandbox.faults.remove(stale.id);
      await waitFor('confirmation by GET', () => order(m, reference), (x) => x.vipps.confirmed === true, 8000);
      expect((await order(m, reference)).status).toBe('paid');
    });
  });
});

describe('every request to Vipps', () => {
  it('carries MSN, subscription key and all four system headers (the token call too), and reuses one token', async () => {
    await withMerchant({}, async (m) => {
      const { reference } = await checkout(m);
      await customer(sandbox, m.msn, reference, 'approve');
      await waitForStatus(m, reference, 'paid');
      await http(m.url, 'POST', `/api/orders/${reference}/capture`, {});
      await http(m.url, 'GET', `/orders/${reference}`);
      const all = api(m);
      expect(all.length).toBeGreaterThan(6);
      for (const e of all) {
        expect(header(e, 'merchant-serial-number'), e.operation).toBe(m.msn);
        expect(header(e, 'ocp-apim-subscription-key'), e.operation).toBe(m.config.subscriptionKey);
        expect(header(e, 'vipps-system-name'), e.operation).toBe('acme');
        expect(header(e, 'vipps-system-version'), e.operation).toBe('1.0.0');
        expect(header(e, 'vipps-system-plugin-name'), e.operation).toBe('acme-reference-shop');
        expect(header(e, 'vipps-system-plugin-version'), e.operation).toBe('1.0.0');
      }
      expect(all.filter((e) => e.api === 'access-token')).toHaveLength(1);
      expect(all.find((e) => e.operation === 'createPayment')!.request.body).toMatchObject({
        receipt: { orderLines: [{ totalAmount: 49900, taxRate: 1500 }], bottomLine: { currency: 'NOK' } },
        userFlow: 'WEB_REDIRECT',
        returnUrl: `${m.url}/return?reference=${reference}`,
      });
    });
  });

  it('fetches a new token once when the API says 401', async () => {
    await withMerchant({ pollInitialDelayMs: 60_000 }, async (m) => {
      sandbox.faults.add({ match: { msn: m.msn }, effect: { type: 'webhook-drop' } });
      const { reference } = await checkout(m);
      sandbox.faults.add({ match: { msn: m.msn, operation: 'getPayment' }, effect: { type: 'status', status: 401 }, times: 1 });
      const page = await http(m.url, 'GET', `/return?reference=${reference}`);
      expect(page.status).toBe(200);
      expect(page.body).not.toContain('data-testid="return-error"');
      expect(api(m).filter((e) => e.api === 'access-token')).toHaveLength(2);
      expect(api(m, 'getPayment').map((e) => e.response?.status)).toEqual([401, 200]);
    });
  });

  it('uses a new Idempotency-Key per operation and the same one when retrying a lost answer', async () => {
    await withMerchant({ pollInitialDelayMs: 60_000 }, async (m) => {
      const { reference } = await checkout(m);
      await customer(sandbox, m.msn, reference, 'approve');
      await waitForStatus(m, reference, 'paid');
      sandbox.faults.add({ match: { msn: m.msn, operation: 'capturePayment' }, effect: { type: 'drop-response' }, times: 1 });
      const captured = await http(m.url, 'POST', `/api/orders/${reference}/capture`, { amount: 20000 });
      const trace = () => JSON.stringify(api(m).map((e) => [e.operation, e.fault ?? e.response?.status, e.idempotencyKey?.slice(0, 8)]));
      expect(captured.body.status, `${JSON.stringify(captured.body.error)} ${trace()}`).toBe('partially-captured');
      sandbox.faults.add({ match: { msn: m.msn, operation: 'refundPayment' }, effect: { type: 'status', status: 500, code: 3010 }, times: 1 });
      const refunded = await http(m.url, 'POST', `/api/orders/${reference}/refund`, { amount: 5000 });
      expect(refunded.body.status, `${JSON.stringify(refunded.body.error)} ${trace()}`).toBe('partially-refunded');

      const captures = api(m, 'capturePayment', reference);
      expect(captures.map((e) => e.fault ?? e.response?.status), trace()).toEqual(['drop-response', 200]);
      expect(new Set(captures.map((e) => e.idempotencyKey)).size).toBe(1);
      expect(captures[0].request.body).toEqual(captures[1].request.body);
      const refunds = api(m, 'refundPayment', reference);
      expect(refunds.map((e) => e.response?.status), trace()).toEqual([500, 200]);
      expect(refunds[0].idempotencyKey).toBe(refunds[1].idempotencyKey);

      const keys = api(m, ['createPayment', 'capturePayment', 'refundPayment']).map((e) => e.idempotencyKey);
      expect(keys.every((k) => /^[0-9a-f-]{36}$/.test(k ?? ''))).toBe(true);
      expect(new Set(keys).size, trace()).toBe(3);
      // Vipps booked exactly one capture.
      const events = (await http(m.url, 'GET', `/api/orders/${reference}/events`)).body.events;
      expect(events.filter((e: { name: string }) => e.name === 'CAPTURED')).toHaveLength(1);
    });
  });

  it('waits as long as Retry-After says after a 429', async () => {
    await withMerchant({ pollInitialDelayMs: 60_000 }, async (m) => {
      const { reference } = await checkout(m);
      await customer(sandbox, m.msn, reference, 'approve');
      await waitForStatus(m, reference, 'paid');
      sandbox.faults.add({ match: { msn: m.msn, operation: 'capturePayment' }, effect: { type: 'status', status: 429, retryAfter: 1 }, times: 1 });
      const res = await http(m.url, 'POST', `/api/orders/${reference}/capture`, {});
      expect(res.body.status).toBe('captured');
      const [limited, ok] = api(m, 'capturePayment', reference);
      expect(limited.response?.status).toBe(429);
      expect(ok.startedAt - limited.startedAt).toBeGreaterThanOrEqual(1000);
      expect(ok.idempotencyKey).toBe(limited.idempotencyKey);

      // The gateway's 429 without Retry-After: still at least a second before the next try.
      await sleep(300); // let the CAPTURED webhook's re-read finish first
      sandbox.faults.add({ match: { msn: m.msn, operation: 'getPayment' }, effect: { type: 'status', status: 429 }, times: 1 });
      const before = api(m, 'getPayment', reference).length;
      expect((await http(m.url, 'GET', `/return?reference=${reference}`)).status).toBe(200);
      const [gw, retried] = api(m, 'getPayment', reference).slice(before);
      expect(gw.response?.body).toMatchObject({ statusCode: 429 });
      expect(retried.response?.status).toBe(200);
      expect(retried.startedAt - gw.startedAt).toBeGreaterThanOrEqual(1000);
    });
  });

  it('backs off across callers: after a 429 another read of the same payment waits too', async () => {
    await withMerchant({ pollInitialDelayMs: 60_000 }, async (m) => {
      const { reference } = await checkout(m);
      await customer(sandbox, m.msn, reference, 'approve');
      await waitForStatus(m, reference, 'paid');
      await sleep(300); // let the AUTHORIZED webhook's re-read finish first
      sandbox.faults.add({ match: { msn: m.msn, reference, operation: 'getPayment' }, effect: { type: 'status', status: 429, retryAfter: 1 }, times: 1 });
      const before = api(m, 'getPayment', reference).length;
      // Two page views, the second while the first is backing off from its 429.
      const first = http(m.url, 'GET', `/return?reference=${reference}`);
      await waitFor('the 429', () => api(m, 'getPayment', reference).slice(before), (l) => l.length >= 1, 2000);
      await sleep(100);
      const second = http(m.url, 'GET', `/return?reference=${reference}`);
      expect((await first).status).toBe(200);
      expect((await second).status).toBe(200);
      const [limited, ...later] = api(m, 'getPayment', reference).slice(before);
      expect(limited.response?.status).toBe(429);
      expect(later).toHaveLength(2);
      for (const e of later) expect(e.startedAt - limited.startedAt).toBeGreaterThanOrEqual(1000);
    });
  });

  it('gives up on a hanging connection after its client timeout and retries', async () => {
    await withMerchant({ pollInitialDelayMs: 60_000, requestTimeoutMs: 400 }, async (m) => {
      sandbox.faults.add({ match: { msn: m.msn }, effect: { type: 'webhook-drop' } });
      const { reference } = await checkout(m);
      sandbox.faults.add({ match: { msn: m.msn, operation: 'getPayment' }, effect: { type: 'hang' }, times: 1 });
      const t0 = Date.now();
      const page = await http(m.url, 'GET', `/orders/${reference}`);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(400);
      expect(page.status).toBe(200);
      expect(page.body).not.toContain('data-testid="lookup-error"');
      expect(api(m, 'getPayment', reference).length).toBe(2);
    });
  });
});

describe('errors shown in words', () => {
  it('a refused checkout shows the customer what to do, never raw JSON', async () => {
    await withMerchant({}, async (m) => {
      sandbox.faults.add({ match: { msn: m.msn, operation: 'createPayment' }, effect: { type: 'status', status: 403, code: 7010, title: 'Customer not found' }, times: 1 });
      const page = await fetch(`${m.url}/checkout`, { method: 'POST', body: new URLSearchParams({ amount: '149.00', description: 'Beans' }), redirect: 'manual' });
      const body = await page.text();
      expect(page.status).toBe(502);
      expect(body).toContain('data-testid="checkout-error"');
      expect(body).toContain('Vipps MobilePay could not find a user who can pay this order');
      expect(body).not.toMatch(/extraDetails|traceId|"status"|at \S+\.ts/);

      sandbox.faults.add({ match: { msn: m.msn, operation: 'createPayment' }, effect: { type: 'status', status: 500, code: 3010 } });
      const down = await http(m.url, 'POST', '/api/checkout', { amount: 14900 });
      expect(down.status).toBe(502);
      expect(down.body.error).toMatchObject({ status: 500, code: '3010' });
      expect(down.body.error.message).toMatch(/^Vipps MobilePay had a technical problem, even after retrying/);
      // Retried with the same key, then gave up (maxRetries = 3).
      const creates = api(m, 'createPayment').slice(1);
      expect(creates).toHaveLength(4);
      expect(new Set(creates.map((e) => e.idempotencyKey)).size).toBe(1);
    });
  });

  it('staff see why a capture was refused, with code and trace id', async () => {
    await withMerchant({}, async (m) => {
      const { reference } = await checkout(m, 10000);
      await customer(sandbox, m.msn, reference, 'approve');
      await waitForStatus(m, reference, 'paid');
      const res = await http(m.url, 'POST', `/api/orders/${reference}/capture`, { amount: 10100 });
      expect(res.status).toBe(422);
      expect(res.body.error).toMatchObject({ status: 400, code: '6090' });
      expect(res.body.error.message).toMatch(/^That is more than is left to capture on this payment\. \(HTTP 400, error 6090, trace 00-/);
      // One try only: a 4xx is an answer, not a glitch.
      expect(api(m, 'capturePayment')).toHaveLength(1);
      const page = await http(m.url, 'GET', `/orders/${reference}`);
      expect(page.body).toContain('data-testid="problem-message">That is more than is left to capture on this payment.');
    });
  });
});
