import { describe, expect, it } from 'vitest';
import { ECOM_OP } from '../../src/contract/ecom.ts';
import { PSP_OP } from '../../src/contract/psp-api.ts';
import { deliveryTargetOf, deliveryTargets } from '../../src/traffic/delivery-targets.ts';
import type { Exchange } from '../../src/traffic/types.ts';

const call = (api: string, operation: string, body: unknown, status = 200, kind = 'api'): Exchange =>
  ({ seq: 1, id: 'x', kind, api, operation, startedAt: 1, durationMs: 1, request: { method: 'POST', url: '/', path: '/', headers: {}, body }, response: { status, headers: {} } }) as unknown as Exchange;

describe('the delivery URLs an integration gave Vipps', () => {
  it('reads each API call that names one, of its kind', () => {
    expect(deliveryTargetOf(call('webhooks', 'registerWebhook', { url: 'https://r.example/hooks', events: [] }, 201))).toMatchObject({ kind: 'webhooks', url: 'https://r.example/hooks' });
    expect(deliveryTargetOf(call('ecom-v2', ECOM_OP.initiate, { merchantInfo: { callbackPrefix: 'https://r.example/cb' } }))).toMatchObject({ kind: 'ecom-callbacks', url: 'https://r.example/cb' });
    expect(deliveryTargetOf(call('psp-v3', PSP_OP.v3.initiate, { makePaymentUrl: 'https://r.example/mp' }))).toMatchObject({ kind: 'psp-make-payments', url: 'https://r.example/mp', version: 'v3' });
    expect(deliveryTargetOf(call('psp-v2', PSP_OP.v2.initiate, { makePaymentUrl: 'https://r.example/mp2' }))).toMatchObject({ version: 'v2' });
    expect(deliveryTargetOf(call('epayment', 'createPayment', { cardPassthrough: { cardCallbackUrl: 'https://r.example/card' } }))).toMatchObject({ kind: 'card-callbacks', url: 'https://r.example/card' });
  });

  it('ignores a refused registration, calls naming no URL, and Vipps\'s own calls', () => {
    expect(deliveryTargetOf(call('webhooks', 'registerWebhook', { url: 'https://r.example/hooks' }, 400))).toBeUndefined();
    expect(deliveryTargetOf(call('epayment', 'createPayment', { reference: 'r' }))).toBeUndefined();
    expect(deliveryTargetOf(call('psp-v2', PSP_OP.v3.initiate, { makePaymentUrl: 'https://r.example/mp' }))).toBeUndefined();
    expect(deliveryTargetOf(call('webhooks', 'registerWebhook', { url: 'https://r.example/hooks' }, 201, 'webhook'))).toBeUndefined();
    const traffic = [call('webhooks', 'registerWebhook', { url: 'https://a' }, 201), call('ecom-v2', ECOM_OP.initiate, { merchantInfo: { callbackPrefix: 'https://b' } })];
    expect(deliveryTargets(traffic, 'webhooks').map((t) => t.url)).toEqual(['https://a']);
    expect(deliveryTargets(traffic).map((t) => t.kind)).toEqual(['webhooks', 'ecom-callbacks']);
  });
});
