import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TEST_PSP, DEFAULT_TEST_PSP_MERCHANTS, type Sandbox } from '../../src/sandbox/index.ts';
import { FakePsp } from '../helpers/card-passthrough.ts';
import { specAvailable } from '../helpers/openapi.ts';
import { initBody, newPspTransactionId, pspApiHeaders, pspKeyPair, pspWithKey, validatePspTraffic } from '../helpers/psp-api.ts';
import { call, merchantHeaders, startSandbox } from '../helpers/sandbox.ts';

/** PSP API v2/v3: initiate rules and errors, auth, updatestatus amounts, details, the control view. */

const MSN = DEFAULT_TEST_PSP.merchants[0];
type Version = 'v2' | 'v3';

describe('PSP API', () => {
  let sandbox: Sandbox;
  const psp = new FakePsp();
  const H: Record<string, Record<string, string>> = {};
  const post = (version: Version, path: string, body: unknown, headers: Record<string, string> = {}) =>
    call(sandbox.url, 'POST', `/psp/${version}/psppayments/${path}`, { headers: { ...H[version], ...headers }, body });
  const init = (version: Version, overrides: Record<string, unknown> = {}, headers?: Record<string, string>) => {
    const body = initBody(psp.url, overrides);
    return post(version, 'init', body, headers).then((res) => ({ body, res }));
  };
  const details = (version: Version, id: string) => call(sandbox.url, 'GET', `/psp/${version}/psppayments/${id}/details`, { headers: H[version] });
  const update = (version: Version, ...transactions: Record<string, unknown>[]) => post(version, 'updatestatus', { transactions });
  /** An initiated payment the customer approved (the fake PSP answers OK). */
  const reserved = async (version: Version, amount = 10000) => {
    const { body, res } = await init(version, { amount });
    expect(res.status, res.text).toBe(200);
    expect((await call(sandbox.url, 'POST', `/_sandbox/v1/payments/${MSN}/${body.pspTransactionId}/approve`, { body: {} })).status).toBe(200);
    return body.pspTransactionId;
  };

  beforeAll(async () => {
    psp.respond = (cb) => ({ json: { paymentInfo: { pspTransactionId: cb.body.pspTransactionId, status: 'OK' } } });
    await psp.start();
    sandbox = await startSandbox({ psps: [pspWithKey(pspKeyPair().publicKey)], merchants: DEFAULT_TEST_PSP_MERCHANTS, settings: { rateLimits: { enabled: false } } });
    H.v2 = await pspApiHeaders(sandbox.url, 'v2');
    H.v3 = await pspApiHeaders(sandbox.url, 'v3');
  });
  afterAll(async () => {
    if (specAvailable()) {
      const result = await validatePspTraffic(sandbox.traffic.query({}));
      expect(result.failures).toEqual([]);
      expect(result.validated).toBeGreaterThan(30);
    }
    await sandbox.close();
    await psp.stop();
  });

  describe('initiate', () => {
    it('answers pspTransactionId, merchantOrderId and the landing page as vippsRedirectUrl (v2 and v3)', async () => {
      for (const version of ['v2', 'v3'] as const) {
        const { body, res } = await init(version);
        expect(res.status, res.text).toBe(200);
        expect(res.headers['content-type']).toMatch(/^application\/json/);
        expect(res.body).toEqual({ pspTransactionId: body.pspTransactionId, merchantOrderId: body.merchantOrderId, vippsRedirectUrl: expect.stringMatching(new RegExp(`^${sandbox.url}/landing\\?token=`)) });
        const view = (await call(sandbox.url, 'GET', `/_sandbox/v1/payments/${MSN}/${body.pspTransactionId}`)).body;
        expect(view).toMatchObject({ api: `psp-${version}`, reference: body.pspTransactionId, state: 'INITIATED', msn: MSN, amount: { value: 49900, currency: 'NOK' }, makePaymentToken: expect.stringMatching(/^\[REDACTED/) });
        const [exchange] = sandbox.traffic.query({ kind: ['api'], reference: body.pspTransactionId });
        expect(exchange).toMatchObject({ api: `psp-${version}`, operation: version === 'v2' ? 'initiatePaymentV2UsingPOST' : 'initiatePaymentV3UsingPOST', msn: MSN });
      }
    });

    it('refuses each field that breaks a §5.2 rule, in the version’s error shape', async () => {
      const cases: [Record<string, unknown>, string, string?][] = [
        [{ pspTransactionId: 'UPPER_case' }, '51', 'pspTransactionId'],
        [{ pspTransactionId: 'a'.repeat(37) }, '51', 'pspTransactionId'],
        [{ merchantOrderId: 'o'.repeat(31) }, '51', 'merchantOrderId'],
        [{ merchantOrderId: 'bad order' }, '51', 'merchantOrderId'],
        [{ customerMobileNumber: '4791234567' }, '51', 'customerMobileNumber'],
        [{ amount: 99 }, 'amount'],
        [{ amount: 100.5 }, '51', 'amount'],
        [{ currency: 'SEK' }, 'currency'],
        [{ currency: undefined }, 'currency'],
        [{ pspRedirectUrl: 'http://psp.example/r' }, '51', 'pspRedirectUrl'],
        [{ makePaymentUrl: 'http://psp.example/mp' }, 'makePaymentUrl'],
        [{ makePaymentUrl: 'ftp://psp.example/mp' }, 'makePaymentUrl'],
        [{ makePaymentToken: 'x'.repeat(256) }, '51', 'makePaymentToken'],
        [{ isApp: 'yes' }, '51', 'isApp'],
        [{ skipLandingPage: true }, '51', 'customerMobileNumber'],
        [{ scope: 'psp_subscription' }, '42'],
      ];
      for (const [overrides, code, field] of cases) {
        const { res } = await init('v2', overrides);
        expect(res.status, JSON.stringify(overrides)).toBe(400);
        expect(res.body, JSON.stringify(overrides)).toEqual([expect.objectContaining({ errorCode: code, errorMessage: expect.any(String), ...(field ? { errorField: field } : {}) })]);
      }
      expect((await init('v2', { amount: 99 })).res.body[0].errorMessage).toBe('amount.less.than.one');
      expect((await init('v2', { currency: 'SEK' })).res.body[0].errorMessage).toBe('transaction.currency.invalid');
      expect((await init('v2', { makePaymentUrl: 'http://psp.example/mp' })).res.body[0].errorMessage).toBe('Invalid makePaymentUrl');
      expect((await init('v2', { pspRedirectUrl: 'http://psp.example/r' })).res.body[0].errorMessage).toBe('Invalid pspRedirectUrl');
      const v3 = await init('v3', { amount: 10 });
      expect(v3.res.body).toEqual([{ errorCode: 'amount', errorMessage: 'amount.less.than.one', contextId: expect.any(String) }]);
      expect((await init('v3', { merchantOrderId: `m-${'x'.repeat(45)}` })).res.status).toBe(200);
      expect((await init('v2', { pspRedirectUrl: 'myapp://back', isApp: true })).res.status).toBe(200);
      expect((await init('v3', { pspTransactionId: crypto.randomUUID() })).res.status).toBe(200);
    });

    it('pspTransactionId is unique per PSP (v2 99, v3 44); merchantOrderId per merchant (99)', async () => {
      const first = await init('v2');
      const again = await init('v2', { pspTransactionId: first.body.pspTransactionId });
      expect(again.res.body[0]).toMatchObject({ errorCode: '99', errorMessage: 'PSP Transaction id already exists in Vipps' });
      const v3 = await init('v3', { pspTransactionId: first.body.pspTransactionId });
      expect(v3.res.body[0]).toMatchObject({ errorCode: '44' });
      const order = await init('v3', { merchantOrderId: first.body.merchantOrderId });
      expect(order.res.body[0]).toMatchObject({ errorCode: '99', errorMessage: 'OrderId already exists' });
    });

    it('v2 needs the PSP’s public key (42 without one)', async () => {
      const registered = sandbox.ctx.psps.byPspId(DEFAULT_TEST_PSP.pspId)!;
      const key = registered.publicKey;
      registered.publicKey = undefined;
      try {
        const { res } = await init('v2');
        expect(res.body[0]).toMatchObject({ errorCode: '42', errorMessage: expect.stringContaining('public key') });
        expect((await init('v3')).res.status).toBe(200);
      } finally {
        registered.publicKey = key;
      }
    });
  });

  describe('auth', () => {
    it('needs the PSP’s token, key, psp-id and one of its MSNs', async () => {
      expect((await init('v2', {}, { 'psp-id': '' })).res).toMatchObject({ status: 400, body: [{ errorCode: '51', errorField: 'Psp-Id' }] });
      expect((await init('v3', {}, { 'Psp-Id': 'someone-else' })).res).toMatchObject({ status: 403, body: [{ errorCode: '21' }] });
      expect((await init('v2', {}, { 'merchant-serial-number': '123456' })).res).toMatchObject({ status: 403, body: [{ errorCode: '21' }] });
      expect((await init('v2', {}, { 'merchant-serial-number': '' })).res).toMatchObject({ status: 400, body: [{ errorCode: '51', errorField: 'Merchant-Serial-Number' }] });
      expect((await init('v2', {}, { Authorization: 'Bearer nope' })).res.status).toBe(401);
      expect((await init('v2', {}, { 'merchant-serial-number': '223355' })).res.status).toBe(200);
      const merchant = await merchantHeaders(sandbox.url);
      const byMerchant = await call(sandbox.url, 'POST', '/psp/v3/psppayments/init', { headers: merchant, body: initBody(psp.url) });
      expect(byMerchant).toMatchObject({ status: 403, body: [{ errorCode: '21' }] });
    });
  });

  describe('updatestatus and details', () => {
    it('applies captures, refunds and cancels at once, checked against the payment’s amounts', async () => {
      for (const version of ['v2', 'v3'] as const) {
        const id = await reserved(version);
        const okAnswer = { responseInfo: { responseCode: '9000', responseMessage: 'SUCCESS' } };
        expect((await update(version, { pspTransactionId: id, status: 'CAPTURED', amount: 10001, currency: 'NOK' })).body[0]).toMatchObject({ errorCode: '51' });
        expect(await update(version, { pspTransactionId: id, status: 'CAPTURED', amount: 6000 })).toMatchObject({ status: 200, body: okAnswer });
        expect((await update(version, { pspTransactionId: id, status: 'REFUNDED', amount: 6001 })).status).toBe(400);
        expect((await update(version, { pspTransactionId: id, status: 'REFUNDED', amount: 2000, paymentText: 'one sock back' })).status).toBe(200);
        expect((await update(version, { pspTransactionId: id, status: 'CANCELLED', amount: 4000 })).status).toBe(400); // refunded already
        const d = await details(version, id);
        expect(d.status).toBe(200);
        expect(d.body).toMatchObject({ pspTransactionId: id, transactionSummary: { capturedAmount: 6000, remainingAmountToCapture: 4000, refundedAmount: 2000, remainingAmountToRefund: 4000 } });
        expect(d.body.transactionLogHistory.map((e: { operation: string; amount: number }) => `${e.operation} ${e.amount}`)).toEqual(['RESERVED 10000', 'CAPTURED 6000', 'REFUNDED 2000']);
        expect(d.body.transactionLogHistory[2]).toMatchObject({ paymentText: 'one sock back', operationSuccess: true, timeStamp: expect.any(String) });
        const view = (await call(sandbox.url, 'GET', `/_sandbox/v1/payments/${MSN}/${id}`)).body;
        expect(view).toMatchObject({ state: 'REFUNDED', aggregate: { authorizedAmount: { value: 10000 }, capturedAmount: { value: 6000 }, refundedAmount: { value: 2000 }, cancelledAmount: { value: 0 } } });
      }
    });

    it('a cancel releases the reservation; RESERVED must name the reserved amount; FAILED operations are only logged', async () => {
      const id = await reserved('v3');
      expect((await update('v3', { pspTransactionId: id, status: 'RESERVED', amount: 9999 })).status).toBe(400);
      expect((await update('v3', { pspTransactionId: id, status: 'RESERVED', amount: 10000 })).status).toBe(200);
      expect((await update('v3', { pspTransactionId: id, status: 'CAPTURED', amount: 500, operationStatus: 'FAILED' })).status).toBe(200);
      expect((await update('v3', { pspTransactionId: id, status: 'CANCELLED', amount: 10000 })).status).toBe(200);
      const d = (await details('v3', id)).body;
      expect(d.transactionSummary).toEqual({ capturedAmount: 0, remainingAmountToCapture: 0, refundedAmount: 0, remainingAmountToRefund: 0 });
      expect(d.transactionLogHistory.map((e: { operation: string; operationSuccess: boolean }) => `${e.operation} ${e.operationSuccess}`)).toEqual(['RESERVED true', 'RESERVED true', 'CAPTURED false', 'CANCELLED true']);
      expect((await call(sandbox.url, 'GET', `/_sandbox/v1/payments/${MSN}/${id}`)).body).toMatchObject({ state: 'CANCELLED', cancelledBy: 'psp' });
      expect((await update('v3', { pspTransactionId: id, status: 'CAPTURED', amount: 100 })).status).toBe(400);
    });

    it('a batch is applied whole or not at all; bad transactions, unknown and not-reserved payments are refused', async () => {
      const a = await reserved('v2');
      const b = await reserved('v2');
      const refused = await update('v2', { pspTransactionId: a, status: 'CAPTURED', amount: 100 }, { pspTransactionId: b, status: 'CAPTURED', amount: 20000 });
      expect(refused.status).toBe(400);
      expect(refused.body[0]).toMatchObject({ errorCode: '51', errorField: 'transactions[1].amount' });
      expect((await details('v2', a)).body.transactionSummary.capturedAmount).toBe(0);
      expect((await update('v2', { pspTransactionId: a, status: 'CAPTURED', amount: 100 }, { pspTransactionId: b, status: 'CAPTURED', amount: 200 })).status).toBe(200);
      expect((await details('v2', b)).body.transactionSummary.capturedAmount).toBe(200);
      expect((await update('v2', { pspTransactionId: a, status: 'SHIPPED', amount: 1 })).body[0]).toMatchObject({ errorField: 'transactions[0].status' });
      expect((await update('v2', { pspTransactionId: a, status: 'CAPTURED' })).body[0]).toMatchObject({ errorField: 'transactions[0].amount' });
      expect((await update('v2', { pspTransactionId: a, status: 'CAPTURED', amount: 1, currency: 'EUR' })).body[0]).toMatchObject({ errorCode: 'currency' });
      expect((await post('v2', 'updatestatus', { transactions: [] })).status).toBe(400);
      expect((await update('v2', { pspTransactionId: newPspTransactionId(), status: 'CAPTURED', amount: 1 })).status).toBe(404);
      expect((await update('v3', { pspTransactionId: a, status: 'CAPTURED', amount: 1 })).status).toBe(404); // a v2 payment
      const open = await init('v2');
      expect((await update('v2', { pspTransactionId: open.body.pspTransactionId, status: 'CAPTURED', amount: 1 })).body[0].errorMessage).toMatch(/not reserved/);
    });

    it('details of an unknown payment, or of another MSN’s: 404', async () => {
      expect((await details('v2', newPspTransactionId())).status).toBe(404);
      const id = await reserved('v3');
      const other = await call(sandbox.url, 'GET', `/psp/v3/psppayments/${id}/details`, { headers: { ...H.v3, 'Merchant-Serial-Number': '223355' } });
      expect(other.status).toBe(404);
      expect(other.body[0]).toMatchObject({ errorCode: '51', contextId: expect.any(String) });
    });
  });

  describe('control API', () => {
    it('lists and filters PSP payments by state; reject and expire act through the directory', async () => {
      const { body } = await init('v3');
      const list = (await call(sandbox.url, 'GET', `/_sandbox/v1/payments?msn=${MSN}&state=INITIATED`)).body;
      expect(list.payments.some((p: { reference: string }) => p.reference === body.pspTransactionId)).toBe(true);
      const expired = await call(sandbox.url, 'POST', `/_sandbox/v1/payments/${MSN}/${body.pspTransactionId}/expire`, { body: {} });
      expect(expired.body).toMatchObject({ state: 'EXPIRED', transactionLogHistory: [{ operation: 'RESERVED', operationSuccess: false }] });
      const again = await call(sandbox.url, 'POST', `/_sandbox/v1/payments/${MSN}/${body.pspTransactionId}/approve`, { body: {} });
      expect(again.status).toBe(409);
      const failed = await init('v2');
      const res = await call(sandbox.url, 'POST', `/_sandbox/v1/payments/${MSN}/${failed.body.pspTransactionId}/fail`, { body: { reason: 'no usable card' } });
      expect(res.body).toMatchObject({ state: 'FAILED', failure: { reason: 'no usable card' } });
    });
  });
});
