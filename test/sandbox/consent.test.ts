import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.ts';
import { ControlClient } from '../../src/sandbox/client.ts';
import type { PublishedEvent } from '../../src/sandbox/events.ts';
import { ALWAYS_CLAIMS, PROFILE_SCOPES, SCOPE_CLAIMS } from '../../src/contract/in-person.ts';
import { call, merchantHeaders, startSandbox } from '../helpers/sandbox.ts';

/** Profile sharing with the customer's consent (vipps-facts §2.13) and what Userinfo then answers. */
const NIN_SHOP = { msn: '778899', name: 'Pharmacy', clientId: 'nin-client', clientSecret: 'nin-secret', subscriptionKeys: ['nin-sub-key'], allowedScopes: [...PROFILE_SCOPES] };

describe('profile-sharing consent', () => {
  let sandbox: Sandbox;
  let api: Record<string, string>;
  let control: ControlClient;
  const events: PublishedEvent[] = [];

  beforeAll(async () => {
    sandbox = await startSandbox({ merchants: [NIN_SHOP], settings: { rateLimits: { enabled: false } } });
    api = await merchantHeaders(sandbox.url);
    control = new ControlClient(sandbox.url);
    sandbox.ctx.events.subscribe((e) => void events.push(e));
  });
  afterAll(() => sandbox.close());

  async function create(scope: string | undefined, headers = api, overrides: Record<string, unknown> = {}) {
    const reference = `consent-${randomUUID()}`;
    const res = await call(sandbox.url, 'POST', '/epayment/v1/payments', {
      headers: { ...headers, 'Idempotency-Key': randomUUID() },
      body: {
        amount: { currency: 'NOK', value: 3000 },
        paymentMethod: { type: 'WALLET' },
        reference,
        userFlow: 'WEB_REDIRECT',
        returnUrl: 'https://shop.example/r',
        ...(scope ? { profile: { scope } } : {}),
        ...overrides,
      },
    });
    expect(res.status, res.text).toBe(201);
    return { reference, redirectUrl: res.body.redirectUrl as string };
  }
  const getPayment = (reference: string, headers = api) => call(sandbox.url, 'GET', `/epayment/v1/payments/${reference}`, { headers });
  const userinfo = (sub: string, headers = api) => call(sandbox.url, 'GET', `/vipps-userinfo-api/userinfo/${sub}`, { headers });

  it('declining on the control API aborts the payment: ABORTED event and webhook, no sub, the reason on the exchange', async () => {
    const { reference } = await create('name phoneNumber');
    const answer = await control.approve('123456', reference, { consent: 'decline' });
    expect(answer.state).toBe('ABORTED');
    const payment = (await getPayment(reference)).body;
    expect(payment.state).toBe('ABORTED');
    expect(payment.profile?.sub).toBeUndefined();
    const log = (await call(sandbox.url, 'GET', `/epayment/v1/payments/${reference}/events`, { headers: api })).body;
    expect(log.map((e: { name: string }) => e.name)).toEqual(['CREATED', 'ABORTED']);
    expect(events.filter((e) => e.reference === reference).map((e) => e.eventType)).toEqual(['epayments.payment.created.v1', 'epayments.payment.aborted.v1']);
    const exchange = sandbox.traffic.query({ kind: 'control' }).filter((e) => e.operation === 'approvePayment' && e.reference === reference)[0];
    expect(exchange.notes).toMatchObject({ state: 'ABORTED', consent: 'decline' });
    expect(String(exchange.notes?.why)).toContain('declined');
    expect((await call(sandbox.url, 'POST', `/_sandbox/v1/payments/123456/${reference}/approve`, { body: {} })).status).toBe(409);
  });

  it('sharing (the default) authorizes with a sub; decline without a scope has nothing to decline', async () => {
    const shared = await create('phoneNumber');
    expect((await control.approve('123456', shared.reference, { consent: 'share' })).state).toBe('AUTHORIZED');
    expect((await getPayment(shared.reference)).body.profile.sub).toEqual(expect.any(String));
    const byDefault = await create('email');
    expect((await control.approve('123456', byDefault.reference)).state).toBe('AUTHORIZED');
    const noScope = await create(undefined);
    expect((await control.approve('123456', noScope.reference, { consent: 'decline' })).state).toBe('AUTHORIZED');
    expect((await call(sandbox.url, 'POST', `/_sandbox/v1/payments/123456/${noScope.reference}/approve`, { body: { consent: 'maybe' } })).status).toBe(409);
    const fresh = await create('name');
    expect((await call(sandbox.url, 'POST', `/_sandbox/v1/payments/123456/${fresh.reference}/approve`, { body: { consent: 'maybe' } })).status).toBe(400);
  });

  it('the landing page of a scoped payment has consent-decline; it aborts the payment', async () => {
    const { reference, redirectUrl } = await create('address');
    const page = await call(sandbox.url, 'GET', new URL(redirectUrl).pathname + new URL(redirectUrl).search);
    expect(page.text).toContain('data-testid="landing-consent"');
    expect(page.text).toMatch(/formaction="\/landing\/consent-decline" data-testid="consent-decline"/);
    const plain = await create(undefined);
    const plainPage = await call(sandbox.url, 'GET', new URL(plain.redirectUrl).pathname + new URL(plain.redirectUrl).search);
    expect(plainPage.text).not.toContain('data-testid="consent-decline"');

    const token = new URL(redirectUrl).searchParams.get('token')!;
    const res = await call(sandbox.url, 'POST', '/landing/consent-decline', {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token, redirect: 'false' }).toString(),
    });
    expect(res.status).toBe(200);
    expect((await getPayment(reference)).body.state).toBe('ABORTED');
    const exchange = sandbox.traffic.query({ kind: 'control' }).filter((e) => e.operation === 'declineConsentOnLandingPage')[0];
    expect(exchange.notes).toMatchObject({ consent: 'decline' });
  });

  it('Userinfo answers exactly the consented scopes’ claims (SCOPE_CLAIMS), each scope alone', async () => {
    const pharmacy = await merchantHeaders(sandbox.url, NIN_SHOP);
    for (const [i, scope] of PROFILE_SCOPES.entries()) {
      const phone = `47900000${String(10 + i)}`;
      const { reference } = await create(scope, pharmacy);
      await control.approve(NIN_SHOP.msn, reference, { phoneNumber: phone });
      const sub = (await getPayment(reference, pharmacy)).body.profile.sub as string;
      const res = await userinfo(sub, pharmacy);
      expect(res.status, `${scope}: ${res.text}`).toBe(200);
      expect(Object.keys(res.body).sort(), scope).toEqual([...ALWAYS_CLAIMS, ...SCOPE_CLAIMS[scope]].sort());
    }
  });

  it('a declined consent leaves Userinfo nothing: no sub, and the phone’s sub is unknown to the sales unit', async () => {
    const phone = '4790000099';
    const { reference } = await create('name email', api);
    await control.approve('123456', reference, { phoneNumber: phone, consent: 'decline' });
    expect((await getPayment(reference)).body.profile?.sub).toBeUndefined();
    // The sub that phone would have: learn it from another sales unit's shared payment.
    const pharmacy = await merchantHeaders(sandbox.url, NIN_SHOP);
    const other = await create('name', pharmacy);
    await control.approve(NIN_SHOP.msn, other.reference, { phoneNumber: phone });
    const sub = (await getPayment(other.reference, pharmacy)).body.profile.sub as string;
    expect((await userinfo(sub, pharmacy)).status).toBe(200);
    expect((await userinfo(sub, api)).status).toBe(404);
  });
});
