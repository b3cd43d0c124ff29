import { createPublicKey } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PspApiVersion } from '../src/psp-api/config.ts';
import { api, MSN, PSP_ID, testCardNumber } from './fake-vipps.ts';
import { FakePspVipps, makePayment, startTestPspApi } from './psp-api-fake.ts';

describe.each<PspApiVersion>(['v2', 'v3'])('reference PSP, PSP API %s', (version) => {
  let vipps: FakePspVipps;
  let psp: Awaited<ReturnType<typeof startTestPspApi>>;
  beforeEach(async () => {
    vipps = await new FakePspVipps().start();
    psp = await startTestPspApi(vipps, version);
  });
  afterEach(async () => {
    await psp.stop();
    await vipps.stop();
  });
  const checkout = async (amount = 49900) => {
    const r = await api('POST', `${psp.url}/api/payments`, { amount, description: 'Socks' });
    expect(r.status).toBe(201);
    return r.body as { reference: string; redirectUrl: string; status: string };
  };
  const order = async (ref: string) => (await api('GET', `${psp.url}/api/payments/${ref}`)).body;

  it('serves its RSA-2048 public key as SPKI PEM', async () => {
    const r = await api('GET', `${psp.url}/.well-known/vipps-card-data-key.pem`);
    expect(r.status).toBe(200);
    expect(r.text).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    const key = createPublicKey(r.text);
    expect(key.asymmetricKeyType).toBe('rsa');
    expect(key.asymmetricKeyDetails?.modulusLength).toBe(2048);
  });

  it('initiates with every field, a fresh pspTransactionId and makePaymentToken per payment, and the PSP API headers', async () => {
    const a = await checkout();
    const b = await checkout(10000);
    expect(a.status).toBe('initiated');
    expect(a.redirectUrl).toBe(`${vipps.url}/landing?token=${a.reference}`);
    const inits = vipps.calls('init');
    expect(inits.map((r) => r.path)).toEqual([`/psp/${version}/psppayments/init`, `/psp/${version}/psppayments/init`]);
    const [ia, ib] = inits.map((r) => r.body);
    expect(ia.pspTransactionId).toMatch(/^[a-z0-9]{1,36}$/);
    expect(ia.pspTransactionId).not.toBe(ib.pspTransactionId);
    expect(ia.makePaymentToken).not.toBe(ib.makePaymentToken);
    expect(ia).toMatchObject({ pspTransactionId: a.reference, amount: 49900, currency: 'NOK', paymentText: 'Socks', pspRedirectUrl: `${psp.url}/return?payment=${a.reference}`, makePaymentUrl: `${psp.url}/make-payment` });
    expect(ia.merchantOrderId).toMatch(/^[a-zA-Z0-9-]{1,30}$/);
    expect(ia.makePaymentToken.length).toBeGreaterThanOrEqual(32);
    for (const r of inits) {
      expect(r.headers.authorization).toBe('Bearer psp-token');
      expect(r.headers['ocp-apim-subscription-key']).toBe('psp-subscription-key');
      expect(r.headers['psp-id']).toBe(PSP_ID);
      expect(r.headers['merchant-serial-number']).toBe(MSN);
      expect(r.headers['vipps-system-name']).toBe('refpsp');
      expect(r.headers['vipps-system-version']).toBe('1.0.0');
      expect(r.headers['vipps-system-plugin-name']).toBe('refpsp-psp-api');
      expect(r.headers['vipps-system-plugin-version']).toBe('1.0.0');
    }
    // One access token for both calls (cached).
    expect(vipps.requests.filter((r) => r.path === '/accesstoken/get')).toHaveLength(1);
  });

  it('refuses a makePayment without the payment’s makePaymentToken (401, nothing processed)', async () => {
    const { reference } = await checkout();
    for (const authorization of ['wrong-token', null, `Bearer ${vipps.payments.get(reference)!.body.makePaymentToken}`]) {
      const r = await makePayment(vipps, psp, reference, { card: testCardNumber('1111'), authorization });
      expect(r.status).toBe(401);
    }
    expect(psp.psp.acquirer.log).toHaveLength(0);
    expect((await order(reference)).status).toBe('initiated');
    const ok = await makePayment(vipps, psp, reference, { card: testCardNumber('1111') });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ paymentInfo: { pspTransactionId: reference, status: 'OK' } });
  });

  it('authorises an approved card within milliseconds; the order is paid without the customer reaching pspRedirectUrl', async () => {
    const { reference } = await checkout();
    const card = testCardNumber('1111');
    const r = await makePayment(vipps, psp, reference, { card });
    expect(r.body.paymentInfo.status).toBe('OK');
    expect(r.ms).toBeLessThan(2000);
    const o = await order(reference);
    expect(o.status).toBe('authorised');
    expect(o.card).toEqual({ type: 'VISA', maskedNumber: `${card.slice(0, 6)}XXXXXX${card.slice(-4)}` });
    expect(psp.psp.acquirer.log.at(-1)?.number).toBe(o.card.maskedNumber);
    // A fresh browser on the return page sees the PSP's own record.
    const page = await api('GET', `${psp.url}/return?payment=${reference}`);
    expect(page.text).toContain('id="status">authorised<');
    // The same makePayment again gets the same answer, nothing authorised twice.
    expect((await makePayment(vipps, psp, reference, { card })).body).toEqual(r.body);
    expect(psp.psp.acquirer.log).toHaveLength(1);
  });

  it.each([
    ['0002', '82', 'Refused by Issuer'],
    ['0051', '89', 'Insufficient funds'],
    ['0069', '86', 'Expired card'],
  ])('a card ending in %s gets FAIL errorId %s', async (last4, errorId, errorText) => {
    const { reference } = await checkout();
    const r = await makePayment(vipps, psp, reference, { card: testCardNumber(last4) });
    expect(r.body).toEqual({ paymentInfo: { pspTransactionId: reference, status: 'FAIL' }, errorMessage: { errorId, errorText } });
    const o = await order(reference);
    expect(o.status).toBe('declined');
    expect(o.failure).toEqual({ errorId, errorText });
  });

  it.each([
    ['TIMEOUT', 'expired'],
    ['CANCEL', 'cancelled'],
    ['NO', 'cancelled'],
  ] as const)('answers %s with FAIL errorId 93', async (confirmed, status) => {
    const { reference } = await checkout();
    const r = await makePayment(vipps, psp, reference, { confirmed });
    const word = version === 'v3' && confirmed !== 'TIMEOUT' ? 'CANCEL' : confirmed;
    expect(r.body).toEqual({ paymentInfo: { pspTransactionId: reference, status: 'FAIL' }, errorMessage: { errorId: '93', errorText: `Status from Vipps:${word}` } });
    expect((await order(reference)).status).toBe(status);
  });

  it('3-D Secure: SOFT_DECLINE 1036 with url3dSecure, the challenge page 303s to operations[] 3dssuccess, the re-send is OK', async () => {
    const { reference } = await checkout();
    const card = testCardNumber('3220');
    const first = await makePayment(vipps, psp, reference, { card });
    expect(first.body).toEqual({
      paymentInfo: { pspTransactionId: reference, status: 'SOFT_DECLINE', url3dSecure: `${psp.url}/3ds/${reference}` },
      errorMessage: { errorId: '1036', errorText: 'Soft Decline' },
    });
    expect((await order(reference)).status).toBe('3ds-pending');
    const page = await api('GET', first.body.paymentInfo.url3dSecure);
    expect(page.text).toContain('id="complete-3ds"');
    const post = await api('POST', first.body.paymentInfo.url3dSecure);
    expect(post.status).toBe(303);
    expect(post.headers.location).toBe(`${vipps.url}/landing/soft-decline-completed?ref=${reference}&operation=3dssuccess`);
    const second = await makePayment(vipps, psp, reference, { card });
    expect(second.body).toEqual({ paymentInfo: { pspTransactionId: reference, status: 'OK' } });
    const o = await order(reference);
    expect(o.status).toBe('authorised');
    expect(o.attempts.map((a: any) => [a.round, a.outcome])).toEqual([[1, 'soft-decline'], [2, 'authorised']]);
  });

  it('reports every capture, refund and cancel with updatestatus and its amount, then reads details', async () => {
    const { reference } = await checkout(10000);
    await makePayment(vipps, psp, reference, { card: testCardNumber('1111') });
    expect((await api('POST', `${psp.url}/api/payments/${reference}/capture`, { amount: 4000 })).body.status).toBe('part-captured');
    expect((await api('POST', `${psp.url}/api/payments/${reference}/capture`, {})).body.status).toBe('captured');
    const refunded = await api('POST', `${psp.url}/api/payments/${reference}/refund`, { amount: 2500 });
    expect(refunded.body).toMatchObject({ status: 'part-refunded', amounts: { authorised: 10000, captured: 10000, refunded: 2500, cancelled: 0 } });
    const updates = vipps.calls('updatestatus');
    expect(updates.every((r) => r.path === `/psp/${version}/psppayments/updatestatus`)).toBe(true);
    expect(updates.map((r) => r.body.transactions)).toEqual([
      [{ pspTransactionId: reference, status: 'CAPTURED', amount: 4000, currency: 'NOK', paymentText: 'Socks' }],
      [{ pspTransactionId: reference, status: 'CAPTURED', amount: 6000, currency: 'NOK', paymentText: 'Socks' }],
      [{ pspTransactionId: reference, status: 'REFUNDED', amount: 2500, currency: 'NOK', paymentText: 'Socks' }],
    ]);
    expect(updates[0].headers['psp-id']).toBe(PSP_ID);
    expect(updates[0].headers['merchant-serial-number']).toBe(MSN);
    expect(vipps.calls('details').map((r) => r.path)).toEqual(Array(3).fill(`/psp/${version}/psppayments/${reference}/details`));
    expect(refunded.body.details.transactionSummary).toEqual({ capturedAmount: 10000, remainingAmountToCapture: 0, refundedAmount: 2500, remainingAmountToRefund: 7500 });
    expect(psp.psp.must(reference).details.every((d) => d.consistent)).toBe(true);
    expect(psp.psp.acquirer.get(psp.psp.must(reference).reservation!)).toMatchObject({ captured: 10000, refunded: 2500 });

    const admin = await api('GET', `${psp.url}/admin/payments/${reference}`);
    expect(admin.text).toContain('id="status">part-refunded<');
    expect(admin.text).toContain('id="details-history"');

    const other = await checkout(5000);
    await makePayment(vipps, psp, other.reference, { card: testCardNumber('1111') });
    const cancelled = await api('POST', `${psp.url}/api/payments/${other.reference}/cancel`);
    expect(cancelled.body).toMatchObject({ status: 'cancelled', amounts: { cancelled: 5000 } });
    expect(vipps.calls('updatestatus').at(-1)?.body.transactions[0]).toMatchObject({ pspTransactionId: other.reference, status: 'CANCELLED', amount: 5000 });
    expect(vipps.requests.some((r) => r.body?.transactions?.some((t: any) => t.status === 'RESERVED'))).toBe(false);
  });

  it('a cancel before makePayment stops the payment; a later makePayment gets 85', async () => {
    const { reference } = await checkout();
    expect((await api('POST', `${psp.url}/api/payments/${reference}/cancel`)).body.status).toBe('cancelled');
    const r = await makePayment(vipps, psp, reference, { card: testCardNumber('1111') });
    expect(r.body.errorMessage).toEqual({ errorId: '85', errorText: 'Response received too late' });
    expect(psp.psp.acquirer.log).toHaveLength(0);
  });

  it('refuses captures it cannot make (409) and bad amounts (400)', async () => {
    const { reference } = await checkout(10000);
    expect((await api('POST', `${psp.url}/api/payments/${reference}/capture`, {})).status).toBe(409);
    await makePayment(vipps, psp, reference, { card: testCardNumber('1111') });
    expect((await api('POST', `${psp.url}/api/payments/${reference}/capture`, { amount: -1 })).status).toBe(400);
    expect((await api('POST', `${psp.url}/api/payments/${reference}/capture`, { amount: 20000 })).status).toBe(409);
    expect((await api('POST', `${psp.url}/api/payments/${reference}/refund`, {})).status).toBe(409);
    expect(vipps.calls('updatestatus')).toHaveLength(0);
  });
});

describe.each([
  ['v2', ['psp-id', 'merchant-serial-number']],
  ['v3', ['Psp-Id', 'Merchant-Serial-Number']],
] as const)('PSP API %s header spelling', (version, names) => {
  it(`sends ${names.join(' and ')} as the ${version} spec spells them`, async () => {
    const vipps = await new FakePspVipps().start();
    const psp = await startTestPspApi(vipps, version);
    try {
      await api('POST', `${psp.url}/api/payments`, { amount: 1000 });
      const init = vipps.calls('init')[0];
      for (const n of names) expect(init.headerNames).toContain(n);
    } finally {
      await psp.stop();
      await vipps.stop();
    }
  });
});

describe('reference PSP, PSP API v2 card data', () => {
  let vipps: FakePspVipps;
  let psp: Awaited<ReturnType<typeof startTestPspApi>>;
  beforeEach(async () => {
    vipps = await new FakePspVipps().start();
    psp = await startTestPspApi(vipps, 'v2');
  });
  afterEach(async () => {
    await psp.stop();
    await vipps.stop();
  });

  it('answers cardData it cannot decrypt with FAIL 92 "Unable to decrypt"', async () => {
    for (const cardData of [Buffer.alloc(256, 7).toString('base64'), 'not base64 at all', '']) {
      const { body } = await api('POST', `${psp.url}/api/payments`, { amount: 1000 });
      const r = await makePayment(vipps, psp, body.reference, { cardData });
      expect(r.body).toEqual({ paymentInfo: { pspTransactionId: body.reference, status: 'FAIL' }, errorMessage: { errorId: '92', errorText: 'Unable to decrypt' } });
      expect((await api('GET', `${psp.url}/api/payments/${body.reference}`)).body.status).toBe('failed');
    }
    expect(psp.psp.acquirer.log).toHaveLength(0);
  });
});
