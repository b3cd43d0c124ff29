import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PSP_MAKE_PAYMENT_OPS } from '../../src/contract/psp-api.ts';
import { DEFAULT_TEST_PSP, DEFAULT_TEST_PSP_MERCHANTS, type Sandbox } from '../../src/sandbox/index.ts';
import { luhnValid } from '../../src/sandbox/epayment/card-passthrough/wallet.ts';
import { FakePsp, waitFor, type FakeAnswer, type ReceivedCardCallback } from '../helpers/card-passthrough.ts';
import { specAvailable } from '../helpers/openapi.ts';
import { CARD_PLAINTEXT, decryptCardData, initBody, pspApiHeaders, pspKeyPair, pspWithKey, validatePspTraffic } from '../helpers/psp-api.ts';
import { call, startSandbox } from '../helpers/sandbox.ts';

/** PSP API v2/v3 makePayment against a fake PSP on 127.0.0.1 that decrypts cardData on its own. */

const MSN = DEFAULT_TEST_PSP.merchants[0];
const CONTROL = `/_sandbox/v1/payments/${MSN}`;
const answer = (status: 'OK' | 'FAIL' | 'SOFT_DECLINE', extra: Record<string, unknown> = {}, error?: [number, string]): ((cb: ReceivedCardCallback) => FakeAnswer) =>
  (cb) => ({ json: { ...(error ? { errorMessage: { errorId: error[0], errorText: error[1] } } : {}), paymentInfo: { pspTransactionId: cb.body.pspTransactionId, status, ...extra } } });
const OK = answer('OK');

describe('PSP API makePayment', () => {
  let sandbox: Sandbox;
  const keys = pspKeyPair();
  const psp = new FakePsp();
  const H: Record<string, Record<string, string>> = {};
  const init = async (version: 'v2' | 'v3', overrides: Record<string, unknown> = {}) => {
    const body = initBody(psp.url, overrides);
    const res = await call(sandbox.url, 'POST', `/psp/${version}/psppayments/init`, { headers: H[version], body });
    expect(res.status, res.text).toBe(200);
    return { body, res: res.body };
  };
  const control = (id: string, action: string, body: unknown = {}) => call(sandbox.url, 'POST', `${CONTROL}/${id}/${action}`, { body });
  const view = async (id: string) => (await call(sandbox.url, 'GET', `${CONTROL}/${id}`)).body;
  const calls = (id: string) => psp.received.filter((c) => c.body?.pspTransactionId === id);
  const details = async (version: 'v2' | 'v3', id: string) => (await call(sandbox.url, 'GET', `/psp/${version}/psppayments/${id}/details`, { headers: H[version] })).body;

  beforeAll(async () => {
    await psp.start();
    sandbox = await startSandbox({ psps: [pspWithKey(keys.publicKey)], merchants: DEFAULT_TEST_PSP_MERCHANTS, settings: { rateLimits: { enabled: false } } });
    H.v2 = await pspApiHeaders(sandbox.url, 'v2');
    H.v3 = await pspApiHeaders(sandbox.url, 'v3');
  });
  afterEach(() => {
    psp.respond = OK;
    sandbox.ctx.settings.pspApi.makePaymentTimeoutMs = 15_000;
  });
  afterAll(async () => {
    if (specAvailable()) {
      const result = await validatePspTraffic(sandbox.traffic.query({}));
      expect(result.failures).toEqual([]);
      expect(result.validated).toBeGreaterThan(15);
    }
    await sandbox.close();
    await psp.stop();
  });

  it('v2: Authorization is the makePaymentToken; cardData decrypts (RSA-OAEP, SHA-1) to the documented plaintext; OK reserves', async () => {
    psp.respond = OK;
    const { body } = await init('v2');
    const res = await control(body.pspTransactionId, 'approve');
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ state: 'RESERVED', cardCallback: { outcome: 'reserved', status: 200 }, aggregate: { authorizedAmount: { value: 49900, currency: 'NOK' } } });
    const [cb] = calls(body.pspTransactionId);
    expect(cb.headers.authorization).toBe(body.makePaymentToken);
    expect(cb.headers['content-type']).toMatch(/^application\/json/);
    expect(cb.body).toMatchObject({ pspTransactionId: body.pspTransactionId, merchantSerialNumber: MSN, confirmed: 'YES' });
    expect(cb.body.cardData).toMatch(/^[A-Za-z0-9+/]{342}==$/); // 256 bytes ⇒ 344 base64 characters
    const plain = decryptCardData(cb.body.cardData, keys.privateKey);
    const [, number, expiry, session] = plain.match(CARD_PLAINTEXT) ?? [];
    expect(number, plain).toBeDefined();
    expect(luhnValid(number)).toBe(true);
    expect(Number(expiry.slice(0, 2))).toBeGreaterThanOrEqual(1);
    expect(session.length).toBeLessThanOrEqual(32);
    expect(() => decryptCardData(cb.body.cardData, keys.privateKey, 'sha256')).toThrow();
    expect(cb.body.operations.map((o: { operation: string }) => o.operation)).toEqual(['3dssuccess', '3dscancel', '3dsfailure']);
    expect(cb.body.operations[0].url).toContain(`${sandbox.url}/landing/soft-decline-completed?`);
    const d = await details('v2', body.pspTransactionId);
    expect(d.transactionSummary).toEqual({ capturedAmount: 0, remainingAmountToCapture: 49900, refundedAmount: 0, remainingAmountToRefund: 0 });
    expect(d.transactionLogHistory).toEqual([expect.objectContaining({ operation: 'RESERVED', amount: 49900, operationSuccess: true })]);
    const [exchange] = sandbox.traffic.query({ kind: ['callback'], operation: [...PSP_MAKE_PAYMENT_OPS], reference: body.pspTransactionId });
    expect(exchange).toMatchObject({ api: 'psp-v2', operation: 'makePaymentSwaggerUsingPOST', msn: MSN, notes: { version: 'v2', round: 'first', confirmed: 'YES', outcome: 'ok' } });
    // The control API's traffic view: the makePayment token redacted, the initiate, approve and details there too.
    const traffic = (await call(sandbox.url, 'GET', `/_sandbox/v1/traffic?reference=${body.pspTransactionId}`)).body.exchanges;
    expect(traffic.map((e: { kind: string; operation: string }) => `${e.kind} ${e.operation}`)).toEqual(['api initiatePaymentV2UsingPOST', 'callback makePaymentSwaggerUsingPOST', 'api getPSPPaymentDetailsUsingGET']);
    expect(traffic[1].request.headers.authorization).toMatch(/^\[REDACTED/);
  });

  it('a card number chosen through the control API is the one encrypted', async () => {
    const { body } = await init('v2');
    expect((await control(body.pspTransactionId, 'approve', { card: { number: '4000000000000002' } })).status).toBe(200);
    expect(decryptCardData(calls(body.pspTransactionId)[0].body.cardData, keys.privateKey)).toMatch(/^4000000000000002,\d{4},/);
  });

  it('FAIL with an errorId: FAILED, the errorId recorded; 402 to the customer', async () => {
    psp.respond = answer('FAIL', {}, [82, 'Refused by Issuer']);
    const { body } = await init('v2');
    const res = await control(body.pspTransactionId, 'approve');
    expect(res.status).toBe(402);
    expect(res.body).toMatchObject({ code: '82', outcome: 'declined', retryable: false, cardCallback: { outcome: 'declined' }, payment: { state: 'FAILED', failure: { errorId: 82 } } });
    const v = await view(body.pspTransactionId);
    expect(v.makePayments[0]).toMatchObject({ outcome: 'fail', errorId: 82, errorText: 'Refused by Issuer' });
    expect((await details('v2', body.pspTransactionId)).transactionLogHistory[0]).toMatchObject({ operation: 'RESERVED', operationSuccess: false });
  });

  it('SOFT_DECLINE: the customer goes to url3dSecure; the PSP sends them to operations[].url; the re-send must be OK or FAIL', async () => {
    psp.respond = answer('SOFT_DECLINE', { url3dSecure: 'https://acs.psp.example/3ds?id=1' }, [1036, 'Soft Decline']);
    const { body } = await init('v2');
    const res = await control(body.pspTransactionId, 'approve');
    expect(res.status, res.text).toBe(202);
    expect(res.body).toMatchObject({ outcome: 'soft-decline', cardCallback: { softDeclineUrl: 'https://acs.psp.example/3ds?id=1' }, payment: { state: 'INITIATED', pending3ds: { url3dSecure: 'https://acs.psp.example/3ds?id=1' } } });
    psp.respond = OK;
    const back = new URL(calls(body.pspTransactionId)[0].body.operations[0].url);
    const landing = await call(sandbox.url, 'GET', back.pathname + back.search);
    expect(landing.status).toBe(303);
    expect(landing.headers.location).toBe(body.pspRedirectUrl);
    const sent = calls(body.pspTransactionId);
    expect(sent).toHaveLength(2);
    expect(sent[1].body).toMatchObject({ confirmed: 'YES', pspTransactionId: body.pspTransactionId });
    const v = await view(body.pspTransactionId);
    expect(v.state).toBe('RESERVED');
    expect(v.makePayments.map((a: { round: string; attemptId: string }) => a.round)).toEqual(['first', '3ds-completion']);
    expect(v.makePayments[0].attemptId).toBe(v.makePayments[1].attemptId);

    psp.respond = answer('SOFT_DECLINE', { url3dSecure: 'https://acs.psp.example/3ds?id=2' });
    const again = await init('v2');
    expect((await control(again.body.pspTransactionId, 'approve')).status).toBe(202);
    const second = await control(again.body.pspTransactionId, 'soft-decline-completed');
    expect(second.status).toBe(402);
    expect(second.body).toMatchObject({ outcome: 'unknown', cardCallback: { outcome: 'invalid' }, payment: { state: 'FAILED' } });
    expect((await view(again.body.pspTransactionId)).makePayments[1].problem).toMatch(/re-send/);
  });

  it('no answer within the limit (real time): FAILED', async () => {
    sandbox.ctx.settings.pspApi.makePaymentTimeoutMs = 300;
    psp.respond = (cb) => ({ ...OK(cb), delayMs: 1500 });
    const { body } = await init('v3');
    const res = await control(body.pspTransactionId, 'approve');
    expect(res.status).toBe(402);
    expect(res.body).toMatchObject({ outcome: 'unknown', cardCallback: { outcome: 'timeout' }, payment: { state: 'FAILED' } });
    expect((await view(body.pspTransactionId)).failure.reason).toMatch(/timeout/);
  });

  it('5xx and answers that are not a MakePaymentResponse: FAILED', async () => {
    psp.respond = () => ({ status: 500, text: 'oops' });
    const a = await init('v2');
    expect((await control(a.body.pspTransactionId, 'approve')).body.cardCallback.outcome).toBe('server-error');
    psp.respond = () => ({ text: 'OK' });
    const b = await init('v2');
    expect((await control(b.body.pspTransactionId, 'approve')).body).toMatchObject({ cardCallback: { outcome: 'invalid' }, payment: { state: 'FAILED' } });
  });

  it('the customer cancels: CANCELLED, makePayment CANCEL without card data; the PSP’s errorId 93 recorded', async () => {
    psp.respond = answer('FAIL', {}, [93, 'Status from Vipps:CANCEL']);
    const { body } = await init('v2');
    const res = await control(body.pspTransactionId, 'reject');
    expect(res.status).toBe(200);
    expect(res.body.state).toBe('CANCELLED');
    await waitFor(() => calls(body.pspTransactionId)[0], 3000, 'the CANCEL makePayment');
    const sent = calls(body.pspTransactionId)[0].body;
    expect(sent).toMatchObject({ confirmed: 'CANCEL' });
    expect(sent.cardData).toBeUndefined();
    await waitFor(() => sandbox.traffic.query({ kind: ['callback'], reference: body.pspTransactionId })[0], 3000, 'the recorded answer');
    const [exchange] = sandbox.traffic.query({ kind: ['callback'], reference: body.pspTransactionId });
    expect(exchange.notes).toMatchObject({ confirmed: 'CANCEL', outcome: 'fail', errorId: 93, expectedErrorId: 93 });
    const after = await view(body.pspTransactionId);
    expect(after.makePayments[0]).toMatchObject({ confirmed: 'CANCEL', errorId: 93 });
  });

  it('nobody acts for ~10 minutes (sandbox clock): EXPIRED, makePayment TIMEOUT (v3 paymentState TIMEOUT)', async () => {
    psp.respond = answer('FAIL', {}, [93, 'Status from Vipps:TIMEOUT']);
    const { body } = await init('v3');
    sandbox.clock.advance(10 * 60_000 + 1);
    await waitFor(() => calls(body.pspTransactionId)[0], 3000, 'the TIMEOUT makePayment');
    expect(calls(body.pspTransactionId)[0].body).toMatchObject({ paymentState: 'TIMEOUT', merchantSerialNumber: MSN });
    expect(calls(body.pspTransactionId)[0].body.networkToken).toBeUndefined();
    expect((await view(body.pspTransactionId)).state).toBe('EXPIRED');
  });

  it('v3: a network token (Visa; 2200 Mastercard), binNumber, paymentState ACCEPTED; 3100 is not eligible', async () => {
    const visa = await init('v3');
    expect((await control(visa.body.pspTransactionId, 'approve')).status).toBe(200);
    const v = calls(visa.body.pspTransactionId)[0];
    expect(v.headers.authorization).toBe(visa.body.makePaymentToken);
    expect(v.body).toMatchObject({ paymentState: 'ACCEPTED', paymentInstrument: 'TOKEN', binNumber: expect.stringMatching(/^\d{6}$/), networkToken: { tokenType: 'VISA', eci: '7', expiryYear: expect.stringMatching(/^\d{4}$/) } });
    expect(v.body.cardData).toBeUndefined();
    expect(luhnValid(v.body.networkToken.number)).toBe(true);
    const mc = await init('v3', { amount: 2200 });
    await control(mc.body.pspTransactionId, 'approve');
    expect(calls(mc.body.pspTransactionId)[0].body.networkToken.tokenType).toBe('MASTERCARD');
    const no = await init('v3', { amount: 3100 });
    const res = await control(no.body.pspTransactionId, 'approve');
    expect(res.status).toBe(402);
    expect(res.body).toMatchObject({ code: '3100', outcome: 'declined', payment: { state: 'INITIATED' } });
    expect(calls(no.body.pspTransactionId)).toHaveLength(0);
  });

  it('v3 force approve: the token of vippsRedirectUrl and the customer’s number; 200 once makePayment is answered', async () => {
    const { body, res } = await init('v3', { customerMobileNumber: '91234567' });
    const token = new URL(res.vippsRedirectUrl).searchParams.get('token')!;
    const path = `/psp/v3/integration-test/psppayments/${body.pspTransactionId}/approve`;
    const wrong = await call(sandbox.url, 'POST', path, { headers: H.v3, body: { customerPhoneNumber: '91234567', token: 'nope' } });
    expect(wrong.status).toBe(400);
    expect(wrong.text).toBe(''); // psp-v3.yaml: 400 without a body; the reason is in the traffic notes
    expect(sandbox.traffic.query({ operation: ['integrationTestApprovePayment'], reference: body.pspTransactionId })[0].notes?.error).toMatch(/token/);
    expect((await call(sandbox.url, 'POST', path, { headers: H.v3, body: { customerPhoneNumber: '9123', token } })).status).toBe(400);
    const ok = await call(sandbox.url, 'POST', path, { headers: H.v3, body: { customerPhoneNumber: '91234567', token } });
    expect(ok.status, ok.text).toBe(200);
    const traffic = (await call(sandbox.url, 'GET', `/_sandbox/v1/traffic?reference=${body.pspTransactionId}`)).body.exchanges;
    expect(traffic.map((e: { api: string; operation: string }) => `${e.api} ${e.operation}`)).toContain('psp-v3 makePaymentV3UsingPOST');
    expect(ok.text).toBe('');
    expect((await view(body.pspTransactionId)).state).toBe('RESERVED');
    expect((await call(sandbox.url, 'POST', path, { headers: H.v3, body: { customerPhoneNumber: '91234567', token } })).status).toBe(400);
  });

  it('the landing page: approve sends makePayment and the customer to pspRedirectUrl', async () => {
    const { body, res } = await init('v2');
    const token = new URL(res.vippsRedirectUrl).searchParams.get('token')!;
    const page = await call(sandbox.url, 'GET', `/landing?token=${encodeURIComponent(token)}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('One pair of golive socks');
    const form = await call(sandbox.url, 'POST', '/landing/approve', { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `token=${encodeURIComponent(token)}&phone=4791234567` });
    expect(form.status).toBe(303);
    expect(form.headers.location).toBe(body.pspRedirectUrl);
    expect(await view(body.pspTransactionId)).toMatchObject({ state: 'RESERVED', approvedPhoneNumber: '4791234567' });
  });
});
