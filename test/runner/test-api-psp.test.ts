import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PSP_OP } from '../../src/contract/psp-api.ts';
import { SandboxControl } from '../../src/runner/control.ts';
import { ForceApproveRefused, TestApiClient } from '../../src/runner/drivers/test-api-client.ts';
import { pspForceApproveHint, pspView, testApiPspDriver } from '../../src/runner/drivers/test-api-psp.ts';
import { startTestApiSide, type TestApiSide } from '../../src/runner/test-api-side.ts';
import { ControlClient } from '../../src/sandbox/client.ts';
import { DEFAULT_TEST_PSP, DEFAULT_TEST_PSP_MERCHANTS, type Sandbox } from '../../src/sandbox/index.ts';
import type { Exchange } from '../../src/traffic/types.ts';
import { Redactor } from '../../src/traffic/redact.ts';
import { initBody, pspApiHeaders, pspKeyPair, pspWithKey } from '../helpers/psp-api.ts';
import { call, startSandbox } from '../helpers/sandbox.ts';

const MSN = DEFAULT_TEST_PSP.merchants[0];
const credentials = { msn: MSN, clientId: DEFAULT_TEST_PSP.clientId, clientSecret: DEFAULT_TEST_PSP.clientSecret, subscriptionKey: DEFAULT_TEST_PSP.subscriptionKeys[0], pspId: DEFAULT_TEST_PSP.pspId };

/** A PSP's makePayment receiver: answers each call with what `answerFor` says for its pspTransactionId. */
async function startPsp(answerFor: (id: string) => Record<string, unknown>): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const id = (JSON.parse(Buffer.concat(chunks).toString() || '{}') as { pspTransactionId?: string }).pspTransactionId ?? '';
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answerFor(id)));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe('test-api PSP API driver', () => {
  let upstream: Sandbox;
  let side: TestApiSide;
  let psp: { url: string; server: Server };
  const declined = new Set<string>();

  beforeAll(async () => {
    upstream = await startSandbox();
    psp = await startPsp((id) => (declined.has(id) ? { paymentInfo: { pspTransactionId: id, status: 'FAIL' }, errorMessage: { errorId: 82, errorText: 'Refused by Issuer' } } : { paymentInfo: { pspTransactionId: id, status: 'OK' } }));
    side = await startTestApiSide({ upstream: upstream.url, redactor: new Redactor(), timeoutMs: 5000, requestsPerSecond: 50, relay: { forwardTo: psp.url } });
  });
  afterAll(async () => {
    await side?.close();
    await upstream?.close();
    psp?.server.close();
  });

  const driver = (phoneNumber?: string) =>
    testApiPspDriver(new TestApiClient(upstream.url, credentials, 5000), new SandboxControl(new ControlClient(side.controlUrl)), MSN, { mode: 'force-approve', phoneNumber, timeoutMs: 5000, pollMs: 50 });
  /** The PSP initiates through golive's proxy, its makePaymentUrl under the relay. */
  const initiate = async (overrides: Record<string, unknown> = {}) => {
    const headers = await pspApiHeaders(side.proxyUrl, 'v3', MSN);
    const body = initBody(`${side.relayUrl}/vipps/make-payment`, overrides);
    const res = await call(side.proxyUrl, 'POST', '/psp/v3/psppayments/init', { headers, body });
    expect(res.status, res.text).toBe(200);
    return { id: body.pspTransactionId, headers, redirectUrl: res.body.vippsRedirectUrl as string };
  };

  it('force-approves (v3) so the sandbox calls makePaymentUrl at the relay, and follows the payment from the traffic', async () => {
    const { id, headers, redirectUrl } = await initiate();
    const d = driver('4791234567');
    expect(await d.payment(id)).toMatchObject({ reference: id, state: 'INITIATED', amount: { value: 49900 }, redirectUrl, returnUrl: 'https://psp.example/redirect?order=1' });
    expect((await d.paymentOnLandingPage([redirectUrl]))?.reference).toBe(id);
    await d.decide('approve', id);
    // The makePayment went through the relay to the PSP and is recorded as the sandbox records its own.
    const [mp] = side.log.query({ kind: 'callback', reference: id });
    expect(mp).toMatchObject({ api: 'psp-v3', operation: PSP_OP.v3.makePayment, msn: MSN, notes: { version: 'v3', round: 'first', confirmed: 'YES', paymentState: 'ACCEPTED', outcome: 'ok', relayed: true } });
    const reserved = await d.payment(id);
    expect(reserved).toMatchObject({ state: 'RESERVED', aggregate: { authorizedAmount: { value: 49900 }, capturedAmount: { value: 0 } } });
    expect(d.matches(reserved, d.wantOf({ state: 'RESERVED' }))).toBe(true);
    // The PSP's updatestatus reports move it on, as the sandbox's machine does.
    const report = (status: string, amount: number) => call(side.proxyUrl, 'POST', '/psp/v3/psppayments/updatestatus', { headers, body: { transactions: [{ pspTransactionId: id, status, amount, operationStatus: 'SUCCESS', currency: 'NOK' }] } });
    expect((await report('CAPTURED', 20000)).status).toBe(200);
    expect(await d.payment(id)).toMatchObject({ state: 'CAPTURED', aggregate: { capturedAmount: { value: 20000 } } });
    expect(d.defaultAmount('capture', await d.payment(id), 49900)).toBe(29900);
    expect((await report('REFUNDED', 5000)).status).toBe(200);
    const refunded = await d.payment(id);
    expect(refunded).toMatchObject({ state: 'REFUNDED', aggregate: { refundedAmount: { value: 5000 } } });
    // The same view as the sandbox's control record of the payment.
    const record = (await call(upstream.url, 'GET', `/_sandbox/v1/payments/${MSN}/${id}`)).body;
    expect({ state: refunded.state, aggregate: refunded.aggregate }).toEqual({ state: record.state, aggregate: record.aggregate });
    // Approving twice: refused, with the prerequisite explained; no force reject exists.
    await expect(d.decide('approve', id)).rejects.toBeInstanceOf(ForceApproveRefused);
    await expect(d.decide('reject', id)).rejects.toThrow(/only v3 force approve exists/);
    expect(await d.findPayment('no-such-payment')).toBeUndefined();
  });

  it('reads a FAIL answer as FAILED, and needs the test user\'s phone number', async () => {
    const { id } = await initiate();
    declined.add(id);
    await expect(driver().decide('approve', id)).rejects.toThrow(/needs the test user's phone number: set testApi.phoneNumber/);
    await driver('91234567').decide('approve', id);
    expect(await driver().payment(id)).toMatchObject({ state: 'FAILED', aggregate: { authorizedAmount: { value: 0 } } });
    expect(side.log.query({ kind: 'callback', reference: id })[0].notes).toMatchObject({ outcome: 'fail', errorId: 82, errorText: 'Refused by Issuer' });
  });

  it('--interactive: prints the landing link and waits for the makePayment a person\'s approval causes', async () => {
    const { id, redirectUrl } = await initiate();
    const printed: string[] = [];
    const person = testApiPspDriver(new TestApiClient(upstream.url, credentials, 5000), new SandboxControl(new ControlClient(side.controlUrl)), MSN, { mode: 'interactive', timeoutMs: 10_000, pollMs: 50, print: (t) => printed.push(t) });
    const decided = person.decide('approve', id);
    await expect.poll(() => printed.length).toBe(1);
    expect(printed[0]).toContain(`open ${redirectUrl}`);
    // The person approves in the MT app (here: the upstream's force approve, as the app would).
    const headers = await pspApiHeaders(upstream.url, 'v3', MSN);
    const token = new URL(redirectUrl).searchParams.get('token');
    expect((await call(upstream.url, 'POST', `/psp/v3/integration-test/psppayments/${id}/approve`, { headers, body: { customerPhoneNumber: '91234567', token } })).status).toBe(200);
    await decided;
    expect((await person.payment(id)).state).toBe('RESERVED');
    // Nobody acts: bounded by the customer timeout, an environment problem naming both causes.
    const idle = await initiate();
    const impatient = testApiPspDriver(new TestApiClient(upstream.url, credentials, 5000), new SandboxControl(new ControlClient(side.controlUrl)), MSN, { mode: 'interactive', timeoutMs: 300, pollMs: 50, print: () => {} });
    await expect(impatient.decide('approve', idle.id)).rejects.toThrow(/nobody acted on PSP payment .* within 0 s \(or .*no makePayment reached golive/);
  });

  it('v2: refuses to force-approve (there is none), and follows a person\'s approval through the relayed makePayment', async () => {
    // A v2 PSP's public key is handed over at onboarding: the upstream knows it.
    const v2Upstream = await startSandbox({ psps: [pspWithKey(pspKeyPair().publicKey)], merchants: DEFAULT_TEST_PSP_MERCHANTS });
    const v2Side = await startTestApiSide({ upstream: v2Upstream.url, redactor: new Redactor(), timeoutMs: 5000, requestsPerSecond: 50, relay: { forwardTo: psp.url } });
    try {
      const headers = await pspApiHeaders(v2Side.proxyUrl, 'v2', MSN);
      const body = initBody(`${v2Side.relayUrl}/vipps/make-payment`);
      expect((await call(v2Side.proxyUrl, 'POST', '/psp/v2/psppayments/init', { headers, body })).status).toBe(200);
      const control = new SandboxControl(new ControlClient(v2Side.controlUrl));
      const client = new TestApiClient(v2Upstream.url, credentials, 5000);
      await expect(testApiPspDriver(client, control, MSN, { mode: 'force-approve', phoneNumber: '4791234567', timeoutMs: 5000 }).decide('approve', body.pspTransactionId)).rejects.toThrow(/PSP API v2 has no force approve/);
      const printed: string[] = [];
      const person = testApiPspDriver(client, control, MSN, { mode: 'interactive', timeoutMs: 10_000, pollMs: 50, print: (t) => printed.push(t) });
      const decided = person.decide('approve', body.pspTransactionId);
      await expect.poll(() => printed.length).toBe(1);
      await new ControlClient(v2Upstream.url).customer('approve', MSN, body.pspTransactionId, {}); // the person, in the MT app
      await decided;
      expect((await person.payment(body.pspTransactionId)).state).toBe('RESERVED');
      expect(v2Side.log.query({ kind: 'callback' })[0]).toMatchObject({ api: 'psp-v2', operation: PSP_OP.v2.makePayment, notes: { version: 'v2', confirmed: 'YES', outcome: 'ok', relayed: true } });
    } finally {
      await v2Side.close();
      await v2Upstream.close();
    }
  });

  it('maps recorded traffic to the sandbox machine\'s states', () => {
    let seq = 0;
    const ex = (over: Partial<Exchange>) => ({ seq: ++seq, id: String(seq), kind: 'api', api: 'psp-v2', startedAt: seq, durationMs: 1, request: { method: 'POST', url: '/', path: '/', headers: {} }, response: { status: 200, headers: {} }, ...over }) as Exchange;
    const init = ex({ reference: 'p1', request: { method: 'POST', url: '/', path: '/', headers: {}, body: { pspTransactionId: 'p1', amount: 1000 } } });
    const mp = (notes: Record<string, unknown>) => ex({ kind: 'callback', reference: 'p1', notes });
    const upd = (status: string, amount: number) => ex({ request: { method: 'POST', url: '/', path: '/', headers: {}, body: { transactions: [{ pspTransactionId: 'p1', status, amount, operationStatus: 'SUCCESS' }] } } });
    expect(pspView(init, [], []).state).toBe('INITIATED');
    expect(pspView(init, [mp({ confirmed: 'YES', outcome: 'soft-decline' })], []).state).toBe('INITIATED');
    expect(pspView(init, [mp({ confirmed: 'YES', outcome: 'soft-decline' }), mp({ confirmed: 'YES', outcome: 'ok' })], []).state).toBe('RESERVED');
    expect(pspView(init, [mp({ confirmed: 'YES', outcome: 'timeout' })], []).state).toBe('FAILED');
    expect(pspView(init, [mp({ confirmed: 'CANCEL', outcome: 'fail' })], []).state).toBe('CANCELLED');
    expect(pspView(init, [mp({ confirmed: 'TIMEOUT', outcome: 'ok' })], []).state).toBe('EXPIRED');
    // A cancel releases what is left: all of it before a capture (CANCELLED), the rest after one (CAPTURED).
    const ok = [mp({ confirmed: 'YES', outcome: 'ok' })];
    expect(pspView(init, ok, [upd('CANCELLED', 1000)])).toMatchObject({ state: 'CANCELLED', aggregate: { cancelledAmount: { value: 1000 } } });
    expect(pspView(init, ok, [upd('CAPTURED', 400), upd('CANCELLED', 600)])).toMatchObject({ state: 'CAPTURED', aggregate: { capturedAmount: { value: 400 }, cancelledAmount: { value: 600 } } });
    // Reports before a reservation change nothing (the test API refuses them).
    expect(pspView(init, [], [upd('CAPTURED', 400)]).state).toBe('INITIATED');
    expect(pspForceApproveHint(400, '')).toMatch(/approved one payment by hand in the MT/);
  });
});
