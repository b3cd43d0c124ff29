// Pure parts of the reference merchant: webhook signature check, references, state mapping,
// configuration, amount parsing, error wording. No network.
import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { configFromArgs, resolveConfig, type FaultSwitch } from '../src/config.ts';
import { mergePayment, orderStatusFor, remaining } from '../src/orders.ts';
import { ReferenceGenerator, REFERENCE_PATTERN } from '../src/references.ts';
import { parseKroner } from '../src/routes/pages.ts';
import type { Payment } from '../src/vipps/epayment.ts';
import { customerMessage, staffMessage, VippsApiError } from '../src/vipps/errors.ts';
import { verifyWebhook } from '../src/vipps/webhooks.ts';

describe('webhook signature (Webhooks API request authentication)', () => {
  // The published known-answer test (vipps-facts §3.4).
  const kat = {
    secret: 'A0+AeKBRG2KRGvnNwJpQlb6IJFk48CKXCIcrLoHncVJKDILsQSxS6NWCccwWm6r6FhGKhiHTBsG2wo/xU6FY/A==',
    body: '{"some-unique-content":"ee6e441b-cc4a-46f8-895d-a5af79bcc233/hello-world"}',
    date: 'Thu, 30 Mar 2023 08:38:32 GMT',
    path: '/e2cee29b-012e-4f1d-8ef4-e95fd74a7a63',
    host: 'webhook.site',
    hash: 'lNlsp1XA03N34HrQsVzPgJKtC+r7l/RBF4V3JQUWMj4=',
    authorization: 'HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=agAiSyogQbDHpeucoNwYz+yAr5nJ+v+zasdkSbqzv+U=',
  };
  const at = Date.parse(kat.date);
  const delivery = (over: Partial<{ body: string; date: string; hash: string; authorization: string; host: string; path: string }> = {}) => ({
    method: 'POST',
    pathAndQuery: over.path ?? kat.path,
    host: over.host ?? kat.host,
    rawBody: Buffer.from(over.body ?? kat.body),
    headers: { 'x-ms-date': over.date ?? kat.date, 'x-ms-content-sha256': over.hash ?? kat.hash, authorization: over.authorization ?? kat.authorization },
  });
  const skew = 5 * 60_000;

  it('accepts the published example', () => {
    expect(verifyWebhook(delivery(), kat.secret, at + 1000, skew)).toEqual({ ok: true });
  });

  it('accepts the self-computed vector with a query string', () => {
    const body =
      '{"msn":"123456","reference":"acme-shop-123-order123abc","pspReference":"1234567891","name":"AUTHORIZED","amount":{"currency":"NOK","value":35000},"timestamp":"2023-08-14T12:48:46.260Z","idempotencyKey":"49ca711a9487112e1def","success":true}';
    const date = 'Mon, 14 Aug 2023 12:48:46 GMT';
    const d = {
      method: 'POST',
      pathAndQuery: '/mystore_website_backend?x=1',
      host: 'example.com',
      rawBody: Buffer.from(body),
      headers: {
        'x-ms-date': date,
        'x-ms-content-sha256': '6sli/RDaTvUtT1bm+0gUUJxjYC8UlM9P72CdwZ11Vp0=',
        authorization: 'HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=BiuXd+AU+cNd/q3jYKF5YvCn23v/d9+2funjAl+vM90=',
      },
    };
    expect(verifyWebhook(d, '090a478d-37ff-4e77-970e-d457aeb26a3a', Date.parse(date), skew)).toEqual({ ok: true });
  });

  it('rejects a wrong secret, an altered body, a wrong host and a stale date', () => {
    expect(verifyWebhook(delivery(), 'another-secret', at, skew).ok).toBe(false);
    expect(verifyWebhook(delivery({ body: kat.body.replace('hello', 'HELLO') }), kat.secret, at, skew)).toMatchObject({ ok: false, reason: expect.stringMatching(/x-ms-content-sha256/) });
    expect(verifyWebhook(delivery({ host: 'webhook.site:8443' }), kat.secret, at, skew)).toMatchObject({ ok: false, reason: expect.stringMatching(/signature/) });
    expect(verifyWebhook(delivery(), kat.secret, at + 6 * 60_000, skew)).toMatchObject({ ok: false, reason: expect.stringMatching(/stale|replayed/) });
    expect(verifyWebhook(delivery({ authorization: '' }), kat.secret, at, skew).ok).toBe(false);
  });

  it('rejects a correctly signed delivery whose body hash header was recomputed but whose signature was not', () => {
    const body = kat.body.replace('hello', 'bye');
    const hash = createHash('sha256').update(body).digest('base64');
    expect(verifyWebhook(delivery({ body, hash }), kat.secret, at, skew)).toMatchObject({ ok: false, reason: 'signature does not match' });
    // …and accepts it once signed properly with the secret as UTF-8 text (not base64-decoded).
    const sig = createHmac('sha256', kat.secret).update(`POST\n${kat.path}\n${kat.date};${kat.host};${hash}`).digest('base64');
    expect(verifyWebhook(delivery({ body, hash, authorization: `HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=${sig}` }), kat.secret, at, skew).ok).toBe(true);
  });
});

describe('references', () => {
  it('are readable, unique, follow the pattern, and get a new suffix per attempt', () => {
    const gen = new ReferenceGenerator('acme-shop', new Set());
    const numbers = new Set(Array.from({ length: 200 }, () => gen.orderNumber()));
    expect(numbers.size).toBe(200);
    const n = [...numbers][0];
    const r1 = gen.reference(n, 1);
    const r2 = gen.reference(n, 2);
    expect(r1).toMatch(REFERENCE_PATTERN);
    expect(r1).toMatch(/^acme-shop-[a-z0-9]+-[0-9a-f]{4}-1$/);
    expect(r2).toBe(r1.replace(/-1$/, '-2'));
    expect(r1.length).toBeLessThanOrEqual(50);
    expect(n).not.toMatch(/^0/);
  });

  it('weak-references gives sequential digits-only references', () => {
    const gen = new ReferenceGenerator('acme-shop', new Set<FaultSwitch>(['weak-references']));
    const a = gen.reference(gen.orderNumber(), 1);
    const b = gen.reference(gen.orderNumber(), 1);
    expect(a).toBe('10000001');
    expect(b).toBe('10000002');
  });
});

const nok = (value: number) => ({ currency: 'NOK', value });
function payment(state: Payment['state'], u = 0, c = 0, r = 0, x = 0): Payment {
  return {
    reference: 'acme-shop-x-1',
    state,
    amount: nok(1000),
    pspReference: 'p',
    aggregate: { authorizedAmount: nok(u), capturedAmount: nok(c), refundedAmount: nok(r), cancelledAmount: nok(x) },
  };
}

describe('order status mapping', () => {
  const none = new Set<FaultSwitch>();
  it.each([
    [payment('CREATED'), 'pending'],
    [payment('ABORTED'), 'failed'],
    [payment('EXPIRED'), 'expired'],
    [payment('TERMINATED', 0, 0, 0, 1000), 'terminated'],
    [payment('AUTHORIZED', 1000), 'paid'],
    [payment('AUTHORIZED', 1000, 400), 'partially-captured'],
    [payment('AUTHORIZED', 1000, 400, 0, 600), 'captured'],
    [payment('AUTHORIZED', 1000, 1000), 'captured'],
    [payment('AUTHORIZED', 1000, 1000, 300), 'partially-refunded'],
    [payment('AUTHORIZED', 1000, 1000, 1000), 'refunded'],
    [payment('AUTHORIZED', 1000, 0, 0, 1000), 'cancelled'],
  ] as const)('%o ⇒ %s', (p, status) => {
    expect(orderStatusFor(p, none)).toBe(status);
  });

  it('ignore-aborted-expired leaves aborted and expired payments pending', () => {
    const f = new Set<FaultSwitch>(['ignore-aborted-expired']);
    expect(orderStatusFor(payment('ABORTED'), f)).toBe('pending');
    expect(orderStatusFor(payment('EXPIRED'), f)).toBe('pending');
    expect(orderStatusFor(payment('TERMINATED'), f)).toBe('terminated');
  });

  it('never moves backwards on a lagging read', () => {
    const known = payment('AUTHORIZED', 1000, 500);
    const merged = mergePayment(known, payment('CREATED'));
    expect(merged.state).toBe('AUTHORIZED');
    expect(merged.aggregate.capturedAmount.value).toBe(500);
    expect(mergePayment(known, payment('AUTHORIZED', 1000, 1000, 200)).aggregate).toMatchObject({ capturedAmount: nok(1000), refundedAmount: nok(200) });
  });

  it('knows what is left to capture and refund', () => {
    expect(remaining(payment('AUTHORIZED', 1000, 300))).toEqual({ capturable: 700, refundable: 300, cancellable: true });
    expect(remaining(payment('AUTHORIZED', 1000, 300, 0, 700))).toEqual({ capturable: 0, refundable: 300, cancellable: false });
    expect(remaining(payment('CREATED')).cancellable).toBe(true);
  });
});

describe('configuration', () => {
  it('defaults to the sandbox test merchant on the embedded sandbox port', () => {
    const c = resolveConfig();
    expect(c).toMatchObject({ vippsBaseUrl: 'http://127.0.0.1:8089', msn: '123456', port: 4100, pollInitialDelayMs: 5000, pollIntervalMs: 2000, faults: [] });
  });

  it('reads env, then flags over env', () => {
    const input = configFromArgs(['--port', '4200', '--fault=no-refund,weak-references', '--poll-interval-ms', '300'], {
      VIPPS_MSN: '654321',
      REFERENCE_MERCHANT_PORT: '4300',
      REFERENCE_MERCHANT_FAULTS: 'swallow-errors',
    });
    const c = resolveConfig(input);
    expect(c.port).toBe(4200);
    expect(c.msn).toBe('654321');
    expect(c.faults).toEqual(['no-refund', 'weak-references']);
    expect(c.pollIntervalMs).toBe(300);
  });

  it('refuses unknown flags and unknown fault switches', () => {
    expect(() => configFromArgs(['--colour', 'red'])).toThrow(/unknown flag/);
    expect(() => resolveConfig(configFromArgs(['--fault', 'no-such-fault']))).toThrow(/invalid reference-merchant configuration/);
  });
});

describe('amounts and error wording', () => {
  it('parses kroner into øre', () => {
    expect(parseKroner('499')).toBe(49900);
    expect(parseKroner('499,50')).toBe(49950);
    expect(parseKroner('0.1')).toBe(10);
    expect(parseKroner('')).toBeUndefined();
    expect(parseKroner('12abc')).toBeNaN();
    expect(parseKroner('1.234')).toBeNaN();
  });

  it('explains Vipps errors without JSON, with code and trace id for staff', () => {
    const err = VippsApiError.fromResponse('capturePayment', 400, {
      type: 'https://httpstatuses.io/400',
      title: 'Capture amount too high',
      status: 400,
      traceId: '00-abc-01',
      extraDetails: [{ name: 'ErrorCode', reason: '6090' }],
    });
    expect(err.code).toBe('6090');
    expect(err.retryable).toBe(false);
    expect(staffMessage(err)).toBe('That is more than is left to capture on this payment. (HTTP 400, error 6090, trace 00-abc-01)');
    const down = VippsApiError.fromResponse('createPayment', 500, { title: 'Internal error', status: 500, extraDetails: [{ name: 'ErrorCode', reason: '3010' }] });
    expect(down.retryable).toBe(true);
    expect(customerMessage(down)).toMatch(/technical problems/);
    expect(customerMessage(down)).not.toMatch(/[{}]/);
    const gateway = VippsApiError.fromResponse('getPayment', 429, { statusCode: 429, message: 'Rate limit is exceeded. Try again later.' });
    expect(gateway.retryable).toBe(true);
    expect(customerMessage(gateway)).toMatch(/wait a minute/);
  });
});
