import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ECOM_OP } from '../../src/contract/ecom.ts';
import type { Sandbox } from '../../src/sandbox/index.ts';
import { actionBody, CallbackReceiver, callbacksOf, ECOM, ecomClient, initiateBody, newOrderId, waitFor } from '../helpers/ecom.ts';
import { specAvailable, SPEC_MISSING_MESSAGE, validateEcomCallbacks, validateTraffic } from '../helpers/openapi.ts';
import { call, merchantHeaders, startSandbox, type CallResult } from '../helpers/sandbox.ts';

/** The eCom v2 API of the sandbox over real HTTP on 127.0.0.1. */

const OTHER = { msn: '654321', clientId: 'other-client', clientSecret: 'other-secret-value', subscriptionKeys: ['other-sub-key-0001'] };

function expectEcomError(res: CallResult, status: number, group: string, code: string | number) {
  expect(res.status, res.text).toBe(status);
  expect(res.headers['content-type']).toBe('application/json;charset=UTF-8');
  expect(Array.isArray(res.body)).toBe(true);
  expect(res.body[0]).toMatchObject({ errorGroup: group, errorCode: String(code), errorMessage: expect.any(String), contextId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
}

if (!specAvailable()) console.warn(SPEC_MISSING_MESSAGE);

describe('eCom v2 API over HTTP', () => {
  let sandbox: Sandbox;
  let H: Record<string, string>;
  const receiver = new CallbackReceiver();
  const c = ecomClient(() => sandbox, () => H);
  const initiate = async (overrides: Parameters<typeof initiateBody>[1] = {}) => {
    const res = await c.initiate(initiateBody(receiver.url, overrides));
    expect(res.status, res.text).toBe(200);
    return res.body.orderId as string;
  };
  const reserved = async (amount = 49900) => {
    const orderId = await initiate({ transaction: { amount } });
    expect((await c.forceApprove(orderId)).status).toBe(200);
    return orderId;
  };

  beforeAll(async () => {
    await receiver.start();
    sandbox = await startSandbox({ merchants: [OTHER] });
    H = await merchantHeaders(sandbox.url);
  });
  afterEach(() => sandbox.faults.clear());
  afterAll(async () => {
    if (specAvailable()) {
      const exchanges = sandbox.traffic.query({ api: 'ecom-v2' });
      const { validated, failures } = await validateTraffic(exchanges);
      expect(failures).toEqual([]);
      expect(validated).toBeGreaterThan(40);
      const callbacks = await validateEcomCallbacks(exchanges);
      expect(callbacks.failures).toEqual([]);
      expect(callbacks.validated).toBeGreaterThan(0);
    }
    await sandbox.close();
    await receiver.stop();
  });

  it('happy path: initiate → landing approve → callback → RESERVE → part capture → capture → part refund → refund', async () => {
    const body = initiateBody(receiver.url);
    const orderId = body.transaction.orderId;
    const init = await c.initiate(body);
    expect(init.status).toBe(200);
    expect(init.headers['content-type']).toBe('application/json;charset=UTF-8');
    expect(init.body).toEqual({ orderId, url: expect.stringMatching(new RegExp(`^${sandbox.url}/landing\\?token=`)) });

    const before = await c.details(orderId);
    expect(before.body.transactionSummary).toBeUndefined();
    expect(before.body.transactionLogHistory).toEqual([
      { amount: 49900, operation: 'INITIATE', operationSuccess: true, transactionText: 'One pair of socks.', timeStamp: expect.any(String), transactionId: expect.stringMatching(/^\d{10}$/) },
    ]);

    // The customer approves on the landing page and is sent to fallBack exactly as given.
    const token = new URL(init.body.url).searchParams.get('token')!;
    const page = await call(sandbox.url, 'GET', `/landing?token=${token}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('One pair of socks.');
    const landing = await call(sandbox.url, 'POST', '/landing/approve', { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `token=${encodeURIComponent(token)}` });
    expect(landing.status).toBe(303);
    expect(landing.headers.location).toBe('http://127.0.0.1:3000/fallback?order=1');

    const [cb] = await waitFor(() => receiver.forOrder(orderId).length > 0 && receiver.forOrder(orderId), 5000, 'the callback');
    expect(cb.path).toBe(`/vipps/cb/v2/payments/${orderId}`);
    expect(cb.headers.authorization).toBe('callback-auth-token-123');
    expect(cb.headers['content-type']).toBe('application/json;charset=UTF-8');
    expect(cb.body).toEqual({ merchantSerialNumber: '123456', orderId, transactionInfo: { amount: 49900, status: 'RESERVED', timeStamp: expect.any(String), transactionId: expect.stringMatching(/^\d{10}$/) } });
    const recorded = await waitFor(() => callbacksOf(sandbox, orderId)[0], 5000, 'the recorded callback');
    expect(recorded).toMatchObject({ kind: 'callback', api: 'ecom-v2', operation: ECOM_OP.callback, reference: orderId, msn: '123456', notes: { status: 'RESERVED' }, response: { status: 200 } });

    const reservedDetails = await c.details(orderId);
    expect(reservedDetails.body.transactionLogHistory.map((e: any) => e.operation)).toEqual(['RESERVE', 'INITIATE']);
    expect(reservedDetails.body.transactionSummary).toEqual({ capturedAmount: 0, refundedAmount: 0, remainingAmountToCapture: 49900, remainingAmountToRefund: 0 });
    expect((await c.status(orderId)).body.transactionInfo).toMatchObject({ amount: 49900, status: 'RESERVE' });

    const part = await c.capture(orderId, 10000, 'cap-1');
    expect(part.status, part.text).toBe(200);
    expect(part.body).toMatchObject({ orderId, transactionInfo: { amount: 10000, status: 'Captured', transactionText: 'golive test' }, transactionSummary: { capturedAmount: 10000, remainingAmountToCapture: 39900, remainingAmountToRefund: 10000 } });
    const rest = await c.capture(orderId, undefined, 'cap-2');
    expect(rest.body.transactionInfo.amount).toBe(39900);
    expect(rest.body.transactionSummary).toMatchObject({ capturedAmount: 49900, remainingAmountToCapture: 0 });
    expectEcomError(await c.capture(orderId, 100), 400, 'Payment', 61);

    const partRefund = await c.refund(orderId, 5000, 'ref-1');
    expect(partRefund.status, partRefund.text).toBe(200);
    expect(partRefund.body).toMatchObject({ orderId, transaction: { amount: 5000, status: 'Refund' }, transactionSummary: { refundedAmount: 5000, remainingAmountToRefund: 44900 } });
    expect(partRefund.body.transactionInfo).toBeUndefined();
    const fullRefund = await c.refund(orderId, undefined, 'ref-2');
    expect(fullRefund.body.transaction.amount).toBe(44900);
    expectEcomError(await c.refund(orderId, 100), 400, 'Payment', 71);

    const done = await c.details(orderId);
    expect(done.body.transactionLogHistory.map((e: any) => `${e.operation}:${e.amount}${e.requestId ? `:${e.requestId}` : ''}`)).toEqual([
      'REFUND:44900:ref-2', 'REFUND:5000:ref-1', 'CAPTURE:39900:cap-2', 'CAPTURE:10000:cap-1', 'RESERVE:49900', 'INITIATE:49900',
    ]);
    expect((await c.status(orderId)).body.transactionInfo.status).toBe('REFUND');

    // The control record: the ePayment record's common shape + details, authToken redacted.
    const record = (await c.record(orderId)).body;
    expect(record).toMatchObject({
      reference: orderId,
      orderId,
      msn: '123456',
      state: 'REFUND',
      amount: { value: 49900, currency: 'NOK' },
      aggregate: {
        authorizedAmount: { value: 49900, currency: 'NOK' },
        capturedAmount: { value: 49900, currency: 'NOK' },
        refundedAmount: { value: 49900, currency: 'NOK' },
        cancelledAmount: { value: 0, currency: 'NOK' },
      },
      transactionSummary: done.body.transactionSummary,
      transactionLogHistory: done.body.transactionLogHistory,
      merchantInfo: { merchantSerialNumber: '123456', callbackPrefix: receiver.url, fallBack: 'http://127.0.0.1:3000/fallback?order=1' },
      landingUrl: init.body.url,
    });
    expect(record.merchantInfo.authToken).toMatch(/^\[REDACTED/);
    expect(JSON.stringify(record)).not.toContain('callback-auth-token-123');
    expect(JSON.stringify(sandbox.redactor.value(recorded))).not.toContain('callback-auth-token-123');

    // Every route exchange is recorded with the eCom names.
    const ops = sandbox.traffic.query({ kind: 'api', api: 'ecom-v2', reference: orderId }).map((e) => e.operation);
    expect(new Set(ops)).toEqual(new Set([ECOM_OP.initiate, ECOM_OP.details, ECOM_OP.status, ECOM_OP.capture, ECOM_OP.refund]));
    const capture = sandbox.traffic.query({ api: 'ecom-v2', operation: ECOM_OP.capture, reference: orderId })[0];
    expect(capture).toMatchObject({ msn: '123456', idempotencyKey: 'cap-1' });
  });

  it('cancel: INITIATE ⇒ CANCEL, RESERVE ⇒ VOID, captured ⇒ 51', async () => {
    const a = await initiate();
    const cancelled = await c.cancel(a);
    expect(cancelled.status, cancelled.text).toBe(200);
    expect(cancelled.body).toMatchObject({ orderId: a, transactionInfo: { status: 'Cancelled', amount: 49900 } });
    expect((await c.status(a)).body.transactionInfo.status).toBe('CANCEL');
    expect((await c.details(a)).body.transactionLogHistory[0]).toMatchObject({ operation: 'CANCEL', operationSuccess: true });
    expectEcomError(await c.cancel(a), 400, 'VippsError', 92);
    expectEcomError(await c.capture(a), 400, 'VippsError', 91);
    expectEcomError(await c.refund(a), 400, 'Payment', 73);

    const b = await reserved();
    expect((await c.cancel(b)).status).toBe(200);
    expect((await c.status(b)).body.transactionInfo.status).toBe('VOID');
    expect((await c.record(b)).body.aggregate.cancelledAmount.value).toBe(49900);

    const full = await reserved();
    await c.capture(full);
    expectEcomError(await c.cancel(full), 400, 'Payment', 51);
  });

  it('cancel after a part capture only with shouldReleaseRemainingFunds', async () => {
    const orderId = await reserved(10000);
    await c.capture(orderId, 3000);
    expectEcomError(await c.cancel(orderId), 400, 'Payment', 51);
    expectEcomError(await c.cancel(orderId, false), 400, 'Payment', 51);
    const released = await c.cancel(orderId, true);
    expect(released.status, released.text).toBe(200);
    expect(released.body.transactionSummary).toEqual({ capturedAmount: 3000, refundedAmount: 0, remainingAmountToCapture: 0, remainingAmountToRefund: 3000 });
    const record = (await c.record(orderId)).body;
    // The rest is released, the order is not ended: its captured part can still be refunded.
    expect(record.state).toBe('CAPTURE');
    expect(record.aggregate).toMatchObject({ capturedAmount: { value: 3000 }, cancelledAmount: { value: 7000 } });
    expect(record.transactionLogHistory[0]).toMatchObject({ operation: 'VOID', amount: 7000 });
    expect((await c.refund(orderId, 3000)).status).toBe(200);
    expect((await c.record(orderId)).body.state).toBe('REFUND');
  });

  it('X-Request-Id: same id + body replays the first answer; another body ⇒ 93', async () => {
    const orderId = await reserved(10000);
    const first = await c.capture(orderId, 2000, 'same-id');
    const again = await c.capture(orderId, 2000, 'same-id');
    expect(again.status).toBe(200);
    expect(again.text).toBe(first.text);
    expect((await c.details(orderId)).body.transactionSummary.capturedAmount).toBe(2000);
    expectEcomError(await c.capture(orderId, 3000, 'same-id'), 409, 'VippsError', 93);
    // A refused operation is replayed too.
    const tooMuch = await c.refund(orderId, 9000, 'refund-id');
    expectEcomError(tooMuch, 400, 'Payment', 71);
    expect((await c.refund(orderId, 9000, 'refund-id')).text).toBe(tooMuch.text);
    // The id is per operation: the same id on refund is another request.
    expect((await c.refund(orderId, 1000, 'same-id')).status).toBe(200);
    expectEcomError(await c.api('POST', `${ECOM}/${orderId}/capture`, { body: actionBody(100) }), 400, 'InvalidRequest', 'X-Request-Id');
    expectEcomError(await c.capture(orderId, 100, 'x'.repeat(41)), 400, 'InvalidRequest', 'X-Request-Id');
  });

  it('state errors: capture before reserve 62, refund of a reserved order 72, unknown orderId 35, duplicate orderId 34', async () => {
    const orderId = await initiate();
    expectEcomError(await c.capture(orderId), 400, 'Payment', 62);
    expectEcomError(await c.refund(orderId), 400, 'VippsError', 91);
    await c.forceApprove(orderId);
    expectEcomError(await c.refund(orderId), 400, 'Payment', 72);
    expectEcomError(await c.capture(orderId, 60000), 400, 'Payment', 61);
    expectEcomError(await c.forceApprove(orderId), 400, 'VippsError', 92);
    for (const res of [await c.details('no-such-order'), await c.status('no-such-order'), await c.capture('no-such-order'), await c.refund('no-such-order'), await c.cancel('no-such-order'), await c.forceApprove('no-such-order')])
      expectEcomError(res, 404, 'Merchant', 35);
    const body = initiateBody(receiver.url);
    expect((await c.initiate(body)).status).toBe(200);
    expectEcomError(await c.initiate(body), 400, 'Merchant', 34);
  });

  it('validation errors name the field; bad phone numbers are User 81; bad JSON is an invalid request', async () => {
    const cases: [Parameters<typeof initiateBody>[1], string][] = [
      [{ transaction: { amount: 99 } }, 'amount'],
      [{ transaction: { amount: 100.5 } }, 'amount'],
      [{ transaction: { orderId: 'has space' } }, 'orderId'],
      [{ transaction: { orderId: 'x'.repeat(51) } }, 'orderId'],
      [{ transaction: { transactionText: undefined } }, 'transactionText'],
      [{ transaction: { transactionText: 'x'.repeat(101) } }, 'transactionText'],
      [{ merchantInfo: { callbackPrefix: 'http://example.com/cb' } }, 'callbackPrefix'],
      [{ merchantInfo: { fallBack: 'javascript:alert(1)' } }, 'fallBack'],
      [{ merchantInfo: { merchantSerialNumber: 123456 } }, 'merchantSerialNumber'],
      [{ merchantInfo: { paymentType: 'eComm Weird Payment' } }, 'paymentType'],
      [{ merchantInfo: { authToken: 'x'.repeat(256) } }, 'authToken'],
    ];
    for (const [overrides, field] of cases) expectEcomError(await c.initiate(initiateBody(receiver.url, overrides)), 400, 'InvalidRequest', field);
    expectEcomError(await c.initiate(initiateBody(receiver.url, { customerInfo: { mobileNumber: '+4791234567' } })), 400, 'User', 81);
    expectEcomError(await c.initiate(initiateBody(receiver.url, { transaction: { scope: 'name nin' } })), 403, 'Merchant', 51);
    expect((await c.initiate(initiateBody(receiver.url, { transaction: { scope: 'name phoneNumber' } }))).status).toBe(200);
    expectEcomError(await c.api('POST', ECOM, { body: '{"customerInfo": ' }), 400, 'InvalidRequest', 'body');
    expectEcomError(await c.api('POST', ECOM, { body: [] }), 400, 'InvalidRequest', 'body');
    // isApp: fallBack need not be a web URL.
    expect((await c.initiate(initiateBody(receiver.url, { merchantInfo: { isApp: true, fallBack: 'myshop-app' } }))).status).toBe(200);
    const orderId = await reserved();
    expectEcomError(await c.capture(orderId, undefined, randomUUID(), { merchantInfo: { merchantSerialNumber: '123456' }, transaction: {} }), 400, 'InvalidRequest', 'transactionText');
    expectEcomError(await c.forceApprove(await initiate(), { customerPhoneNumber: '4791234567' }), 400, 'User', 81);
  });

  it('force approve checks the token and the prefilled customer', async () => {
    const orderId = await initiate({ customerInfo: { mobileNumber: '91234567' } });
    expectEcomError(await c.forceApprove(orderId, { token: 'not-the-token' }), 400, 'InvalidRequest', 'token');
    expectEcomError(await c.forceApprove(orderId, { customerPhoneNumber: '98765432' }), 400, 'User', 81);
    const ok = await c.forceApprove(orderId, { customerPhoneNumber: '91234567' });
    expect(ok.status).toBe(200);
    expect(ok.text).toBe('');
    expect((await c.record(orderId)).body).toMatchObject({ state: 'RESERVE', approvedPhoneNumber: '4791234567' });
  });

  it('auth: missing key, bad token ⇒ Azure errors; an MSN the keys do not cover ⇒ 403', async () => {
    const res1 = await call(sandbox.url, 'GET', `${ECOM}/x/details`, { headers: { Authorization: H.Authorization } });
    expect(res1.status).toBe(401);
    expect(res1.body).toMatchObject({ responseInfo: { responseCode: 401, responseMessage: 'Unauthorized' }, result: { message: expect.stringContaining('subscription key') } });
    const res2 = await c.api('GET', `${ECOM}/x/details`, { headers: { Authorization: 'Bearer nope' } });
    expect(res2.status).toBe(401);
    expect(res2.body.result.message).toMatch(/token/i);
    expectEcomError(await c.api('GET', `${ECOM}/x/details`, { headers: { 'Merchant-Serial-Number': '654321' } }), 403, 'Authentication', 403);
    expectEcomError(await c.initiate(initiateBody(receiver.url, { merchantInfo: { merchantSerialNumber: '654321' } })), 403, 'Authentication', 403);
    // Without the optional MSN header the token's merchant is used.
    const { 'Merchant-Serial-Number': _msn, ...noMsn } = H;
    const orderId = await initiate();
    expect((await call(sandbox.url, 'GET', `${ECOM}/${orderId}/details`, { headers: noMsn })).status).toBe(200);
    // Another merchant cannot see the order.
    const other = await merchantHeaders(sandbox.url, OTHER);
    expectEcomError(await call(sandbox.url, 'GET', `${ECOM}/${orderId}/details`, { headers: other }), 404, 'Merchant', 35);
  });

  it('generic faults apply to eCom operations in the eCom shape', async () => {
    const orderId = await reserved();
    sandbox.faults.add({ match: { api: 'ecom-v2', operation: ECOM_OP.capture, reference: orderId }, effect: { type: 'status', status: 500, code: 99 }, times: 1 });
    expectEcomError(await c.capture(orderId, 100), 500, 'VippsError', 99);
    sandbox.faults.add({ match: { api: 'ecom-v2', operation: ECOM_OP.capture }, effect: { type: 'status', status: 409, code: 94 }, times: 1 });
    expectEcomError(await c.capture(orderId, 100), 409, 'VippsError', 94);
    sandbox.faults.add({ match: { api: 'ecom-v2', operation: ECOM_OP.initiate, amount: 777 }, effect: { type: 'status', status: 400, code: 42 }, times: 1 });
    expectEcomError(await c.initiate(initiateBody(receiver.url, { transaction: { amount: 777 } })), 400, 'Payment', 42);
    sandbox.faults.add({ match: { api: 'ecom-v2', operation: ECOM_OP.details, msn: '123456' }, effect: { type: 'status', status: 401 }, times: 1 });
    expect((await c.details(orderId)).body).toMatchObject({ responseInfo: { responseCode: 401 } });
    const faulted = sandbox.traffic.query({ api: 'ecom-v2', reference: orderId }).filter((e) => e.fault);
    expect(faulted.map((e) => e.fault)).toEqual(['http-500-99', 'http-409-94', 'http-401']);

    // delay: answered late, the effect happens.
    sandbox.faults.add({ match: { api: 'ecom-v2', operation: ECOM_OP.capture, reference: orderId }, effect: { type: 'delay', ms: 150 }, times: 1 });
    const t0 = Date.now();
    expect((await c.capture(orderId, 100)).status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);

    // drop-response: the capture happens, no answer.
    sandbox.faults.add({ match: { api: 'ecom-v2', operation: ECOM_OP.capture, reference: orderId }, effect: { type: 'drop-response' }, times: 1 });
    await expect(c.capture(orderId, 100, 'dropped-id')).rejects.toThrow();
    expect((await c.details(orderId)).body.transactionSummary.capturedAmount).toBe(200);
    // …and the retry with the same X-Request-Id is answered without capturing again.
    expect((await c.capture(orderId, 100, 'dropped-id')).status).toBe(200);
    expect((await c.details(orderId)).body.transactionSummary.capturedAmount).toBe(200);
  });

  it('rate limits: 5 captures per minute per order, 120 details reads; refused as Azure 429 with Retry-After', async () => {
    const orderId = await reserved(10000);
    for (let i = 0; i < 5; i++) expect((await c.capture(orderId, 100)).status).toBe(200);
    const limited = await c.capture(orderId, 100);
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({ responseInfo: { responseCode: 429, responseMessage: 'Too Many Requests' }, result: { message: expect.stringContaining(orderId) } });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect((await c.refund(orderId, 100)).status).toBe(200); // another operation, another budget
    const reads = await Promise.all(Array.from({ length: 121 }, () => c.details(orderId)));
    expect(reads.filter((r) => r.status === 429)).toHaveLength(1);
    sandbox.clock.advance(60_000);
    expect((await c.capture(orderId, 100)).status).toBe(200);
  });

  it('hang: no answer until the client gives up; recorded without a response', async () => {
    const orderId = await initiate();
    sandbox.faults.add({ match: { api: 'ecom-v2', operation: ECOM_OP.status, reference: orderId }, effect: { type: 'hang' }, times: 1 });
    await expect(fetch(`${sandbox.url}${ECOM}/${orderId}/status`, { headers: H, signal: AbortSignal.timeout(200) })).rejects.toThrow();
    const ex = await waitFor(() => sandbox.traffic.query({ api: 'ecom-v2', operation: ECOM_OP.status, reference: orderId })[0], 2000, 'the hung exchange');
    expect(ex).toMatchObject({ fault: 'hang', error: expect.stringContaining('hang') });
    expect(ex.response).toBeUndefined();
  });

  it('stale-read on details answers the order as initiated', async () => {
    const orderId = await reserved();
    const fault = sandbox.faults.add({ match: { api: 'ecom-v2', operation: ECOM_OP.details, reference: orderId }, effect: { type: 'stale-read' } });
    const stale = await c.details(orderId);
    expect(stale.body.transactionLogHistory.map((e: any) => e.operation)).toEqual(['INITIATE']);
    expect(stale.body.transactionSummary).toBeUndefined();
    expect(sandbox.faults.get(fault.id)!.hits).toBe(1);
    sandbox.faults.clear();
    expect((await c.details(orderId)).body.transactionLogHistory[0].operation).toBe('RESERVE');
  });

  it('the control API lists and filters eCom orders by their own states', async () => {
    const orderId = await initiate();
    const list = await call(sandbox.url, 'GET', '/_sandbox/v1/payments?state=INITIATE&msn=123456');
    expect(list.status).toBe(200);
    expect(list.body.payments.some((p: any) => p.orderId === orderId)).toBe(true);
    const rejected = await c.reject(orderId);
    expect(rejected.body.state).toBe('CANCEL');
    expect(rejected.body.transactionSummary).toEqual({ capturedAmount: 0, refundedAmount: 0, remainingAmountToCapture: 0, remainingAmountToRefund: 0 });
    const cb = await waitFor(() => callbacksOf(sandbox, orderId)[0], 5000, 'the CANCELLED callback');
    expect(cb.request.body).toMatchObject({ transactionInfo: { status: 'CANCELLED' } });
    expect((await c.approve(orderId)).status).toBe(409);
  });

  it('magic amounts: a declined card keeps the order open and is logged as a failed RESERVE', async () => {
    const orderId = await initiate({ transaction: { amount: 151 } });
    const declined = await c.approve(orderId);
    expect(declined.status).toBe(402);
    expect(declined.body).toMatchObject({ reason: 'Insufficient funds', outcome: 'declined', payment: { state: 'INITIATE' } });
    const details = await c.details(orderId);
    expect(details.body.transactionLogHistory[0]).toMatchObject({ operation: 'RESERVE', operationSuccess: false });
    // Force approve ignores magic amounts, like ePayment's.
    expect((await c.forceApprove(orderId)).status).toBe(200);
    const refundable = await reserved(123);
    await c.capture(refundable);
    expectEcomError(await c.refund(refundable), 400, 'Payment', 74);
  });
});

describe('eCom v2 with direct capture', () => {
  let sandbox: Sandbox;
  let H: Record<string, string>;
  const receiver = new CallbackReceiver();
  const c = ecomClient(() => sandbox, () => H);
  const DIRECT = { msn: '777777', clientId: 'direct-client', clientSecret: 'direct-secret-value', subscriptionKeys: ['direct-sub-key-01'], directCapture: true };

  beforeAll(async () => {
    await receiver.start();
    sandbox = await startSandbox({ merchants: [DIRECT], includeDefaultMerchant: false });
    H = await merchantHeaders(sandbox.url, DIRECT);
  });
  afterAll(async () => {
    await sandbox.close();
    await receiver.stop();
  });

  it('approval is a SALE: captured at once, callback SALE, cancel refused', async () => {
    const orderId = newOrderId();
    const res = await c.initiate(initiateBody(receiver.url, { merchantInfo: { merchantSerialNumber: '777777' }, transaction: { orderId, amount: 20000 } }));
    expect(res.status, res.text).toBe(200);
    expect((await c.approve(orderId, '777777')).body.state).toBe('SALE');
    const cb = await waitFor(() => receiver.forOrder(orderId)[0], 5000, 'the SALE callback');
    expect(cb.body.transactionInfo.status).toBe('SALE');
    expect((await c.details(orderId)).body.transactionSummary).toMatchObject({ capturedAmount: 20000, remainingAmountToCapture: 0, remainingAmountToRefund: 20000 });
    const cancel = await c.api('PUT', `${ECOM}/${orderId}/cancel`, { body: actionBody(undefined, '777777') });
    expectEcomError(cancel, 400, 'Payment', 51);
    const refund = await c.refund(orderId, undefined, randomUUID(), actionBody(5000, '777777'));
    expect(refund.status, refund.text).toBe(200);
  });
});
