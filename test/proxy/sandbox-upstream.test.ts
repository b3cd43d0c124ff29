import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.ts';
import { call, merchantHeaders, startSandbox, TEST_MERCHANT } from '../helpers/sandbox.ts';
import { startProxy } from './helpers.ts';

/** golive's own sandbox as the upstream: what the proxy records must read like what the sandbox records. */
describe('recording proxy in front of the sandbox', () => {
  let sandbox: Sandbox;
  let proxy: Awaited<ReturnType<typeof startProxy>>;
  beforeAll(async () => {
    sandbox = await startSandbox();
    proxy = await startProxy(sandbox.url);
  });
  afterAll(async () => {
    await proxy?.close();
    await sandbox?.close();
  });

  it('records token, create and get as the sandbox does: api, operation, MSN, reference, key, status', async () => {
    const headers = await merchantHeaders(proxy.url);
    const reference = `proxy-sbx-${Date.now()}`;
    const created = await call(proxy.url, 'POST', '/epayment/v1/payments', {
      headers: { ...headers, 'Idempotency-Key': `idem-${reference}` },
      body: { amount: { currency: 'NOK', value: 1000 }, paymentMethod: { type: 'WALLET' }, reference, userFlow: 'WEB_REDIRECT', returnUrl: 'https://example.com/back' },
    });
    expect(created.status).toBe(201);
    const viaProxy = await call(proxy.url, 'GET', `/epayment/v1/payments/${reference}`, { headers });
    const direct = await call(sandbox.url, 'GET', `/epayment/v1/payments/${reference}`, { headers });
    expect(viaProxy.status).toBe(200);
    expect(viaProxy.text).toBe(direct.text); // the same answer byte for byte

    const key = (e: { api: string; operation?: string; msn?: string; reference?: string; idempotencyKey?: string; response?: { status: number } }) => ({
      api: e.api,
      operation: e.operation,
      msn: e.msn,
      reference: e.reference,
      idempotencyKey: e.idempotencyKey,
      status: e.response?.status,
    });
    const recorded = proxy.log.all().map(key);
    expect(recorded).toEqual(sandbox.traffic.all().slice(0, 3).map(key));
    expect(recorded).toEqual([
      { api: 'access-token', operation: 'fetchAuthorizationTokenUsingPost', msn: TEST_MERCHANT.msn, reference: undefined, idempotencyKey: undefined, status: 200 },
      { api: 'epayment', operation: 'createPayment', msn: TEST_MERCHANT.msn, reference, idempotencyKey: `idem-${reference}`, status: 201 },
      { api: 'epayment', operation: 'getPayment', msn: TEST_MERCHANT.msn, reference, idempotencyKey: undefined, status: 200 },
    ]);
    const [, create, get] = proxy.log.all();
    expect((create.request.body as { reference: string }).reference).toBe(reference);
    expect((get.response?.body as { reference: string; state: string }).state).toBe('CREATED');
    expect(String(create.request.headers.authorization)).toMatch(/^Bearer \[REDACTED:[0-9a-f]{8}\]$/);
  });
});
