import { afterEach, describe, expect, it } from 'vitest';
import { SandboxClock, type TaskHandle } from '../../src/sandbox/clock.ts';
import type { PublishedEvent } from '../../src/sandbox/events.ts';
import { DEFAULT_TEST_MERCHANT, MerchantRegistry, type MerchantInput } from '../../src/sandbox/merchants.ts';
import { ApiError } from '../../src/sandbox/problem.ts';
import { resolveSettings, type SandboxSettingsInput } from '../../src/sandbox/settings.ts';
import { IdempotencyStore, idempotencyScope } from '../../src/sandbox/shared/idempotency.ts';
import { DEFAULT_TEST_PHONE_NUMBER, EpaymentMachine, subForPhoneNumber, type MachineClock } from '../../src/sandbox/epayment/machine.ts';
import { PaymentDeclinedError, type Payment } from '../../src/sandbox/epayment/types.ts';
import { fingerprint, isAcceptableUrl, validateModification } from '../../src/sandbox/epayment/validation.ts';
import { paymentView } from '../../src/sandbox/epayment/views.ts';

/**
 * Unit tests of the ePayment state machine and its validation — no HTTP. Time comes from a
 * frozen SandboxClock that the tests advance.
 */

const MSN = DEFAULT_TEST_MERCHANT.msn;
const PSP_MERCHANT: MerchantInput = { msn: '223344', clientId: 'psp-client', clientSecret: 'psp-secret', subscriptionKeys: ['psp-key'], pspId: 'C948DFD1546347568874C4DDC93A2E3C' };
const STRICT_MERCHANT: MerchantInput = {
  msn: '334455',
  clientId: 'strict-client',
  clientSecret: 'strict-secret',
  subscriptionKeys: ['strict-key'],
  allowPushMessage: false,
  allowLongLiving: false,
  allowPartialCapture: false,
  allowedScopes: ['name'],
};
const DKK_MERCHANT: MerchantInput = { msn: '445566', clientId: 'dk-client', clientSecret: 'dk-secret', subscriptionKeys: ['dk-key'], currency: 'DKK' };

const disposers: (() => void)[] = [];
afterEach(() => disposers.splice(0).forEach((d) => d()));

function setup<C extends MachineClock = SandboxClock>(settings: SandboxSettingsInput = {}, clock: C = frozenClock() as unknown as C) {
  const merchants = new MerchantRegistry([DEFAULT_TEST_MERCHANT, PSP_MERCHANT, STRICT_MERCHANT, DKK_MERCHANT]);
  const resolved = resolveSettings(settings);
  const published: PublishedEvent[] = [];
  const machine = new EpaymentMachine({
    clock,
    settings: resolved,
    merchant: (msn) => merchants.byMerchantSerialNumber(msn),
    publicUrl: () => 'http://127.0.0.1:4999',
    publish: (e) => published.push(e),
  });
  const m = (msn = MSN) => merchants.byMerchantSerialNumber(msn)!;
  return { machine, clock, published, merchant: m, settings: resolved };
}

function frozenClock(): SandboxClock {
  const clock = new SandboxClock();
  clock.freeze();
  disposers.push(() => clock.dispose());
  return clock;
}

/** A clock whose scheduled tasks never run: proves expiry also happens lazily on reads. */
function lazyOnlyClock(start = Date.UTC(2026, 0, 1)) {
  let now = start;
  return {
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
    scheduleAt: (): TaskHandle => ({ cancel() {} }),
  };
}

let refSeq = 0;
const newRef = (prefix = 'unit') => `${prefix}-${Date.now().toString(36)}-${++refSeq}`;

function body(overrides: Record<string, unknown> = {}) {
  return {
    amount: { currency: 'NOK', value: 1000 },
    paymentMethod: { type: 'WALLET' },
    reference: newRef(),
    userFlow: 'WEB_REDIRECT',
    returnUrl: 'https://example.com/return?order=1',
    paymentDescription: 'Unit test order',
    ...overrides,
  };
}

const RECEIPT = {
  orderLines: [{ name: 'socks', id: 'line-1', totalAmount: 1000, totalAmountExcludingTax: 800, totalTaxAmount: 200, taxRate: 2500 }],
  bottomLine: { currency: 'NOK' },
};

/** The ApiError a call throws (fails the test when it does not throw one). */
function errorOf(fn: () => unknown): { status: number; code?: number; title: string; detail?: string; extra: { name: string; reason: string }[] } {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    const p = err.problem;
    return { status: p.status, code: p.code === undefined ? undefined : Number(p.code), title: p.title, detail: p.detail, extra: p.extraDetails ?? [] };
  }
  throw new Error('expected an ApiError, but the call succeeded');
}

/** The documented aggregate invariants (vipps-facts §2.9). */
function expectInvariants(p: Payment) {
  const a = p.aggregate;
  const [U, C, R, X] = [a.authorizedAmount.value, a.capturedAmount.value, a.refundedAmount.value, a.cancelledAmount.value];
  for (const amount of [a.authorizedAmount, a.capturedAmount, a.refundedAmount, a.cancelledAmount]) expect(amount.currency).toBe(p.amount.currency);
  expect(R).toBeLessThanOrEqual(C);
  if (p.state === 'AUTHORIZED') {
    expect(U).toBe(p.amount.value);
    expect(C + X).toBeLessThanOrEqual(U);
  } else {
    expect(U).toBe(0);
    expect(C).toBe(0);
    expect(R).toBe(0);
    expect(X).toBe(p.state === 'TERMINATED' ? p.amount.value : 0);
  }
}

function authorized(t: ReturnType<typeof setup>, overrides: Record<string, unknown> = {}, msn = MSN) {
  const p = t.machine.create(t.merchant(msn), body({ ...(msn === '445566' ? { amount: { currency: 'DKK', value: 1000 } } : {}), ...overrides }), { idempotencyKey: 'create-key' });
  t.machine.approve(msn, p.reference, { source: 'force-approve' });
  return p;
}

const capture = (t: ReturnType<typeof setup>, p: Payment, value: number, key = `cap-${value}-${Math.random()}`) =>
  t.machine.capture(p.msn, p.reference, { modificationAmount: { currency: p.amount.currency, value } }, { idempotencyKey: key });
const refund = (t: ReturnType<typeof setup>, p: Payment, value: number, key = `ref-${value}-${Math.random()}`) =>
  t.machine.refund(p.msn, p.reference, { modificationAmount: { currency: p.amount.currency, value } }, { idempotencyKey: key });
const cancel = (t: ReturnType<typeof setup>, p: Payment, b?: unknown, key = `can-${Math.random()}`) => t.machine.cancel(p.msn, p.reference, b, { idempotencyKey: key });

describe('ePayment state machine: create', () => {
  it('creates a CREATED payment with a CREATED event carrying the create key and the payment pspReference', () => {
    const t = setup();
    const b = body({ metadata: { orderId: '42' } });
    const p = t.machine.create(t.merchant(), b, { idempotencyKey: 'k-create' });
    expect(p.state).toBe('CREATED');
    expect(p.amount).toEqual({ currency: 'NOK', value: 1000 });
    expectInvariants(p);
    expect(p.events).toHaveLength(1);
    expect(p.events[0]).toMatchObject({ name: 'CREATED', reference: b.reference, pspReference: p.pspReference, idempotencyKey: 'k-create', success: true, amount: { currency: 'NOK', value: 1000 } });
    expect(p.events[0].timestamp).toBe(new Date(t.clock.now()).toISOString());
    expect(p.expiresAt).toBe(t.clock.now() + 10 * 60_000);
    expect(p.createRequest).toBe(b);
    expect(t.machine.get(MSN, b.reference)).toBe(p);
    expect(t.machine.byLandingToken(p.landingToken)).toBe(p);
    expect(t.published).toHaveLength(1);
    expect(t.published[0]).toEqual({
      eventType: 'epayments.payment.created.v1',
      msn: MSN,
      reference: b.reference,
      amount: 1000,
      payload: { msn: MSN, reference: b.reference, pspReference: p.pspReference, name: 'CREATED', amount: { currency: 'NOK', value: 1000 }, timestamp: p.events[0].timestamp, idempotencyKey: 'k-create', success: true },
    });
  });

  it('builds redirectUrl per userFlow with the landing token', () => {
    const t = setup();
    const web = t.machine.create(t.merchant(), body(), {});
    expect(web.redirectUrl).toBe(`http://127.0.0.1:4999/landing?token=${web.landingToken}`);
    expect(web.landingToken).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    const native = t.machine.create(t.merchant(), body({ userFlow: 'NATIVE_REDIRECT' }), {});
    expect(native.redirectUrl).toBe(`vippsMT://?token=${native.landingToken}`);
    const push = t.machine.create(t.merchant(), body({ userFlow: 'PUSH_MESSAGE', customer: { phoneNumber: '4791234567' } }), {});
    expect(push.redirectUrl).toBeUndefined();
    const qr = t.machine.create(t.merchant(), body({ userFlow: 'QR' }), {});
    expect(qr.redirectUrl).toBe(`http://127.0.0.1:4999/qr-image/v1?token=${qr.landingToken}`);
    expect(qr.qrFormat).toEqual({ format: 'IMAGE/SVG+XML' });
    const png = t.machine.create(t.merchant(), body({ userFlow: 'QR', qrFormat: { format: 'IMAGE/PNG', size: 300 } }), {});
    expect(png.redirectUrl).toBe(`http://127.0.0.1:4999/qr-image/v1?token=${png.landingToken}&format=png&size=300`);
    const pngDefault = t.machine.create(t.merchant(), body({ userFlow: 'QR', qrFormat: { format: 'IMAGE/PNG' } }), {});
    expect(pngDefault.redirectUrl).toMatch(/&format=png&size=1024$/);
    const text = t.machine.create(t.merchant(), body({ userFlow: 'QR', qrFormat: { format: 'TEXT/TARGETURL' } }), {});
    expect(text.redirectUrl).toBe(`http://127.0.0.1:4999/landing?token=${text.landingToken}`);
    expect(new Set([web, native, push, qr, png, text].map((p) => p.landingToken)).size).toBe(6);
  });

  it('refuses a reference already used by the same MSN (4150, 409) but not by another MSN', () => {
    const t = setup();
    const b = body();
    t.machine.create(t.merchant(), b, {});
    const e = errorOf(() => t.machine.create(t.merchant(), { ...b, amount: { currency: 'NOK', value: 2000 } }, {}));
    expect(e).toMatchObject({ status: 409, code: 4150, title: 'Reference exists' });
    const other = t.machine.create(t.merchant('445566'), { ...b, amount: { currency: 'DKK', value: 1000 } }, {});
    expect(other.msn).toBe('445566');
    expect(t.machine.get(MSN, b.reference)!.amount.value).toBe(1000);
  });

  it('uses the expire-after override and expiresAt for the expiry time', () => {
    const t = setup();
    const p = t.machine.create(t.merchant(), body(), { expireAfterMs: (input) => (input.amount.value === 1000 ? 5000 : undefined) });
    expect(p.expiresAt).toBe(t.clock.now() + 5000);
    const at = new Date(t.clock.now() + 2 * 24 * 3600_000).toISOString();
    const long = t.machine.create(t.merchant(), body({ userFlow: 'PUSH_MESSAGE', customer: { phoneNumber: '4791234567' }, expiresAt: at, receipt: RECEIPT }), {});
    expect(long.expiresAt).toBe(Date.parse(at));
  });

  it('stores card passthrough details from a PSP with the Psp-Id header', () => {
    const t = setup();
    const cardPassthrough = { pspReference: 'psp-ref-1', cardCallbackUrl: 'https://psp.example/callback', allowedCardTypes: ['VISA_DEBIT'] };
    const p = t.machine.create(t.merchant('223344'), body({ paymentMethod: { type: 'CARD_PASSTHROUGH' }, cardPassthrough }), { pspId: 'C948DFD1546347568874C4DDC93A2E3C' });
    expect(p.paymentMethodType).toBe('CARD_PASSTHROUGH');
    expect(p.cardPassthrough).toEqual(cardPassthrough);
    expect(p.pspId).toBe('C948DFD1546347568874C4DDC93A2E3C');
  });
});

describe('ePayment state machine: customer actions', () => {
  it('approve → AUTHORIZED with U = amount, an AUTHORIZED event without key, and profile.sub only with a scope', () => {
    const t = setup();
    const plain = t.machine.create(t.merchant(), body(), { idempotencyKey: 'k' });
    t.machine.approve(MSN, plain.reference);
    expect(plain.state).toBe('AUTHORIZED');
    expect(plain.aggregate.authorizedAmount.value).toBe(1000);
    expect(plain.sub).toBeUndefined();
    expect(paymentView(plain).profile).toEqual({});
    expect(plain.events.map((e) => e.name)).toEqual(['CREATED', 'AUTHORIZED']);
    expect(plain.events[1].idempotencyKey).toBeNull();
    expect(plain.events[1].pspReference).not.toBe(plain.pspReference);
    expect(plain.approvedBy).toBe('control');
    expect(plain.approvedPhoneNumber).toBe(DEFAULT_TEST_PHONE_NUMBER);
    expectInvariants(plain);

    const scoped = t.machine.create(t.merchant(), body({ profile: { scope: 'name phoneNumber' } }), {});
    expect(paymentView(scoped).profile).toEqual({});
    t.machine.approve(MSN, scoped.reference, { source: 'landing', phoneNumber: '4798765432' });
    expect(scoped.sub).toBe(subForPhoneNumber('4798765432'));
    expect(paymentView(scoped).profile).toEqual({ sub: scoped.sub });
    expect(scoped.sub).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);

    const pushed = t.machine.create(t.merchant(), body({ userFlow: 'PUSH_MESSAGE', customer: { phoneNumber: '4798765432' }, profile: { scope: 'name' } }), {});
    t.machine.approve(MSN, pushed.reference);
    expect(pushed.sub).toBe(scoped.sub); // same person, same sub
    const defaulted = t.machine.create(t.merchant(), body({ profile: { scope: 'email' } }), {});
    t.machine.approve(MSN, defaulted.reference);
    expect(defaulted.sub).toBe(subForPhoneNumber('4712345678'));
    expect(defaulted.sub).not.toBe(scoped.sub);
  });

  it('reject → ABORTED; final: no approve (10020), capture (6200), cancel (6050), refund (6210)', () => {
    const t = setup();
    const p = t.machine.create(t.merchant(), body(), {});
    t.machine.reject(MSN, p.reference);
    expect(p.state).toBe('ABORTED');
    expect(p.events.map((e) => [e.name, e.idempotencyKey])).toEqual([
      ['CREATED', null],
      ['ABORTED', null],
    ]);
    expectInvariants(p);
    expect(errorOf(() => t.machine.approve(MSN, p.reference))).toMatchObject({ status: 400, code: 10020 });
    expect(errorOf(() => capture(t, p, 100))).toMatchObject({ status: 400, code: 6200 });
    expect(errorOf(() => cancel(t, p))).toMatchObject({ status: 400, code: 6050 });
    expect(errorOf(() => refund(t, p, 100))).toMatchObject({ status: 400, code: 6210 });
    expect(errorOf(() => t.machine.reject(MSN, p.reference))).toMatchObject({ status: 409, title: 'Payment is not CREATED' });
    expect(t.published.map((e) => e.eventType)).toEqual(['epayments.payment.created.v1', 'epayments.payment.aborted.v1']);
  });

  it('expires when the clock passes expiresAt (scheduled task), with the EXPIRED event at expiresAt', () => {
    const t = setup();
    const p = t.machine.create(t.merchant(), body(), {});
    const other = t.machine.create(t.merchant(), body(), { expireAfterMs: () => 60_000 });
    t.clock.advance(60_000 - 1);
    expect(other.state).toBe('CREATED');
    t.clock.advance(1);
    expect(other.state).toBe('EXPIRED'); // without any read: the clock task ran
    expect(p.state).toBe('CREATED');
    t.clock.advance(9 * 60_000);
    expect(p.state).toBe('EXPIRED');
    expect(p.events.at(-1)).toMatchObject({ name: 'EXPIRED', idempotencyKey: null, timestamp: new Date(p.expiresAt).toISOString() });
    expect(t.published.filter((e) => e.eventType === 'epayments.payment.expired.v1').map((e) => e.reference)).toEqual([other.reference, p.reference]);
    expect(errorOf(() => t.machine.approve(MSN, p.reference))).toMatchObject({ code: 10020 });
    expect(errorOf(() => capture(t, p, 100))).toMatchObject({ code: 6200 });
    expect(errorOf(() => cancel(t, p))).toMatchObject({ code: 6050 });
    expectInvariants(p);
  });

  it('expires lazily on every read even when no clock task has run', () => {
    const clock = lazyOnlyClock();
    const t = setup({}, clock);
    const p = t.machine.create(t.merchant(), body(), {});
    clock.advance(10 * 60_000);
    expect(t.machine.get(MSN, p.reference)!.state).toBe('EXPIRED');
    expect(p.events.map((e) => e.name)).toEqual(['CREATED', 'EXPIRED']);
    const q = t.machine.create(t.merchant(), body(), {});
    clock.advance(10 * 60_000);
    expect(t.machine.list({ state: 'CREATED' })).toEqual([]);
    expect(q.state).toBe('EXPIRED');
    const r = t.machine.create(t.merchant(), body(), {});
    clock.advance(10 * 60_000);
    expect(errorOf(() => t.machine.approve(MSN, r.reference, { source: 'force-approve' }))).toMatchObject({ code: 10020 });
    expect(r.state).toBe('EXPIRED');
  });

  it('expire() and failAttempt() from the control side', () => {
    const t = setup();
    const p = t.machine.create(t.merchant(), body(), {});
    t.machine.failAttempt(MSN, p.reference, 'card declined by test');
    expect(p.failedAttempts).toEqual([{ at: t.clock.now(), reason: 'card declined by test' }]);
    expect(p.state).toBe('CREATED');
    t.machine.expire(MSN, p.reference);
    expect(p.state).toBe('EXPIRED');
    expect(errorOf(() => t.machine.failAttempt(MSN, p.reference, 'x'))).toMatchObject({ status: 409 });
    expect(errorOf(() => t.machine.expire(MSN, p.reference))).toMatchObject({ status: 409 });
    expect(errorOf(() => t.machine.reject(MSN, 'no-such-reference'))).toMatchObject({ status: 404, code: 5090 });
  });

  it('magic amounts decline customer approval (payment stays CREATED) but not force approve', () => {
    const t = setup();
    const declines: [number, string][] = [
      [151, 'Insufficient funds'],
      [182, 'Refused by issuer'],
      [183, 'Suspected fraud'],
      [184, 'Withdrawal limit exceeded'],
      [186, 'Expired card'],
      [187, 'Invalid card'],
      [197, '3-D Secure denied'],
      [202, 'SCA required'],
    ];
    for (const [amount, reason] of declines) {
      const p = t.machine.create(t.merchant(), body({ amount: { currency: 'NOK', value: amount } }), {});
      for (const source of ['landing', 'control'] as const) {
        let thrown: unknown;
        try {
          t.machine.approve(MSN, p.reference, { source });
        } catch (err) {
          thrown = err;
        }
        expect(thrown).toBeInstanceOf(PaymentDeclinedError);
        const d = thrown as PaymentDeclinedError;
        expect([d.outcome, d.reason, d.magicAmount, d.payment]).toEqual(['declined', reason, amount, p]);
        expect(d.problem).toMatchObject({ status: 402, title: 'Payment declined', code: amount });
      }
      expect(p.state).toBe('CREATED');
      expect(p.failedAttempts.map((f) => f.reason)).toEqual([`${amount} ${reason}`, `${amount} ${reason}`]);
      expect(p.events.map((e) => e.name)).toEqual(['CREATED']);
      t.machine.approve(MSN, p.reference, { source: 'force-approve' });
      expect(p.state).toBe('AUTHORIZED');
    }
    const unknown = t.machine.create(t.merchant(), body({ amount: { currency: 'NOK', value: 201 } }), {});
    const e = (() => {
      try {
        t.machine.approve(MSN, unknown.reference, { source: 'landing' });
      } catch (err) {
        return err as PaymentDeclinedError;
      }
    })();
    expect(e?.outcome).toBe('unknown');
    expect(unknown.state).toBe('CREATED');
    expect(t.machine.forceApprove(MSN, unknown.reference, { token: unknown.landingToken }).state).toBe('AUTHORIZED');
    // 197 and 202 are Norway-only
    const dk = t.machine.create(t.merchant('445566'), body({ amount: { currency: 'DKK', value: 197 } }), {});
    expect(t.machine.approve('445566', dk.reference, { source: 'landing' }).state).toBe('AUTHORIZED');
    const dkDecline = t.machine.create(t.merchant('445566'), body({ amount: { currency: 'DKK', value: 151 } }), {});
    expect(() => t.machine.approve('445566', dkDecline.reference, { source: 'landing' })).toThrow(PaymentDeclinedError);
  });
});

describe('ePayment state machine: capture, refund, cancel', () => {
  it('payments share amounts (issue #17) without one payment or event seeing another\'s changes', () => {
    const t = setup();
    const a = authorized(t, { reference: 'shared-amounts-a' });
    const b = authorized(t, { reference: 'shared-amounts-b' });
    const c = t.machine.create(t.merchant(), body({ reference: 'shared-amounts-c' }), {});
    capture(t, a, 400);
    capture(t, a, 600);
    refund(t, a, 250);
    expect(a.aggregate).toMatchObject({ capturedAmount: { value: 1000 }, refundedAmount: { value: 250 }, cancelledAmount: { value: 0 } });
    // Amounts are replaced, never changed in place: the others' zeros and the earlier events keep their values.
    expect(b.aggregate).toEqual({ authorizedAmount: { currency: 'NOK', value: 1000 }, cancelledAmount: { currency: 'NOK', value: 0 }, capturedAmount: { currency: 'NOK', value: 0 }, refundedAmount: { currency: 'NOK', value: 0 } });
    expect(c.aggregate.authorizedAmount.value).toBe(0);
    expect(a.events.map((e) => [e.name, e.amount.value])).toEqual([['CREATED', 1000], ['AUTHORIZED', 1000], ['CAPTURED', 400], ['CAPTURED', 600], ['REFUNDED', 250]]);
    expect(Object.isFrozen(a.aggregate.capturedAmount) && Object.isFrozen(c.aggregate.refundedAmount) && Object.isFrozen(a.amount)).toBe(true);
    cancel(t, c);
    expect(c.aggregate.cancelledAmount.value).toBe(1000);
    expect(b.aggregate.cancelledAmount.value).toBe(0);
    [a, b, c].forEach(expectInvariants);
  });

  it('untouched payments share one frozen aggregate and empty attempt list; a change replaces them for that payment only', () => {
    const t = setup();
    const a = t.machine.create(t.merchant(), body({ reference: 'shared-aggregate-a', amount: { currency: 'NOK', value: 151 } }), {});
    const b = t.machine.create(t.merchant(), body({ reference: 'shared-aggregate-b' }), {});
    const c = t.machine.create(t.merchant(), body({ reference: 'shared-aggregate-c' }), {});
    expect(a.aggregate).toBe(b.aggregate);
    expect(a.failedAttempts).toBe(b.failedAttempts);
    expect(Object.isFrozen(a.aggregate) && Object.isFrozen(a.failedAttempts)).toBe(true);
    // A plain web payment holds no slots for the optional fields it did not send.
    for (const absent of ['customer', 'metadata', 'receipt', 'cardPassthrough', 'card', 'qrFormat', 'profileScope', 'sub'] as const) expect(absent in b).toBe(false);

    expect(() => t.machine.approve(MSN, a.reference, { source: 'landing' })).toThrow(PaymentDeclinedError); // 151: declined
    expect(a.failedAttempts).toHaveLength(1);
    expect(b.failedAttempts).toHaveLength(0);
    t.machine.approve(MSN, b.reference);
    expect(b.aggregate.authorizedAmount.value).toBe(1000);
    expect(Object.isFrozen(b.aggregate)).toBe(true);
    expect(a.aggregate).toBe(c.aggregate);
    expect(c.aggregate.authorizedAmount.value).toBe(0);
    cancel(t, c);
    expect(c.aggregate.cancelledAmount.value).toBe(1000);
    expect(a.aggregate.cancelledAmount.value).toBe(0);
    [a, b, c].forEach(expectInvariants);
  });

  it('the kept create request shares the parts every request repeats, and still reads as it arrived', () => {
    const t = setup();
    const sent = [body({ reference: 'share-parts-a' }), body({ reference: 'share-parts-b' })];
    const texts = sent.map((b) => JSON.stringify(b));
    const [a, b] = sent.map((request) => t.machine.create(t.merchant(), request, {}));
    expect(a.createRequest.amount).toBe(a.amount);
    expect(a.createRequest.paymentMethod).toBe(b.createRequest.paymentMethod);
    expect(Object.isFrozen(a.createRequest.paymentMethod)).toBe(true);
    expect([a, b].map((p) => JSON.stringify(p.createRequest))).toEqual(texts);
    // Not exactly the shared shape (other key order, an extra key): kept as sent.
    const odd = body({ reference: 'share-parts-c', amount: { value: 1000, currency: 'NOK' }, paymentMethod: { type: 'WALLET', note: 'x' } });
    const oddText = JSON.stringify(odd);
    const c = t.machine.create(t.merchant(), odd, {});
    expect(c.createRequest.amount).not.toBe(c.amount);
    expect(c.createRequest.paymentMethod).not.toBe(a.createRequest.paymentMethod);
    expect(JSON.stringify(c.createRequest)).toBe(oddText);
    // Capturing moves the aggregate, never the shared amount the request points at.
    t.machine.approve(MSN, a.reference);
    capture(t, a, 400);
    expect(b.createRequest.amount).toEqual({ currency: 'NOK', value: 1000 });
    expect(a.createRequest.amount).toEqual({ currency: 'NOK', value: 1000 });
  });

  it('capture before authorization is 6080; cancel while CREATED terminates with X = amount', () => {
    const t = setup();
    const p = t.machine.create(t.merchant(), body(), {});
    expect(errorOf(() => capture(t, p, 100))).toMatchObject({ status: 400, code: 6080, title: 'Cannot capture before reservation' });
    expect(errorOf(() => refund(t, p, 100))).toMatchObject({ status: 400, code: 6020 });
    cancel(t, p, undefined, 'cancel-key');
    expect(p.state).toBe('TERMINATED');
    expect(p.aggregate.cancelledAmount.value).toBe(1000);
    expect(p.aggregate.authorizedAmount.value).toBe(0);
    expectInvariants(p);
    expect(p.events.at(-1)).toMatchObject({ name: 'TERMINATED', idempotencyKey: 'cancel-key', amount: { value: 1000 } });
    expect(t.published.at(-1)!.eventType).toBe('epayments.payment.terminated.v1');
    expect(errorOf(() => cancel(t, p))).toMatchObject({ code: 6190 });
    expect(errorOf(() => capture(t, p, 100))).toMatchObject({ code: 6070 });
    expect(errorOf(() => refund(t, p, 100))).toMatchObject({ code: 6210 });
    expect(errorOf(() => t.machine.approve(MSN, p.reference))).toMatchObject({ code: 10020 });
  });

  it('cancelTransactionOnly terminates a CREATED payment but refuses an authorized one (6060, nothing released)', () => {
    const t = setup();
    const p = t.machine.create(t.merchant(), body(), {});
    cancel(t, p, { cancelTransactionOnly: true });
    expect(p.state).toBe('TERMINATED');
    const q = authorized(t);
    expect(errorOf(() => cancel(t, q, { cancelTransactionOnly: true }))).toMatchObject({ status: 400, code: 6060 });
    expect(q.aggregate.cancelledAmount.value).toBe(0);
    expect(errorOf(() => cancel(t, q, { cancelTransactionOnly: 'yes' }))).toMatchObject({ status: 400, code: undefined, extra: [{ name: 'cancelTransactionOnly' }] });
    cancel(t, q, { cancelTransactionOnly: false });
    expect(q.aggregate.cancelledAmount.value).toBe(1000);
  });

  it('multiple partial captures accumulate up to U; then 6170; beyond the remainder 6090', () => {
    const t = setup();
    const p = authorized(t);
    capture(t, p, 300, 'c1');
    capture(t, p, 300, 'c2');
    expectInvariants(p);
    expect(errorOf(() => capture(t, p, 401))).toMatchObject({ status: 400, code: 6090, extra: [{ name: 'modificationAmount.value' }] });
    capture(t, p, 400, 'c3');
    expect(p.aggregate.capturedAmount.value).toBe(1000);
    expect(errorOf(() => capture(t, p, 1))).toMatchObject({ code: 6170 });
    expect(p.events.filter((e) => e.name === 'CAPTURED').map((e) => [e.amount.value, e.idempotencyKey])).toEqual([
      [300, 'c1'],
      [300, 'c2'],
      [400, 'c3'],
    ]);
    expect(new Set(p.events.map((e) => e.pspReference)).size).toBe(p.events.length);
    expect(p.state).toBe('AUTHORIZED');
    expectInvariants(p);
    expect(errorOf(() => cancel(t, p))).toMatchObject({ status: 400, code: 6040 });
  });

  it('partial capture then cancel releases the rest; no capture afterwards (6070), refunds still possible', () => {
    const t = setup();
    const p = authorized(t);
    capture(t, p, 250);
    cancel(t, p, undefined, 'cx');
    expect(p.aggregate).toMatchObject({ authorizedAmount: { value: 1000 }, capturedAmount: { value: 250 }, cancelledAmount: { value: 750 }, refundedAmount: { value: 0 } });
    expect(p.state).toBe('AUTHORIZED');
    expect(p.events.at(-1)).toMatchObject({ name: 'CANCELLED', amount: { value: 750 }, idempotencyKey: 'cx' });
    expect(t.published.at(-1)!.eventType).toBe('epayments.payment.cancelled.v1');
    expectInvariants(p);
    expect(errorOf(() => capture(t, p, 100))).toMatchObject({ code: 6070 });
    expect(errorOf(() => cancel(t, p))).toMatchObject({ code: 6190 });
    refund(t, p, 250);
    expect(p.aggregate.refundedAmount.value).toBe(250);
    expectInvariants(p);
  });

  it('cancel without capture releases everything', () => {
    const t = setup();
    const p = authorized(t);
    cancel(t, p);
    expect(p.aggregate.cancelledAmount.value).toBe(1000);
    expect(errorOf(() => capture(t, p, 1000))).toMatchObject({ code: 6070 });
    expect(errorOf(() => refund(t, p, 1))).toMatchObject({ code: 6020 });
  });

  it('refunds: 6020 before capture, partial refunds accumulate, 6150 beyond captured, 6180 when fully refunded', () => {
    const t = setup();
    const p = authorized(t);
    expect(errorOf(() => refund(t, p, 100))).toMatchObject({ status: 400, code: 6020, title: 'Attempted refund before reservation' });
    capture(t, p, 600);
    refund(t, p, 200, 'r1');
    refund(t, p, 100, 'r2');
    expect(errorOf(() => refund(t, p, 301))).toMatchObject({ code: 6150 });
    refund(t, p, 300, 'r3');
    expect(p.aggregate.refundedAmount.value).toBe(600);
    expect(errorOf(() => refund(t, p, 1))).toMatchObject({ code: 6180 });
    expect(p.events.filter((e) => e.name === 'REFUNDED').map((e) => e.amount.value)).toEqual([200, 100, 300]);
    expect(t.published.filter((e) => e.eventType === 'epayments.payment.refunded.v1')).toHaveLength(3);
    expectInvariants(p);
    // more capture after refunds is still allowed up to U
    capture(t, p, 400);
    refund(t, p, 400);
    expectInvariants(p);
  });

  it('refund magic: 123 → 5100, 124 → 6220 (refund amount or payment amount)', () => {
    const t = setup();
    const p = authorized(t);
    capture(t, p, 1000);
    expect(errorOf(() => refund(t, p, 123))).toMatchObject({ status: 400, code: 5100, title: 'Refund not possible' });
    expect(errorOf(() => refund(t, p, 124))).toMatchObject({ status: 400, code: 6220, title: 'Refund period expired' });
    expect(p.aggregate.refundedAmount.value).toBe(0);
    refund(t, p, 122);
    const small = authorized(t, { amount: { currency: 'NOK', value: 123 } });
    capture(t, small, 123);
    expect(errorOf(() => refund(t, small, 50))).toMatchObject({ code: 5100 });
  });

  it('6140 when the sales unit refuses partial capture; the full amount works', () => {
    const t = setup();
    const p = authorized(t, {}, '334455');
    expect(errorOf(() => capture(t, p, 500))).toMatchObject({ status: 400, code: 6140 });
    capture(t, p, 1000);
    expect(p.aggregate.capturedAmount.value).toBe(1000);
  });

  it('capture/cancel deadline 180 days in Norway (6100/6030), 14 in Denmark; refunds 365 days (6220)', () => {
    const t = setup();
    const day = 24 * 3600_000;
    const p = authorized(t);
    const q = authorized(t);
    capture(t, q, 500);
    const dk = authorized(t, {}, '445566');
    t.clock.advance(14 * day);
    expect(errorOf(() => capture(t, dk, 100))).toMatchObject({ code: 6100 });
    expect(errorOf(() => cancel(t, dk))).toMatchObject({ code: 6030 });
    capture(t, p, 100);
    t.clock.advance(166 * day);
    expect(errorOf(() => capture(t, p, 100))).toMatchObject({ code: 6100, title: 'Capture period expired' });
    expect(errorOf(() => cancel(t, p))).toMatchObject({ code: 6030, title: 'Cancel period expired' });
    refund(t, q, 100);
    t.clock.advance(185 * day);
    expect(errorOf(() => refund(t, q, 100))).toMatchObject({ code: 6220 });
  });

  it('unknown references and other MSNs get 5090 (404)', () => {
    const t = setup();
    const p = authorized(t);
    for (const fn of [
      () => capture(t, { ...p, msn: '445566' }, 100),
      () => refund(t, { ...p, reference: 'missing-ref-1' }, 100),
      () => cancel(t, { ...p, reference: 'missing-ref-1' }),
      () => t.machine.events('445566', p.reference),
      () => t.machine.forceApprove(MSN, 'missing-ref-1', {}),
      () => t.machine.approve(MSN, 'missing-ref-1'),
    ])
      expect(errorOf(fn)).toMatchObject({ status: 404, code: 5090, title: 'Reference not found' });
    expect(t.machine.get('445566', p.reference)).toBeUndefined();
  });

  it('modification bodies: shape errors → 400 without code, 4040 for decimals, 6010 for zero', () => {
    const t = setup();
    const p = authorized(t);
    expect(errorOf(() => t.machine.capture(MSN, p.reference, undefined))).toMatchObject({ status: 400, code: undefined, detail: 'One or more validation errors occurred.', extra: [{ name: 'modificationAmount' }] });
    expect(errorOf(() => t.machine.capture(MSN, p.reference, { modificationAmount: { currency: 'NOK', value: '100' } })).extra[0].name).toBe('modificationAmount.value');
    expect(errorOf(() => t.machine.capture(MSN, p.reference, { modificationAmount: { currency: 'DKK', value: 100 } })).extra[0].name).toBe('modificationAmount.currency');
    expect(errorOf(() => t.machine.capture(MSN, p.reference, { modificationAmount: { currency: 'NOK', value: 10.5 } }))).toMatchObject({ code: 4040 });
    expect(errorOf(() => t.machine.capture(MSN, p.reference, { modificationAmount: { currency: 'NOK', value: -1 } }))).toMatchObject({ code: 4040 });
    expect(errorOf(() => t.machine.refund(MSN, p.reference, { modificationAmount: { currency: 'NOK', value: 0 } }))).toMatchObject({ code: 6010 });
    expect(() => validateModification({ modificationAmount: { currency: 'NOK', value: 5 } }, 'NOK')).not.toThrow();
    expect(p.aggregate.capturedAmount.value).toBe(0);
  });
});

describe('ePayment state machine: force approve', () => {
  it('approves with the redirect token, with the customer, or for a payment that names its customer', () => {
    const t = setup();
    const a = t.machine.create(t.merchant(), body(), {});
    t.machine.forceApprove(MSN, a.reference, { token: a.landingToken });
    expect(a).toMatchObject({ state: 'AUTHORIZED', approvedBy: 'force-approve', approvedPhoneNumber: DEFAULT_TEST_PHONE_NUMBER });
    const b = t.machine.create(t.merchant(), body({ profile: { scope: 'name' } }), {});
    t.machine.forceApprove(MSN, b.reference, { customer: { phoneNumber: '4791234567' } });
    expect(b.sub).toBe(subForPhoneNumber('4791234567'));
    const c = t.machine.create(t.merchant(), body({ userFlow: 'PUSH_MESSAGE', customer: { phoneNumber: '4791234568' } }), {});
    t.machine.forceApprove(MSN, c.reference, undefined);
    expect(c.approvedPhoneNumber).toBe('4791234568');
    expect(c.events.at(-1)).toMatchObject({ name: 'AUTHORIZED', idempotencyKey: null });
  });

  it('errors: 10010 wrong token / other customer, 10020 not CREATED, 10030 nobody identified, 10040 CARD, 10060 Express, 4070 bad phone', () => {
    const t = setup();
    const p = t.machine.create(t.merchant(), body(), {});
    expect(errorOf(() => t.machine.forceApprove(MSN, p.reference, { token: 'not-the-token' }))).toMatchObject({ status: 400, code: 10010 });
    expect(errorOf(() => t.machine.forceApprove(MSN, p.reference, {}))).toMatchObject({ code: 10030, title: 'Identification required' });
    expect(errorOf(() => t.machine.forceApprove(MSN, p.reference, { customer: { phoneNumber: '12' } }))).toMatchObject({ code: 4070 });
    expect(errorOf(() => t.machine.forceApprove(MSN, p.reference, { customer: { phoneNumber: '4791234567', personalQr: 'x' } }))).toMatchObject({ status: 400, code: undefined });
    expect(errorOf(() => t.machine.forceApprove(MSN, p.reference, 'text'))).toMatchObject({ status: 400, code: undefined });
    const pushed = t.machine.create(t.merchant(), body({ userFlow: 'PUSH_MESSAGE', customer: { phoneNumber: '4791234567' } }), {});
    expect(errorOf(() => t.machine.forceApprove(MSN, pushed.reference, { customer: { phoneNumber: '4799999999' } }))).toMatchObject({ code: 10010 });
    const card = t.machine.create(t.merchant(), body({ paymentMethod: { type: 'CARD' } }), {});
    expect(errorOf(() => t.machine.forceApprove(MSN, card.reference, { token: card.landingToken }))).toMatchObject({ code: 10040 });
    const express = t.machine.create(t.merchant(), body({ shipping: { fixedOptions: [] } }), {});
    expect(errorOf(() => t.machine.forceApprove(MSN, express.reference, { token: express.landingToken }))).toMatchObject({ code: 10060 });
    t.machine.forceApprove(MSN, p.reference, { token: p.landingToken });
    expect(errorOf(() => t.machine.forceApprove(MSN, p.reference, { token: p.landingToken }))).toMatchObject({ code: 10020, title: 'Approve not allowed' });
    expect(p.events.filter((e) => e.name === 'AUTHORIZED')).toHaveLength(1);
  });
});

describe('ePayment create validation', () => {
  const create = (overrides: Record<string, unknown>, options: { msn?: string; settings?: SandboxSettingsInput; pspId?: string; raw?: unknown } = {}) => {
    const t = setup(options.settings);
    return errorOf(() => t.machine.create(t.merchant(options.msn), options.raw !== undefined ? options.raw : body(overrides), { pspId: options.pspId }));
  };
  const accepted = (overrides: Record<string, unknown>, options: { msn?: string; settings?: SandboxSettingsInput } = {}) => {
    const t = setup(options.settings);
    return t.machine.create(t.merchant(options.msn), body(overrides), {});
  };

  it('reports every shape error at once as 400 "One or more validation errors occurred."', () => {
    const e = create({}, { raw: { amount: { currency: 5, value: '10' }, paymentMethod: { type: 'BITCOIN' }, userFlow: 'EMAIL', reference: 'short', customerInteraction: 'MAYBE', paymentDescription: 'x' } });
    expect(e).toMatchObject({ status: 400, title: 'Bad Request', detail: 'One or more validation errors occurred.', code: undefined });
    expect(e.extra.map((x) => x.name).sort()).toEqual(['amount.currency', 'amount.value', 'customerInteraction', 'paymentDescription', 'paymentMethod.type', 'reference', 'userFlow']);
    expect(e.extra.find((x) => x.name === 'reference')!.reason).toBe('must match ^[a-zA-Z0-9-]{8,64}$');
    const missing = create({}, { raw: {} });
    expect(missing.extra.map((x) => x.name).sort()).toEqual(['amount', 'paymentMethod', 'reference', 'userFlow']);
    for (const raw of [null, 'text', [1, 2], 42]) expect(create({}, { raw })).toMatchObject({ status: 400, extra: [{ name: 'body' }] });
  });

  it('reference: pattern with the configured max length (50 or 64), case-sensitive and unique', () => {
    const r50 = 'a'.repeat(50);
    expect(accepted({ reference: r50 }, { settings: { referenceMaxLength: 50 } }).reference).toBe(r50);
    expect(create({ reference: 'a'.repeat(51) }, { settings: { referenceMaxLength: 50 } }).extra).toEqual([{ name: 'reference', reason: 'must match ^[a-zA-Z0-9-]{8,50}$' }]);
    expect(accepted({ reference: 'a'.repeat(64) }).reference).toHaveLength(64);
    expect(create({ reference: 'a'.repeat(65) }).extra[0].name).toBe('reference');
    expect(create({ reference: 'abc_defgh' }).extra[0].name).toBe('reference');
    expect(create({ reference: 'abcdefg' }).extra[0].name).toBe('reference');
    expect(create({ reference: 12345678 }).extra[0]).toEqual({ name: 'reference', reason: 'The value must be a string.' });
    const t = setup();
    t.machine.create(t.merchant(), body({ reference: 'Case-Ref-1' }), {});
    expect(t.machine.create(t.merchant(), body({ reference: 'case-ref-1' }), {}).reference).toBe('case-ref-1');
  });

  it('amount: 4040 not an integer / out of range, 5040 foreign currency, 6010 below the minimum', () => {
    expect(create({ amount: { currency: 'NOK', value: 100.5 } })).toMatchObject({ status: 400, code: 4040, title: 'Invalid amount' });
    expect(create({ amount: { currency: 'NOK', value: 65_000_001 } })).toMatchObject({ code: 4040 });
    expect(create({ amount: { currency: 'NOK', value: -100 } })).toMatchObject({ code: 4040 });
    expect(create({ amount: { currency: 'DKK', value: 1000 } })).toMatchObject({ status: 400, code: 5040, title: 'Invalid currency for merchant' });
    expect(create({ amount: { currency: 'SEK', value: 1000 } })).toMatchObject({ code: 5040 });
    expect(create({ amount: { currency: 'NOK', value: 99 } })).toMatchObject({ status: 400, code: 6010, title: 'Amount too small' });
    expect(accepted({ amount: { currency: 'NOK', value: 100 } }).amount.value).toBe(100);
    expect(accepted({ amount: { currency: 'DKK', value: 1 } }, { msn: '445566' }).amount.value).toBe(1);
    expect(create({ amount: { currency: 'DKK', value: 0 } }, { msn: '445566' })).toMatchObject({ code: 6010 });
    expect(create({ amount: { currency: 'NOK', value: '1000' } })).toMatchObject({ status: 400, code: undefined, extra: [{ name: 'amount.value' }] });
    expect(create({ amount: 1000 })).toMatchObject({ status: 400, code: undefined, extra: [{ name: 'amount' }] });
  });

  it('paymentMethod: CARD only with WEB_REDIRECT; CARD_PASSTHROUGH needs Psp-Id of the PSP and cardPassthrough (4160)', () => {
    expect(create({ paymentMethod: { type: 'CARD' }, userFlow: 'PUSH_MESSAGE', customer: { phoneNumber: '4791234567' } }).extra[0].name).toBe('paymentMethod.type');
    const cp = { pspReference: 'p-1', cardCallbackUrl: 'https://psp.example/cb' };
    const pspId = 'C948DFD1546347568874C4DDC93A2E3C';
    expect(create({ paymentMethod: { type: 'CARD_PASSTHROUGH' }, cardPassthrough: cp }, { msn: '223344' })).toMatchObject({ status: 400, code: 4160, extra: [{ name: 'Psp-Id' }] });
    expect(create({ paymentMethod: { type: 'CARD_PASSTHROUGH' }, cardPassthrough: cp }, { pspId })).toMatchObject({ code: 4160 }); // not a PSP merchant
    expect(create({ paymentMethod: { type: 'CARD_PASSTHROUGH' }, cardPassthrough: cp }, { msn: '223344', pspId: 'OTHER' })).toMatchObject({ code: 4160 });
    expect(create({ paymentMethod: { type: 'CARD_PASSTHROUGH' } }, { msn: '223344', pspId })).toMatchObject({ code: 4160 });
    expect(create({ paymentMethod: { type: 'CARD_PASSTHROUGH' }, cardPassthrough: { pspReference: 'p-1' } }, { msn: '223344', pspId })).toMatchObject({ code: 4160 });
    expect(create({ paymentMethod: { type: 'WALLET' }, cardPassthrough: cp }, { msn: '223344', pspId })).toMatchObject({ code: 4160 });
    expect(create({ paymentMethod: { type: 'CARD_PASSTHROUGH' }, cardPassthrough: { ...cp, cardCallbackUrl: 'http://psp.example/cb' } }, { msn: '223344', pspId })).toMatchObject({ code: 4090 });
    expect(create({ paymentMethod: { type: 'CARD_PASSTHROUGH' }, cardPassthrough: { ...cp, allowedCardTypes: 'VISA' } }, { msn: '223344', pspId }).extra[0].name).toBe('cardPassthrough.allowedCardTypes');
  });

  it('returnUrl: 4140 missing for WEB_REDIRECT, 4090 unless https, custom scheme or http on loopback', () => {
    expect(create({ returnUrl: undefined })).toMatchObject({ status: 400, code: 4140, title: 'Missing required parameter', extra: [{ name: 'returnUrl' }] });
    expect(accepted({ returnUrl: undefined, userFlow: 'NATIVE_REDIRECT' }).returnUrl).toBeUndefined();
    for (const bad of ['http://example.com/return', 'javascript:alert(1)', 'not a url', 'data:text/html,x', 'file:///etc/passwd', 'https://'])
      expect(create({ returnUrl: bad }), bad).toMatchObject({ code: 4090, title: 'Invalid URL' });
    for (const good of ['https://example.com/r?x=1', 'myapp://order/1', 'http://127.0.0.1:3000/return', 'http://localhost:8080/r', 'http://[::1]:9000/r'])
      expect(accepted({ returnUrl: good }).returnUrl).toBe(good);
    expect(create({ returnUrl: 42 }).extra[0]).toEqual({ name: 'returnUrl', reason: 'The value must be a string.' });
    expect(create({ receiptUrl: 'http://example.com/receipt' })).toMatchObject({ code: 4090 });
    expect(accepted({ receiptUrl: 'https://example.com/receipt' }).receiptUrl).toBe('https://example.com/receipt');
    expect(isAcceptableUrl('myapp://x', { customScheme: false })).toBe(false);
  });

  it('customer: oneOf (400), 4070 phone, 4060 personal QR, 4050 token; PUSH_MESSAGE needs it (4140) and permission (5080, 403)', () => {
    expect(create({ customer: { phoneNumber: '4791234567', customerToken: 'abc' } })).toMatchObject({ status: 400, code: undefined, extra: [{ name: 'customer' }] });
    expect(create({ customer: {} })).toMatchObject({ status: 400, code: undefined, extra: [{ name: 'customer' }] });
    expect(create({ customer: { phoneNumber: 4791234567 } }).extra[0].name).toBe('customer.phoneNumber');
    expect(create({ customer: { phoneNumber: '+4791234567' } })).toMatchObject({ status: 400, code: 4070, title: 'Invalid phone number' });
    expect(create({ customer: { phoneNumber: '91234567' } })).toMatchObject({ code: 4070 });
    expect(create({ customer: { personalQr: 'abc' } })).toMatchObject({ code: 4060 });
    expect(create({ customer: { customerToken: '  ' } })).toMatchObject({ code: 4050 });
    expect(accepted({ customer: { personalQr: 'https://qr.vipps.no/28/2/01/031/4791234567?v=1' } }).customer).toEqual({ personalQr: 'https://qr.vipps.no/28/2/01/031/4791234567?v=1' });
    expect(create({ userFlow: 'PUSH_MESSAGE', returnUrl: undefined })).toMatchObject({ code: 4140, extra: [{ name: 'customer' }] });
    expect(create({ userFlow: 'PUSH_MESSAGE', customer: { phoneNumber: '4791234567' } }, { msn: '334455' })).toMatchObject({ status: 403, code: 5080 });
  });

  it('paymentDescription 3–100; profile.scope words (4080) and permissions (5030, 403)', () => {
    expect(create({ paymentDescription: 'ab' }).extra).toEqual([{ name: 'paymentDescription', reason: 'The length must be between 3 and 100.' }]);
    expect(create({ paymentDescription: 'x'.repeat(101) }).extra[0].name).toBe('paymentDescription');
    expect(accepted({ paymentDescription: 'abc' }).paymentDescription).toBe('abc');
    expect(create({ profile: { scope: 'name shoeSize' } })).toMatchObject({ status: 400, code: 4080, title: 'Invalid scope' });
    expect(create({ profile: { scope: '   ' } })).toMatchObject({ code: 4080 });
    expect(create({ profile: { scope: 'name nin' } })).toMatchObject({ status: 403, code: 5030, title: 'Illegal scope' });
    expect(create({ profile: { scope: 'email' } }, { msn: '334455' })).toMatchObject({ code: 5030 });
    expect(create({ profile: 'name' }).extra[0].name).toBe('profile');
    expect(accepted({ profile: { scope: ' name  phoneNumber ' } }).profileScope).toBe('name phoneNumber');
  });

  it('metadata: 4100 capacity, 4110 duplicate keys, 4120 key length, 4130 value length, string values', () => {
    const six = Object.fromEntries([1, 2, 3, 4, 5, 6].map((i) => [`k${i}`, 'v']));
    expect(create({ metadata: six })).toMatchObject({ code: 4100 });
    expect(create({ metadata: { Key: 'a', key: 'b' } })).toMatchObject({ code: 4110 });
    expect(create({ metadata: { ['k'.repeat(101)]: 'v' } })).toMatchObject({ code: 4120 });
    expect(create({ metadata: { k: 'v'.repeat(501) } })).toMatchObject({ code: 4130 });
    expect(create({ metadata: { k: 5 } }).extra).toEqual([{ name: 'metadata.k', reason: 'The value must be a string.' }]);
    const five = Object.fromEntries([1, 2, 3, 4, 5].map((i) => [`k${i}`, 'v'.repeat(500)]));
    expect(accepted({ metadata: five }).metadata).toEqual(five);
    expect(accepted({ metadata: null }).metadata).toBeUndefined();
  });

  it('expiresAt: PUSH_MESSAGE/QR only, permission 5050, receipt 6130, > 10 min (6120), < maxExpiresAtDays (6110)', () => {
    const now = Date.now();
    const inDays = (d: number) => new Date(now + d * 24 * 3600_000).toISOString();
    const push = { userFlow: 'PUSH_MESSAGE', customer: { phoneNumber: '4791234567' }, receipt: RECEIPT };
    expect(create({ expiresAt: inDays(1), receipt: RECEIPT }).extra).toEqual([{ name: 'expiresAt', reason: 'expiresAt can only be combined with userFlow PUSH_MESSAGE or QR.' }]);
    expect(create({ ...push, expiresAt: 'tomorrow' }).extra[0].name).toBe('expiresAt');
    expect(create({ userFlow: 'QR', receipt: RECEIPT, expiresAt: inDays(1) }, { msn: '334455' })).toMatchObject({ status: 403, code: 5050 });
    expect(create({ ...push, receipt: undefined, expiresAt: inDays(1) })).toMatchObject({ code: 6130 });
    expect(create({ ...push, expiresAt: new Date(now + 5 * 60_000).toISOString() })).toMatchObject({ code: 6120, title: 'Expiration date too soon' });
    expect(create({ ...push, expiresAt: inDays(61) })).toMatchObject({ code: 6110, title: 'Expiration date too late' });
    expect(create({ ...push, expiresAt: inDays(29) }, { settings: { maxExpiresAtDays: 28 } })).toMatchObject({ code: 6110 });
    expect(accepted({ ...push, expiresAt: inDays(59) }).expiresAt).toBe(now + 59 * 24 * 3600_000);
    expect(accepted({ userFlow: 'QR', receipt: RECEIPT, expiresAt: inDays(27) }, { settings: { maxExpiresAtDays: 28 } }).userFlow).toBe('QR');
  });

  it('qrFormat only with QR; format enum and PNG size 100–2000', () => {
    expect(create({ qrFormat: { format: 'IMAGE/PNG' } }).extra).toEqual([{ name: 'qrFormat', reason: 'qrFormat is only applicable when userFlow is QR.' }]);
    expect(create({ userFlow: 'QR', qrFormat: { format: 'IMAGE/GIF' } }).extra[0].name).toBe('qrFormat.format');
    expect(create({ userFlow: 'QR', qrFormat: {} }).extra[0].name).toBe('qrFormat.format');
    expect(create({ userFlow: 'QR', qrFormat: { format: 'IMAGE/PNG', size: 99 } }).extra[0].name).toBe('qrFormat.size');
    expect(create({ userFlow: 'QR', qrFormat: { format: 'IMAGE/PNG', size: 2001 } }).extra[0].name).toBe('qrFormat.size');
    expect(accepted({ userFlow: 'QR', qrFormat: null }).qrFormat).toEqual({ format: 'IMAGE/SVG+XML' });
  });

  it('receipt, industryData, minimumUserAge shapes; unknown fields are ignored', () => {
    const e = create({ receipt: { orderLines: [{ name: 'x', id: '1', totalAmount: 1.5, totalAmountExcludingTax: 1, totalTaxAmount: 0 }], bottomLine: {} } });
    expect(e.status).toBe(400);
    expect(e.extra.map((x) => x.name).sort()).toEqual(['receipt.bottomLine.currency', 'receipt.orderLines[0].taxRate', 'receipt.orderLines[0].totalAmount']);
    const noTax = create({ receipt: { orderLines: [{ name: 'x', id: '1', totalAmount: 1, totalAmountExcludingTax: 1, totalTaxAmount: 0 }], bottomLine: { currency: 'NOK' } } });
    expect(noTax.extra).toEqual([{ name: 'receipt.orderLines[0].taxRate', reason: 'taxRate (or taxPercentage) is required.' }]);
    expect(create({ receipt: { orderLines: [], bottomLine: { currency: 'NOK' } } }).extra[0].name).toBe('receipt.orderLines');
    expect(accepted({ receipt: { ...RECEIPT, orderLines: [{ ...RECEIPT.orderLines[0], taxRate: undefined, taxPercentage: 25, unitInfo: { unitPrice: 500, quantity: '2', quantityUnit: 'PCS' } }] } }).receipt).toBeDefined();
    expect(create({ industryData: { airlineData: { agencyInvoiceNumber: '1234567', airlineCode: '074', airlineDesignatorCode: 'KL' } } }).extra.map((x) => x.name).sort()).toEqual([
      'industryData.airlineData.agencyInvoiceNumber',
      'industryData.airlineData.passengerName',
    ]);
    expect(accepted({ industryData: { airlineData: { agencyInvoiceNumber: '123', airlineCode: '074', airlineDesignatorCode: 'KL', passengerName: 'FLYER / MARY MS.' } } }).state).toBe('CREATED');
    expect(create({ minimumUserAge: 17.5 }).extra[0].name).toBe('minimumUserAge');
    expect(accepted({ minimumUserAge: 18, somethingNew: { a: 1 } }).state).toBe('CREATED');
    expect(create({ blockedSources: ['CARD'] })).toMatchObject({ code: 5010 });
  });
});

describe('ePayment idempotency store and fingerprints', () => {
  it('a scope is the four parts as one string, whatever characters the key has', () => {
    const scope = idempotencyScope('123456', 'order-1', 'createPayment', 'ключ-🔑-1');
    expect(scope).toBe('123456\u0000order-1\u0000createPayment\u0000ключ-🔑-1');
    const store = new IdempotencyStore();
    expect(store.begin(scope, { a: 1 }).kind).toBe('new');
    store.complete(scope, { status: 201, contentType: 'application/json', body: '{"x":1}' });
    expect(store.begin(idempotencyScope('123456', 'order-1', 'createPayment', 'ключ-🔑-1'), { a: 1 })).toEqual({ kind: 'replay', outcome: { status: 201, contentType: 'application/json', body: '{"x":1}' } });
    expect(store.begin(scope, { a: 2 }).kind).toBe('conflict');
  });

  it('an outcome that can be written again keeps its source, not its text, and replays the same text', () => {
    const store = new IdempotencyStore();
    const source = { reference: 'order-1', redirectUrl: 'http://127.0.0.1/landing?token=t' };
    const render = (s: typeof source) => JSON.stringify({ redirectUrl: s.redirectUrl, reference: s.reference });
    expect(store.begin('s', { a: 1 }).kind).toBe('new');
    store.complete('s', { status: 201, contentType: 'application/json', body: render(source), again: { source, render } });
    const entry = (store as unknown as { entries: Map<string, { body: string }> }).entries.get('s')!;
    expect(entry.body).toBe('');
    expect(store.begin('s', { a: 1 })).toEqual({ kind: 'replay', outcome: { status: 201, contentType: 'application/json', body: render(source) } });
  });

  it('reserves, replays, detects conflicts and in-progress duplicates, releases and evicts', () => {
    const store = new IdempotencyStore(10);
    const a = { modificationAmount: { currency: 'NOK', value: 1 } };
    const aReordered = { modificationAmount: { value: 1, currency: 'NOK' } };
    const b = { modificationAmount: { currency: 'NOK', value: 2 } };
    expect(store.begin('s1', a)).toEqual({ kind: 'new' });
    expect(store.begin('s1', aReordered)).toEqual({ kind: 'in-progress' });
    expect(store.begin('s1', b)).toEqual({ kind: 'conflict' });
    const outcome = { status: 200, contentType: 'application/json', body: '{"x":1}' };
    store.complete('s1', outcome);
    expect(store.begin('s1', aReordered)).toEqual({ kind: 'replay', outcome });
    expect(store.begin('s1', b)).toEqual({ kind: 'conflict' });
    expect(store.begin('s2', a)).toEqual({ kind: 'new' });
    store.release('s2');
    expect(store.begin('s2', b)).toEqual({ kind: 'new' });
    store.release('s1'); // completed entries are not released
    expect(store.begin('s1', a).kind).toBe('replay');
    expect(store.begin('s3', undefined).kind).toBe('new');
    expect(store.begin('s3', {}).kind).toBe('in-progress'); // {} = no body
    for (let i = 0; i < 20; i++) store.begin(`fill-${i}`, a);
    expect(store.size).toBeLessThanOrEqual(11);
    expect(store.begin('s1', b).kind).toBe('new'); // the oldest were evicted
  });

  it('fingerprints ignore key order and whitespace but not values', () => {
    expect(fingerprint({ modificationAmount: { currency: 'NOK', value: 1 } })).toBe(fingerprint(JSON.parse('{ "modificationAmount": {"value":1,  "currency":"NOK"} }')));
    expect(fingerprint({ modificationAmount: { currency: 'NOK', value: 1 } })).not.toBe(fingerprint({ modificationAmount: { currency: 'NOK', value: 2 } }));
    expect(fingerprint(undefined)).toBe(fingerprint(''));
    expect(fingerprint({})).toBe(fingerprint(undefined));
    expect(fingerprint({ cancelTransactionOnly: true })).not.toBe(fingerprint(undefined));
    expect(fingerprint([1, { b: 1, a: 2 }])).toBe('[1,{"a":2,"b":1}]');
  });
});
