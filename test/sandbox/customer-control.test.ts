import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.ts';
import { call, merchantHeaders, startSandbox } from '../helpers/sandbox.ts';

/** The customer/clock control routes under /_sandbox/v1/payments. */
describe('customer control API', () => {
  let sandbox: Sandbox;
  let api: Record<string, string>;
  const P = '/_sandbox/v1/payments';

  beforeAll(async () => {
    sandbox = await startSandbox({
      settings: { rateLimits: { enabled: false } },
      merchants: [{ msn: '654321', name: 'Second shop', clientId: 'second-client', clientSecret: 'second-secret-value', subscriptionKeys: ['second-sub-key'] }],
    });
    api = await merchantHeaders(sandbox.url);
  });
  afterAll(() => sandbox.close());

  async function createPayment(overrides: Record<string, unknown> = {}, headers = api) {
    const reference = `ctl-${randomUUID()}`;
    const res = await call(sandbox.url, 'POST', '/epayment/v1/payments', {
      headers: { ...headers, 'Idempotency-Key': randomUUID() },
      body: {
        amount: { currency: 'NOK', value: 10000 },
        paymentMethod: { type: 'WALLET' },
        reference,
        userFlow: 'WEB_REDIRECT',
        returnUrl: `https://shop.example/return?ref=${reference}`,
        ...overrides,
      },
    });
    expect(res.status, res.text).toBe(201);
    return reference;
  }
  const apiState = async (reference: string) => (await call(sandbox.url, 'GET', `/epayment/v1/payments/${reference}`, { headers: api })).body.state;

  it('approve (with phoneNumber) → AUTHORIZED, answers the internal view', async () => {
    const ref = await createPayment();
    const before = sandbox.traffic.lastSeq;
    const res = await call(sandbox.url, 'POST', `${P}/123456/${ref}/approve`, { body: { phoneNumber: '4791234567' } });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ msn: '123456', reference: ref, state: 'AUTHORIZED', amount: { currency: 'NOK', value: 10000 } });
    expect(res.body.aggregate.authorizedAmount.value).toBe(10000);
    expect(typeof res.body.landingToken).toBe('string');
    expect(res.body.landingUrl).toBe(`${sandbox.url}/landing?token=${encodeURIComponent(res.body.landingToken)}`);
    expect(await apiState(ref)).toBe('AUTHORIZED');
    const [e] = sandbox.traffic.query({ afterSeq: before, api: 'sandbox-control' });
    expect(e).toMatchObject({ kind: 'control', operation: 'approvePayment', reference: ref });
  });

  it('approve without a body works too', async () => {
    const ref = await createPayment();
    const res = await call(sandbox.url, 'POST', `${P}/123456/${ref}/approve`);
    expect(res.status, res.text).toBe(200);
    expect(res.body.state).toBe('AUTHORIZED');
  });

  it('reject → ABORTED, expire → EXPIRED', async () => {
    const a = await createPayment();
    expect((await call(sandbox.url, 'POST', `${P}/123456/${a}/reject`)).body.state).toBe('ABORTED');
    expect(await apiState(a)).toBe('ABORTED');
    const b = await createPayment();
    expect((await call(sandbox.url, 'POST', `${P}/123456/${b}/expire`, { body: {} })).body.state).toBe('EXPIRED');
    expect(await apiState(b)).toBe('EXPIRED');
  });

  it('fail records a declined card attempt and leaves the payment CREATED', async () => {
    const ref = await createPayment();
    const res = await call(sandbox.url, 'POST', `${P}/123456/${ref}/fail`, { body: { reason: 'INSUFFICIENT_FUNDS' } });
    expect(res.status, res.text).toBe(200);
    expect(res.body.state).toBe('CREATED');
    expect(res.body.failedAttempts.at(-1).reason).toBe('INSUFFICIENT_FUNDS');
    expect(await apiState(ref)).toBe('CREATED');
    // The customer then approves with another card.
    expect((await call(sandbox.url, 'POST', `${P}/123456/${ref}/approve`)).body.state).toBe('AUTHORIZED');
  });

  it('approve of a magic amount: 402 with the decline, the attempt recorded, the payment still CREATED', async () => {
    const ref = await createPayment({ amount: { currency: 'NOK', value: 183 } });
    const res = await call(sandbox.url, 'POST', `${P}/123456/${ref}/approve`, { body: { phoneNumber: '4791234567' } });
    expect(res.status, res.text).toBe(402);
    expect(res.body).toMatchObject({ code: '183', reason: 'Suspected fraud', outcome: 'declined', payment: { reference: ref, state: 'CREATED' } });
    expect(res.body.error).toMatch(/Suspected fraud/);
    expect(res.body.payment.failedAttempts).toHaveLength(1);
    expect(await apiState(ref)).toBe('CREATED');
    expect((await call(sandbox.url, 'POST', `${P}/123456/${ref}/reject`)).body.state).toBe('ABORTED');
  });

  it('refuses actions on final payments with 409 {error, code?}', async () => {
    const ref = await createPayment();
    await call(sandbox.url, 'POST', `${P}/123456/${ref}/reject`);
    for (const action of ['approve', 'reject', 'expire']) {
      const res = await call(sandbox.url, 'POST', `${P}/123456/${ref}/${action}`);
      expect(res.status, `${action}: ${res.text}`).toBe(409);
      expect(typeof res.body.error).toBe('string');
      expect(res.body.error.length).toBeGreaterThan(0);
    }
    expect(await apiState(ref)).toBe('ABORTED');
  });

  it('404 for unknown payments, also across MSNs', async () => {
    const ref = await createPayment();
    for (const path of [`${P}/123456/no-such-ref-1234/approve`, `${P}/654321/${ref}/approve`, `${P}/123456/no-such-ref-1234`, `${P}/by-token/nope`]) {
      const res = await call(sandbox.url, path.endsWith('approve') ? 'POST' : 'GET', path);
      expect(res.status, path).toBe(404);
      expect(typeof res.body.error).toBe('string');
    }
    expect(await apiState(ref)).toBe('CREATED');
  });

  it('400 for bad bodies (invalid phone, missing reason, broken JSON)', async () => {
    const ref = await createPayment();
    const bad = await call(sandbox.url, 'POST', `${P}/123456/${ref}/approve`, { body: { phoneNumber: '+47 12' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/phoneNumber/);
    expect((await call(sandbox.url, 'POST', `${P}/123456/${ref}/fail`, { body: {} })).status).toBe(400);
    expect((await call(sandbox.url, 'POST', `${P}/123456/${ref}/fail`, { body: '{broken' })).status).toBe(400);
    expect(await apiState(ref)).toBe('CREATED');
  });

  it('reads: one payment, by landing token, and lists filtered by msn and state', async () => {
    const ref = await createPayment();
    const one = await call(sandbox.url, 'GET', `${P}/123456/${ref}`);
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ reference: ref, state: 'CREATED' });
    const byToken = await call(sandbox.url, 'GET', `${P}/by-token/${encodeURIComponent(one.body.landingToken)}`);
    expect(byToken.body.reference).toBe(ref);

    const second = await createPayment({}, await merchantHeaders(sandbox.url, { msn: '654321', clientId: 'second-client', clientSecret: 'second-secret-value', subscriptionKeys: ['second-sub-key'] }));
    const created = await call(sandbox.url, 'GET', `${P}?msn=123456&state=CREATED`);
    expect(created.status).toBe(200);
    expect(created.body.payments.map((p: any) => p.reference)).toContain(ref);
    expect(created.body.payments.every((p: any) => p.msn === '123456' && p.state === 'CREATED')).toBe(true);
    expect(created.body.count).toBe(created.body.payments.length);
    const other = await call(sandbox.url, 'GET', `${P}?msn=654321`);
    expect(other.body.payments.map((p: any) => p.reference)).toEqual([second]);
    const all = await call(sandbox.url, 'GET', P);
    expect(all.body.payments.map((p: any) => p.reference)).toEqual(expect.arrayContaining([ref, second]));
    expect((await call(sandbox.url, 'GET', `${P}?state=PAID`)).status).toBe(400);
  });

  it('passes the payment view through the redactor', async () => {
    const ref = await createPayment({ metadata: { note: 'plain', password: 'hunter2-secret' } });
    const res = await call(sandbox.url, 'GET', `${P}/123456/${ref}`);
    expect(res.text).not.toContain('hunter2-secret');
    expect(res.body.createRequest.metadata).toEqual({ note: 'plain', password: expect.stringMatching(/^\[REDACTED/) });
  });
});
