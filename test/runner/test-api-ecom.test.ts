import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControlClient } from '../../src/sandbox/client.ts';
import type { Sandbox } from '../../src/sandbox/index.ts';
import { SandboxControl } from '../../src/runner/control.ts';
import { ecomForceApproveHint, ecomView, testApiEcomDriver } from '../../src/runner/drivers/test-api-ecom.ts';
import { ForceApproveRefused, TestApiClient } from '../../src/runner/drivers/test-api-client.ts';
import { startTestApiSide, type TestApiSide } from '../../src/runner/test-api-side.ts';
import { Redactor } from '../../src/traffic/redact.ts';
import { actionBody, ECOM, initiateBody } from '../helpers/ecom.ts';
import { call, startSandbox, TEST_MERCHANT } from '../helpers/sandbox.ts';

const credentials = { msn: TEST_MERCHANT.msn, clientId: TEST_MERCHANT.clientId, clientSecret: TEST_MERCHANT.clientSecret, subscriptionKey: TEST_MERCHANT.subscriptionKeys[0] };

describe('test-api eCom driver', () => {
  let upstream: Sandbox;
  let side: TestApiSide;
  let headers: Record<string, string>;

  beforeAll(async () => {
    upstream = await startSandbox();
    side = await startTestApiSide({ upstream: upstream.url, redactor: new Redactor(), timeoutMs: 5000, requestsPerSecond: 50, relay: { forwardTo: 'http://127.0.0.1:9' } });
    const t = await call(side.proxyUrl, 'POST', '/accesstoken/get', { headers: { client_id: credentials.clientId, client_secret: credentials.clientSecret, 'ocp-apim-subscription-key': credentials.subscriptionKey, 'merchant-serial-number': credentials.msn } });
    headers = { authorization: `Bearer ${t.body.access_token}`, 'ocp-apim-subscription-key': credentials.subscriptionKey, 'merchant-serial-number': credentials.msn };
  });
  afterAll(async () => {
    await side?.close();
    await upstream?.close();
  });

  const driver = (phoneNumber?: string) =>
    testApiEcomDriver(new TestApiClient(upstream.url, credentials, 5000), new SandboxControl(new ControlClient(side.controlUrl)), credentials.msn, { mode: 'force-approve', phoneNumber, timeoutMs: 5000 });

  it('force-approves an order the integration initiated through the proxy, and reads it with GET details', async () => {
    const body = initiateBody('http://127.0.0.1:9/callbacks');
    const orderId = body.transaction.orderId;
    const init = await call(side.proxyUrl, 'POST', ECOM, { headers, body });
    expect(init.status, init.text).toBe(200);
    const d = driver('4791234567');
    expect(await d.payment(orderId)).toMatchObject({ reference: orderId, state: 'INITIATE', returnUrl: 'http://127.0.0.1:3000/fallback?order=1', redirectUrl: init.body.url });
    expect((await d.paymentOnLandingPage([init.body.url]))?.reference).toBe(orderId);
    await d.decide('approve', orderId);
    const reserved = await d.payment(orderId);
    expect(reserved).toMatchObject({ state: 'RESERVE', aggregate: { authorizedAmount: { value: 49900 }, capturedAmount: { value: 0 } } });
    // The same matching as the sandbox driver: the suite's state words and amounts.
    expect(d.matches(reserved, d.wantOf({ state: 'RESERVE', authorizedAmount: 49900 }))).toBe(true);
    const capture = await call(side.proxyUrl, 'POST', `${ECOM}/${orderId}/capture`, { headers: { ...headers, 'x-request-id': 'r1' }, body: actionBody(20000) });
    expect(capture.status, capture.text).toBe(200);
    expect(await d.payment(orderId)).toMatchObject({ state: 'CAPTURE', aggregate: { capturedAmount: { value: 20000 } } });
    // Approving twice: refused, with the prerequisite explained; eCom has no force reject.
    await expect(d.decide('approve', orderId)).rejects.toBeInstanceOf(ForceApproveRefused);
    await expect(d.decide('reject', orderId)).rejects.toThrow(/can only force-approve/);
    expect(await d.findPayment('no-such-order')).toBeUndefined();
  });

  it('maps details: VOID releases everything, CANCEL the uncaptured rest; explains error 81', () => {
    const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();
    const log = (...ops: [string, number][]) => ops.map(([operation, amount], i) => ({ operation, amount, operationSuccess: true, timeStamp: at(i) })).reverse();
    expect(ecomView({ orderId: 'o', transactionLogHistory: log(['INITIATE', 100], ['RESERVE', 100], ['VOID', 100]) })).toMatchObject({ state: 'VOID', aggregate: { cancelledAmount: { value: 100 }, authorizedAmount: { value: 100 } } });
    expect(ecomView({ orderId: 'o', transactionSummary: { capturedAmount: 30 }, transactionLogHistory: log(['INITIATE', 100], ['RESERVE', 100], ['CAPTURE', 30], ['CANCEL', 70]) })).toMatchObject({
      state: 'CANCEL',
      aggregate: { capturedAmount: { value: 30 }, cancelledAmount: { value: 70 } },
    });
    expect(ecomView({ orderId: 'o', transactionLogHistory: log(['INITIATE', 100], ['CANCEL', 100]) }).aggregate?.cancelledAmount?.value).toBe(0);
    expect(ecomForceApproveHint('[{"errorGroup":"User","errorCode":"81","errorMessage":"Invalid phone number for test"}]')).toMatch(/error 81 "Invalid phone number for test": testApi.phoneNumber/);
  });
});
