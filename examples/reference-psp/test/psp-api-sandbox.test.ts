import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TEST_PSP, DEFAULT_TEST_PSP_MERCHANTS, type Sandbox } from '../../../src/sandbox/index.ts';
import { waitFor } from '../../../test/helpers/card-passthrough.ts';
import { loadSpec, specAvailable } from '../../../test/helpers/openapi.ts';
import { pspWithKey, validatePspTraffic } from '../../../test/helpers/psp-api.ts';
import { call, startSandbox } from '../../../test/helpers/sandbox.ts';
import { startPspApi, type RunningPspApi } from '../src/psp-api/app.ts';
import { newCardDataKey } from '../src/psp-api/card-data.ts';
import { loadPspApiConfig, type PspApiVersion } from '../src/psp-api/config.ts';
import { api, testCardNumber } from './fake-vipps.ts';

/** The PSP API mode against golive's own sandbox (in-process, 127.0.0.1): the two were written apart. */

const MSN = DEFAULT_TEST_PSP.merchants[0];
const CONTROL = `/_sandbox/v1/payments/${MSN}`;

describe('reference PSP (PSP API mode) against golive’s sandbox', () => {
  let sandbox: Sandbox;
  const key = newCardDataKey();
  const psps: Partial<Record<PspApiVersion, RunningPspApi>> = {};
  const start = (version: PspApiVersion) =>
    startPspApi(
      loadPspApiConfig({
        GOLIVE_INTEGRATION_PORT: '0',
        VIPPS_BASE_URL: sandbox.url,
        VIPPS_CLIENT_ID: DEFAULT_TEST_PSP.clientId,
        VIPPS_CLIENT_SECRET: DEFAULT_TEST_PSP.clientSecret,
        VIPPS_SUBSCRIPTION_KEY: DEFAULT_TEST_PSP.subscriptionKeys[0],
        VIPPS_PSP_ID: DEFAULT_TEST_PSP.pspId,
        VIPPS_MSN: MSN,
        PSP_API_VERSION: version,
      }),
      () => {},
      key,
    );

  beforeAll(async () => {
    sandbox = await startSandbox({ psps: [pspWithKey(key.publicKeyPem)], merchants: DEFAULT_TEST_PSP_MERCHANTS, settings: { rateLimits: { enabled: false } } });
    psps.v2 = await start('v2');
    psps.v3 = await start('v3');
  });
  afterAll(async () => {
    await psps.v2?.stop();
    await psps.v3?.stop();
    if (specAvailable()) {
      const exchanges = sandbox.traffic.query({});
      const result = await validatePspTraffic(exchanges);
      expect(result.failures).toEqual([]);
      // And the PSP's own side: its init / updatestatus bodies and its makePayment answers.
      const failures: string[] = [];
      let validated = 0;
      for (const e of exchanges) {
        if (e.api !== 'psp-v2' && e.api !== 'psp-v3') continue;
        const spec = await loadSpec(e.api);
        const r =
          e.kind === 'callback'
            ? e.response && spec.validateResponse('POST', e.api === 'psp-v2' ? '[makePaymentUrl]' : '[ makePaymentUrl ]', e.response.status, 'application/json', e.response.body)
            : e.request.method === 'POST' && e.request.body !== undefined
              ? spec.validateRequest('POST', e.request.path, e.request.body)
              : undefined;
        if (!r) continue;
        if (r.outcome === 'valid') validated++;
        else failures.push(`${e.kind} ${e.request.path}: ${r.outcome} ${r.errors ?? ''}`);
      }
      expect(failures).toEqual([]);
      expect(validated).toBeGreaterThan(20);
    }
    await sandbox?.close();
  });

  const control = (id: string, action: string, body: unknown = {}) => call(sandbox.url, 'POST', `${CONTROL}/${id}/${action}`, { body });
  const view = async (id: string) => (await call(sandbox.url, 'GET', `${CONTROL}/${id}`)).body;
  const checkout = async (psp: RunningPspApi, amount = 10000) => {
    const r = await api('POST', `${psp.url}/api/payments`, { amount, description: 'golive socks' });
    expect(r.status, r.text).toBe(201);
    return r.body.reference as string;
  };
  const order = async (psp: RunningPspApi, ref: string) => (await api('GET', `${psp.url}/api/payments/${ref}`)).body;

  it.each<PspApiVersion>(['v2', 'v3'])('%s: init, makePayment OK, capture + refund + cancel reported, details agree', async (version) => {
    const psp = psps[version]!;
    const ref = await checkout(psp);
    const approved = await control(ref, 'approve', { card: { number: testCardNumber('1111') } });
    expect(approved.status, approved.text).toBe(200);
    expect((await order(psp, ref)).status).toBe('authorised');
    expect((await api('POST', `${psp.url}/api/payments/${ref}/capture`, { amount: 6000 })).body.status).toBe('part-captured');
    const refunded = await api('POST', `${psp.url}/api/payments/${ref}/refund`, { amount: 1000 });
    expect(refunded.status, refunded.text).toBe(200);
    expect(refunded.body.details.transactionSummary).toMatchObject({ capturedAmount: 6000, refundedAmount: 1000 });
    expect(psp.psp.must(ref).details.every((d) => d.consistent)).toBe(true);
    const v = await view(ref);
    expect(v.statusUpdates.length).toBe(2);

    const other = await checkout(psp, 5000);
    await control(other, 'approve', { card: { number: testCardNumber('1111') } });
    const cancelled = await api('POST', `${psp.url}/api/payments/${other}/cancel`);
    expect(cancelled.status, cancelled.text).toBe(200);
    expect((await view(other)).state).toBe('CANCELLED');
  });

  it.each([
    ['0002', '82'],
    ['0051', '89'],
    ['0069', '86'],
  ])('v2: a card ending in %s is FAIL %s at the sandbox', async (last4, errorId) => {
    const psp = psps.v2!;
    const ref = await checkout(psp);
    await control(ref, 'approve', { card: { number: testCardNumber(last4) } });
    expect((await view(ref)).makePayments[0]).toMatchObject({ outcome: 'fail', errorId });
    expect((await order(psp, ref)).status).toBe('declined');
  });

  it('v2: 3-D Secure round trip through the sandbox', async () => {
    const psp = psps.v2!;
    const ref = await checkout(psp);
    const first = await control(ref, 'approve', { card: { number: testCardNumber('3220') } });
    expect(first.status, first.text).toBe(202);
    const url3dSecure = first.body.payment.pending3ds.url3dSecure as string;
    expect(url3dSecure).toBe(`${psp.url}/3ds/${ref}`);
    const done = await api('POST', url3dSecure);
    expect(done.status).toBe(303);
    const back = new URL(String(done.headers.location));
    const landing = await call(sandbox.url, 'GET', back.pathname + back.search);
    expect(landing.status).toBe(303);
    expect((await view(ref)).state).toBe('RESERVED');
    expect((await order(psp, ref)).status).toBe('authorised');
  });

  it('v3: the customer cancels → 93; the order is cancelled without the customer reaching pspRedirectUrl', async () => {
    const psp = psps.v3!;
    const ref = await checkout(psp);
    expect((await control(ref, 'reject')).status).toBe(200);
    await waitFor(() => psp.psp.must(ref).calls[0], 3000, 'the CANCEL makePayment');
    await waitFor(() => (sandbox.traffic.query({ kind: ['callback'], reference: ref })[0] as any)?.notes?.errorId, 3000, 'the recorded answer');
    expect(sandbox.traffic.query({ kind: ['callback'], reference: ref })[0].notes).toMatchObject({ errorId: '93', expectedErrorId: 93 });
    expect((await order(psp, ref)).status).toBe('cancelled');
  });
});
