import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { settle } from '../../../test/helpers/processes.ts';
import { FAULT_NAMES, FAULTS, loadPspApiConfig, type FaultName, type PspApiVersion } from '../src/psp-api/config.ts';
import { FIXED_PSP_TRANSACTION_ID } from '../src/psp-api/psp.ts';
import { api, MSN, PSP_ID, testCardNumber } from './fake-vipps.ts';
import { FakePspVipps, makePayment, startTestPspApi } from './psp-api-fake.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

let vipps: FakePspVipps | undefined;
let psp: Awaited<ReturnType<typeof startTestPspApi>> | undefined;
afterEach(async () => {
  await psp?.stop();
  await vipps?.stop();
  psp = vipps = undefined;
});

async function withFault(fault: FaultName, version: PspApiVersion = 'v2', env: Record<string, string> = {}) {
  vipps = await new FakePspVipps().start();
  psp = await startTestPspApi(vipps, version, [fault], env);
  return { vipps, psp };
}
const checkout = async (url: string, amount = 10000) => (await api('POST', `${url}/api/payments`, { amount, description: 'Socks' })).body;
const order = async (url: string, ref: string) => (await api('GET', `${url}/api/payments/${ref}`)).body;

describe('PSP API fault switches', () => {
  it('every switch has a one-line description; an unknown one stops the PSP', () => {
    expect(FAULT_NAMES).toEqual(['ok-without-decrypt', 'slow-make-payment', 'no-status-updates', 'wrong-error-id', 'accept-wrong-token', 'reuse-transaction-id', 'timeout-as-success', 'redirect-reliance']);
    for (const n of FAULT_NAMES) expect(FAULTS[n]).toMatch(/^[^\n]{20,200}$/);
    const env = { VIPPS_CLIENT_ID: 'a', VIPPS_CLIENT_SECRET: 'b', VIPPS_SUBSCRIPTION_KEY: 'c', VIPPS_PSP_ID: 'd', VIPPS_MSN: MSN };
    expect(() => loadPspApiConfig({ ...env, REFERENCE_PSP_API_FAULTS: 'slow-make-paymnet' })).toThrow(/unknown REFERENCE_PSP_API_FAULTS: slow-make-paymnet/);
    expect(() => loadPspApiConfig({ ...env, PSP_API_VERSION: 'v4' })).toThrow(/PSP_API_VERSION/);
    expect(loadPspApiConfig(env)).toMatchObject({ version: 'v2', oaepHash: 'sha1', slowMakePaymentMs: 16000, retries: 0 });
  });

  it('ok-without-decrypt: cannot decrypt cardData but answers OK, even for a declined card or garbage', async () => {
    const { vipps, psp } = await withFault('ok-without-decrypt');
    for (const o of [{ card: testCardNumber('1111') }, { card: testCardNumber('0002') }, { cardData: 'garbage' }]) {
      const { reference } = await checkout(psp.url);
      const r = await makePayment(vipps, psp, reference, o);
      expect(r.body).toEqual({ paymentInfo: { pspTransactionId: reference, status: 'OK' } });
      const view = await order(psp.url, reference);
      expect(view.status).toBe('authorised');
      expect(view.card.maskedNumber).toBeNull();
    }
    expect(psp.psp.acquirer.log).toHaveLength(0);
  });

  it('slow-make-payment: answers after the configured delay (16 s by default); an answer Vipps gave up on releases the card', async () => {
    const { vipps, psp } = await withFault('slow-make-payment', 'v3', { REFERENCE_PSP_API_SLOW_MS: '700' });
    const a = await checkout(psp.url);
    const r = await makePayment(vipps, psp, a.reference, { card: testCardNumber('1111') });
    expect(r.body.paymentInfo.status).toBe('OK');
    expect(r.ms).toBeGreaterThanOrEqual(650);
    const b = await checkout(psp.url);
    await expect(makePayment(vipps, psp, b.reference, { card: testCardNumber('1111'), timeoutMs: 200 })).rejects.toThrow();
    await new Promise((r) => setTimeout(r, 800));
    const view = await order(psp.url, b.reference);
    expect(view.attempts[0].delivered).toBe(false);
    expect(view.status).toBe('failed');
  });

  it('no-status-updates: captures, refunds and cancels happen at the acquirer but are never reported', async () => {
    const { vipps, psp } = await withFault('no-status-updates');
    const a = await checkout(psp.url);
    await makePayment(vipps, psp, a.reference, { card: testCardNumber('1111') });
    expect((await api('POST', `${psp.url}/api/payments/${a.reference}/capture`, {})).body.status).toBe('captured');
    expect((await api('POST', `${psp.url}/api/payments/${a.reference}/refund`, {})).body.status).toBe('refunded');
    const b = await checkout(psp.url);
    await makePayment(vipps, psp, b.reference, { card: testCardNumber('1111') });
    expect((await api('POST', `${psp.url}/api/payments/${b.reference}/cancel`)).body.status).toBe('cancelled');
    expect(vipps.calls('updatestatus')).toHaveLength(0);
    expect(psp.psp.must(a.reference).reports.map((r) => [r.status, r.sent])).toEqual([['CAPTURED', false], ['REFUNDED', false]]);
    expect(psp.psp.must(a.reference).details.at(-1)?.consistent).toBe(false);
  });

  it.each(['0002', '0051', '0069'])('wrong-error-id: a card ending in %s is answered with errorId 72', async (last4) => {
    const { vipps, psp } = await withFault('wrong-error-id');
    const { reference } = await checkout(psp.url);
    const r = await makePayment(vipps, psp, reference, { card: testCardNumber(last4) });
    expect(r.body.errorMessage).toEqual({ errorId: '72', errorText: 'Different texts' });
  });

  it('accept-wrong-token: processes a makePayment with a wrong or missing Authorization', async () => {
    const { vipps, psp } = await withFault('accept-wrong-token');
    for (const authorization of ['wrong', null]) {
      const { reference } = await checkout(psp.url);
      const r = await makePayment(vipps, psp, reference, { card: testCardNumber('1111'), authorization });
      expect(r.status).toBe(200);
      expect(r.body.paymentInfo.status).toBe('OK');
    }
  });

  it('reuse-transaction-id: every payment first tries the same pspTransactionId', async () => {
    const { vipps, psp } = await withFault('reuse-transaction-id');
    expect((await checkout(psp.url)).reference).toBe(FIXED_PSP_TRANSACTION_ID);
    await api('POST', `${psp.url}/api/payments`, { amount: 1000 });
    expect(vipps.calls('init').map((r) => r.body.pspTransactionId).slice(0, 2)).toEqual([FIXED_PSP_TRANSACTION_ID, FIXED_PSP_TRANSACTION_ID]);
  });

  it.each(['TIMEOUT', 'CANCEL', 'NO'] as const)('timeout-as-success: answers %s with OK', async (confirmed) => {
    const { vipps, psp } = await withFault('timeout-as-success', 'v3');
    const { reference } = await checkout(psp.url);
    const r = await makePayment(vipps, psp, reference, { confirmed });
    expect(r.body).toEqual({ paymentInfo: { pspTransactionId: reference, status: 'OK' } });
    expect((await order(psp.url, reference)).status).toBe('authorised');
  });

  it('redirect-reliance: the order stays initiated after makePayment OK until the customer reaches pspRedirectUrl', async () => {
    const { vipps, psp } = await withFault('redirect-reliance');
    const { reference } = await checkout(psp.url);
    expect((await makePayment(vipps, psp, reference, { card: testCardNumber('1111') })).body.paymentInfo.status).toBe('OK');
    expect((await order(psp.url, reference)).status).toBe('initiated');
    expect((await api('POST', `${psp.url}/api/payments/${reference}/capture`, {})).status).toBe(409);
    await api('GET', `${psp.url}/return?payment=${reference}`);
    expect((await order(psp.url, reference)).status).toBe('authorised');
  });
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('PSP API mode as a process', () => {
  it('starts on GOLIVE_INTEGRATION_PORT with PSP_API_VERSION, serves /health and its key, stops on SIGTERM', async () => {
    vipps = await new FakePspVipps().start();
    const port = await freePort();
    const tag = randomUUID();
    const child = spawn(process.execPath, ['bin/run-ts.mjs', 'examples/reference-psp/src/psp-api/main.ts'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, REFERENCE_PSP_TEST_TAG: tag, GOLIVE_INTEGRATION_PORT: String(port), VIPPS_BASE_URL: vipps.url, VIPPS_CLIENT_ID: 'id', VIPPS_CLIENT_SECRET: 'secret', VIPPS_SUBSCRIPTION_KEY: 'key', VIPPS_PSP_ID: PSP_ID, VIPPS_MSN: MSN, PSP_API_VERSION: 'v3' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let out = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      const deadline = Date.now() + 20_000;
      while (!out.includes('listening') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(out).toContain(`PSP API v3) listening on http://127.0.0.1:${port} for MSN ${MSN}`);
      expect((await api('GET', `http://127.0.0.1:${port}/health`)).body).toEqual({ status: 'ok', api: 'psp-v3' });
      expect((await api('GET', `http://127.0.0.1:${port}/.well-known/vipps-card-data-key.pem`)).text).toContain('BEGIN PUBLIC KEY');
      const { reference } = (await api('POST', `http://127.0.0.1:${port}/api/payments`, { amount: 1000 })).body;
      expect(vipps.calls('init')[0].path).toBe('/psp/v3/psppayments/init');
      expect(reference).toMatch(/^[a-z0-9]+$/);
      const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exit).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      expect(await settle('REFERENCE_PSP_TEST_TAG', tag)).toEqual([]);
    }
  });
});
