import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ECOM_OP } from '../../src/contract/ecom.ts';
import type { Sandbox } from '../../src/sandbox/index.ts';
import { CallbackReceiver, callbacksOf, ecomClient, initiateBody, waitFor } from '../helpers/ecom.ts';
import { specAvailable, validateEcomCallbacks, validateTraffic } from '../helpers/openapi.ts';
import { call, merchantHeaders, startSandbox } from '../helpers/sandbox.ts';

/** eCom v2 Express checkout: shipping options (static and fetched), the Express callback, consent removal. */

// ShippingCost has `minimum: 1.00` in the merchant-endpoints spec (0.00 in ecom-v2.yaml): the shop's options cost ≥ 1 NOK.
const SHIPPING = [
  { isDefault: 'N', priority: 1, shippingCost: 49.0, shippingMethod: 'Posten Servicepakke', shippingMethodId: 'posten' },
  { isDefault: 'Y', priority: 2, shippingCost: 1.0, shippingMethod: 'Hent i butikk', shippingMethodId: 'pickup' },
];

describe('eCom v2 Express checkout', () => {
  let sandbox: Sandbox;
  let H: Record<string, string>;
  const receiver = new CallbackReceiver();
  const c = ecomClient(() => sandbox, () => H);
  const express = (merchantInfo: Record<string, unknown>) =>
    initiateBody(receiver.url, { merchantInfo: { paymentType: 'eComm Express Payment', consentRemovalPrefix: receiver.url, ...merchantInfo } });

  beforeAll(async () => {
    await receiver.start();
    sandbox = await startSandbox();
    H = await merchantHeaders(sandbox.url);
  });
  afterEach(() => {
    receiver.respond = () => ({});
  });
  afterAll(async () => {
    if (specAvailable()) {
      const exchanges = sandbox.traffic.query({ api: 'ecom-v2' });
      expect((await validateTraffic(exchanges)).failures).toEqual([]);
      const calls = await validateEcomCallbacks(exchanges);
      expect(calls.failures).toEqual([]);
      expect(calls.validated).toBeGreaterThanOrEqual(3);
    }
    await sandbox.close();
    await receiver.stop();
  });

  it('requires consentRemovalPrefix; force approve does not support Express', async () => {
    const res = await c.initiate(initiateBody(receiver.url, { merchantInfo: { paymentType: 'eComm Express Payment' } }));
    expect(res.status).toBe(400);
    expect(res.body[0]).toMatchObject({ errorGroup: 'InvalidRequest', errorCode: 'consentRemovalPrefix' });
    const body = express({ staticShippingDetails: SHIPPING });
    expect((await c.initiate(body)).status).toBe(200);
    expect((await c.forceApprove(body.transaction.orderId)).body[0]).toMatchObject({ errorGroup: 'InvalidRequest', errorCode: 'paymentType' });
  });

  it('static shipping: the default option, the Express callback (RESERVE + shipping + user), details with both', async () => {
    const body = express({ staticShippingDetails: SHIPPING });
    const orderId = body.transaction.orderId;
    expect((await c.initiate(body)).status).toBe(200);
    expect((await c.approve(orderId)).body.state).toBe('RESERVE');
    const cb = await waitFor(() => receiver.forOrder(orderId)[0], 5000, 'the Express callback');
    expect(cb.body).toMatchObject({
      merchantSerialNumber: '123456',
      orderId,
      transactionInfo: { status: 'RESERVE', amount: 49900 },
      shippingDetails: { shippingMethodId: 'pickup', shippingCost: 1, shippingMethod: 'Hent i butikk', address: { country: 'Norway', postCode: expect.stringMatching(/^\d{4}$/), zipCode: expect.stringMatching(/^\d{4}$/) } },
      userDetails: { mobileNumber: '91234567', firstName: expect.any(String), lastName: expect.any(String), email: expect.stringContaining('@'), userId: expect.stringMatching(/^[\w]+$/) },
    });
    const details = (await c.details(orderId)).body;
    expect(details.shippingDetails).toMatchObject({ shippingMethodId: 'pickup', address: { postCode: expect.stringMatching(/^\d{4}$/), country: 'Norway' } });
    expect(details.userDetails).toEqual(cb.body.userDetails);
  });

  it('fetched shipping: POST {shippingDetailsPrefix}/v2/payments/{orderId}/shippingDetails, then the callback with the choice', async () => {
    receiver.respond = (cb) => (cb.path.endsWith('/shippingDetails') ? { json: { addressId: cb.body.addressId, orderId: cb.body.orderId, shippingDetails: SHIPPING.map((s) => ({ ...s, isDefault: 'N' })) } } : {});
    const body = express({ shippingDetailsPrefix: receiver.url });
    const orderId = body.transaction.orderId;
    expect((await c.initiate(body)).status).toBe(200);
    await c.approve(orderId);
    await waitFor(() => receiver.forOrder(orderId)[0], 5000, 'the Express callback');
    const [fetch] = receiver.received.filter((r) => r.path === `/vipps/cb/v2/payments/${orderId}/shippingDetails`);
    expect(fetch.method).toBe('POST');
    expect(fetch.headers.authorization).toBe('callback-auth-token-123');
    expect(fetch.body).toMatchObject({ addressId: expect.any(Number), addressLine1: expect.any(String), city: expect.any(String), postCode: expect.stringMatching(/^\d{4}$/), country: 'NO' });
    // No default: the lowest priority wins.
    expect(receiver.forOrder(orderId)[0].body.shippingDetails.shippingMethodId).toBe('posten');
    // The sandbox records a call once it has the answer, a moment after the receiver saw it.
    await waitFor(() => callbacksOf(sandbox, orderId).length === 2, 5000, 'both calls recorded');
    const ops = callbacksOf(sandbox, orderId).map((e) => e.operation);
    expect(ops).toEqual([ECOM_OP.shippingDetails, ECOM_OP.callback]);
  });

  it('consent removal: DELETE {consentRemovalPrefix}/v2/consents/{userId}, from the sandbox control API', async () => {
    const body = express({ staticShippingDetails: SHIPPING });
    const orderId = body.transaction.orderId;
    await c.initiate(body);
    const early = await call(sandbox.url, 'POST', `/_sandbox/v1/ecom/payments/123456/${orderId}/remove-consent`, { body: {} });
    expect(early.status).toBe(409);
    await c.approve(orderId);
    const cb = await waitFor(() => receiver.forOrder(orderId)[0], 5000, 'the Express callback');
    const res = await call(sandbox.url, 'POST', `/_sandbox/v1/ecom/payments/123456/${orderId}/remove-consent`, { body: {} });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 200, exchangeId: expect.any(String) });
    const del = receiver.received.find((r) => r.method === 'DELETE');
    expect(del?.path).toBe(`/vipps/cb/v2/consents/${cb.body.userDetails.userId}`);
    expect(del?.headers.authorization).toBe('callback-auth-token-123');
    expect(callbacksOf(sandbox, orderId).find((e) => e.operation === ECOM_OP.consentRemoval)?.request.method).toBe('DELETE');
    expect((await call(sandbox.url, 'POST', `/_sandbox/v1/ecom/payments/123456/nope/remove-consent`, { body: {} })).status).toBe(404);
  });
});
