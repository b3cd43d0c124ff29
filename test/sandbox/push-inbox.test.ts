import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.ts';
import { ControlClient } from '../../src/sandbox/client.ts';
import { call, merchantHeaders, startSandbox } from '../helpers/sandbox.ts';

/** PUSH_MESSAGE payments as the phone sees them: the inbox, the app page, approving in the app. */
const NO_PUSH = { msn: '556677', name: 'Kiosk without push', clientId: 'nopush-client', clientSecret: 'nopush-secret', subscriptionKeys: ['nopush-sub-key'], allowPushMessage: false };

describe('push inbox', () => {
  let sandbox: Sandbox;
  let api: Record<string, string>;
  let control: ControlClient;
  const PHONE = '4791234567';

  beforeAll(async () => {
    sandbox = await startSandbox({ merchants: [NO_PUSH], settings: { rateLimits: { enabled: false } } });
    api = await merchantHeaders(sandbox.url);
    control = new ControlClient(sandbox.url);
  });
  afterAll(() => sandbox.close());

  async function create(overrides: Record<string, unknown> = {}, headers = api) {
    const reference = `push-${randomUUID()}`;
    const res = await call(sandbox.url, 'POST', '/epayment/v1/payments', {
      headers: { ...headers, 'Idempotency-Key': randomUUID() },
      body: {
        amount: { currency: 'NOK', value: 4200 },
        paymentMethod: { type: 'WALLET' },
        reference,
        userFlow: 'PUSH_MESSAGE',
        customer: { phoneNumber: PHONE },
        customerInteraction: 'CUSTOMER_PRESENT',
        paymentDescription: 'Taxi ride',
        ...overrides,
      },
    });
    return { reference, res };
  }

  it('the default test merchant may push; a sales unit without the permission gets 5080', async () => {
    const ok = await create();
    expect(ok.res.status, ok.res.text).toBe(201);
    expect(ok.res.body.redirectUrl).toBeUndefined();
    const other = await merchantHeaders(sandbox.url, NO_PUSH);
    const refused = await create({}, other);
    expect(refused.res.status).toBe(403);
    expect(JSON.stringify(refused.res.body)).toContain('5080');
  });

  it('lists the phone’s pending requests, newest first, with or without a leading +', async () => {
    const phone = '4798765432';
    const first = await create({ customer: { phoneNumber: phone }, profile: { scope: 'phoneNumber' } });
    await control.advanceClock(1000);
    const second = await create({ customer: { phoneNumber: phone } });
    await create({ customer: { phoneNumber: '4711111111' } });
    await create({ customer: { phoneNumber: phone }, userFlow: 'WEB_REDIRECT', returnUrl: 'https://shop.example/r' });

    const inbox = await control.phoneRequests(phone);
    expect(inbox.phoneNumber).toBe(phone);
    expect(inbox.requests.map((r) => r.reference)).toEqual([second.reference, first.reference]);
    expect(inbox.requests[1]).toMatchObject({ msn: '123456', state: 'CREATED', amount: { value: 4200, currency: 'NOK' }, merchantName: 'golive test shop', scope: 'phoneNumber' });
    expect(inbox.requests[0].scope).toBeNull();
    expect(inbox.requests[0].landingUrl).toMatch(/\/landing\?token=[^&]+&via=app$/);
    expect(Date.parse(inbox.requests[0].receivedAt)).toBeGreaterThan(Date.parse(inbox.requests[1].receivedAt));
    expect((await control.phoneRequests(`+${phone}`)).requests).toHaveLength(2);

    await control.customer('reject', '123456', first.reference);
    expect((await control.phoneRequests(phone)).requests.map((r) => r.reference)).toEqual([second.reference]);
    const all = await control.phoneRequests(phone, { all: true });
    expect(all.requests.map((r) => [r.reference, r.state])).toEqual([
      [second.reference, 'CREATED'],
      [first.reference, 'ABORTED'],
    ]);
    expect((await call(sandbox.url, 'GET', '/_sandbox/v1/phones/12ab/requests')).status).toBe(400);
  });

  it('the app page lists pending requests; approving from it shows done and never redirects', async () => {
    const phone = '4722334455';
    const { reference } = await create({ customer: { phoneNumber: phone }, returnUrl: 'https://shop.example/never' });
    const page = await call(sandbox.url, 'GET', `/app?phone=%2B${phone}`);
    expect(page.status).toBe(200);
    const links = [...page.text.matchAll(/<a href="([^"]+)" data-testid="push-request" data-reference="([^"]+)"/g)];
    expect(links.map((m) => m[2])).toEqual([reference]);
    const landing = links[0][1].replace(/&amp;/g, '&');
    expect(landing).toContain('&via=app');

    const approvalPage = await call(sandbox.url, 'GET', new URL(landing).pathname + new URL(landing).search);
    expect(approvalPage.text).toContain('name="via" value="app"');
    const token = new URL(landing).searchParams.get('token')!;
    const res = await call(sandbox.url, 'POST', '/landing/approve', {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token, via: 'app', phone }).toString(),
    });
    expect(res.status).toBe(200);
    expect(res.headers.location).toBeUndefined();
    expect(res.text).toContain('data-testid="landing-done"');
    expect(res.text).not.toContain('data-testid="landing-return-link"');
    expect((await control.payment('123456', reference)).state).toBe('AUTHORIZED');
    expect((await call(sandbox.url, 'GET', `/app?phone=${phone}`)).text).toContain('data-testid="push-inbox-empty"');
    expect((await call(sandbox.url, 'GET', '/app?phone=abc')).status).toBe(400);
  });

  it('a PUSH_MESSAGE payment is approved by the phone it was pushed to: another phone gets 409 other-phone', async () => {
    const { reference } = await create();
    const other = await call(sandbox.url, 'POST', `/_sandbox/v1/payments/123456/${reference}/approve`, { body: { phoneNumber: '4700000001' } });
    expect(other.status).toBe(409);
    expect(other.body).toMatchObject({ code: 'other-phone' });
    expect((await control.payment('123456', reference)).state).toBe('CREATED');
    const own = await control.approve('123456', reference, { phoneNumber: PHONE });
    expect(own.state).toBe('AUTHORIZED');
    // Without a phone number the pushed-to phone approves.
    const again = await create();
    expect((await control.approve('123456', again.reference)).approvedPhoneNumber).toBe(PHONE);
  });

  it('the landing page of a push (even without via=app) never redirects to returnUrl', async () => {
    const { reference } = await create({ returnUrl: 'https://shop.example/never' });
    const token = (await control.payment('123456', reference)).landingToken as string;
    const res = await call(sandbox.url, 'POST', '/landing/approve', {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token }).toString(),
    });
    expect(res.status).toBe(200);
    expect(res.headers.location).toBeUndefined();
  });
});
