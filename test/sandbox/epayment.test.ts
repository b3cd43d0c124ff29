import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PublishedEvent } from '../../src/sandbox/events.ts';
import type { Sandbox } from '../../src/sandbox/index.ts';
import type { MerchantInput } from '../../src/sandbox/merchants.ts';
import { subForPhoneNumber } from '../../src/sandbox/epayment/machine.ts';
import { PaymentDeclinedError } from '../../src/sandbox/epayment/types.ts';
import { specAvailable, SPEC_MISSING_MESSAGE, validateTraffic } from '../helpers/openapi.ts';
import { call, merchantHeaders, startSandbox, TEST_MERCHANT, type CallResult } from '../helpers/sandbox.ts';

/** The ePayment API of the sandbox over real HTTP on 127.0.0.1. */

const PSP_ID = 'C948DFD1546347568874C4DDC93A2E3C';
const PSP_MERCHANT = { msn: '223344', clientId: 'psp-client', clientSecret: 'psp-secret-value', subscriptionKeys: ['psp-sub-key'], pspId: PSP_ID } satisfies MerchantInput;
const STRICT_MERCHANT = {
  msn: '334455',
  clientId: 'strict-client',
  clientSecret: 'strict-secret-value',
  subscriptionKeys: ['strict-sub-key'],
  allowPushMessage: false,
  allowLongLiving: false,
  allowPartialCapture: false,
  allowedScopes: ['name'],
} satisfies MerchantInput;

const PAYMENTS = '/epayment/v1/payments';
let seq = 0;
const newRef = (prefix = 'http') => `${prefix}-${Date.now().toString(36)}-${++seq}`;

function createBody(overrides: Record<string, unknown> = {}) {
  return {
    amount: { currency: 'NOK', value: 1000 },
    paymentMethod: { type: 'WALLET' },
    reference: newRef(),
    userFlow: 'WEB_REDIRECT',
    returnUrl: 'http://127.0.0.1:3000/return?order=1',
    paymentDescription: 'golive test order',
    ...overrides,
  };
}

function expectProblem(res: CallResult, status: number, code?: number) {
  expect(res.status, res.text).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ type: `https://httpstatuses.io/${status}`, status, title: expect.any(String), traceId: expect.stringMatching(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/) });
  if (code !== undefined) expect(res.body.extraDetails).toContainEqual({ name: 'ErrorCode', reason: String(code) });
}

/** A client for one sandbox and merchant. */
function client(sandbox: () => Sandbox, headers: () => Record<string, string>) {
  const api = (method: string, path: string, options: { headers?: Record<string, string>; body?: unknown } = {}) =>
    call(sandbox().url, method, path, { ...options, headers: { ...headers(), ...options.headers } });
  return {
    api,
    create: (body: unknown, key: string = randomUUID(), extra: Record<string, string> = {}) => api('POST', PAYMENTS, { headers: { 'Idempotency-Key': key, ...extra }, body }),
    get: (ref: string) => api('GET', `${PAYMENTS}/${ref}`),
    events: (ref: string) => api('GET', `${PAYMENTS}/${ref}/events`),
    capture: (ref: string, value: number, key: string = randomUUID(), currency = 'NOK') =>
      api('POST', `${PAYMENTS}/${ref}/capture`, { headers: { 'Idempotency-Key': key }, body: { modificationAmount: { currency, value } } }),
    refund: (ref: string, value: number, key: string = randomUUID(), currency = 'NOK') =>
      api('POST', `${PAYMENTS}/${ref}/refund`, { headers: { 'Idempotency-Key': key }, body: { modificationAmount: { currency, value } } }),
    cancel: (ref: string, key: string = randomUUID(), body?: unknown) => api('POST', `${PAYMENTS}/${ref}/cancel`, { headers: { 'Idempotency-Key': key }, body }),
    approve: (ref: string, body: unknown = {}, path = `/epayment/v1/test/payments/${ref}/approve`) => api('POST', path, { body }),
  };
}

const tokenOf = (redirectUrl: string) => new URL(redirectUrl).searchParams.get('token')!;

if (!specAvailable()) console.warn(SPEC_MISSING_MESSAGE);

describe('ePayment API over HTTP', () => {
  let sandbox: Sandbox;
  let H: Record<string, string>;
  let strictH: Record<string, string>;
  let pspH: Record<string, string>;
  const published: PublishedEvent[] = [];
  const c = client(() => sandbox, () => H);
  const strict = client(() => sandbox, () => strictH);
  const psp = client(() => sandbox, () => pspH);

  beforeAll(async () => {
    sandbox = await startSandbox({ settings: { rateLimits: { enabled: false } }, merchants: [PSP_MERCHANT, STRICT_MERCHANT] });
    H = await merchantHeaders(sandbox.url);
    strictH = await merchantHeaders(sandbox.url, STRICT_MERCHANT);
    pspH = { ...(await merchantHeaders(sandbox.url, PSP_MERCHANT)), 'Psp-Id': PSP_ID };
    sandbox.ctx.events.subscribe((e) => published.push(e));
  });
  afterAll(() => sandbox.close());

  it('runs a WEB_REDIRECT payment from create through force approve, capture and refund', async () => {
    const body = createBody({ metadata: { orderId: 'o-1' }, profile: { scope: 'name phoneNumber' } });
    const ref = body.reference;
    const created = await c.create(body, 'create-key-1');
    expect(created.status).toBe(201);
    expect(created.headers['content-type']).toMatch(/^application\/json/);
    expect(created.body).toEqual({ redirectUrl: `${sandbox.url}/landing?token=${tokenOf(created.body.redirectUrl)}`, reference: ref });

    const before = await c.get(ref);
    expect(before.status).toBe(200);
    expect(before.headers['content-type']).toMatch(/^application\/json/);
    const zero = { currency: 'NOK', value: 0 };
    expect(before.body).toEqual({
      aggregate: { authorizedAmount: zero, cancelledAmount: zero, capturedAmount: zero, refundedAmount: zero },
      amount: { currency: 'NOK', value: 1000 },
      state: 'CREATED',
      paymentMethod: { type: 'WALLET' },
      profile: {},
      pspReference: expect.any(String),
      redirectUrl: created.body.redirectUrl,
      reference: ref,
      metadata: { orderId: 'o-1' },
    });
    expect(Object.keys(before.body)).toEqual(['aggregate', 'amount', 'state', 'paymentMethod', 'profile', 'pspReference', 'redirectUrl', 'reference', 'metadata']);

    const approved = await c.approve(ref, { token: tokenOf(created.body.redirectUrl) });
    expect(approved.status).toBe(200);
    expect(approved.text).toBe('');

    const after = await c.get(ref);
    expect(after.body.state).toBe('AUTHORIZED');
    expect(after.body.redirectUrl).toBeUndefined();
    expect(after.body.profile).toEqual({ sub: subForPhoneNumber('4712345678') });
    expect(after.body.aggregate.authorizedAmount).toEqual({ currency: 'NOK', value: 1000 });
    expect(after.body.pspReference).toBe(before.body.pspReference);

    const captured = await c.capture(ref, 600, 'capture-key-1');
    expect(captured.status).toBe(200);
    expect(captured.headers['content-type']).toMatch(/^application\/json/);
    expect(captured.body).toEqual({
      amount: { currency: 'NOK', value: 1000 },
      state: 'AUTHORIZED',
      aggregate: { authorizedAmount: { currency: 'NOK', value: 1000 }, cancelledAmount: zero, capturedAmount: { currency: 'NOK', value: 600 }, refundedAmount: zero },
      pspReference: before.body.pspReference,
      reference: ref,
    });
    const refunded = await c.refund(ref, 250, 'refund-key-1');
    expect(refunded.status).toBe(200);
    expect(refunded.body.aggregate.refundedAmount.value).toBe(250);

    const events = await c.events(ref);
    expect(events.status).toBe(200);
    expect(events.body.map((e: any) => [e.name, e.amount.value, e.idempotencyKey, e.success])).toEqual([
      ['CREATED', 1000, 'create-key-1', true],
      ['AUTHORIZED', 1000, null, true],
      ['CAPTURED', 600, 'capture-key-1', true],
      ['REFUNDED', 250, 'refund-key-1', true],
    ]);
    expect(events.body[0].pspReference).toBe(before.body.pspReference);
    expect(new Set(events.body.map((e: any) => e.pspReference)).size).toBe(4);
    for (const e of events.body) expect(Date.parse(e.timestamp)).toBeLessThanOrEqual(sandbox.clock.now());

    const mine = published.filter((e) => e.reference === ref);
    expect(mine.map((e) => e.eventType)).toEqual(['epayments.payment.created.v1', 'epayments.payment.authorized.v1', 'epayments.payment.captured.v1', 'epayments.payment.refunded.v1']);
    expect(mine.map((e) => e.payload)).toEqual(events.body.map((e: any) => ({ msn: TEST_MERCHANT.msn, ...e })));
    expect(mine.every((e) => e.msn === TEST_MERCHANT.msn && e.amount === 1000)).toBe(true);

    const recorded = sandbox.traffic.query({ api: 'epayment', reference: ref });
    expect(recorded.map((e) => e.operation)).toEqual(['createPayment', 'getPayment', 'forceApprove', 'getPayment', 'capturePayment', 'refundPayment', 'getPaymentEventLog']);
    expect(recorded[4].idempotencyKey).toBe('capture-key-1');
    expect(recorded[2].notes).toMatchObject({ forceApprovePath: 'spec' });
  });

  it('serves force approve on the guide path too and records which path was used', async () => {
    const body = createBody();
    await c.create(body);
    const res = await c.approve(body.reference, { customer: { phoneNumber: '4791234567' } }, `${PAYMENTS}/${body.reference}/approve`);
    expect(res.status).toBe(200);
    expect((await c.get(body.reference)).body.state).toBe('AUTHORIZED');
    const [exchange] = sandbox.traffic.query({ operation: 'forceApprove', reference: body.reference });
    expect(exchange.notes).toEqual({ forceApprovePath: 'guide', forceApproveRoute: '/epayment/v1/payments/{reference}/approve' });
  });

  it('gives each userFlow its redirectUrl: NATIVE_REDIRECT deep link, QR image or target URL, none for PUSH_MESSAGE', async () => {
    const native = await c.create(createBody({ userFlow: 'NATIVE_REDIRECT', returnUrl: 'myshop://order/1' }));
    expect(native.body.redirectUrl).toMatch(/^vippsMT:\/\/\?token=[A-Za-z0-9_-]+$/);
    const qr = await c.create(createBody({ userFlow: 'QR', customerInteraction: 'CUSTOMER_PRESENT' }));
    expect(qr.body.redirectUrl).toMatch(new RegExp(`^${sandbox.url}/qr-image/v1\\?token=[A-Za-z0-9_-]+$`));
    const png = await c.create(createBody({ userFlow: 'QR', qrFormat: { format: 'IMAGE/PNG', size: 512 } }));
    expect(png.body.redirectUrl).toMatch(/\/qr-image\/v1\?token=[A-Za-z0-9_-]+&format=png&size=512$/);
    const text = await c.create(createBody({ userFlow: 'QR', qrFormat: { format: 'TEXT/TARGETURL' } }));
    expect(text.body.redirectUrl).toMatch(new RegExp(`^${sandbox.url}/landing\\?token=`));
    expect((await c.get(qr.body.reference)).body.redirectUrl).toBe(qr.body.redirectUrl);

    const pushBody = createBody({ userFlow: 'PUSH_MESSAGE', customer: { phoneNumber: '4798765432' }, returnUrl: undefined, profile: { scope: 'phoneNumber' } });
    const push = await c.create(pushBody);
    expect(push.status).toBe(201);
    expect(push.body).toEqual({ reference: pushBody.reference });
    const pushed = await c.get(pushBody.reference);
    expect(pushed.body.state).toBe('CREATED');
    expect('redirectUrl' in pushed.body).toBe(false);
    expect((await c.approve(pushBody.reference, {})).status).toBe(200); // the payment names its customer
    expect((await c.get(pushBody.reference)).body.profile).toEqual({ sub: subForPhoneNumber('4798765432') });
  });

  it('cancels: TERMINATED before authorization; after a partial capture the rest is released', async () => {
    const a = createBody();
    await c.create(a);
    const terminated = await c.cancel(a.reference, 'cancel-a');
    expect(terminated.status).toBe(200);
    expect(terminated.body.state).toBe('TERMINATED');
    expect(terminated.body.aggregate.cancelledAmount.value).toBe(1000);
    expectProblem(await c.cancel(a.reference), 400, 6190);
    expectProblem(await c.capture(a.reference, 100), 400, 6070);

    const b = createBody();
    await c.create(b);
    await c.approve(b.reference, { customer: { phoneNumber: '4791234567' } });
    await c.capture(b.reference, 250);
    const cancelled = await c.cancel(b.reference, 'cancel-b', { cancelTransactionOnly: false });
    expect(cancelled.body).toMatchObject({ state: 'AUTHORIZED', aggregate: { capturedAmount: { value: 250 }, cancelledAmount: { value: 750 } } });
    expect((await c.events(b.reference)).body.at(-1)).toMatchObject({ name: 'CANCELLED', amount: { value: 750 }, idempotencyKey: 'cancel-b' });
    expect(published.filter((e) => e.reference === b.reference).at(-1)!.eventType).toBe('epayments.payment.cancelled.v1');

    const d = createBody();
    await c.create(d);
    await c.approve(d.reference, { token: tokenOf((await c.get(d.reference)).body.redirectUrl) });
    expectProblem(await c.cancel(d.reference, randomUUID(), { cancelTransactionOnly: true }), 400, 6060);
    expect((await c.get(d.reference)).body.aggregate.cancelledAmount.value).toBe(0);
  });

  it('answers domain errors as problem details with the numeric code', async () => {
    const body = createBody();
    await c.create(body);
    const early = await c.capture(body.reference, 1000);
    expectProblem(early, 400, 6080);
    expect(early.body).toMatchObject({ title: 'Cannot capture before reservation', instance: `/v1/payments/${body.reference}/capture` });
    expectProblem(await c.refund(body.reference, 100), 400, 6020);

    const duplicate = await c.create({ ...body, amount: { currency: 'NOK', value: 2000 } });
    expectProblem(duplicate, 409, 4150);
    expect(duplicate.body.title).toBe('Reference exists');

    await c.approve(body.reference, { customer: { phoneNumber: '4791234567' } });
    expectProblem(await c.approve(body.reference, { customer: { phoneNumber: '4791234567' } }), 400, 10020);
    expectProblem(await c.capture(body.reference, 1001), 400, 6090);
    expectProblem(await c.capture(body.reference, 100, randomUUID(), 'DKK'), 400);
    await c.capture(body.reference, 1000);
    expectProblem(await c.capture(body.reference, 1), 400, 6170);
    expectProblem(await c.refund(body.reference, 1001), 400, 6150);
    expectProblem(await c.cancel(body.reference), 400, 6040);
    expectProblem(await c.refund(body.reference, 123), 400, 5100);
    await c.refund(body.reference, 1000);
    expectProblem(await c.refund(body.reference, 1), 400, 6180);

    const missing = 'no-such-payment-1';
    for (const res of [await c.get(missing), await c.events(missing), await c.capture(missing, 100), await c.refund(missing, 100), await c.cancel(missing), await c.approve(missing, { customer: { phoneNumber: '4791234567' } })]) {
      expectProblem(res, 404, 5090);
      expect(res.body.title).toBe('Reference not found');
    }
  });

  it('rejects malformed requests with 400 "One or more validation errors occurred." and never a 500', async () => {
    const malformed = await c.api('POST', PAYMENTS, { headers: { 'Idempotency-Key': randomUUID(), 'content-type': 'application/json' }, body: '{"amount": ' });
    expectProblem(malformed, 400);
    expect(malformed.body).toMatchObject({ title: 'Bad Request', detail: 'One or more validation errors occurred.', instance: '/v1/payments' });
    expect(malformed.body.extraDetails[0].name).toBe('body');
    const malformedCapture = await c.api('POST', `${PAYMENTS}/no-such-payment-3/capture`, { headers: { 'Idempotency-Key': randomUUID(), 'content-type': 'application/json' }, body: '{' });
    expect([malformedCapture.status, malformedCapture.body.detail]).toEqual([400, 'One or more validation errors occurred.']);

    const wrongTypes = await c.create({ amount: { currency: 'NOK', value: '1000' }, paymentMethod: 'WALLET', reference: 42, userFlow: 'WEB_REDIRECT', returnUrl: 'https://example.com' });
    expectProblem(wrongTypes, 400);
    expect(wrongTypes.body).toMatchObject({ title: 'Bad Request', detail: 'One or more validation errors occurred.' });
    expect(wrongTypes.body.extraDetails.map((d: any) => d.name).sort()).toEqual(['amount.value', 'paymentMethod', 'reference']);
    expect(wrongTypes.body.extraDetails.every((d: any) => typeof d.reason === 'string' && d.reason.length > 0)).toBe(true);

    for (const raw of ['[]', '"text"', '42', 'null', '']) {
      const res = await c.api('POST', PAYMENTS, { headers: { 'Idempotency-Key': randomUUID(), 'content-type': 'application/json' }, body: raw });
      expectProblem(res, 400);
    }
    expectProblem(await c.api('POST', PAYMENTS, { headers: { 'Idempotency-Key': randomUUID(), 'content-type': 'text/plain' }, body: 'amount=1000' }), 400);

    // Every field with values of the wrong kind: a 4xx problem each time, never a crash.
    const weird: unknown[] = [null, 0, -1, 1.5, '', 'x', true, [], {}, [{}], { nested: { deep: [1] } }, '\u0000', 'a'.repeat(5000)];
    const fields = ['amount', 'paymentMethod', 'reference', 'userFlow', 'returnUrl', 'customer', 'customerInteraction', 'paymentDescription', 'profile', 'metadata', 'expiresAt', 'qrFormat', 'receipt', 'receiptUrl', 'industryData', 'cardPassthrough', 'minimumUserAge'];
    const statuses = new Set<number>();
    for (const field of fields)
      for (const value of weird) {
        const res = await c.create({ ...createBody(), [field]: value });
        statuses.add(res.status);
        expect(res.status, `${field}=${JSON.stringify(value)?.slice(0, 40)} → ${res.text}`).toBeLessThan(500);
        if (res.status >= 400) expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      }
    expect([...statuses].every((s) => [201, 400, 403].includes(s))).toBe(true);
    for (const value of weird) {
      const res = await c.api('POST', `${PAYMENTS}/no-such-payment-2/capture`, { headers: { 'Idempotency-Key': randomUUID() }, body: { modificationAmount: value } });
      expect(res.status).toBe(404);
    }
  });

  it('requires an Idempotency-Key of at most 50 characters on create, capture, refund and cancel', async () => {
    const body = createBody();
    const noKey = await c.api('POST', PAYMENTS, { body });
    expectProblem(noKey, 400);
    expect(noKey.body.extraDetails).toEqual([{ name: 'Idempotency-Key', reason: 'The Idempotency-Key header is required.' }]);
    expectProblem(await c.create(body, 'k'.repeat(51)), 400);
    expect((await c.create(body, 'k'.repeat(50))).status).toBe(201);
    await c.approve(body.reference, { customer: { phoneNumber: '4791234567' } });
    for (const op of ['capture', 'refund', 'cancel']) {
      const res = await c.api('POST', `${PAYMENTS}/${body.reference}/${op}`, { body: { modificationAmount: { currency: 'NOK', value: 100 } } });
      expectProblem(res, 400);
      expect(res.body.extraDetails[0].name).toBe('Idempotency-Key');
    }
    expect((await c.get(body.reference)).body.aggregate).toMatchObject({ capturedAmount: { value: 0 }, cancelledAmount: { value: 0 } });
  });

  it('applies the sales unit permissions: 5080, 5050, 5030 (403) and 6140', async () => {
    expectProblem(await strict.create(createBody({ userFlow: 'PUSH_MESSAGE', customer: { phoneNumber: '4791234567' } })), 403, 5080);
    const receipt = { orderLines: [{ name: 'x', id: '1', totalAmount: 1000, totalAmountExcludingTax: 800, totalTaxAmount: 200, taxRate: 2500 }], bottomLine: { currency: 'NOK' } };
    expectProblem(await strict.create(createBody({ userFlow: 'QR', receipt, expiresAt: new Date(sandbox.clock.now() + 86_400_000).toISOString() })), 403, 5050);
    expectProblem(await strict.create(createBody({ profile: { scope: 'name email' } })), 403, 5030);
    const body = createBody({ profile: { scope: 'name' } });
    expect((await strict.create(body)).status).toBe(201);
    await strict.approve(body.reference, { customer: { phoneNumber: '4791234567' } });
    expectProblem(await strict.capture(body.reference, 500), 400, 6140);
    expect((await strict.capture(body.reference, 1000)).status).toBe(200);
  });

  it('accepts CARD_PASSTHROUGH from a PSP with Psp-Id and stores the card details (4160 otherwise)', async () => {
    const cardPassthrough = { pspReference: 'psp-7686f7788898767977', cardCallbackUrl: 'http://127.0.0.1:9/card-callback', allowedCardTypes: ['VISA_DEBIT', 'MC_CREDIT'] };
    const body = createBody({ paymentMethod: { type: 'CARD_PASSTHROUGH' }, cardPassthrough, customer: { phoneNumber: '4712345678' } });
    const created = await psp.create(body);
    expect(created.status).toBe(201);
    const stored = sandbox.ctx.epayment!.get(PSP_MERCHANT.msn, body.reference)!;
    expect(stored).toMatchObject({ paymentMethodType: 'CARD_PASSTHROUGH', pspId: PSP_ID, cardPassthrough });
    expect((await psp.get(body.reference)).body.paymentMethod).toEqual({ type: 'CARD_PASSTHROUGH' });

    const { 'Psp-Id': _, ...withoutPspId } = pspH;
    const noPspId = await call(sandbox.url, 'POST', PAYMENTS, { headers: { ...withoutPspId, 'Idempotency-Key': randomUUID() }, body: createBody({ paymentMethod: { type: 'CARD_PASSTHROUGH' }, cardPassthrough }) });
    expectProblem(noPspId, 400, 4160);
    expectProblem(await c.create(createBody({ paymentMethod: { type: 'CARD_PASSTHROUGH' }, cardPassthrough }), randomUUID(), { 'Psp-Id': PSP_ID }), 400, 4160);
  });

  it('authenticates every route: gateway 401s, MSN checks, and payments are per MSN', async () => {
    const body = createBody();
    await c.create(body);
    const routes: [string, string][] = [
      ['POST', PAYMENTS],
      ['GET', `${PAYMENTS}/${body.reference}`],
      ['GET', `${PAYMENTS}/${body.reference}/events`],
      ['POST', `${PAYMENTS}/${body.reference}/capture`],
      ['POST', `${PAYMENTS}/${body.reference}/refund`],
      ['POST', `${PAYMENTS}/${body.reference}/cancel`],
      ['POST', `/epayment/v1/test/payments/${body.reference}/approve`],
      ['POST', `${PAYMENTS}/${body.reference}/approve`],
    ];
    const { 'Ocp-Apim-Subscription-Key': _k, ...noKey } = H;
    const { Authorization: _a, ...noAuth } = H;
    const { 'Merchant-Serial-Number': _m, ...noMsn } = H;
    for (const [method, path] of routes) {
      const missingKey = await call(sandbox.url, method, path, { headers: noKey });
      expect(missingKey.status).toBe(401);
      expect(missingKey.body).toEqual({ statusCode: 401, message: expect.stringContaining('missing subscription key') });
      expect((await call(sandbox.url, method, path, { headers: { ...H, 'Ocp-Apim-Subscription-Key': 'bogus' } })).status).toBe(401);
      expect((await call(sandbox.url, method, path, { headers: noAuth })).status).toBe(401);
      expect((await call(sandbox.url, method, path, { headers: { ...H, Authorization: H.Authorization.replace('Bearer ', 'bearer ') } })).status).toBe(401);
      expect((await call(sandbox.url, method, path, { headers: { ...H, Authorization: 'Bearer not-a-token' } })).status).toBe(401);
      expectProblem(await call(sandbox.url, method, path, { headers: { ...H, 'Merchant-Serial-Number': STRICT_MERCHANT.msn } }), 403);
      expectProblem(await call(sandbox.url, method, path, { headers: noMsn }), 400);
    }
    // The strict merchant's own credentials do not see the default merchant's payment.
    expectProblem(await strict.get(body.reference), 404, 5090);
    expect((await c.get(body.reference)).body.state).toBe('CREATED');
    expect((await c.get(body.reference)).body.aggregate.capturedAmount.value).toBe(0);
  });

  it('customer approval through the service honours magic amounts; force approve ignores them', async () => {
    const declined = createBody({ amount: { currency: 'NOK', value: 151 } });
    await c.create(declined);
    expect(() => sandbox.ctx.epayment!.approve(TEST_MERCHANT.msn, declined.reference, { source: 'landing' })).toThrow(PaymentDeclinedError);
    const seen = await c.get(declined.reference);
    expect(seen.body.state).toBe('CREATED');
    expect(sandbox.ctx.epayment!.get(TEST_MERCHANT.msn, declined.reference)!.failedAttempts).toHaveLength(1);
    expect((await c.approve(declined.reference, { token: tokenOf(seen.body.redirectUrl) })).status).toBe(200);
    expect((await c.get(declined.reference)).body.state).toBe('AUTHORIZED');

    const rejected = createBody();
    await c.create(rejected);
    sandbox.ctx.epayment!.reject(TEST_MERCHANT.msn, rejected.reference);
    expect((await c.get(rejected.reference)).body.state).toBe('ABORTED');
    expect((await c.events(rejected.reference)).body.map((e: any) => e.name)).toEqual(['CREATED', 'ABORTED']);
    expectProblem(await c.cancel(rejected.reference), 400, 6050);
    expect(published.filter((e) => e.reference === rejected.reference).map((e) => e.eventType)).toEqual(['epayments.payment.created.v1', 'epayments.payment.aborted.v1']);
  });

  it.skipIf(!specAvailable())('every recorded response validates against epayment-v1.yaml', async () => {
    const { validated, failures } = await validateTraffic(sandbox.traffic.all());
    expect(failures).toEqual([]);
    expect(validated).toBeGreaterThan(50);
  });
});

describe('ePayment API: time and faults', () => {
  let sandbox: Sandbox;
  let H: Record<string, string>;
  const c = client(() => sandbox, () => H);

  beforeAll(async () => {
    sandbox = await startSandbox({ settings: { rateLimits: { enabled: false } } });
    H = await merchantHeaders(sandbox.url);
  });
  afterAll(() => sandbox.close());

  it('expires a CREATED payment when the sandbox clock passes the 10-minute window', async () => {
    const body = createBody();
    await c.create(body);
    sandbox.clock.advance(10 * 60_000 - 1000);
    expect((await c.get(body.reference)).body.state).toBe('CREATED');
    sandbox.clock.advance(1000);
    const expired = await c.get(body.reference);
    expect(expired.body.state).toBe('EXPIRED');
    expect(expired.body.redirectUrl).toBeUndefined();
    const events = (await c.events(body.reference)).body;
    expect(events.map((e: any) => [e.name, e.idempotencyKey])).toEqual([
      ['CREATED', expect.any(String)],
      ['EXPIRED', null],
    ]);
    expectProblem(await c.approve(body.reference, { customer: { phoneNumber: '4791234567' } }), 400, 10020);
    expectProblem(await c.capture(body.reference, 100), 400, 6200);
  });

  it('expire-after fault shortens the life of the matching payment only (matched by amount before the reference exists)', async () => {
    sandbox.faults.add({ label: 'expire', match: { api: 'epayment', operation: 'createPayment', amount: 4242 }, effect: { type: 'expire-after', ms: 30_000 }, times: 1 });
    const short = createBody({ amount: { currency: 'NOK', value: 4242 } });
    const normal = createBody({ amount: { currency: 'NOK', value: 4242 } });
    expect((await c.create(short)).status).toBe(201);
    expect((await c.create(normal)).status).toBe(201);
    sandbox.clock.advance(30_000);
    expect((await c.get(short.reference)).body.state).toBe('EXPIRED');
    expect((await c.get(normal.reference)).body.state).toBe('CREATED');
    expect(sandbox.traffic.query({ operation: 'createPayment', reference: short.reference })[0].notes).toEqual({ expireAfterMs: 30_000 });
    expect(sandbox.faults.list().filter((f) => f.label === 'expire')).toEqual([]); // used up
  });

  it('stale-read fault: GET keeps answering the payment as created while the event log tells the truth', async () => {
    const body = createBody({ metadata: { m: '1' } });
    await c.create(body);
    await c.approve(body.reference, { customer: { phoneNumber: '4791234567' } });
    await c.capture(body.reference, 400);
    const fault = sandbox.faults.add({ match: { api: 'epayment', operation: 'getPayment', reference: body.reference }, effect: { type: 'stale-read' } });
    const stale = await c.get(body.reference);
    expect(stale.status).toBe(200);
    expect(stale.body).toMatchObject({ state: 'CREATED', aggregate: { authorizedAmount: { value: 0 }, capturedAmount: { value: 0 } }, profile: {}, metadata: { m: '1' } });
    expect(stale.body.redirectUrl).toMatch(/\/landing\?token=/);
    expect((await c.get(body.reference)).body.state).toBe('CREATED');
    expect((await c.events(body.reference)).body.map((e: any) => e.name)).toEqual(['CREATED', 'AUTHORIZED', 'CAPTURED']);
    const [recorded] = sandbox.traffic.query({ operation: 'getPayment', reference: body.reference });
    expect(recorded.notes).toEqual({ staleRead: true, actualState: 'AUTHORIZED' });
    sandbox.faults.remove(fault.id);
    expect((await c.get(body.reference)).body).toMatchObject({ state: 'AUTHORIZED', aggregate: { capturedAmount: { value: 400 } } });
  });

  it('stale-read fault with ms: the new state shows on GET only that long after the change, and the read counts as fired', async () => {
    const body = createBody();
    await c.create(body);
    const fault = sandbox.faults.add({ match: { reference: body.reference }, effect: { type: 'stale-read', ms: 4000 } });
    expect((await c.get(body.reference)).body.state).toBe('CREATED');
    expect(sandbox.faults.get(fault.id)?.hits).toBe(0); // nothing hidden yet: not fired
    await c.approve(body.reference, { customer: { phoneNumber: '4791234567' } });
    expect((await c.get(body.reference)).body.state).toBe('CREATED');
    expect(sandbox.faults.get(fault.id)).toMatchObject({ hits: 1, firstFiredAt: expect.any(Number) });
    sandbox.clock.advance(4001);
    expect((await c.get(body.reference)).body.state).toBe('AUTHORIZED');
  });

  it('a fault whose times are used up stays visible as retired, with its fired count', async () => {
    const body = createBody();
    await c.create(body);
    const fault = sandbox.faults.add({ label: 'x', match: { operation: 'getPayment', reference: body.reference }, effect: { type: 'status', status: 401 }, times: 1 });
    expect((await c.get(body.reference)).status).toBe(401);
    expect(sandbox.faults.list().some((f) => f.id === fault.id)).toBe(false);
    expect(sandbox.faults.get(fault.id)).toMatchObject({ hits: 1, retired: true });
    sandbox.faults.clear('x');
    expect(sandbox.faults.get(fault.id)).toBeUndefined();
  });

  it('status fault: a capture answered 500 did not happen; the retry with the same key applies it once', async () => {
    const body = createBody();
    await c.create(body);
    await c.approve(body.reference, { customer: { phoneNumber: '4791234567' } });
    sandbox.faults.add({ match: { operation: 'capturePayment', reference: body.reference }, effect: { type: 'status', status: 500, code: 3010 }, times: 1 });
    expectProblem(await c.capture(body.reference, 300, 'retry-key'), 500, 3010);
    expect((await c.get(body.reference)).body.aggregate.capturedAmount.value).toBe(0);
    const retry = await c.capture(body.reference, 300, 'retry-key');
    expect(retry.status).toBe(200);
    expect(retry.body.aggregate.capturedAmount.value).toBe(300);
  });

  it('drop-response fault: the capture happened although the answer was lost; the retry replays it', async () => {
    const body = createBody();
    await c.create(body);
    await c.approve(body.reference, { customer: { phoneNumber: '4791234567' } });
    sandbox.faults.add({ match: { operation: 'capturePayment', reference: body.reference }, effect: { type: 'drop-response' }, times: 1 });
    await expect(c.capture(body.reference, 300, 'lost-key')).rejects.toThrow();
    expect((await c.get(body.reference)).body.aggregate.capturedAmount.value).toBe(300);
    const retry = await c.capture(body.reference, 300, 'lost-key');
    expect(retry.status).toBe(200);
    expect(retry.body.aggregate.capturedAmount.value).toBe(300);
    expect((await c.events(body.reference)).body.filter((e: any) => e.name === 'CAPTURED')).toHaveLength(1);
    const recorded = sandbox.traffic.query({ operation: 'capturePayment', reference: body.reference });
    expect(recorded.map((e) => [e.fault, e.notes?.idempotency])).toEqual([
      ['drop-response', undefined],
      [undefined, 'replay'],
    ]);
  });

  it('long-living payments expire at expiresAt, not after 10 minutes', async () => {
    const receipt = { orderLines: [{ name: 'x', id: '1', totalAmount: 1000, totalAmountExcludingTax: 800, totalTaxAmount: 200, taxRate: 2500 }], bottomLine: { currency: 'NOK' } };
    H = await merchantHeaders(sandbox.url); // earlier tests moved the clock; tokens live 1 h
    const expiresAt = new Date(sandbox.clock.now() + 40 * 60_000).toISOString();
    const body = createBody({ userFlow: 'PUSH_MESSAGE', returnUrl: undefined, customer: { phoneNumber: '4791234567' }, receipt, expiresAt });
    expect((await c.create(body)).status).toBe(201);
    sandbox.clock.advance(30 * 60_000);
    expect((await c.get(body.reference)).body.state).toBe('CREATED');
    sandbox.clock.advance(10 * 60_000);
    expect((await c.get(body.reference)).body.state).toBe('EXPIRED');
    expect((await c.events(body.reference)).body.at(-1).timestamp).toBe(new Date(Date.parse(expiresAt)).toISOString());
  });

  it.skipIf(!specAvailable())('every recorded response validates against epayment-v1.yaml', async () => {
    const { validated, failures } = await validateTraffic(sandbox.traffic.all());
    expect(failures).toEqual([]);
    expect(validated).toBeGreaterThan(20);
  });
});
