import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControlClient } from '../../src/sandbox/client.ts';
import { DEFAULT_TEST_PARTNER, DEFAULT_TEST_PARTNER_MERCHANTS, type Sandbox } from '../../src/sandbox/index.ts';
import { loadSpec, specAvailable, validateTraffic, type SpecName } from '../helpers/openapi.ts';
import { call, merchantHeaders, partnerHeaders, startSandbox, TEST_MERCHANT, TEST_PARTNER, type CallResult } from '../helpers/sandbox.ts';

/** Partner keys (vipps-facts §1.1, §1.4): one token acting for many sales units, each request naming its MSN. */

const PAYMENTS = '/epayment/v1/payments';
const UNITS = TEST_PARTNER.salesUnits;
/** A merchant the sandbox knows that the partner does not act for. */
const OUTSIDER = { msn: '654321', clientId: 'outsider-client', clientSecret: 'outsider-secret-value', subscriptionKeys: ['outsider-sub-key-0001'] };

const createBody = (overrides: Record<string, unknown> = {}) => ({
  amount: { currency: 'NOK', value: 1000 },
  paymentMethod: { type: 'WALLET' },
  reference: `partner-${randomUUID().slice(0, 13)}`,
  userFlow: 'WEB_REDIRECT',
  returnUrl: 'http://127.0.0.1:3000/return',
  ...overrides,
});

const tokenCall = (sandbox: Sandbox, headers: Record<string, string>) => call(sandbox.url, 'POST', '/accesstoken/get', { headers });
const partnerKeys = (extra: Record<string, string> = {}) => ({
  client_id: TEST_PARTNER.clientId,
  client_secret: TEST_PARTNER.clientSecret,
  'Ocp-Apim-Subscription-Key': TEST_PARTNER.subscriptionKeys[0],
  ...extra,
});

/** A refusal in the API's documented error shape (`validateError` against the named spec). */
async function expectRefusal(res: CallResult, spec: SpecName, status = 403) {
  expect(res.status, res.text).toBe(status);
  if (!specAvailable()) return;
  const verdict = (await loadSpec(spec)).validateError(status, res.body);
  expect(verdict.outcome, verdict.errors).toBe('valid');
}

describe('partner keys', () => {
  let sandbox: Sandbox;
  let H: Record<string, string>;
  const api = (method: string, path: string, msn: string | null, options: { headers?: Record<string, string>; body?: unknown } = {}) => {
    const { 'Merchant-Serial-Number': _drop, ...base } = H;
    return call(sandbox.url, method, path, { ...options, headers: { ...base, ...(msn === null ? {} : { 'Merchant-Serial-Number': msn }), ...options.headers } });
  };
  const create = (msn: string | null, body = createBody()) => api('POST', PAYMENTS, msn, { headers: { 'Idempotency-Key': randomUUID() }, body });

  beforeAll(async () => {
    sandbox = await startSandbox({ merchants: [OUTSIDER], settings: { rateLimits: { enabled: false } } });
    H = await partnerHeaders(sandbox.url);
  });
  afterAll(async () => {
    if (specAvailable()) {
      // Not the token endpoint: its spec declares no 401 body (expectRefusal checks those shapes).
      const result = await validateTraffic(sandbox.traffic.query({ api: ['epayment', 'webhooks', 'order-management'] }));
      expect(result.failures).toEqual([]);
      expect(result.validated).toBeGreaterThan(10);
    }
    await sandbox.close();
  });

  it('the default sandbox has the partner and its three sales units, each a distinct merchant', async () => {
    const control = new ControlClient(sandbox.url);
    expect((await control.partners()).partners).toEqual([{ id: DEFAULT_TEST_PARTNER.id, name: 'golive test partner', clientId: DEFAULT_TEST_PARTNER.clientId, salesUnits: ['123456', '234567', '345678'] }]);
    const merchants = (await call(sandbox.url, 'GET', '/_sandbox/v1/merchants')).body.merchants as { msn: string; name: string }[];
    const units = merchants.filter((m) => UNITS.includes(m.msn));
    expect(units.map((m) => m.msn)).toEqual(['123456', '234567', '345678']);
    expect(new Set(units.map((m) => m.name)).size).toBe(3);
  });

  describe('token', () => {
    it('is issued for partner keys, without MSN or with one of its sales units; all values strings', async () => {
      const bare = await tokenCall(sandbox, partnerKeys());
      expect(bare.status, bare.text).toBe(200);
      for (const v of Object.values(bare.body)) expect(typeof v).toBe('string');
      const payload = JSON.parse(Buffer.from(bare.body.access_token.split('.')[1], 'base64url').toString());
      expect(payload).toMatchObject({ partnerId: DEFAULT_TEST_PARTNER.id, sub: DEFAULT_TEST_PARTNER.clientId });
      expect(payload.msn).toBeUndefined();
      expect((await tokenCall(sandbox, partnerKeys({ 'Merchant-Serial-Number': '345678' }))).status).toBe(200);
      // The secondary key works too.
      expect((await tokenCall(sandbox, partnerKeys({ 'Ocp-Apim-Subscription-Key': TEST_PARTNER.subscriptionKeys[1] }))).status).toBe(200);
    });

    it('refuses a foreign MSN, the partner id as MSN, a wrong secret and another holder’s key', async () => {
      const foreign = await tokenCall(sandbox, partnerKeys({ 'Merchant-Serial-Number': OUTSIDER.msn }));
      await expectRefusal(foreign, 'access-token');
      expect(foreign.body.error_description).toContain(`merchant ${OUTSIDER.msn}`);
      await expectRefusal(await tokenCall(sandbox, partnerKeys({ 'Merchant-Serial-Number': DEFAULT_TEST_PARTNER.id })), 'access-token');
      await expectRefusal(await tokenCall(sandbox, partnerKeys({ client_secret: 'not-the-secret' })), 'access-token', 401);
      await expectRefusal(await tokenCall(sandbox, partnerKeys({ 'Ocp-Apim-Subscription-Key': TEST_MERCHANT.subscriptionKeys[0] })), 'access-token', 401);
    });

    it('records the token call with the partner id', async () => {
      const before = sandbox.traffic.lastSeq;
      await tokenCall(sandbox, partnerKeys({ 'Merchant-Serial-Number': '234567' }));
      const [exchange] = sandbox.traffic.query({ api: ['access-token'] }).filter((e) => e.seq > before);
      expect(exchange).toMatchObject({ msn: '234567', notes: { partner: DEFAULT_TEST_PARTNER.id } });
    });
  });

  describe('ePayment', () => {
    it('one token creates and reads a payment for each of the three sales units; exchanges carry the MSN and the partner', async () => {
      for (const msn of UNITS) {
        const body = createBody();
        const created = await create(msn, body);
        expect(created.status, created.text).toBe(201);
        const read = await api('GET', `${PAYMENTS}/${body.reference}`, msn);
        expect(read.status, read.text).toBe(200);
        expect(read.body).toMatchObject({ reference: body.reference, state: 'CREATED' });
        expect(sandbox.ctx.payments.find(msn, body.reference)).toBeDefined();
        const exchanges = sandbox.traffic.query({ api: ['epayment'], reference: body.reference });
        expect(exchanges.map((e) => [e.operation, e.msn, e.notes?.partner])).toEqual([
          ['createPayment', msn, DEFAULT_TEST_PARTNER.id],
          ['getPayment', msn, DEFAULT_TEST_PARTNER.id],
        ]);
        // The payment is the sales unit's: not visible under another of the partner's units.
        expect((await api('GET', `${PAYMENTS}/${body.reference}`, UNITS.find((u) => u !== msn)!)).status).toBe(404);
      }
    });

    it('a missing MSN, a foreign MSN and the partner id as MSN are each 403 problem JSON', async () => {
      const missing = await create(null);
      await expectRefusal(missing, 'epayment-v1');
      expect(missing.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(missing.body).toMatchObject({ status: 403, title: 'Merchant Not Allowed', detail: expect.stringContaining('Merchant-Serial-Number') });

      const foreign = await create(OUTSIDER.msn);
      await expectRefusal(foreign, 'epayment-v1');
      expect(foreign.body).toMatchObject({ title: 'Merchant Not Allowed', detail: `The API keys used do not give access to merchant ${OUTSIDER.msn}.` });
      await expectRefusal(await create('999999'), 'epayment-v1');

      const own = await create(DEFAULT_TEST_PARTNER.id);
      await expectRefusal(own, 'epayment-v1');
      expect(own.body.detail).toContain("partner's own id");

      // Reads are refused alike; nothing was created for the refused requests.
      await expectRefusal(await api('GET', `${PAYMENTS}/anything`, null), 'epayment-v1');
      expect(sandbox.ctx.payments.list({ msn: OUTSIDER.msn })).toEqual([]);
    });

    it("refuses a partner token with a merchant's subscription key", async () => {
      const res = await create(UNITS[0], createBody());
      expect(res.status).toBe(201);
      const mixed = await api('POST', PAYMENTS, UNITS[0], { headers: { 'Idempotency-Key': randomUUID(), 'Ocp-Apim-Subscription-Key': TEST_MERCHANT.subscriptionKeys[0] }, body: createBody() });
      await expectRefusal(mixed, 'epayment-v1');
      expect(mixed.body.title).toBe('Forbidden');
    });

    it('merchant keys are unaffected, and read what the partner created for their unit', async () => {
      const body = createBody();
      expect((await create('234567', body)).status).toBe(201);
      const unit = DEFAULT_TEST_PARTNER_MERCHANTS[0] as typeof TEST_MERCHANT;
      const merchant = await merchantHeaders(sandbox.url, unit);
      const read = await call(sandbox.url, 'GET', `${PAYMENTS}/${body.reference}`, { headers: merchant });
      expect(read.status, read.text).toBe(200);
      expect(sandbox.traffic.query({ api: ['epayment'], reference: body.reference }).at(-1)!.notes?.partner).toBeUndefined();
      // The default merchant's own keys still act for 123456 only.
      const own = await merchantHeaders(sandbox.url);
      const wrong = await call(sandbox.url, 'POST', PAYMENTS, { headers: { ...own, 'Merchant-Serial-Number': '234567', 'Idempotency-Key': randomUUID() }, body: createBody() });
      expect(wrong).toMatchObject({ status: 403, body: { title: 'Merchant Not Allowed' } });
      expect((await call(sandbox.url, 'POST', PAYMENTS, { headers: { ...own, 'Idempotency-Key': randomUUID() }, body: createBody() })).status).toBe(201);
    });
  });

  describe('other APIs', () => {
    it('Webhooks v1 with an MSN acts for that unit; a foreign MSN or the partner id is 403 ProblemDetails', async () => {
      const listed = await api('GET', '/webhooks/v1/webhooks', '345678');
      expect(listed.status, listed.text).toBe(200);
      await expectRefusal(await api('GET', '/webhooks/v1/webhooks', OUTSIDER.msn), 'webhooks-v1');
      await expectRefusal(await api('GET', '/webhooks/v1/webhooks', DEFAULT_TEST_PARTNER.id), 'webhooks-v1');
    });

    it('Order Management: the unit of the MSN, 403 without one', async () => {
      const body = createBody();
      expect((await create('234567', body)).status).toBe(201);
      const path = `/order-management/v2/ecom/categories/${body.reference}`;
      const put = await api('PUT', path, '234567', { body: { category: 'GENERAL', orderDetailsUrl: 'https://shop.example/orders/1' } });
      expect(put.status, put.text).toBeLessThan(300);
      const got = await api('GET', `/order-management/v2/ecom/${body.reference}`, '234567');
      expect(got.status, got.text).toBe(200);
      expect((await api('GET', `/order-management/v2/ecom/${body.reference}`, '345678')).status).toBe(404);
      await expectRefusal(await api('GET', `/order-management/v2/ecom/${body.reference}`, null), 'order-management-v2');
      await expectRefusal(await api('GET', `/order-management/v2/ecom/${body.reference}`, DEFAULT_TEST_PARTNER.id), 'order-management-v2');
    });

    it('Userinfo: a sub of the unit named; no MSN (optional with merchant keys) is 403 with partner keys', async () => {
      const body = createBody({ profile: { scope: 'name' } });
      expect((await create('345678', body)).status).toBe(201);
      const approved = await call(sandbox.url, 'POST', `/_sandbox/v1/payments/345678/${body.reference}/approve`, { body: {} });
      expect(approved.status, approved.text).toBe(200);
      const sub = (await api('GET', `${PAYMENTS}/${body.reference}`, '345678')).body.profile.sub as string;
      const path = `/vipps-userinfo-api/userinfo/${sub}`;
      expect((await api('GET', path, '345678')).body).toMatchObject({ sub });
      expect((await api('GET', path, '234567')).status).toBe(404);
      const missing = await api('GET', path, null);
      expect(missing).toMatchObject({ status: 403, body: { title: 'Merchant Not Allowed' } });
    });

    it('eCom v2: 403 in the eCom error array without an MSN', async () => {
      const res = await api('GET', '/ecomm/v2/payments/some-order/details', null);
      await expectRefusal(res, 'ecom-v2');
      expect(res.body[0]).toMatchObject({ errorGroup: 'Authentication', errorCode: '403' });
    });

    it('QR API: merchant-redirect codes of the unit named; no MSN or a foreign one is 403 in the QR error shape', async () => {
      const id = `partner-qr-${randomUUID().slice(0, 8)}`;
      const body = { id, redirectUrl: 'https://example.com/bill/1' };
      const made = await api('POST', '/qr/v1/merchant-redirect', UNITS[1], { headers: { Accept: 'image/svg+xml' }, body });
      expect(made.status, made.text).toBe(200);
      const accept = { headers: { Accept: 'image/svg+xml' } };
      expect((await api('GET', `/qr/v1/merchant-redirect/${id}`, UNITS[1], accept)).status).toBe(200);
      // Another unit of the same partner does not see it: codes belong to their sales unit.
      expect((await api('GET', `/qr/v1/merchant-redirect/${id}`, UNITS[2], accept)).status).toBe(404);
      await expectRefusal(await api('POST', '/qr/v1/merchant-redirect', null, { headers: { Accept: 'image/svg+xml' }, body: { ...body, id: `${id}-x` } }), 'qr-v1');
      await expectRefusal(await api('GET', '/qr/v1/merchant-redirect', OUTSIDER.msn, accept), 'qr-v1');
    });
  });

  it('partners can be listed and added through the control API; the new partner’s token acts for its units only', async () => {
    const control = new ControlClient(sandbox.url);
    const partner = { id: 'acme-platform', name: 'ACME platform', clientId: 'acme-partner-client', clientSecret: 'acme-partner-secret-value', subscriptionKeys: ['acme-partner-key-1'], salesUnits: ['234567', OUTSIDER.msn] };
    expect(await control.addPartner(partner)).toEqual({ id: 'acme-platform', name: 'ACME platform', clientId: 'acme-partner-client', salesUnits: ['234567', OUTSIDER.msn] });
    await expect(control.addPartner({ ...partner, clientId: 'other' })).rejects.toMatchObject({ status: 409 });
    expect(JSON.stringify(await control.partners())).not.toContain('acme-partner-secret-value');
    expect(sandbox.redactor.text('x acme-partner-secret-value')).not.toContain('acme-partner-secret-value');
    const headers = await partnerHeaders(sandbox.url, { partner, msn: OUTSIDER.msn });
    expect((await call(sandbox.url, 'POST', PAYMENTS, { headers: { ...headers, 'Idempotency-Key': randomUUID() }, body: createBody() })).status).toBe(201);
    const refused = await call(sandbox.url, 'POST', PAYMENTS, { headers: { ...headers, 'Merchant-Serial-Number': '123456', 'Idempotency-Key': randomUUID() }, body: createBody() });
    expect(refused.status).toBe(403);
  });

  it('sandbox options: given partners, and includeDefaultPartner: false', async () => {
    const without = await startSandbox({ includeDefaultPartner: false });
    try {
      expect(without.ctx.partners.list()).toEqual([]);
      expect(without.merchants.byMerchantSerialNumber('234567')).toBeUndefined();
      expect((await tokenCall(without, partnerKeys())).status).toBe(401); // its key is nobody's
    } finally {
      await without.close();
    }
  });
});
