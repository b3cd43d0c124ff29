import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CARD_CALLBACK_OP } from '../../src/contract/card-passthrough.ts';
import { DEFAULT_TEST_PSP, type Sandbox } from '../../src/sandbox/index.ts';
import { ControlClient } from '../../src/sandbox/client.ts';
import { verify } from '../../src/sandbox/webhooks/signer.ts';
import { luhnValid } from '../../src/sandbox/epayment/card-passthrough/wallet.ts';
import { cardCreateBody, FakePsp, pspHeaders, validateCardCallbacks, waitFor, type ReceivedCardCallback } from '../helpers/card-passthrough.ts';
import { specAvailable, validateTraffic } from '../helpers/openapi.ts';
import { call, merchantHeaders, startSandbox } from '../helpers/sandbox.ts';

/** ePayment card passthrough against a fake PSP on 127.0.0.1: every answer kind, retries, soft decline, faults, forgeries, patching. */

const PAYMENTS = '/epayment/v1/payments';
const CONTROL = '/_sandbox/v1/payments';
const MSN = DEFAULT_TEST_PSP.merchants[0];
const RESERVE = { json: { status: 'RESERVE', networkTransactionReference: '123456789' } };
const FAIL = { json: { status: 'FAIL', errorCode: 300, errorMessage: 'Refused by Issuer' } };

describe('card passthrough', () => {
  let sandbox: Sandbox;
  let H: Record<string, string>;
  const psp = new FakePsp();
  const api = (method: string, path: string, options: { headers?: Record<string, string>; body?: unknown } = {}) =>
    call(sandbox.url, method, path, { ...options, headers: { ...H, ...options.headers } });
  const control = (path: string, body: unknown = {}) => call(sandbox.url, 'POST', `${CONTROL}/${MSN}/${path}`, { body });
  const create = async (cardPassthrough: Record<string, unknown> = {}, overrides: Record<string, unknown> = {}) => {
    const body = cardCreateBody(psp.url, cardPassthrough, overrides);
    const res = await api('POST', PAYMENTS, { headers: { 'Idempotency-Key': randomUUID() }, body });
    expect(res.status, res.text).toBe(201);
    return body;
  };
  const approve = (reference: string, body: unknown = {}) => control(`${reference}/approve`, body);
  const callbacksOf = (reference: string) => sandbox.traffic.query({ kind: ['callback'], operation: [CARD_CALLBACK_OP], reference });

  beforeAll(async () => {
    await psp.start();
    sandbox = await startSandbox({ settings: { rateLimits: { enabled: false } } });
    H = await pspHeaders(sandbox.url);
  });
  afterEach(() => {
    sandbox.faults.clear();
    psp.respond = () => RESERVE;
    Object.assign(sandbox.ctx.settings.cardCallback, { auth: 'auto', revision: 'current', nonRetryableErrorCodes: [], timeoutMs: 20_000 });
  });
  afterAll(async () => {
    const cards = validateCardCallbacks(sandbox.traffic.query({ kind: ['callback'] }).filter((e) => (e.request.body as { paymentInstrument?: string })?.paymentInstrument === undefined));
    expect(cards.failures).toEqual([]);
    expect(cards.validated).toBeGreaterThan(10);
    if (specAvailable()) {
      const result = await validateTraffic(sandbox.traffic.query({ api: ['epayment', 'webhooks'] }));
      expect(result.failures).toEqual([]);
      expect(result.validated).toBeGreaterThan(10);
    }
    await sandbox.close();
    await psp.stop();
  });

  describe('PSP credentials', () => {
    it('a PSP token acts for each of its sales units, with Psp-Id', async () => {
      const body = await create();
      expect((await api('GET', `${PAYMENTS}/${body.reference}`)).body).toMatchObject({ state: 'CREATED', paymentMethod: { type: 'CARD_PASSTHROUGH' } });
      const other = cardCreateBody(psp.url);
      const res = await api('POST', PAYMENTS, { headers: { 'Idempotency-Key': randomUUID(), 'Merchant-Serial-Number': '223355' }, body: other });
      expect(res.status, res.text).toBe(201);
      expect((await api('GET', `${PAYMENTS}/${other.reference}`, { headers: { 'Merchant-Serial-Number': '223355' } })).status).toBe(200);
    });

    it('refuses a missing or foreign Psp-Id, and an MSN the PSP does not serve', async () => {
      const body = await create();
      const path = `${PAYMENTS}/${body.reference}`;
      const missing = await api('GET', path, { headers: { 'Psp-Id': '' } });
      expect(missing.status).toBe(400);
      expect(missing.headers['content-type']).toMatch(/problem\+json/);
      expect(missing.body.extraDetails).toEqual([{ name: 'Psp-Id', reason: expect.stringContaining('required') }]);
      const wrong = await api('GET', path, { headers: { 'Psp-Id': 'someone-else' } });
      expect(wrong.status).toBe(403);
      expect(wrong.body).toMatchObject({ title: 'Forbidden', status: 403 });
      const foreign = await api('GET', path, { headers: { 'Merchant-Serial-Number': '123456' } });
      expect(foreign).toMatchObject({ status: 403, body: { title: 'Merchant Not Allowed', detail: 'The API keys used do not give access to merchant 123456.' } });
      const noMsn = await api('GET', path, { headers: { 'Merchant-Serial-Number': '' } });
      expect(noMsn.status).toBe(400);
      expect(noMsn.body.extraDetails[0].name).toBe('Merchant-Serial-Number');
      const webhooks = await api('GET', '/webhooks/v1/webhooks', { headers: { 'Psp-Id': '' } });
      expect(webhooks.status).toBe(400);
      expect((await api('GET', '/webhooks/v1/webhooks')).status).toBe(200);
    });

    it('the PSP token endpoint refuses an MSN the PSP does not serve; merchant credentials work as before', async () => {
      const token = await call(sandbox.url, 'POST', '/accesstoken/get', {
        headers: { client_id: DEFAULT_TEST_PSP.clientId, client_secret: DEFAULT_TEST_PSP.clientSecret, 'Ocp-Apim-Subscription-Key': DEFAULT_TEST_PSP.subscriptionKeys[0], 'Merchant-Serial-Number': '123456' },
      });
      expect(token.status).toBe(403);
      const merchant = await merchantHeaders(sandbox.url);
      const wallet = { amount: { currency: 'NOK', value: 1000 }, paymentMethod: { type: 'WALLET' }, reference: `wallet-${randomUUID()}`, userFlow: 'WEB_REDIRECT', returnUrl: 'https://shop.example/r' };
      const res = await call(sandbox.url, 'POST', PAYMENTS, { headers: { ...merchant, 'Idempotency-Key': randomUUID() }, body: wallet });
      expect(res.status).toBe(201);
    });
  });

  it('PSPs can be listed and added through the control API', async () => {
    const added = await call(sandbox.url, 'POST', '/_sandbox/v1/psps', {
      body: { pspId: 'C948DFD1546347568874C4DDC93A2E3C', clientId: 'other-psp', clientSecret: 'other-psp-secret-value', subscriptionKeys: ['other-psp-key-1'], merchants: ['223355'] },
    });
    expect(added.status).toBe(201);
    const list = (await call(sandbox.url, 'GET', '/_sandbox/v1/psps')).body.psps;
    expect(list.map((p: { pspId: string }) => p.pspId)).toEqual(['golive-test-psp', 'C948DFD1546347568874C4DDC93A2E3C']);
    expect(JSON.stringify(list)).not.toContain('other-psp-secret-value');
    // Its own token acts for 223355 (whose merchant record names the default PSP): card passthrough allowed.
    const other = { clientId: 'other-psp', clientSecret: 'other-psp-secret-value', subscriptionKeys: ['other-psp-key-1'], pspId: 'C948DFD1546347568874C4DDC93A2E3C', merchants: ['223355'] };
    const headers = await pspHeaders(sandbox.url, { psp: other as never, msn: '223355' });
    const res = await call(sandbox.url, 'POST', PAYMENTS, { headers: { ...headers, 'Idempotency-Key': randomUUID() }, body: cardCreateBody(psp.url) });
    expect(res.status, res.text).toBe(201);
    expect((await call(sandbox.url, 'POST', '/_sandbox/v1/psps', { body: { pspId: 'golive-test-psp', clientId: 'x', clientSecret: 'y', subscriptionKeys: ['z'] } })).status).toBe(409);
  });

  describe('create validation', () => {
    const attempt = (cardPassthrough: Record<string, unknown>) =>
      api('POST', PAYMENTS, { headers: { 'Idempotency-Key': randomUUID() }, body: cardCreateBody(psp.url, cardPassthrough) });

    it('checks every cardPassthrough field', async () => {
      const unknownType = await attempt({ allowedCardTypes: ['VISA_DEBIT', 'AMEX'] });
      expect(unknownType.status).toBe(400);
      expect(unknownType.body.extraDetails).toEqual([{ name: 'cardPassthrough.allowedCardTypes[1]', reason: expect.stringContaining('VISA_DEBIT') }]);
      expect((await attempt({ allowedCardTypes: [] })).body.extraDetails[0].name).toBe('cardPassthrough.allowedCardTypes');
      expect((await attempt({ preferVisaPartOfVisaDankort: 'yes' })).body.extraDetails[0].name).toBe('cardPassthrough.preferVisaPartOfVisaDankort');
      expect((await attempt({ publicEncryptionKeyId: 7 })).body.extraDetails[0].name).toBe('cardPassthrough.publicEncryptionKeyId');
      expect((await attempt({ cardCallbackAuthHeader: 7 })).body.extraDetails[0].name).toBe('cardPassthrough.cardCallbackAuthHeader');
      const http = await attempt({ cardCallbackUrl: 'http://psp.example/cb' });
      expect(http.status).toBe(400);
      expect(http.body.extraDetails[0]).toEqual({ name: 'ErrorCode', reason: '4090' });
      expect((await attempt({ pspReference: undefined })).body.extraDetails[0]).toEqual({ name: 'ErrorCode', reason: '4160' });
    });

    it('pspReference is unique per PSP', async () => {
      const first = await create();
      const again = await attempt({ pspReference: first.cardPassthrough.pspReference });
      expect(again.status).toBe(409);
      expect(again.body).toMatchObject({ title: 'Duplicate pspReference', extraDetails: [{ name: 'cardPassthrough.pspReference' }] });
    });
  });

  describe('the card callback', () => {
    it('RESERVE: AUTHORIZED, with the documented body and the PSP auth header', async () => {
      const body = await create();
      const res = await approve(body.reference, { card: { type: 'VISA_DEBIT' } });
      expect(res.status, res.text).toBe(200);
      expect(res.body).toMatchObject({ state: 'AUTHORIZED', cardCallback: { outcome: 'reserved', status: 200, authorizationAttemptId: expect.any(String) } });
      const cb = psp.forPspReference(body.cardPassthrough.pspReference)[0];
      expect(cb.headers.authorization).toBe('Bearer psp-callback-secret-1');
      expect(cb.body).toMatchObject({
        pspReference: body.cardPassthrough.pspReference,
        authorizationAttemptId: res.body.cardCallback.authorizationAttemptId,
        merchantSerialNumber: MSN,
        amount: { currency: 'NOK', value: 6000 },
        cardInfo: { cardType: 'VISA-DEBIT', cardDataType: 'TOKEN', cardIssuedInCountryCode: 'NO', networkToken: { tokenType: 'VISA' } },
      });
      expect(cb.body.cardInfo.maskedCardNumber).toMatch(/^4\d{7}XXXX\d{4}$/);
      expect(luhnValid(cb.body.cardInfo.networkToken.number)).toBe(true);
      const events = (await api('GET', `${PAYMENTS}/${body.reference}/events`)).body.map((e: { name: string }) => e.name);
      expect(events).toEqual(['CREATED', 'AUTHORIZED']);
      const [exchange] = callbacksOf(body.reference);
      expect(exchange).toMatchObject({ api: 'epayment', msn: MSN, notes: { round: 'first', cardType: 'VISA_DEBIT', auth: 'auth-header', outcome: 'reserved' } });
      expect((await api('POST', `${PAYMENTS}/${body.reference}/capture`, { headers: { 'Idempotency-Key': randomUUID() }, body: { modificationAmount: { currency: 'NOK', value: 6000 } } })).status).toBe(200);
    });

    it('force approve pays with the test user\'s card: the PSP\'s card callback decides, RESERVE authorizes, FAIL refuses with 10010', async () => {
      const body = await create();
      const res = await api('POST', `/epayment/v1/test/payments/${body.reference}/approve`, { body: {} });
      expect(res.status, res.text).toBe(200);
      expect(psp.forPspReference(body.cardPassthrough.pspReference)).toHaveLength(1);
      expect((await api('GET', `${PAYMENTS}/${body.reference}`)).body.state).toBe('AUTHORIZED');
      expect(callbacksOf(body.reference)[0]).toMatchObject({ notes: { round: 'first', outcome: 'reserved' } });

      const declined = await create();
      psp.answers(FAIL);
      const refused = await api('POST', `/epayment/v1/test/payments/${declined.reference}/approve`, { body: {} });
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({ extraDetails: expect.anything() });
      expect(JSON.stringify(refused.body)).toMatch(/10010|card callback/);
      expect((await api('GET', `${PAYMENTS}/${declined.reference}`)).body.state).toBe('CREATED');
    });

    it('FAIL: the customer retries with another card under a new attempt id', async () => {
      const body = await create();
      psp.answers(FAIL, RESERVE);
      const declined = await approve(body.reference, { card: { type: 'VISA_CREDIT' } });
      expect(declined.status).toBe(402);
      expect(declined.body).toMatchObject({ code: '300', reason: 'Refused by Issuer', outcome: 'declined', retryable: true, payment: { state: 'CREATED' }, cardCallback: { outcome: 'declined', retryable: true } });
      const ok = await approve(body.reference, { card: { type: 'MC_DEBIT' } });
      expect(ok.status).toBe(200);
      const [a, b] = psp.forPspReference(body.cardPassthrough.pspReference);
      expect(a.body.authorizationAttemptId).not.toBe(b.body.authorizationAttemptId);
      expect(b.body.cardInfo).toMatchObject({ cardType: 'MC-DEBIT', networkToken: { tokenType: 'MASTERCARD' } });
      const view = (await call(sandbox.url, 'GET', `${CONTROL}/${MSN}/${body.reference}`)).body;
      expect(view.cardPassthrough).toMatchObject({ pspReference: body.cardPassthrough.pspReference, outcomeUnknown: false, attempts: [{ outcome: 'declined' }, { outcome: 'reserved' }] });
      expect(view.cardPassthrough.cardCallbackAuthHeader).toMatch(/^\[REDACTED/);
    });

    it('FAIL with a non-retryable errorCode ends the attempts', async () => {
      sandbox.ctx.settings.cardCallback.nonRetryableErrorCodes = [300];
      const body = await create();
      psp.answers(FAIL);
      expect((await approve(body.reference)).body).toMatchObject({ outcome: 'declined', retryable: false });
      expect((await approve(body.reference)).body).toMatchObject({ code: 'not-retryable' });
    });

    it('SOFT_DECLINE: 3-D Secure, then the second callback with the same attempt id', async () => {
      const body = await create();
      psp.answers({ json: { status: 'SOFT_DECLINE', softDeclineUrl: 'https://psp.example/3ds?session=1' } }, RESERVE);
      const soft = await approve(body.reference);
      expect(soft.status).toBe(202);
      expect(soft.body).toMatchObject({ outcome: 'soft-decline', payment: { state: 'CREATED' }, cardCallback: { outcome: 'soft-decline', softDeclineUrl: 'https://psp.example/3ds?session=1' } });
      expect(soft.body.cardCallback.softDeclineCompletedRedirectUrl).toBe(psp.forPspReference(body.cardPassthrough.pspReference)[0].body.softDeclineCompletedRedirectUrl);
      expect((await approve(body.reference)).body.code).toBe('soft-decline-pending');
      const done = await control(`${body.reference}/soft-decline-completed`);
      expect(done.status, done.text).toBe(200);
      expect(done.body.state).toBe('AUTHORIZED');
      const [first, second] = psp.forPspReference(body.cardPassthrough.pspReference);
      expect(second.body.authorizationAttemptId).toBe(first.body.authorizationAttemptId);
      expect(second.body.cardInfo.networkToken.cryptogram).not.toBe(first.body.cardInfo.networkToken.cryptogram);
      expect(callbacksOf(body.reference).map((e) => e.notes?.round)).toEqual(['first', 'soft-decline-completion']);
    });

    it('SOFT_DECLINE completed through the redirect URL; SOFT_DECLINE again is invalid', async () => {
      const body = await create();
      psp.answers({ json: { status: 'SOFT_DECLINE', softDeclineUrl: 'https://psp.example/3ds' } }, { json: { status: 'SOFT_DECLINE', softDeclineUrl: 'https://psp.example/3ds' } });
      const soft = await approve(body.reference);
      const back = await call(soft.body.cardCallback.softDeclineCompletedRedirectUrl, 'GET', '');
      expect(back.status).toBe(402);
      expect(back.text).toContain('check the payment status at golive PSP shop one');
      expect(callbacksOf(body.reference)[1].notes).toMatchObject({ round: 'soft-decline-completion', outcome: 'invalid' });
      expect((await call(sandbox.url, 'GET', `${CONTROL}/${MSN}/${body.reference}`)).body.cardPassthrough.outcomeUnknown).toBe(true);
    });

    it('HTTP 500: outcome unknown, no further attempt, CREATED until the PSP captures (AUTHORIZED, CAPTURED)', async () => {
      const body = await create();
      psp.answers({ status: 500, text: 'boom' });
      const res = await approve(body.reference);
      expect(res.status).toBe(402);
      expect(res.body).toMatchObject({ code: 'outcome-unknown', outcome: 'unknown', retryable: false, cardCallback: { outcome: 'server-error', status: 500 } });
      expect(res.body.cardCallback.customerMessage).toContain('check the payment status at golive PSP shop one');
      expect((await approve(body.reference)).body.code).toBe('outcome-unknown');
      sandbox.clock.advance(30 * 60_000); // no expiry while the PSP owes the outcome
      expect((await api('GET', `${PAYMENTS}/${body.reference}`)).body.state).toBe('CREATED');
      const capture = await api('POST', `${PAYMENTS}/${body.reference}/capture`, { headers: { 'Idempotency-Key': randomUUID() }, body: { modificationAmount: { currency: 'NOK', value: 6000 } } });
      expect(capture.status, capture.text).toBe(200);
      expect(capture.body.state).toBe('AUTHORIZED');
      const events = (await api('GET', `${PAYMENTS}/${body.reference}/events`)).body.map((e: { name: string }) => e.name);
      expect(events).toEqual(['CREATED', 'AUTHORIZED', 'CAPTURED']);
    });

    it('an unknown outcome cancelled by the PSP ends TERMINATED', async () => {
      const body = await create();
      psp.answers({ json: { status: 'MAYBE' } });
      expect((await approve(body.reference)).body.cardCallback.outcome).toBe('invalid');
      const cancel = await api('POST', `${PAYMENTS}/${body.reference}/cancel`, { headers: { 'Idempotency-Key': randomUUID() } });
      expect(cancel.body.state).toBe('TERMINATED');
      expect((await call(sandbox.url, 'GET', `${CONTROL}/${MSN}/${body.reference}`)).body.cardPassthrough).toMatchObject({ outcomeUnknown: true, resolvedBy: 'cancel' });
    });

    it('card-callback-timeout: stops waiting after ms, outcome unknown', async () => {
      const body = await create();
      psp.answers({ ...RESERVE, delayMs: 3000 });
      await call(sandbox.url, 'POST', '/_sandbox/v1/faults', { body: { match: { reference: body.reference }, effect: { type: 'card-callback-timeout', ms: 200 } } });
      const t0 = Date.now();
      const res = await approve(body.reference);
      expect(Date.now() - t0).toBeLessThan(2000);
      expect(res.body).toMatchObject({ outcome: 'unknown', cardCallback: { outcome: 'timeout' } });
      const [exchange] = callbacksOf(body.reference);
      expect(exchange).toMatchObject({ fault: 'card-callback-timeout', notes: { outcome: 'timeout', retryable: false } });
      expect(exchange.response).toBeUndefined();
    });

    it('card-callback-timeout without ms: the PSP answers, but its answer never reaches Vipps (recorded, not acted on)', async () => {
      const body = await create();
      psp.answers(RESERVE);
      await call(sandbox.url, 'POST', '/_sandbox/v1/faults', { body: { match: { reference: body.reference }, effect: { type: 'card-callback-timeout' } } });
      const res = await approve(body.reference);
      expect(res.body).toMatchObject({ outcome: 'unknown', cardCallback: { outcome: 'timeout' } });
      const [exchange] = callbacksOf(body.reference);
      expect(exchange).toMatchObject({ fault: 'card-callback-timeout', notes: { outcome: 'timeout', answerLost: true } });
      expect(exchange.response?.status).toBe(200);
      expect((await call(sandbox.url, 'GET', `${CONTROL}/${MSN}/${body.reference}`)).body).toMatchObject({ state: 'CREATED', cardPassthrough: { outcomeUnknown: true } });
    });

    it('one attempt at a time; a refused connection is an unknown outcome', async () => {
      const body = await create();
      psp.answers({ ...RESERVE, delayMs: 1200 });
      const first = approve(body.reference);
      await waitFor(() => psp.forPspReference(body.cardPassthrough.pspReference).length > 0, 5000, 'the first callback');
      expect((await approve(body.reference)).body).toMatchObject({ code: 'attempt-in-progress' });
      expect((await first).status).toBe(200);

      const closed = await create({}, {});
      const payment = sandbox.ctx.epayment!.get(MSN, closed.reference)!;
      payment.cardPassthrough!.cardCallbackUrl = 'http://127.0.0.1:9/closed'; // discard port: nothing listens
      const res = await approve(closed.reference);
      expect(res.body).toMatchObject({ outcome: 'unknown', cardCallback: { outcome: 'timeout' } });
      expect(callbacksOf(closed.reference)[0].error).toMatch(/ECONNREFUSED|timeout/);
    });

    it('the deadline setting (20 s by default) bounds the wait', async () => {
      sandbox.ctx.settings.cardCallback.timeoutMs = 250;
      const body = await create();
      psp.answers({ ...RESERVE, delayMs: 2000 });
      expect((await approve(body.reference)).body.cardCallback.outcome).toBe('timeout');
    });

    it('HMAC with the PSP client secret when no auth header was given; `both` sends both', async () => {
      const body = await create({ cardCallbackAuthHeader: undefined });
      await approve(body.reference);
      const cb = psp.forPspReference(body.cardPassthrough.pspReference)[0];
      expect(verify({ secret: DEFAULT_TEST_PSP.clientSecret, body: cb.raw, headers: cb.headers, url: psp.url })).toMatchObject({ ok: true });
      expect(callbacksOf(body.reference)[0].notes?.auth).toBe('hmac');

      sandbox.ctx.settings.cardCallback.auth = 'both';
      const both = await create();
      await approve(both.reference);
      const cb2 = psp.forPspReference(both.cardPassthrough.pspReference)[0];
      expect(cb2.headers.authorization).toBe('Bearer psp-callback-secret-1');
      const hmac = { ...cb2.headers, authorization: cb2.headers['x-vipps-authorization'] as string };
      expect(verify({ secret: DEFAULT_TEST_PSP.clientSecret, body: cb2.raw, headers: hmac, url: psp.url })).toMatchObject({ ok: true });
    });

    it('early revision: flat body, CAPTURE reserves and captures', async () => {
      sandbox.ctx.settings.cardCallback.revision = 'early';
      const body = await create();
      psp.answers({ json: { status: 'CAPTURE', networkTransactionReference: '42' } });
      expect((await approve(body.reference)).status).toBe(200);
      const cb = psp.forPspReference(body.cardPassthrough.pspReference)[0];
      expect(cb.body).toMatchObject({ maskedCardNumber: expect.any(String), paymentInstrument: 'TOKEN', networkToken: expect.any(Object) });
      expect(cb.body.cardInfo).toBeUndefined();
      const events = (await api('GET', `${PAYMENTS}/${body.reference}/events`)).body.map((e: { name: string }) => e.name);
      expect(events).toEqual(['CREATED', 'AUTHORIZED', 'CAPTURED']);
      sandbox.ctx.settings.cardCallback.revision = 'current';
      const current = await create();
      psp.answers({ json: { status: 'CAPTURE', networkTransactionReference: '42' } });
      expect((await approve(current.reference)).body.cardCallback.outcome).toBe('invalid');
    });

    it('card choice: allowed types, the Visa/Dankort preference, last4 and a given number', async () => {
      const body = await create({ allowedCardTypes: ['VISA_DANKORT', 'MC_CREDIT'], preferVisaPartOfVisaDankort: true });
      expect((await approve(body.reference, { card: { type: 'VISA_DEBIT' } })).status).toBe(400);
      await approve(body.reference, { card: { type: 'VISA_DANKORT' } });
      const visa = psp.forPspReference(body.cardPassthrough.pspReference)[0].body.cardInfo;
      expect(visa).toMatchObject({ cardType: 'VISA-DANKORT', cardDataType: 'TOKEN', cardIssuedInCountryCode: 'DK' });
      expect(visa.maskedCardNumber).toMatch(/^4571/);

      const dankort = await create({ allowedCardTypes: ['VISA_DANKORT'], publicEncryptionKeyId: 'b7c0a1d2-guid' });
      await approve(dankort.reference);
      const part = psp.forPspReference(dankort.cardPassthrough.pspReference)[0].body.cardInfo;
      expect(part).toMatchObject({ cardType: 'DANKORT', cardDataType: 'PAN', encryptedPan: expect.any(String) });
      expect(part.networkToken).toBeUndefined();
      expect(callbacksOf(dankort.reference)[0].notes).toMatchObject({ cardType: 'VISA_DANKORT', callbackCardType: 'DANKORT' });

      const last4 = await create();
      await approve(last4.reference, { card: { type: 'MC_CREDIT', last4: '0042' } });
      expect(psp.forPspReference(last4.cardPassthrough.pspReference)[0].body.cardInfo.maskedCardNumber).toMatch(/^5[1-5]\d{6}XXXX0042$/);
      const number = await create();
      await approve(number.reference, { card: { number: '4111111111111111' } });
      expect(psp.forPspReference(number.cardPassthrough.pspReference)[0].body.cardInfo.maskedCardNumber).toBe('41111111XXXX1111');
    });
  });

  it('the control client: card actions answer 200/202/402 without throwing', async () => {
    const client = new ControlClient(sandbox.url);
    const body = await create();
    psp.answers(FAIL, { json: { status: 'SOFT_DECLINE', softDeclineUrl: 'https://psp.example/3ds' } }, RESERVE);
    expect(await client.approveWithCard(MSN, body.reference, { card: { type: 'MC_CREDIT' } })).toMatchObject({ status: 402, body: { retryable: true, cardCallback: { outcome: 'declined' } } });
    const soft = await client.approveWithCard(MSN, body.reference);
    expect(soft).toMatchObject({ status: 202, body: { outcome: 'soft-decline' } });
    expect(await client.softDeclineCompleted(MSN, body.reference, soft.body.cardCallback.authorizationAttemptId)).toMatchObject({ status: 200, body: { state: 'AUTHORIZED' } });
    expect(await client.forgeCardCallback(MSN, body.reference, 'no-auth-header')).toMatchObject({ forgery: 'no-auth-header', status: 200, accepted: true });
    await expect(client.approveWithCard(MSN, body.reference)).rejects.toMatchObject({ status: 409 });
  });

  describe('forged callbacks', () => {
    const checkingPsp = (cb: ReceivedCardCallback) => (cb.headers.authorization === 'Bearer psp-callback-secret-1' ? RESERVE : { status: 401, json: { error: 'bad auth' } });

    it('are sent for the payment, recorded as forged and never acted on', async () => {
      const body = await create();
      psp.respond = checkingPsp;
      for (const forgery of ['wrong-auth-header', 'no-auth-header', 'bad-hmac'] as const) {
        const res = await control(`${body.reference}/forge-card-callback`, { forgery });
        expect(res.status, res.text).toBe(200);
        expect(res.body).toMatchObject({ forgery, status: 401, accepted: false, authorizationAttemptId: expect.any(String) });
      }
      const [wrong, none] = psp.forPspReference(body.cardPassthrough.pspReference);
      expect(wrong.headers.authorization).not.toBe('Bearer psp-callback-secret-1');
      expect(none.headers.authorization).toBeUndefined();
      expect(callbacksOf(body.reference).map((e) => e.notes?.forged)).toEqual(['wrong-auth-header', 'no-auth-header', 'bad-hmac']);

      psp.respond = () => RESERVE; // a PSP that accepts anything
      expect((await control(`${body.reference}/forge-card-callback`, { forgery: 'bad-hmac' })).body.accepted).toBe(true);
      expect((await api('GET', `${PAYMENTS}/${body.reference}`)).body.state).toBe('CREATED');
      expect((await control(`${body.reference}/forge-card-callback`, { forgery: 'nonsense' })).status).toBe(400);
    });
  });

  describe('landing page', () => {
    const tokenOf = async (reference: string) => new URL((await api('GET', `${PAYMENTS}/${reference}`)).body.redirectUrl).searchParams.get('token')!;
    const form = (fields: Record<string, string>) =>
      call(sandbox.url, 'POST', '/landing/approve', { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });

    it('shows a card picker of the allowed cards; a decline offers a retry, a reservation returns to returnUrl', async () => {
      const body = await create({ allowedCardTypes: ['VISA_DEBIT', 'MC_CREDIT'] });
      const token = await tokenOf(body.reference);
      const page = await call(sandbox.url, 'GET', `/landing?token=${token}`);
      expect(page.text).toContain('data-testid="card-picker"');
      expect(page.text).toContain('Visa Debit');
      expect(page.text).toContain('Mastercard Credit');
      expect(page.text).not.toContain('Dankort');
      psp.answers(FAIL, RESERVE);
      const declined = await form({ token, card: 'MC_CREDIT' });
      expect(declined.status).toBe(402);
      expect(declined.text).toContain('Refused by Issuer');
      expect(declined.text).toContain('data-testid="card-picker"');
      const ok = await form({ token, card: 'VISA_DEBIT' });
      expect(ok.status).toBe(303);
      expect(ok.headers.location).toBe(body.returnUrl);
      expect(psp.forPspReference(body.cardPassthrough.pspReference).map((c) => c.body.cardInfo.cardType)).toEqual(['MC-CREDIT', 'VISA-DEBIT']);
    });

    it('an unknown outcome says to check the payment status at the merchant; a soft decline redirects to the PSP', async () => {
      const body = await create();
      const token = await tokenOf(body.reference);
      psp.answers({ status: 503, text: 'down' });
      const unknown = await form({ token });
      expect(unknown.status).toBe(402);
      expect(unknown.text).toContain('check the payment status at golive PSP shop one');
      expect((await call(sandbox.url, 'GET', `/landing?token=${token}`)).text).toContain('data-kind="outcome-unknown"');

      const soft = await create();
      const softToken = await tokenOf(soft.reference);
      psp.answers({ json: { status: 'SOFT_DECLINE', softDeclineUrl: 'https://psp.example/3ds?s=2' } }, RESERVE);
      const redirect = await form({ token: softToken });
      expect(redirect.status).toBe(303);
      expect(redirect.headers.location).toBe('https://psp.example/3ds?s=2');
      const completed = psp.forPspReference(soft.cardPassthrough.pspReference)[0].body.softDeclineCompletedRedirectUrl;
      const back = await call(completed, 'GET', '');
      expect(back.status).toBe(303);
      expect(back.headers.location).toBe(soft.returnUrl);
    });
  });
});
