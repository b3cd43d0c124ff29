/**
 * The in-person step handlers (src/runner/steps/in-person.ts) against a fake control view: which
 * phone's inbox `customer.approve { via: app }` reads, the failure when no push reached it, the
 * consent it sends, and what `customer.scanQr` records and stores (without a browser: open: false).
 */
import { describe, expect, it } from 'vitest';
import type { Observation } from '../../src/checks/types.ts';
import type { PhoneInbox } from '../../src/contract/in-person.ts';
import { StepFailure, type FlowContext, type Order } from '../../src/runner/flow-context.ts';
import type { QrScanAnswer } from '../../src/runner/control.ts';
import { CUSTOMER_STEPS } from '../../src/runner/steps/customer.ts';
import { Redactor } from '../../src/traffic/redact.ts';

function fakeContext(o: { inbox?: PhoneInbox; scan?: QrScanAnswer; order?: Order }) {
  const observations: Observation[] = [];
  const calls: { what: string; args: unknown[] }[] = [];
  const orders = new Map<string, Order>(o.order ? [[o.order.reference, o.order]] : []);
  const ctx = {
    msn: '123456',
    scope: { phoneNumber: '4712345678' } as Record<string, unknown>,
    orders,
    current: o.order,
    hasBrowser: false,
    redactor: new Redactor(),
    config: { actionTimeoutMs: 1000 },
    now: () => 1,
    observe: (x: Observation) => observations.push(x),
    order(reference?: string) {
      if (reference) return orders.get(reference) ?? { reference, amount: 1 };
      if (!this.current) throw new StepFailure('no order yet');
      return this.current;
    },
    driver: { payment: async (reference: string) => ({ reference, state: 'CREATED', redirectUrl: orders.get(reference)?.redirectUrl }) },
    control: {
      phoneRequests: async (...args: unknown[]) => (calls.push({ what: 'phoneRequests', args }), o.inbox ?? { phoneNumber: String(args[0]), requests: [] }),
      scanQr: async (...args: unknown[]) => (calls.push({ what: 'scanQr', args }), o.scan!),
      customer: async (...args: unknown[]) => (calls.push({ what: 'customer', args }), {}),
    },
  };
  return { ctx: ctx as unknown as FlowContext, observations, calls, scope: ctx.scope };
}

const request = (reference: string) => ({
  msn: '123456',
  reference,
  state: 'CREATED',
  amount: { value: 100, currency: 'NOK' },
  merchantName: 'Taxi',
  scope: 'phoneNumber',
  landingUrl: `http://sandbox/landing?reference=${reference}&via=app`,
  receivedAt: 'now',
});
const approve = (ctx: FlowContext, a: Record<string, unknown>) => CUSTOMER_STEPS['customer.approve'](ctx, { redirect: true, via: 'app', ...a } as never, 'customer.approve');
const scan = (ctx: FlowContext, a: Record<string, unknown>) => CUSTOMER_STEPS['customer.scanQr'](ctx, { open: false, ...a } as never, 'customer.scanQr');

describe('customer.approve via app', () => {
  it('fails with the reason when no push for the payment reached the phone', async () => {
    const { ctx, calls } = fakeContext({ order: { reference: 'p1', amount: 100 }, inbox: { phoneNumber: '4712345678', requests: [request('other-1')] } });
    const err = await approve(ctx, {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StepFailure);
    expect((err as Error).message).toBe(
      "no push message for payment p1 reached phone 4712345678 (its inbox holds other-1): a PUSH_MESSAGE payment must name the customer's phone (customer.phoneNumber); a QR payment is reached by scanning it first (customer.scanQr: { payment: true })",
    );
    expect(calls.map((c) => c.what)).toEqual(['phoneRequests']);
  });

  it('answers from the phone it reached, with the consent, and records it (a decline as a refusal)', async () => {
    const { ctx, calls, observations } = fakeContext({ order: { reference: 'p1', amount: 100 }, inbox: { phoneNumber: '4712345678', requests: [request('p1')] } });
    await approve(ctx, { consent: 'decline' });
    expect(calls[0]).toEqual({ what: 'phoneRequests', args: ['4712345678'] });
    expect(calls[1]).toEqual({ what: 'customer', args: ['approve', '123456', 'p1', { phoneNumber: '4712345678', consent: 'decline' }] });
    expect(observations).toEqual([{ type: 'customer', at: 1, action: 'reject', reference: 'p1', redirect: false, via: 'app', consent: 'decline', phoneNumber: '4712345678' }]);
  });
});

describe('customer.scanQr', () => {
  it('a merchant-redirect code: its target becomes {{qrTarget}}, and the scan is recorded', async () => {
    const { ctx, calls, observations, scope } = fakeContext({ scan: { ok: true, scan: { kind: 'merchant-redirect', msn: '123456', id: 'taxi-1', redirectUrl: 'http://shop/bill/taxi-1' } } });
    scope.qrId = 'taxi-1';
    await scan(ctx, { as: 'seen' });
    expect(calls).toEqual([{ what: 'scanQr', args: [{ msn: '123456', id: 'taxi-1' }] }]);
    expect(scope.qrTarget).toBe('http://shop/bill/taxi-1');
    expect(scope.seen).toMatchObject({ kind: 'merchant-redirect', qrId: 'taxi-1', target: 'http://shop/bill/taxi-1' });
    expect(observations).toEqual([{ type: 'qr-scan', at: 1, kind: 'merchant-redirect', qrId: 'taxi-1', reference: undefined, target: 'http://shop/bill/taxi-1' }]);
  });

  it('a printed code that leads nowhere fails the step and is recorded for EP-QR-REDIRECT', async () => {
    const { ctx, observations } = fakeContext({ scan: { ok: false, status: 404, code: 'deleted-qr', error: 'deleted' } });
    await expect(scan(ctx, { qrId: 'taxi-1' })).rejects.toThrow(/the merchant-redirect QR taxi-1 leads nowhere when scanned \(deleted-qr: deleted\)/);
    expect(observations).toEqual([expect.objectContaining({ type: 'qr-scan', error: 'deleted-qr' })]);
  });

  it('the payment QR is the one the create answered; approving it later needs no push', async () => {
    const order = { reference: 'p1', amount: 100, redirectUrl: 'http://qr-image/p1' };
    const { ctx, calls } = fakeContext({ order, scan: { ok: true, scan: { kind: 'payment', msn: '123456', reference: 'p1', landingUrl: 'http://sandbox/landing?reference=p1' } } });
    await scan(ctx, { payment: true });
    expect(calls[0]).toEqual({ what: 'scanQr', args: [{ url: 'http://qr-image/p1' }] });
    await approve(ctx, {});
    expect(calls.map((c) => c.what)).toEqual(['scanQr', 'customer']);
  });

  it('no code to scan: says what is missing', async () => {
    const { ctx } = fakeContext({});
    await expect(scan(ctx, {})).rejects.toThrow(/give qrId, or run the merchantRedirectQr action first/);
  });
});
