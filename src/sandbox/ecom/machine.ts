import { randomInt } from 'node:crypto';
import { ECOM_ENDED_STATES, type EcomLogOperation, type EcomState } from '../../contract/ecom.ts';
import type { Merchant } from '../merchants.ts';
import { CustomerDeclinedError, type ApproveSource } from '../shared/directory.ts';
import { ExpiryQueue, type SchedulingClock } from '../shared/expiry.ts';
import { landingPageUrl, landingToken } from '../shared/landing-tokens.ts';
import { MAGIC_REFUND_NOT_POSSIBLE, MAGIC_REFUND_PERIOD_EXPIRED, magicApproval } from '../shared/magic-amounts.ts';
import { DEFAULT_TEST_PHONE_NUMBER, subForPhoneNumber } from '../shared/test-customer.ts';
import { MSISDN } from '../shared/validation.ts';
import { ecomError, invalidRequest, orderNotFound } from './errors.ts';
import { chooseShipping, isExpress } from './express.ts';
import type { CallbackEvent, Order, ShippingChoice } from './types.ts';
import { validateForceApprove, type ActionInput, type InitiateInput } from './validation.ts';

/**
 * The eCom v2 state machine (vipps-facts §6). No HTTP: the routes validate and authenticate,
 * then call these methods, which return the order or throw an `EcomError`.
 *
 * `state` is the newest successful operation (ECOM_STATES): INITIATE → RESERVE (SALE with direct
 * capture) → CAPTURE → REFUND; INITIATE → CANCEL (customer or merchant), RESERVE → VOID,
 * INITIATE → REJECTED (timeout) or FAILED (timeout after declined card attempts). Amounts:
 * U reserved, C captured, R refunded, X cancelled:  capture C + new ≤ U − X;  refund R + new ≤ C.
 */

/** The initiate `url` is valid for 5 minutes; an order nobody acted on then ends REJECTED. */
export const ECOM_EXPIRY_MS = 5 * 60_000;
export const CAPTURE_DEADLINE_DAYS = 180;
export const REFUND_DEADLINE_DAYS = 365;
const DAY = 24 * 3600_000;
/** The test country for the 8-digit numbers eCom uses (the landing page and Userinfo speak MSISDN). */
const COUNTRY_CODE = '47';

export interface EcomMachineDeps {
  clock: SchedulingClock;
  merchant(msn: string): Merchant | undefined;
  /** Base URL for the landing page, no trailing slash. */
  publicUrl(): string;
  /** Every customer-side outcome that Vipps tells the merchant's callbackPrefix about. */
  callback?(event: CallbackEvent): void;
}

/** A card decline of the test environment as the callback's errorInfo (§6.5 Payment codes). */
const DECLINE_CODES: Record<string, string> = { 'Expired card': '44', 'Invalid card': '41' };

export class EcomMachine {
  private readonly orders = new Map<string, Order>();
  private readonly tokens = new Map<string, Order>();
  private readonly expiries: ExpiryQueue<Order>;

  constructor(private readonly deps: EcomMachineDeps) {
    this.expiries = new ExpiryQueue(deps.clock, (o) => this.touch(o));
  }

  get(msn: string, orderId: string): Order | undefined {
    const o = this.orders.get(`${msn}:${orderId}`);
    if (o) this.touch(o);
    return o;
  }

  byLandingToken(token: string): Order | undefined {
    const o = this.tokens.get(token);
    if (o) this.touch(o);
    return o;
  }

  list(filter: { msn?: string; state?: string } = {}): Order[] {
    const out: Order[] = [];
    for (const o of this.orders.values()) {
      this.touch(o);
      if ((filter.msn === undefined || o.msn === filter.msn) && (filter.state === undefined || o.state === filter.state)) out.push(o);
    }
    return out;
  }

  // --- merchant operations ----------------------------------------------------------------

  /** `expireAfterMs` is asked once the order is valid and its orderId free (an `expire-after` fault is not spent on a refusal). */
  initiate(input: InitiateInput, options: { expireAfterMs?: () => number | undefined } = {}): Order {
    const msn = input.merchantInfo.merchantSerialNumber;
    const key = `${msn}:${input.orderId}`;
    if (this.orders.has(key)) throw ecomError('Merchant', 34, `Duplicate order id ${input.orderId}: every payment needs a new orderId.`);
    const now = this.now();
    const token = landingToken();
    const o: Order = {
      msn,
      orderId: input.orderId,
      state: 'INITIATE',
      amount: input.amount,
      transactionText: input.transactionText,
      transactionId: String(randomInt(5_000_000_000, 9_999_999_999)),
      merchantInfo: input.merchantInfo,
      mobileNumber: input.mobileNumber,
      skipLandingPage: input.skipLandingPage,
      scope: input.scope,
      useExplicitCheckoutFlow: input.useExplicitCheckoutFlow,
      url: landingPageUrl(this.deps.publicUrl(), token),
      landingToken: token,
      createdAt: now,
      expiresAt: now + (options.expireAfterMs?.() ?? ECOM_EXPIRY_MS),
      reserved: 0,
      captured: 0,
      refunded: 0,
      cancelled: 0,
      customerActed: false,
      failedAttempts: [],
      log: [],
      changedAt: now,
    };
    this.orders.set(key, o);
    this.tokens.set(token, o);
    this.log(o, 'INITIATE', o.amount, true, o.transactionText);
    this.expiries.add(o);
    return o;
  }

  capture(msn: string, orderId: string, input: ActionInput, requestId?: string): { order: Order; amount: number } {
    const o = this.require(msn, orderId);
    if (o.state === 'INITIATE') throw ecomError('Payment', 62);
    if (isEnded(o.state)) throw ecomError('VippsError', 91, `Transaction is not allowed: the order is ${o.state}.`);
    if (this.now() >= o.reservedAt! + CAPTURE_DEADLINE_DAYS * DAY) throw ecomError('Payment', 98);
    const remaining = o.reserved - o.captured - o.cancelled;
    const amount = input.amount ?? remaining;
    if (remaining <= 0 || amount > remaining) throw ecomError('Payment', 61, `Captured amount exceeds the reserved amount (${remaining} left to capture).`);
    o.captured += amount;
    this.log(o, 'CAPTURE', amount, true, input.transactionText, requestId);
    this.moveTo(o, 'CAPTURE');
    return { order: o, amount };
  }

  refund(msn: string, orderId: string, input: ActionInput, requestId?: string): { order: Order; amount: number } {
    const o = this.require(msn, orderId);
    if (o.state === 'CANCEL' || o.state === 'VOID') throw ecomError('Payment', 73);
    if (o.state === 'INITIATE' || o.state === 'REJECTED' || o.state === 'FAILED') throw ecomError('VippsError', 91, `Transaction is not allowed: the order is ${o.state}.`);
    if (o.captured === 0) throw ecomError('Payment', 72);
    if (this.now() >= o.reservedAt! + REFUND_DEADLINE_DAYS * DAY) throw ecomError('Payment', 95);
    const refundable = o.captured - o.refunded;
    const amount = input.amount ?? refundable;
    if (refundable <= 0 || amount > refundable) throw ecomError('Payment', 71, `Cannot refund more than the captured amount (${refundable} left to refund).`);
    if (amount === MAGIC_REFUND_NOT_POSSIBLE || o.amount === MAGIC_REFUND_NOT_POSSIBLE) throw ecomError('Payment', 74, 'Refund failed during debit from merchant account (test amount 123).');
    if (amount === MAGIC_REFUND_PERIOD_EXPIRED || o.amount === MAGIC_REFUND_PERIOD_EXPIRED) throw ecomError('Payment', 95, 'The refund period has expired (test amount 124).');
    o.refunded += amount;
    this.log(o, 'REFUND', amount, true, input.transactionText, requestId);
    this.moveTo(o, 'REFUND');
    return { order: o, amount };
  }

  /** INITIATE ⇒ CANCEL; RESERVE ⇒ VOID; after a part capture only with shouldReleaseRemainingFunds. */
  cancel(msn: string, orderId: string, input: ActionInput & { shouldReleaseRemainingFunds: boolean }, requestId?: string): Order {
    const o = this.require(msn, orderId);
    switch (o.state) {
      case 'INITIATE':
        o.cancelled = o.amount;
        o.cancelledBy = 'merchant';
        this.log(o, 'CANCEL', o.amount, true, input.transactionText, requestId);
        this.moveTo(o, 'CANCEL');
        return o;
      case 'CANCEL':
      case 'VOID':
        throw ecomError('VippsError', 92, `Transaction already processed: the order is ${o.state}.`);
      case 'REJECTED':
      case 'FAILED':
        throw ecomError('VippsError', 91, `Transaction is not allowed: the order is ${o.state}.`);
    }
    const remaining = o.reserved - o.captured - o.cancelled;
    if (remaining <= 0 || o.refunded > 0) throw ecomError('Payment', 51);
    if (o.captured > 0 && !input.shouldReleaseRemainingFunds)
      throw ecomError('Payment', 51, 'Cannot cancel a partially captured order; send shouldReleaseRemainingFunds: true to release the rest.');
    if (this.now() >= o.reservedAt! + CAPTURE_DEADLINE_DAYS * DAY) throw ecomError('Payment', 52, 'Cancellation failed: the reservation is older than 180 days.');
    o.cancelled = remaining;
    this.log(o, 'VOID', remaining, true, input.transactionText, requestId);
    // Releasing the rest of a part-captured order ends nothing: its captured part can still be refunded.
    if (o.captured === 0) this.moveTo(o, 'VOID');
    return o;
  }

  /** Test-only force approve: magic amounts do not apply; Express checkout is not supported. */
  forceApprove(msn: string, orderId: string, body: unknown): Order {
    const o = this.require(msn, orderId);
    const { customerPhoneNumber, token } = validateForceApprove(body);
    if (o.state !== 'INITIATE') throw ecomError('VippsError', 92, `Transaction already processed: the order is ${o.state}.`);
    if (o.merchantInfo.paymentType === 'eComm Express Payment') throw invalidRequest('paymentType', 'Force approve does not support Express checkout payments.');
    if (token !== undefined && token !== o.landingToken) throw invalidRequest('token', 'The token does not belong to this order.');
    if (customerPhoneNumber !== undefined && o.mobileNumber !== undefined && customerPhoneNumber !== o.mobileNumber)
      throw ecomError('User', 81, 'The order was initiated for another customer.');
    const phone = customerPhoneNumber ?? o.mobileNumber;
    this.reserve(o, phone ? COUNTRY_CODE + phone : DEFAULT_TEST_PHONE_NUMBER);
    return o;
  }

  // --- the customer (landing page, control API) -------------------------------------------

  approve(msn: string, orderId: string, options: { phoneNumber?: string; source: ApproveSource }): Order {
    const o = this.requireInitiated(msn, orderId, 'approved');
    if (options.phoneNumber !== undefined && !MSISDN.test(options.phoneNumber)) throw invalidRequest('phoneNumber', 'The phone number must be an MSISDN (10–15 digits).');
    const magic = options.source === 'force-approve' ? undefined : magicApproval({ currency: 'NOK', value: o.amount });
    if (magic) {
      this.declined(o, `${o.amount} ${magic.reason}`);
      throw new CustomerDeclinedError(o, magic.reason, o.amount, magic.outcome, {
        status: 402,
        title: 'Payment',
        detail: `${magic.reason} (test amount ${o.amount}). The order is still INITIATE.`,
        code: magic.outcome === 'declined' ? (DECLINE_CODES[magic.reason] ?? '42') : '45',
      });
    }
    this.reserve(o, options.phoneNumber ?? (o.mobileNumber ? COUNTRY_CODE + o.mobileNumber : DEFAULT_TEST_PHONE_NUMBER));
    return o;
  }

  /** The customer cancelled in the app: CANCEL, callback CANCELLED. */
  reject(msn: string, orderId: string): Order {
    const o = this.requireInitiated(msn, orderId, 'rejected');
    o.customerActed = true;
    o.cancelledBy = 'customer';
    o.cancelled = o.amount;
    this.log(o, 'CANCEL', o.amount, true, o.transactionText);
    this.moveTo(o, 'CANCEL');
    this.emit(o, 'CANCELLED');
    return o;
  }

  expire(msn: string, orderId: string): Order {
    const o = this.requireInitiated(msn, orderId, 'expired');
    this.timeOut(o);
    return o;
  }

  /** A declined card attempt: recorded, the order stays open for another try. */
  fail(msn: string, orderId: string, reason: string): Order {
    const o = this.requireInitiated(msn, orderId, 'declined');
    this.declined(o, reason);
    return o;
  }

  /** Express checkout: the shipping option fetched from the merchant's shippingDetailsPrefix. */
  setShipping(o: Order, shipping: ShippingChoice): void {
    o.shipping = shipping;
  }

  // --- internals ---------------------------------------------------------------------------

  private reserve(o: Order, phoneNumber: string): void {
    const direct = this.deps.merchant(o.msn)?.directCapture === true;
    o.customerActed = true;
    o.reserved = o.amount;
    o.reservedAt = this.now();
    o.approvedPhoneNumber = phoneNumber;
    o.sub = subForPhoneNumber(phoneNumber);
    if (direct) o.captured = o.amount;
    if (isExpress(o)) o.shipping = chooseShipping(o.merchantInfo.staticShippingDetails);
    this.log(o, direct ? 'SALE' : 'RESERVE', o.amount, true, o.transactionText);
    this.moveTo(o, direct ? 'SALE' : 'RESERVE');
    this.emit(o, direct ? 'SALE' : 'RESERVED');
  }

  private declined(o: Order, reason: string): void {
    const direct = this.deps.merchant(o.msn)?.directCapture === true;
    o.customerActed = true;
    o.failedAttempts.push({ at: this.now(), reason });
    this.log(o, direct ? 'SALE' : 'RESERVE', o.amount, false, o.transactionText);
  }

  /** Nobody approved in time: REJECTED, or FAILED when every card attempt was declined. */
  private timeOut(o: Order): void {
    const lastFailure = o.failedAttempts[o.failedAttempts.length - 1];
    if (!lastFailure) {
      this.moveTo(o, 'REJECTED');
      this.emit(o, 'REJECTED');
      return;
    }
    this.moveTo(o, 'FAILED');
    const reason = lastFailure.reason.replace(/^\d+ /, '');
    const direct = this.deps.merchant(o.msn)?.directCapture === true;
    this.emit(o, direct ? 'SALE_FAILED' : 'RESERVE_FAILED', { errorGroup: 'Payment', errorCode: DECLINE_CODES[reason] ?? '45', errorMessage: reason });
  }

  private touch(o: Order): void {
    if (o.state === 'INITIATE' && this.now() >= o.expiresAt) this.timeOut(o);
  }

  private log(o: Order, operation: EcomLogOperation, amount: number, operationSuccess: boolean, transactionText: string, requestId?: string): void {
    o.log.push({ amount, operation, operationSuccess, transactionText, requestId, at: this.now() });
  }

  private moveTo(o: Order, state: EcomState): void {
    o.state = state;
    o.changedAt = this.now();
  }

  private emit(o: Order, status: CallbackEvent['status'], errorInfo?: CallbackEvent['errorInfo']): void {
    this.deps.callback?.({ order: o, status, at: this.now(), errorInfo });
  }

  private require(msn: string, orderId: string): Order {
    const o = this.get(msn, orderId);
    if (!o) throw orderNotFound(msn, orderId);
    return o;
  }

  private requireInitiated(msn: string, orderId: string, what: string): Order {
    const o = this.require(msn, orderId);
    if (o.state !== 'INITIATE') throw ecomError('VippsError', 92, `The order is ${o.state}; only an INITIATE order can be ${what}.`);
    return o;
  }

  private now(): number {
    return this.deps.clock.now();
  }
}

const isEnded = (state: EcomState) => (ECOM_ENDED_STATES as readonly EcomState[]).includes(state);
