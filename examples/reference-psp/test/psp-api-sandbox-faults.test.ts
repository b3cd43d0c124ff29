import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TEST_PSP, DEFAULT_TEST_PSP_MERCHANTS, type Sandbox } from '../../../src/sandbox/index.ts';
import { pspWithKey } from '../../../test/helpers/psp-api.ts';
import { call, startSandbox } from '../../../test/helpers/sandbox.ts';
import { FIXED_PSP_TRANSACTION_ID } from '../src/psp-api/psp.ts';
import { startPspApi, type RunningPspApi } from '../src/psp-api/app.ts';
import { newCardDataKey } from '../src/psp-api/card-data.ts';
import { loadPspApiConfig, type FaultName, type PspApiVersion } from '../src/psp-api/config.ts';
import { api, testCardNumber } from './fake-vipps.ts';

/** Fault switches as golive's sandbox sees them: each leaves the trace its checklist item looks for. */

const MSN = DEFAULT_TEST_PSP.merchants[0];
const CONTROL = `/_sandbox/v1/payments/${MSN}`;

describe('PSP API fault switches against golive’s sandbox', () => {
  let sandbox: Sandbox;
  let psp: RunningPspApi | undefined;
  const key = newCardDataKey();
  const start = async (version: PspApiVersion, fault: FaultName, env: Record<string, string> = {}) => {
    psp = await startPspApi(
      loadPspApiConfig({
        GOLIVE_INTEGRATION_PORT: '0',
        VIPPS_BASE_URL: sandbox.url,
        VIPPS_CLIENT_ID: DEFAULT_TEST_PSP.clientId,
        VIPPS_CLIENT_SECRET: DEFAULT_TEST_PSP.clientSecret,
        VIPPS_SUBSCRIPTION_KEY: DEFAULT_TEST_PSP.subscriptionKeys[0],
        VIPPS_PSP_ID: DEFAULT_TEST_PSP.pspId,
        VIPPS_MSN: MSN,
        PSP_API_VERSION: version,
        REFERENCE_PSP_API_FAULTS: fault,
        ...env,
      }),
      () => {},
      key,
    );
    return psp;
  };
  const control = (id: string, action: string, body: unknown = {}) => call(sandbox.url, 'POST', `${CONTROL}/${id}/${action}`, { body });
  const view = async (id: string) => (await call(sandbox.url, 'GET', `${CONTROL}/${id}`)).body;
  const checkout = async (p: RunningPspApi) => (await api('POST', `${p.url}/api/payments`, { amount: 10000 })).body.reference as string;
  const order = async (p: RunningPspApi, ref: string) => (await api('GET', `${p.url}/api/payments/${ref}`)).body;

  beforeAll(async () => {
    sandbox = await startSandbox({ psps: [pspWithKey(key.publicKeyPem)], merchants: DEFAULT_TEST_PSP_MERCHANTS, settings: { rateLimits: { enabled: false } } });
  });
  afterEach(async () => {
    await psp?.stop();
    psp = undefined;
    sandbox.ctx.settings.pspApi.makePaymentTimeoutMs = 15_000;
  });
  afterAll(async () => {
    await sandbox?.close();
  });

  it('slow-make-payment: the sandbox gives up and fails the payment; the PSP releases the card', async () => {
    sandbox.ctx.settings.pspApi.makePaymentTimeoutMs = 300;
    const p = await start('v3', 'slow-make-payment', { REFERENCE_PSP_API_SLOW_MS: '800' });
    const ref = await checkout(p);
    await control(ref, 'approve', { card: { number: testCardNumber('1111') } });
    expect((await view(ref)).state).toBe('FAILED');
    await new Promise((r) => setTimeout(r, 900));
    const o = await order(p, ref);
    expect(o.attempts[0].delivered).toBe(false);
    expect(o.status).toBe('failed');
  });

  it('wrong-error-id: the sandbox records errorId 72 for a declined card', async () => {
    const p = await start('v2', 'wrong-error-id');
    const ref = await checkout(p);
    await control(ref, 'approve', { card: { number: testCardNumber('0002') } });
    expect((await view(ref)).makePayments[0]).toMatchObject({ outcome: 'fail', errorId: '72' });
  });

  it('no-status-updates: the sandbox never hears of the capture', async () => {
    const p = await start('v2', 'no-status-updates');
    const ref = await checkout(p);
    await control(ref, 'approve', { card: { number: testCardNumber('1111') } });
    expect((await api('POST', `${p.url}/api/payments/${ref}/capture`, {})).body.status).toBe('captured');
    const v = await view(ref);
    expect(v.statusUpdates).toEqual([]);
    expect(v.state).toBe('RESERVED');
  });

  it('ok-without-decrypt: a declined card is RESERVED at the sandbox', async () => {
    const p = await start('v2', 'ok-without-decrypt');
    const ref = await checkout(p);
    await control(ref, 'approve', { card: { number: testCardNumber('0002') } });
    expect((await view(ref)).state).toBe('RESERVED');
    expect((await order(p, ref)).card.maskedNumber).toBeNull();
  });

  it('reuse-transaction-id: the sandbox refuses the reused id, and the PSP then initiates with a fresh one', async () => {
    const p = await start('v3', 'reuse-transaction-id');
    await checkout(p);
    const second = await api('POST', `${p.url}/api/payments`, { amount: 10000 });
    expect(second.status).toBe(201);
    expect(second.body.reference).not.toBe(FIXED_PSP_TRANSACTION_ID);
    const refused = sandbox.traffic.all().filter((e) => e.api === 'psp-v3' && e.response?.status === 400 && JSON.stringify(e.response.body).match(/44|already exists/));
    expect(refused).toHaveLength(1);
  });

  it('redirect-reliance: RESERVED at the sandbox, still initiated at the PSP until the customer comes back', async () => {
    const p = await start('v2', 'redirect-reliance');
    const ref = await checkout(p);
    await control(ref, 'approve', { card: { number: testCardNumber('1111') } });
    expect((await view(ref)).state).toBe('RESERVED');
    expect((await order(p, ref)).status).toBe('initiated');
  });
});
