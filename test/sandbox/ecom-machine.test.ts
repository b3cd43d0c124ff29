import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { ECOM_ENDED_STATES } from '../../src/contract/ecom.ts';
import { SandboxClock } from '../../src/sandbox/clock.ts';
import { EcomError } from '../../src/sandbox/ecom/errors.ts';
import { ECOM_EXPIRY_MS, EcomMachine } from '../../src/sandbox/ecom/machine.ts';
import type { CallbackEvent } from '../../src/sandbox/ecom/types.ts';
import { validateInitiate } from '../../src/sandbox/ecom/validation.ts';
import { MerchantSchema } from '../../src/sandbox/merchants.ts';
import { initiateBody } from '../helpers/ecom.ts';

/** The eCom state machine on a frozen sandbox clock: deadlines, expiry and invariants, without HTTP. */

const DAY = 24 * 3600_000;
const merchant = MerchantSchema.parse({ msn: '123456', clientId: 'c', clientSecret: 's', subscriptionKeys: ['k'] });

function setup() {
  const clock = new SandboxClock();
  clock.freeze();
  const events: CallbackEvent[] = [];
  const machine = new EcomMachine({ clock, merchant: () => merchant, publicUrl: () => 'http://sandbox.test', callback: (e) => events.push(e) });
  const initiate = (amount = 10000) => machine.initiate(validateInitiate(initiateBody('https://shop.test/cb', { transaction: { amount } })));
  const text = { msn: '123456', transactionText: 't' };
  return { clock, machine, events, initiate, text };
}

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    if (err instanceof EcomError) return `${err.group} ${err.code}`;
    throw err;
  }
  return 'no error';
};

let clocks: SandboxClock[] = [];
afterEach(() => {
  clocks.forEach((c) => c.dispose());
  clocks = [];
});

describe('EcomMachine', () => {
  it('captures only within 180 days and refunds within 365 days of the reservation', () => {
    const { clock, machine, initiate, text } = setup();
    clocks.push(clock);
    const o = initiate();
    machine.forceApprove(o.msn, o.orderId, {});
    clock.advance(180 * DAY);
    expect(codeOf(() => machine.capture(o.msn, o.orderId, { ...text, amount: 100 }))).toBe('Payment 98');
    const p = initiate();
    machine.forceApprove(p.msn, p.orderId, {});
    machine.capture(p.msn, p.orderId, text);
    clock.advance(365 * DAY);
    expect(codeOf(() => machine.refund(p.msn, p.orderId, text))).toBe('Payment 95');
  });

  it('expires on the clock exactly at 5 minutes, once, with one REJECTED callback', () => {
    const { clock, machine, events, initiate } = setup();
    clocks.push(clock);
    const o = initiate();
    clock.advance(ECOM_EXPIRY_MS - 1);
    expect(o.state).toBe('INITIATE');
    clock.advance(1);
    expect(o.state).toBe('REJECTED');
    machine.get(o.msn, o.orderId);
    expect(events.map((e) => e.status)).toEqual(['REJECTED']);
    expect(o.log.map((e) => e.operation)).toEqual(['INITIATE']);
  });

  it('keeps C + X ≤ U and R ≤ C through any sequence of operations, and ended orders never change', () => {
    const { clock, machine, initiate, text } = setup();
    clocks.push(clock);
    const operation = fc.record({ action: fc.integer({ min: 0, max: 4 }), amount: fc.option(fc.integer({ min: 100, max: 5100 }), { nil: undefined }), release: fc.boolean() });
    fc.assert(
      fc.property(fc.integer({ min: 1000, max: 9999 }), fc.array(operation, { maxLength: 12 }), (reserved, operations) => {
        const o = initiate(reserved);
        for (const { action, amount, release } of operations) {
          const ended = (ECOM_ENDED_STATES as readonly string[]).includes(o.state);
          const before = JSON.stringify(o);
          try {
            if (action === 0) machine.forceApprove(o.msn, o.orderId, {});
            else if (action === 1) machine.capture(o.msn, o.orderId, { ...text, amount });
            else if (action === 2) machine.refund(o.msn, o.orderId, { ...text, amount });
            else if (action === 3) machine.cancel(o.msn, o.orderId, { ...text, shouldReleaseRemainingFunds: release });
            else machine.reject(o.msn, o.orderId);
          } catch (err) {
            expect(err).toBeInstanceOf(EcomError);
            expect(JSON.stringify(o)).toBe(before); // a refused operation changes nothing
          }
          if (ended) expect(JSON.stringify(o)).toBe(before);
          if (o.reserved > 0) expect(o.captured + o.cancelled).toBeLessThanOrEqual(o.reserved);
          expect(o.refunded).toBeLessThanOrEqual(o.captured);
          // The state is the newest successful operation of the log (REJECTED/FAILED have no log word),
          // except a release of the rest after a part capture: that VOID leaves the order CAPTURE.
          const newest = o.log.filter((e) => e.operationSuccess).at(-1)!.operation;
          if (o.state !== 'REJECTED' && o.state !== 'FAILED') expect(o.state).toBe(newest === 'VOID' && o.captured > 0 ? 'CAPTURE' : newest);
        }
      }),
      { numRuns: 200 },
    );
  });
});
