import type { AggregateKey } from '../../contract/epayment.ts';
import type { Aggregate, Amount, Payment } from './types.ts';
import type { CreateInput } from './validation.ts';

/**
 * Values many payments hold alike, kept once (issue #17: a sandbox holds 100k payments). Every
 * shared value is frozen and replaced, never changed in place.
 */

/**
 * Amounts and aggregates are never changed in place: an aggregate moves by being replaced, so a
 * payment shares its zeros (one frozen object per currency), its untouched aggregate (one frozen
 * all-zero aggregate per currency) and its full amount with its events instead of holding objects
 * of its own (issue #17: ~40–56 heap bytes each).
 */
const zeros = new Map<string, Amount>();
export const zeroOf = (currency: string): Amount => {
  let z = zeros.get(currency);
  if (z === undefined) zeros.set(currency, (z = Object.freeze({ currency, value: 0 })));
  return z;
};
const zeroAggregates = new Map<string, Aggregate>();
export const zeroAggregateOf = (currency: string): Aggregate => {
  let a = zeroAggregates.get(currency);
  if (a === undefined) {
    const z = zeroOf(currency);
    zeroAggregates.set(currency, (a = Object.freeze({ authorizedAmount: z, cancelledAmount: z, capturedAmount: z, refundedAmount: z })));
  }
  return a;
};
export const amountOf = (p: Payment, value: number): Amount =>
  value === p.amount.value ? p.amount : value === 0 ? zeroOf(p.amount.currency) : Object.freeze({ currency: p.amount.currency, value });
/** `p.aggregate` with one amount replaced (a new frozen object: the old one may be shared). */
export function move(p: Payment, key: AggregateKey, amount: Amount): void {
  p.aggregate = Object.freeze({ ...p.aggregate, [key]: amount });
}
/** One frozen `paymentMethod` object per type, shared by the create requests that carry exactly it. */
const methods = new Map<string, Readonly<{ type: string }>>();
const methodOf = (type: string) => {
  let m = methods.get(type);
  if (m === undefined) methods.set(type, (m = Object.freeze({ type })));
  return m;
};
const hasExactly = (o: unknown, keys: readonly string[]): o is Record<string, unknown> => {
  if (typeof o !== 'object' || o === null) return false;
  const own = Object.keys(o);
  return own.length === keys.length && own.every((k, i) => k === keys[i]);
};
/**
 * The create request is kept for the payment's life (card passthrough, receipts, checks). The
 * parts every request repeats are swapped for equal shared values — its amount for the payment's
 * own, `paymentMethod` for one frozen object per type, `userFlow` for the interned word — (issue
 * #17: ~100 heap bytes a payment). Only exact equals (same keys in the same order) are swapped,
 * so the request reads and serialises as it arrived.
 */
export function shareRepeatedParts(body: Record<string, unknown>, amount: Amount, input: CreateInput): void {
  const a = body.amount;
  if (hasExactly(a, ['currency', 'value']) && a.currency === amount.currency && a.value === amount.value) body.amount = amount;
  const m = body.paymentMethod;
  if (hasExactly(m, ['type']) && m.type === input.paymentMethodType) body.paymentMethod = methodOf(input.paymentMethodType);
  if (body.userFlow === input.userFlow) body.userFlow = input.userFlow;
}
/** Shared by every payment without a failed attempt; the first one replaces it. */
export const NO_ATTEMPTS: Payment['failedAttempts'] = Object.freeze([]);
