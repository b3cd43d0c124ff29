import { createServer } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ECOM_OP } from '../../src/contract/ecom.ts';
import type { Sandbox } from '../../src/sandbox/index.ts';
import { CallbackReceiver, callbacksOf, ecomClient, initiateBody, waitFor } from '../helpers/ecom.ts';
import { specAvailable, validateEcomCallbacks, validateTraffic } from '../helpers/openapi.ts';
import { merchantHeaders, startSandbox } from '../helpers/sandbox.ts';

/** eCom v2 transaction callbacks to a real merchant endpoint on 127.0.0.1: outcomes, failures, faults, expiry. */

const FIVE_MINUTES = 5 * 60_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise((r) => server.close(r));
  return port;
}

describe('eCom v2 callbacks', () => {
  let sandbox: Sandbox;
  let H: Record<string, string>;
  const receiver = new CallbackReceiver();
  const c = ecomClient(() => sandbox, () => H);
  const initiate = async (overrides: Parameters<typeof initiateBody>[1] = {}) => {
    const res = await c.initiate(initiateBody(receiver.url, overrides));
    expect(res.status, res.text).toBe(200);
    return res.body.orderId as string;
  };

  beforeAll(async () => {
    await receiver.start();
    sandbox = await startSandbox();
    H = await merchantHeaders(sandbox.url);
  });
  afterEach(() => {
    sandbox.faults.clear();
    receiver.respond = () => ({});
  });
  afterAll(async () => {
    if (specAvailable()) {
      const exchanges = sandbox.traffic.query({ api: 'ecom-v2' });
      expect((await validateTraffic(exchanges)).failures).toEqual([]);
      const callbacks = await validateEcomCallbacks(exchanges);
      expect(callbacks.failures).toEqual([]);
      expect(callbacks.validated).toBeGreaterThan(5);
    }
    await sandbox.close();
    await receiver.stop();
  });

  it('an order nobody acts on ends REJECTED after 5 minutes, with a REJECTED callback', async () => {
    const orderId = await initiate();
    sandbox.clock.advance(FIVE_MINUTES - 1000);
    expect((await c.status(orderId)).body.transactionInfo.status).toBe('INITIATE');
    sandbox.clock.advance(1000);
    const cb = await waitFor(() => receiver.forOrder(orderId)[0], 5000, 'the REJECTED callback');
    expect(cb.body.transactionInfo).toMatchObject({ status: 'REJECTED', amount: 49900 });
    expect((await c.status(orderId)).body.transactionInfo.status).toBe('REJECTED');
    const record = (await c.record(orderId)).body;
    expect(record.state).toBe('REJECTED');
    expect(record.transactionSummary).toBeUndefined();
    expect((await c.capture(orderId)).body[0]).toMatchObject({ errorGroup: 'VippsError', errorCode: '91' });
    expect((await c.approve(orderId)).status).toBe(409);
  });

  it('declined card attempts, then the timeout: FAILED with a RESERVE_FAILED callback carrying errorInfo', async () => {
    const orderId = await initiate({ transaction: { amount: 186 } });
    expect((await c.approve(orderId)).status).toBe(402);
    sandbox.clock.advance(FIVE_MINUTES);
    const cb = await waitFor(() => receiver.forOrder(orderId)[0], 5000, 'the RESERVE_FAILED callback');
    expect(cb.body).toMatchObject({ transactionInfo: { status: 'RESERVE_FAILED' }, errorInfo: { errorGroup: 'Payment', errorCode: '44', errorMessage: 'Expired card' } });
    expect((await c.record(orderId)).body.state).toBe('FAILED');
  });

  it('expire-after shortens the order life; the control API can expire it at once', async () => {
    const taken = await initiate();
    const fault = sandbox.faults.add({ match: { api: 'ecom-v2', amount: 4242 }, effect: { type: 'expire-after', ms: 1000 }, times: 1 });
    // A refused initiate (duplicate orderId) does not spend the fault.
    expect((await c.initiate(initiateBody(receiver.url, { transaction: { amount: 4242, orderId: taken } }))).body[0].errorCode).toBe('34');
    expect(sandbox.faults.get(fault.id)!.hits).toBe(0);
    const short = await initiate({ transaction: { amount: 4242 } });
    expect((await c.record(short)).body.expiresAt - (await c.record(short)).body.createdAt).toBe(1000);
    sandbox.clock.advance(1000);
    expect((await c.status(short)).body.transactionInfo.status).toBe('REJECTED');
    const now = await initiate();
    const expired = await c.api('POST', `/_sandbox/v1/payments/123456/${now}/expire`, { body: {} });
    expect(expired.body.state).toBe('REJECTED');
  });

  it('a slow merchant: the callback is cut after 3 s, sent once, never retried', async () => {
    receiver.respond = () => ({ delayMs: 3500 });
    const orderId = await initiate();
    await c.approve(orderId);
    const ex = await waitFor(() => callbacksOf(sandbox, orderId)[0], 6000, 'the timed-out callback');
    expect(ex.response).toBeUndefined();
    expect(ex.error).toMatch(/^timeout .*3000 ms/);
    expect(ex.durationMs).toBeGreaterThanOrEqual(2900);
    await sleep(200);
    expect(callbacksOf(sandbox, orderId)).toHaveLength(1);
    expect(receiver.forOrder(orderId)).toHaveLength(1);
  }, 10_000);

  it('a merchant answering 500 or not listening: recorded, not retried', async () => {
    receiver.respond = () => ({ status: 500 });
    const a = await initiate();
    await c.approve(a);
    const ex = await waitFor(() => callbacksOf(sandbox, a)[0], 5000, 'the callback');
    expect(ex.response?.status).toBe(500);

    const port = await closedPort();
    const b = (await c.initiate(initiateBody(`http://127.0.0.1:${port}/cb`))).body.orderId;
    await c.approve(b);
    const refused = await waitFor(() => callbacksOf(sandbox, b)[0], 5000, 'the refused callback');
    expect(refused.error).toMatch(/connection refused/);
    expect(refused.request.url).toBe(`http://127.0.0.1:${port}/cb/v2/payments/${b}`);
    await sleep(100);
    expect(callbacksOf(sandbox, a)).toHaveLength(1);
    expect(callbacksOf(sandbox, b)).toHaveLength(1);
  });

  it('callbacks without an authToken send no Authorization header', async () => {
    const orderId = await initiate({ merchantInfo: { authToken: undefined } });
    await c.forceApprove(orderId);
    const cb = await waitFor(() => receiver.forOrder(orderId)[0], 5000, 'the callback');
    expect(cb.headers.authorization).toBeUndefined();
    expect(cb.body.transactionInfo.status).toBe('RESERVED');
  });

  it('callback-drop: recorded with the fault and no response, never sent', async () => {
    const orderId = await initiate();
    const fault = sandbox.faults.add({ match: { api: 'ecom-v2', operation: ECOM_OP.callback, reference: orderId }, effect: { type: 'callback-drop' } });
    await c.approve(orderId);
    const ex = await waitFor(() => callbacksOf(sandbox, orderId)[0], 5000, 'the dropped callback');
    expect(ex).toMatchObject({ fault: 'callback-drop', error: expect.stringContaining('callback-drop'), notes: { status: 'RESERVED', faultId: fault.id } });
    expect(ex.response).toBeUndefined();
    expect(ex.request.headers.authorization).toBe('callback-auth-token-123');
    await sleep(100);
    expect(receiver.forOrder(orderId)).toHaveLength(0);
    expect(sandbox.faults.get(fault.id)!.hits).toBe(1);
  });

  it('callback-delay: sent later on the sandbox clock', async () => {
    const orderId = await initiate();
    sandbox.faults.add({ match: { api: 'ecom-v2', operation: ECOM_OP.callback, reference: orderId }, effect: { type: 'callback-delay', ms: 60_000 } });
    await c.approve(orderId);
    await sleep(150);
    expect(receiver.forOrder(orderId)).toHaveLength(0);
    sandbox.clock.advance(60_000);
    const cb = await waitFor(() => receiver.forOrder(orderId)[0], 5000, 'the delayed callback');
    expect(cb.body.transactionInfo.status).toBe('RESERVED');
    const ex = await waitFor(() => callbacksOf(sandbox, orderId)[0], 5000, 'its record');
    expect(ex.fault).toBe('callback-delay');
  });

  it('callback-duplicate: sent `copies` times, each recorded', async () => {
    const orderId = await initiate();
    sandbox.faults.add({ match: { api: 'ecom-v2', operation: ECOM_OP.callback, reference: orderId }, effect: { type: 'callback-duplicate', copies: 3 } });
    await c.reject(orderId);
    await waitFor(() => callbacksOf(sandbox, orderId).length === 3, 5000, 'three callbacks');
    expect(receiver.forOrder(orderId).map((cb) => cb.body.transactionInfo.status)).toEqual(['CANCELLED', 'CANCELLED', 'CANCELLED']);
    expect(callbacksOf(sandbox, orderId).map((e) => e.notes?.copy)).toEqual(expect.arrayContaining([{ n: 1, of: 3 }, { n: 2, of: 3 }, { n: 3, of: 3 }]));
  });
});
