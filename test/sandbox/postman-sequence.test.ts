import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.ts';
import { specAvailable, validateTraffic } from '../helpers/openapi.ts';
import { call, startSandbox, TEST_MERCHANT } from '../helpers/sandbox.ts';

/**
 * The request sequence of Vipps' published Postman collections (ePayment v1, Webhooks v1, and the
 * Access Token request in both), as they send it — `POST /accessToken/get` in mixed case, one
 * `Idempotency-Key` set by the create's pre-request script and reused by capture, refund and
 * cancel, `Accept: application/problem+json`, a cancel with no body and no Content-Type — with
 * the collections' own data errors corrected: `reference` and `phoneNumber` sent as JSON strings
 * (the collections put `{{reference}}` and `{{internationalMobileNumber}}` unquoted, i.e. as
 * numbers), the force-approve `token` taken from `redirectUrl` (the collections read `url` from a
 * 200, the API answers `redirectUrl` with 201), and a `returnUrl` the sandbox accepts (https).
 * Over real HTTP on 127.0.0.1. The collections themselves are not part of the project.
 */

const env = {
  client_id: TEST_MERCHANT.clientId,
  client_secret: TEST_MERCHANT.clientSecret,
  'Ocp-Apim-Subscription-Key': TEST_MERCHANT.subscriptionKeys[0],
  merchantSerialNumber: TEST_MERCHANT.msn,
  internationalMobileNumber: '4791234567',
  amount: 1000,
  currency: 'NOK',
};
const system = {
  'Vipps-System-Name': 'postman',
  'Vipps-System-Version': '10.0',
  'Vipps-System-Plugin-Name': 'vipps-epayment-collection',
  'Vipps-System-Plugin-Version': '1.0',
};

describe("the published Postman collections' request sequence", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox();
  });
  afterAll(() => sandbox.close());

  it('succeeds from the token to the webhook deletion', async () => {
    const steps: string[] = [];
    const step = async (name: string, method: string, path: string, options: { headers?: Record<string, string>; body?: unknown }, expected: number) => {
      const res = await call(sandbox.url, method, path, options);
      expect(res.status, `${name}: ${res.text}`).toBe(expected);
      steps.push(name);
      return res;
    };

    // Get Access Token: mixed-case path, empty raw body, no Content-Type.
    const token = await step('Get Access Token', 'POST', '/accessToken/get', {
      headers: { client_id: env.client_id, client_secret: env.client_secret, 'Ocp-Apim-Subscription-Key': env['Ocp-Apim-Subscription-Key'], 'Merchant-Serial-Number': env.merchantSerialNumber, ...system },
    }, 200);
    const auth = { Authorization: `Bearer ${token.body.access_token}`, 'Ocp-Apim-Subscription-Key': env['Ocp-Apim-Subscription-Key'], 'Merchant-Serial-Number': env.merchantSerialNumber, ...system };

    // The create's pre-request script: one key, reference = MSN + timestamp.
    let idempotencyKey = randomUUID();
    let reference = `${env.merchantSerialNumber}${Date.now()}`;
    const createBody = (ref: string) => ({
      amount: { value: env.amount, currency: env.currency },
      paymentMethod: { type: 'WALLET' },
      customer: { phoneNumber: env.internationalMobileNumber },
      reference: ref,
      userFlow: 'WEB_REDIRECT',
      returnUrl: `https://example.com/redirect?reference=${ref}`,
      paymentDescription: 'Purchase of socks',
    });
    const created = await step('Create payment - Web redirect', 'POST', '/epayment/v1/payments', {
      headers: { ...auth, 'Content-Type': 'application/json', 'Idempotency-Key': idempotencyKey },
      body: createBody(reference),
    }, 201);
    const paymentToken = new URL(created.body.redirectUrl).searchParams.get('token');
    expect(paymentToken).toBeTruthy();

    await step('Force approve payment', 'POST', `/epayment/v1/test/payments/${reference}/approve`, {
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: { customer: { phoneNumber: env.internationalMobileNumber }, token: paymentToken },
    }, 200);
    const got = await step('Get payment', 'GET', `/epayment/v1/payments/${reference}`, { headers: { ...auth, Accept: 'application/json' } }, 200);
    expect(got.body.state).toBe('AUTHORIZED');
    await step('Get payment event log', 'GET', `/epayment/v1/payments/${reference}/events`, { headers: { ...auth, Accept: 'application/json' } }, 200);

    // Capture and refund reuse the create's Idempotency-Key, as the collection does.
    const modification = { modificationAmount: { value: 1000, currency: 'NOK' } };
    const captured = await step('Capture payment', 'POST', `/epayment/v1/payments/${reference}/capture`, {
      headers: { ...auth, 'Idempotency-Key': idempotencyKey, 'Content-Type': 'application/json', Accept: 'application/problem+json' },
      body: modification,
    }, 200);
    expect(captured.body.aggregate.capturedAmount.value).toBe(1000);
    const refunded = await step('Refund payment', 'POST', `/epayment/v1/payments/${reference}/refund`, {
      headers: { ...auth, 'Idempotency-Key': idempotencyKey, 'Content-Type': 'application/json', Accept: 'application/problem+json' },
      body: modification,
    }, 200);
    expect(refunded.body.aggregate.refundedAmount.value).toBe(1000);

    // Cancel, on a second payment: no body, no Content-Type.
    idempotencyKey = randomUUID();
    reference = `${env.merchantSerialNumber}${Date.now() + 1}`;
    await step('Create payment - Web redirect (2)', 'POST', '/epayment/v1/payments', {
      headers: { ...auth, 'Content-Type': 'application/json', 'Idempotency-Key': idempotencyKey },
      body: createBody(reference),
    }, 201);
    const cancelled = await step('Cancel payment', 'POST', `/epayment/v1/payments/${reference}/cancel`, {
      headers: { ...auth, 'Idempotency-Key': idempotencyKey, Accept: 'application/problem+json' },
    }, 200);
    expect(cancelled.body.state).toBe('TERMINATED'); // a merchant cancel before approval (vipps-facts §2)

    // Webhooks collection: register, list, delete.
    const registered = await step('Register webhook', 'POST', '/webhooks/v1/webhooks', {
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: { url: 'https://example.com/webhook-callback', events: ['epayments.payment.captured.v1', 'epayments.payment.cancelled.v1'] },
    }, 201);
    expect(registered.body).toEqual({ id: expect.any(String), secret: expect.any(String) });
    const listed = await step('Get all registered webhooks', 'GET', '/webhooks/v1/webhooks', { headers: auth }, 200);
    expect(listed.body.webhooks.map((w: { id: string }) => w.id)).toContain(registered.body.id);
    await step('Delete webhook', 'DELETE', `/webhooks/v1/webhooks/${registered.body.id}`, { headers: auth }, 204);
    const after = await step('Get all registered webhooks (after delete)', 'GET', '/webhooks/v1/webhooks', { headers: auth }, 200);
    expect(after.body.webhooks.map((w: { id: string }) => w.id)).not.toContain(registered.body.id);

    expect(steps).toHaveLength(13);
    const exchanges = sandbox.traffic.query({});
    expect(exchanges.find((e) => e.api === 'access-token')?.request.path).toBe('/accessToken/get');
    if (specAvailable()) {
      const { failures, validated } = await validateTraffic(exchanges);
      expect(failures).toEqual([]);
      expect(validated).toBeGreaterThanOrEqual(12);
    }
  });
});
