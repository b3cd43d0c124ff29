// The card callback over real HTTP on 127.0.0.1, from a fake Vipps: authenticity, the acquirer's
// answers (RESERVE / FAIL / SOFT_DECLINE and the second callback after 3-D Secure), card types.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FaultName } from '../src/config.ts';
import { api, FakeVipps, sendCardCallback, startTestPsp, testCardNumber } from './fake-vipps.ts';

let vipps: FakeVipps;
let psp: Awaited<ReturnType<typeof startTestPsp>>;

async function setup(faults: FaultName[] = [], env: Record<string, string> = {}) {
  vipps = await new FakeVipps().start();
  psp = await startTestPsp(vipps, faults, env);
}

async function newPayment(amount = 6000): Promise<string> {
  const res = await api('POST', `${psp.url}/api/payments`, { amount, description: 'Socks' });
  expect(res.status).toBe(201);
  return res.body.reference;
}

const status = async (ref: string) => (await api('GET', `${psp.url}/api/payments/${ref}`)).body;

afterEach(async () => {
  await psp?.stop();
  await vipps?.stop();
});

describe('card callback (clean PSP)', () => {
  beforeEach(() => setup());

  it('verifies the auth header and answers RESERVE quickly; the payment is authorised with the callback card type', async () => {
    const ref = await newPayment();
    const r = await sendCardCallback(vipps, ref, { cardType: 'VISA-DEBIT' });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ status: 'RESERVE', networkTransactionReference: expect.stringMatching(/^\d+$/) });
    expect(r.ms).toBeLessThan(2000);
    const s = await status(ref);
    expect(s.status).toBe('authorised');
    expect(s.card).toMatchObject({ type: 'VISA_DEBIT', callbackType: 'VISA-DEBIT' });
    expect(s.card.maskedNumber).toMatch(/X{4}\d{4}$/);
    expect(s.attempts).toEqual([expect.objectContaining({ authorizationAttemptId: r.attemptId, outcome: 'reserved', delivered: true })]);
  });

  it('rejects a wrong or missing auth header with 401 and authorises nothing', async () => {
    const ref = await newPayment();
    expect((await sendCardCallback(vipps, ref, { auth: 'RefPsp forged' })).status).toBe(401);
    expect((await sendCardCallback(vipps, ref, { auth: null })).status).toBe(401);
    expect((await sendCardCallback(vipps, ref, { auth: 'hmac', hmacSecret: 'not-the-client-secret' })).status).toBe(401);
    const s = await status(ref);
    expect(s.status).toBe('created');
    expect(s.card).toEqual({ type: null, callbackType: null, maskedNumber: null });
    expect(s.attempts).toEqual([]);
    expect(psp.psp.acquirer.log).toEqual([]);
  });

  it("accepts Vipps' HMAC signature made with the PSP's client secret instead of the header", async () => {
    const ref = await newPayment();
    const r = await sendCardCallback(vipps, ref, { auth: 'hmac' });
    expect(r.body.status).toBe('RESERVE');
  });

  it('answers 401 for an unknown pspReference (nothing to check the header against), 404 when it is signed', async () => {
    const ref = await newPayment();
    expect((await sendCardCallback(vipps, ref, { pspReference: 'no-such-payment' })).status).toBe(401);
    const signed = await sendCardCallback(vipps, ref, { pspReference: 'no-such-payment', auth: 'hmac' });
    expect(signed.status).toBe(404);
    expect(psp.psp.acquirer.log).toEqual([]);
  });

  it('answers FAIL 300 for a declined card; a retry with another card (new attempt) is reserved', async () => {
    const ref = await newPayment();
    const declined = await sendCardCallback(vipps, ref, { number: testCardNumber('0002', '5'), cardType: 'MC-DEBIT' });
    expect(declined).toMatchObject({ status: 200, body: { status: 'FAIL', errorCode: 300, errorMessage: 'Refused by Issuer' } });
    expect((await status(ref)).status).toBe('declined');
    const retry = await sendCardCallback(vipps, ref, { cardType: 'VISA-CREDIT' });
    expect(retry.attemptId).not.toBe(declined.attemptId);
    expect(retry.body.status).toBe('RESERVE');
    const s = await status(ref);
    expect(s.status).toBe('authorised');
    expect(s.card.type).toBe('VISA_CREDIT');
  });

  it('3-D Secure: SOFT_DECLINE with its page, the button redirects to softDeclineCompletedRedirectUrl, the second callback is RESERVE', async () => {
    const ref = await newPayment();
    const number = testCardNumber('3220');
    const first = await sendCardCallback(vipps, ref, { number, cardType: 'VISA-CREDIT' });
    expect(first.body).toEqual({ status: 'SOFT_DECLINE', softDeclineUrl: `${psp.url}/3ds/${first.attemptId}` });
    const page = await api('GET', first.body.softDeclineUrl);
    expect(page.status).toBe(200);
    expect(page.text).toContain('id="complete-3ds"');
    expect(page.text).toContain(`action="/3ds/${first.attemptId}"`);
    const done = await api('POST', first.body.softDeclineUrl);
    expect(done.status).toBe(303);
    expect(done.headers.location).toBe(`${vipps.url}/mobileintercept?transactionId=${first.attemptId}&responsecode=OK`);
    const second = await sendCardCallback(vipps, ref, { number, cardType: 'VISA-CREDIT', attemptId: first.attemptId });
    expect(second.body.status).toBe('RESERVE');
    const s = await status(ref);
    expect(s.status).toBe('authorised');
    expect(s.attempts.map((a: any) => [a.round, a.outcome])).toEqual([
      [1, 'soft-decline'],
      [2, 'reserved'],
    ]);
  });

  it('never answers SOFT_DECLINE twice: a second callback without the challenge done is FAIL', async () => {
    const ref = await newPayment();
    const number = testCardNumber('3220');
    const first = await sendCardCallback(vipps, ref, { number });
    expect(first.body.status).toBe('SOFT_DECLINE');
    const second = await sendCardCallback(vipps, ref, { number, attemptId: first.attemptId });
    expect(second.body).toMatchObject({ status: 'FAIL', errorCode: expect.any(Number) });
  });

  it('processes a co-branded card with the callback cardType, not allowedCardTypes[0]', async () => {
    const ref = await newPayment();
    await sendCardCallback(vipps, ref, { cardType: 'VISA-DANKORT' });
    expect((await status(ref)).card.type).toBe('VISA_DANKORT');
    expect(psp.psp.acquirer.log.at(-1)?.cardType).toBe('VISA_DANKORT');
  });

  it('after an answer Vipps never got (connection closed first), releases and reports a cancel', async () => {
    await psp.stop();
    await vipps.stop();
    await setup(['slow-callback'], { REFERENCE_PSP_SLOW_CALLBACK_MS: '600' });
    const ref = await newPayment();
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 150);
    await expect(sendCardCallback(vipps, ref, { signal: abort.signal })).rejects.toThrow();
    await expect.poll(() => vipps.calls('POST', `/payments/${ref}/cancel`).length, { timeout: 3000 }).toBe(1);
    const s = await status(ref);
    expect(s.status).toBe('failed');
    expect(s.amounts.cancelled).toBe(6000);
    expect(s.attempts[0]).toMatchObject({ outcome: 'reserved', delivered: false });
    expect(vipps.calls('POST', `/payments/${ref}/cancel`)[0].headers['idempotency-key']).toBeTruthy();
  });
});

describe('reconciliation', () => {
  it('a RESERVE Vipps still does not show after the confirm window is treated as undelivered: released and cancelled', async () => {
    await setup([], { REFERENCE_PSP_FIRST_POLL_MS: '100', REFERENCE_PSP_POLL_INTERVAL_MS: '100', REFERENCE_PSP_RESERVE_CONFIRM_MS: '300' });
    const ref = await newPayment();
    expect((await sendCardCallback(vipps, ref, { dropAnswer: true })).body.status).toBe('RESERVE');
    await expect.poll(() => vipps.calls('POST', `/payments/${ref}/cancel`).length, { timeout: 3000 }).toBe(1);
    const s = await status(ref);
    expect(s).toMatchObject({ status: 'failed', amounts: { cancelled: 6000 }, vippsState: 'TERMINATED' });
    expect(s.failure).toContain('Vipps shows the payment CREATED');
  });

  it('a payment Vipps confirmed stays authorised past the window', async () => {
    await setup([], { REFERENCE_PSP_FIRST_POLL_MS: '50', REFERENCE_PSP_POLL_INTERVAL_MS: '50', REFERENCE_PSP_RESERVE_CONFIRM_MS: '100' });
    const ref = await newPayment();
    await sendCardCallback(vipps, ref);
    await new Promise((r) => setTimeout(r, 300));
    expect((await status(ref)).status).toBe('authorised');
    expect(vipps.calls('POST', '/cancel')).toEqual([]);
  });
});

describe('card callback fault switches', () => {
  it('slow-callback answers after the configured delay', async () => {
    await setup(['slow-callback'], { REFERENCE_PSP_SLOW_CALLBACK_MS: '400' });
    const r = await sendCardCallback(vipps, await newPayment());
    expect(r.body.status).toBe('RESERVE');
    expect(r.ms).toBeGreaterThanOrEqual(380);
  });

  it('decline-as-500 answers HTTP 500 for a business decline', async () => {
    await setup(['decline-as-500']);
    const ref = await newPayment();
    const r = await sendCardCallback(vipps, ref, { number: testCardNumber('0002') });
    expect(r.status).toBe(500);
    // Vipps cannot know the outcome of a 500: the PSP still reports the truth (not reserved) with a cancel.
    await expect.poll(() => vipps.calls('POST', `/payments/${ref}/cancel`).length, { timeout: 2000 }).toBe(1);
    expect((await status(ref)).status).toBe('failed');
  });

  it('accept-wrong-auth authorises a forged callback', async () => {
    await setup(['accept-wrong-auth']);
    const r = await sendCardCallback(vipps, await newPayment(), { auth: 'forged' });
    expect(r.body.status).toBe('RESERVE');
  });

  it("unknown-status answers 'APPROVED'", async () => {
    await setup(['unknown-status']);
    const r = await sendCardCallback(vipps, await newPayment());
    expect(r.body).toMatchObject({ status: 'APPROVED', networkTransactionReference: expect.any(String) });
  });

  it('ignore-card-type processes a co-branded card as allowedCardTypes[0] and records that', async () => {
    await setup(['ignore-card-type']);
    const ref = await newPayment();
    await sendCardCallback(vipps, ref, { cardType: 'VISA-DANKORT' });
    expect((await status(ref)).card).toMatchObject({ type: 'VISA_DEBIT', callbackType: 'VISA-DANKORT' });
  });

  it('no-report-after-timeout keeps quiet after an undelivered answer', async () => {
    await setup(['slow-callback', 'no-report-after-timeout'], { REFERENCE_PSP_SLOW_CALLBACK_MS: '400' });
    const ref = await newPayment();
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 100);
    await expect(sendCardCallback(vipps, ref, { signal: abort.signal })).rejects.toThrow();
    await new Promise((r) => setTimeout(r, 700));
    expect(vipps.calls('POST', '/cancel')).toEqual([]);
    expect((await status(ref)).status).toBe('authorised');
  });
});
