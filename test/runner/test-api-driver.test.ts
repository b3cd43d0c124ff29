import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControlClient } from '../../src/sandbox/client.ts';
import type { Sandbox } from '../../src/sandbox/index.ts';
import { SandboxControl } from '../../src/runner/control.ts';
import { testApiEpaymentDriver } from '../../src/runner/drivers/test-api.ts';
import { forceApproveHint, ForceApproveRefused, TestApiClient } from '../../src/runner/drivers/test-api-client.ts';
import { startTestApiSide, type TestApiSide } from '../../src/runner/test-api-side.ts';
import { Redactor } from '../../src/traffic/redact.ts';
import { EnvironmentProblem } from '../../src/shared/errors.ts';
import { call, startSandbox, TEST_MERCHANT } from '../helpers/sandbox.ts';

const credentials = { msn: TEST_MERCHANT.msn, clientId: TEST_MERCHANT.clientId, clientSecret: TEST_MERCHANT.clientSecret, subscriptionKey: TEST_MERCHANT.subscriptionKeys[0] };

/** The test-api ePayment driver against golive's sandbox as the "real" upstream, the integration's calls through the proxy. */
describe('test-api ePayment driver', () => {
  let upstream: Sandbox;
  let side: TestApiSide;
  let token: string;
  const headers = () => ({ authorization: `Bearer ${token}`, 'ocp-apim-subscription-key': credentials.subscriptionKey, 'merchant-serial-number': credentials.msn });

  beforeAll(async () => {
    upstream = await startSandbox();
    side = await startTestApiSide({ upstream: upstream.url, redactor: new Redactor(), timeoutMs: 5000, requestsPerSecond: 50, relay: { forwardTo: 'http://127.0.0.1:9' } });
    const t = await call(side.proxyUrl, 'POST', '/accesstoken/get', { headers: { client_id: credentials.clientId, client_secret: credentials.clientSecret, 'ocp-apim-subscription-key': credentials.subscriptionKey, 'merchant-serial-number': credentials.msn } });
    token = t.body.access_token;
  });
  afterAll(async () => {
    await side?.close();
    await upstream?.close();
  });

  /** The integration creates a payment through the proxy (recorded, as in a run). */
  async function create(phoneNumber?: string): Promise<{ reference: string; redirectUrl: string }> {
    const reference = `drv-${randomUUID().slice(0, 8)}`;
    const res = await call(side.proxyUrl, 'POST', '/epayment/v1/payments', {
      headers: { ...headers(), 'idempotency-key': randomUUID() },
      body: { amount: { value: 1000, currency: 'NOK' }, paymentMethod: { type: 'WALLET' }, reference, userFlow: 'WEB_REDIRECT', returnUrl: `https://shop.example/return/${reference}`, ...(phoneNumber ? { customer: { phoneNumber } } : {}) },
    });
    expect(res.status, res.text).toBe(201);
    return { reference, redirectUrl: res.body.redirectUrl };
  }

  const driver = (customer: Parameters<typeof testApiEpaymentDriver>[3] = { mode: 'force-approve', timeoutMs: 5000 }) =>
    testApiEpaymentDriver(new TestApiClient(upstream.url, credentials, 5000), new SandboxControl(new ControlClient(side.controlUrl)), credentials.msn, customer);

  it('reads payments with GET payment on the upstream, with the returnUrl of the recorded create', async () => {
    const { reference, redirectUrl } = await create();
    const d = driver();
    const p = await d.payment(reference);
    expect(p).toMatchObject({ reference, state: 'CREATED', amount: { value: 1000, currency: 'NOK' }, returnUrl: `https://shop.example/return/${reference}` });
    expect(await d.findPayment('no-such-payment')).toBeUndefined();
    await expect(d.payment('no-such-payment')).rejects.toBeInstanceOf(EnvironmentProblem);
    // The landing page's payment is the recorded create whose redirectUrl it shows.
    expect((await d.paymentOnLandingPage(['about:blank', redirectUrl]))?.reference).toBe(reference);
    expect(await d.paymentOnLandingPage(['https://shop.example/?token=other'])).toBeUndefined();
    // golive's own reads went straight to the upstream: the proxy recorded only the integration's calls.
    expect(side.log.query({ operation: ['getPayment'] })).toEqual([]);
  });

  it('approves by force approve: by the redirectUrl token, or the phone number', async () => {
    const byToken = await create();
    await driver().decide('approve', byToken.reference);
    expect((await driver().payment(byToken.reference)).state).toBe('AUTHORIZED');
    const byPhone = await create('4712345678');
    await driver({ mode: 'force-approve', phoneNumber: '4712345678', timeoutMs: 5000 }).decide('approve', byPhone.reference);
    expect((await driver().payment(byPhone.reference)).aggregate?.authorizedAmount?.value).toBe(1000);
    expect(upstream.traffic.query({ operation: ['forceApprove'] }).length).toBe(2);
  });

  it('explains a refused force approve with the documented prerequisite, and cannot reject', async () => {
    const { reference } = await create();
    await driver().decide('approve', reference);
    // Approving an authorized payment again: the test environment refuses.
    const err = await driver().decide('approve', reference).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ForceApproveRefused);
    expect((err as Error).message).toMatch(new RegExp(`refused force approve of ${reference} \\(HTTP 4\\d\\d`));
    await expect(driver().decide('reject', reference)).rejects.toThrow(/cannot reject a payment on the customer's behalf .*--interactive/);
    expect(forceApproveHint(400, '{"code":"10010"}')).toMatch(/approved one payment by hand in the MT \(test\) app/);
    expect(forceApproveHint(400, '{"extraDetails":[],"code":10050}')).toMatch(/no cards/);
    expect(forceApproveHint(500, '')).toMatch(/expired test card/);
    expect(forceApproveHint(403, 'nope')).toMatch(/every test user has approved at least one payment by hand/);
  });

  it('interactive: prints the landing link and a QR code, and waits until a person decided (bounded)', async () => {
    const { reference, redirectUrl } = await create();
    const printed: string[] = [];
    const waiting = driver({ mode: 'interactive', timeoutMs: 5000, pollMs: 50, print: (t) => printed.push(t) }).decide('approve', reference);
    // The person approves in "the app" (here: the sandbox's control API).
    setTimeout(() => void new ControlClient(upstream.url).customer('approve', credentials.msn, reference, {}), 300);
    await waiting;
    expect(printed.join('\n')).toContain(`open ${redirectUrl}`);
    expect(printed.join('\n')).toMatch(/[▄▀█]/); // the terminal QR code
    expect((await driver().payment(reference)).state).toBe('AUTHORIZED');
    const nobody = await create();
    await expect(driver({ mode: 'interactive', timeoutMs: 300, pollMs: 50, print: () => undefined }).decide('approve', nobody.reference)).rejects.toThrow(/nobody acted on payment .* within/);
  });

  it('the run-control server serves traffic and flow tags, and nothing only the sandbox has', async () => {
    const control = new ControlClient(side.controlUrl);
    await control.startFlowTags({ label: 'l1', flowId: 'tagged-flow', msn: credentials.msn, amount: 1000 });
    const { reference } = await create();
    await control.endFlowTags('l1');
    const { exchanges } = await control.traffic({ reference, operation: ['createPayment'] });
    expect(exchanges.map((e) => e.flowId)).toEqual(['tagged-flow']);
    expect(JSON.stringify(exchanges)).not.toContain(token);
    expect((await control.clock()).offsetMs).toBe(0);
    await expect(control.addFault({ match: { operation: 'getPayment' }, effect: { type: 'status', status: 500 } })).rejects.toThrow(/not available with --target test-api/);
  });
});
