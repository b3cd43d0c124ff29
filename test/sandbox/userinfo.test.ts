import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.ts';
import { testUserFor } from '../../src/sandbox/shared/test-users.ts';
import { call, merchantHeaders, startSandbox } from '../helpers/sandbox.ts';

const SECOND = { msn: '654321', clientId: 'ui-second-client', clientSecret: 'ui-second-secret', subscriptionKeys: ['ui-second-sub-key'] };

describe('Userinfo API', () => {
  let sandbox: Sandbox;
  let api: Record<string, string>;

  beforeAll(async () => {
    sandbox = await startSandbox({ settings: { rateLimits: { enabled: false } }, merchants: [SECOND] });
    api = await merchantHeaders(sandbox.url);
  });
  afterAll(() => sandbox.close());

  /** Create a payment with a profile scope, let the customer approve it, return its sub. */
  async function authorizedSub(scope: string, phoneNumber = '4791234567', headers = api, msn = '123456'): Promise<{ sub: string; reference: string }> {
    const reference = `ui-${randomUUID()}`;
    const created = await call(sandbox.url, 'POST', '/epayment/v1/payments', {
      headers: { ...headers, 'Idempotency-Key': randomUUID() },
      body: {
        amount: { currency: 'NOK', value: 30000 },
        paymentMethod: { type: 'WALLET' },
        reference,
        userFlow: 'WEB_REDIRECT',
        returnUrl: 'https://shop.example/r',
        profile: { scope },
      },
    });
    expect(created.status, created.text).toBe(201);
    const approved = await call(sandbox.url, 'POST', `/_sandbox/v1/payments/${msn}/${reference}/approve`, { body: { phoneNumber } });
    expect(approved.status, approved.text).toBe(200);
    const payment = await call(sandbox.url, 'GET', `/epayment/v1/payments/${reference}`, { headers });
    expect(payment.body.state).toBe('AUTHORIZED');
    expect(typeof payment.body.profile.sub).toBe('string');
    return { sub: payment.body.profile.sub, reference };
  }
  const userinfo = (sub: string, headers = api) => call(sandbox.url, 'GET', `/vipps-userinfo-api/userinfo/${encodeURIComponent(sub)}`, { headers });

  it('returns every claim the scopes allow, for the user behind the phone number', async () => {
    const { sub, reference } = await authorizedSub('name email phoneNumber address birthDate', '4791234567');
    const before = sandbox.traffic.lastSeq;
    const res = await userinfo(sub);
    expect(res.status, res.text).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const user = testUserFor('4791234567');
    expect(res.body).toEqual({
      sub,
      name: `${user.givenName} ${user.familyName}`,
      given_name: user.givenName,
      family_name: user.familyName,
      email: user.email,
      email_verified: true,
      phone_number: '4791234567',
      phone_number_verified: true,
      address: {
        street_address: user.address.street_address,
        postal_code: user.address.postal_code,
        region: user.address.region,
        country: 'NO',
        formatted: `${user.address.street_address}\n${user.address.postal_code} ${user.address.region}\nNO`,
        address_type: 'home',
      },
      other_addresses: [],
      birthdate: user.birthdate,
    });
    expect(res.body.birthdate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(res.body.email).toMatch(/^[a-z0-9.]+@example\.com$/);
    const [e] = sandbox.traffic.query({ afterSeq: before, api: 'userinfo' });
    expect(e).toMatchObject({ kind: 'api', operation: 'getUserinfo', msn: '123456', reference });
  });

  it('returns only what the scope allows (seed 003: phoneNumber only)', async () => {
    const { sub } = await authorizedSub('phoneNumber', '4798765432');
    const res = await userinfo(sub);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ sub, phone_number: '4798765432', phone_number_verified: true });
  });

  it('a user who shared more in an earlier payment to the same sales unit: the consents add up', async () => {
    const first = await authorizedSub('name', '4790000004');
    expect(Object.keys((await userinfo(first.sub)).body).sort()).toEqual(['family_name', 'given_name', 'name', 'sub']);
    const second = await authorizedSub('phoneNumber', '4790000004');
    expect(second.sub).toBe(first.sub);
    const res = await userinfo(first.sub);
    expect(Object.keys(res.body).sort()).toEqual(['family_name', 'given_name', 'name', 'phone_number', 'phone_number_verified', 'sub']);
    expect(res.body.phone_number).toBe('4790000004');
  });

  it('generates plausible, deterministic test users per phone number and country', () => {
    expect(testUserFor('4791234567')).toEqual(testUserFor('4791234567'));
    expect(testUserFor('4791234567').nin).not.toBe(testUserFor('4791234568').nin);
    const no = testUserFor('4791234567');
    expect(no.address.country).toBe('NO');
    expect(no.nin).toMatch(/^\d{11}$/);
    // Synthetic Norwegian NIN: month + 80, valid mod-11 check digits.
    const d = no.nin.split('').map(Number);
    expect(Number(no.nin.slice(2, 4))).toBeGreaterThan(80);
    const k1 = (11 - ([3, 7, 6, 1, 8, 9, 4, 5, 2].reduce((s, w, j) => s + w * d[j], 0) % 11)) % 11;
    const k2 = (11 - ([5, 4, 3, 2, 7, 6, 5, 4, 3, 2].reduce((s, w, j) => s + w * d[j], 0) % 11)) % 11;
    expect([d[9], d[10]]).toEqual([k1, k2]);
    expect(testUserFor('4512345678').address.country).toBe('DK');
    expect(testUserFor('358401234567').address.country).toBe('FI');
    expect(testUserFor('358401234567').nin).toMatch(/^\d{6}[-A]9\d{2}[0-9A-Y]$/);
  });

  it('nin only with the nin scope (for a sales unit allowed to ask for it)', async () => {
    const nin = await startSandbox({
      includeDefaultMerchant: false,
      merchants: [{ msn: '777777', clientId: 'nin-client', clientSecret: 'nin-secret-value', subscriptionKeys: ['nin-sub-key'], allowedScopes: ['name', 'nin'] }],
    });
    try {
      const headers = await merchantHeaders(nin.url, { msn: '777777', clientId: 'nin-client', clientSecret: 'nin-secret-value', subscriptionKeys: ['nin-sub-key'] });
      const reference = `nin-${randomUUID()}`;
      const created = await call(nin.url, 'POST', '/epayment/v1/payments', {
        headers: { ...headers, 'Idempotency-Key': randomUUID() },
        body: { amount: { currency: 'NOK', value: 1000 }, paymentMethod: { type: 'WALLET' }, reference, userFlow: 'WEB_REDIRECT', returnUrl: 'https://shop.example/r', profile: { scope: 'name nin' } },
      });
      expect(created.status, created.text).toBe(201);
      await call(nin.url, 'POST', `/_sandbox/v1/payments/777777/${reference}/approve`, { body: { phoneNumber: '4791234567' } });
      const sub = (await call(nin.url, 'GET', `/epayment/v1/payments/${reference}`, { headers })).body.profile.sub;
      const res = await call(nin.url, 'GET', `/vipps-userinfo-api/userinfo/${sub}`, { headers });
      expect(res.status).toBe(200);
      expect(Object.keys(res.body).sort()).toEqual(['family_name', 'given_name', 'name', 'nin', 'sub']);
      expect(res.body.nin).toBe(testUserFor('4791234567').nin);
    } finally {
      await nin.close();
    }
  });

  it('404 for an unknown sub and for another sales unit’s sub', async () => {
    const unknown = await userinfo(randomUUID());
    expect(unknown.status).toBe(404);
    expect(unknown.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(unknown.body).toMatchObject({ status: 404, title: 'Not Found' });
    const { sub } = await authorizedSub('name', '4790000001');
    const other = await merchantHeaders(sandbox.url, SECOND);
    expect((await userinfo(sub, other)).status).toBe(404);
    expect((await userinfo(sub, api)).status).toBe(200);
  });

  it('works without Merchant-Serial-Number but needs the token', async () => {
    const { sub } = await authorizedSub('email', '4790000002');
    const { 'Merchant-Serial-Number': _m, ...noMsn } = api;
    const res = await userinfo(sub, noMsn);
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['email', 'email_verified', 'sub']);
    const { Authorization: _a, ...noToken } = api;
    expect((await userinfo(sub, noToken)).status).toBe(401);
  });

  it('keeps the data for 168 hours after the payment', async () => {
    const { sub } = await authorizedSub('name', '4790000003');
    sandbox.clock.advance(167 * 3600_000);
    api = await merchantHeaders(sandbox.url); // the old token expired meanwhile
    expect((await userinfo(sub)).status).toBe(200);
    sandbox.clock.advance(2 * 3600_000);
    api = await merchantHeaders(sandbox.url);
    const gone = await userinfo(sub);
    expect(gone.status).toBe(404);
    expect(gone.body.detail).toMatch(/168 hours/);
  });
});
