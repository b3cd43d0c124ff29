import { randomUUID } from 'node:crypto';
import type { PublishedEvent } from '../events.ts';
import type { Merchant } from '../merchants.ts';
import { ApiError } from '../problem.ts';
import { epaymentEventType, type AggregateKey } from '../../contract/epayment.ts';
import { epaymentError, referenceNotFound } from './errors.ts';
import {
  validateCancel,
  validateCreate,
  validateForceApprove,
  validateModification,
  type CreateInput,
} from './validation.ts';
import { webhookPayload } from './views.ts';
import { ExpiryQueue, type SchedulingClock } from '../shared/expiry.ts';
import { flatString } from '../../shared/strings.ts';
import { landingPageUrl, landingToken } from '../shared/landing-tokens.ts';
import { MAGIC_REFUND_NOT_POSSIBLE, MAGIC_REFUND_PERIOD_EXPIRED, magicApproval } from '../shared/magic-amounts.ts';
import { DEFAULT_TEST_PHONE_NUMBER, subForPhoneNumber } from '../shared/test-customer.ts';
import { MSISDN } from '../shared/validation.ts';
import type { ConsentChoice } from '../../contract/in-person.ts';
import { holdsExpiry, newCardState } from './card-passthrough/attempts.ts';
import { amountOf, move, NO_ATTEMPTS, shareRepeatedParts, zeroAggregateOf } from './shared-values.ts';
export { DEFAULT_TEST_PHONE_NUMBER, subForPhoneNumber } from '../shared/test-customer.ts';

import {
  PaymentDeclinedError,
  type Amount,
  type ApproveSource,
  type EpaymentService,
  type Payment,
  type PaymentEventName,
  type PaymentEventRecord,
  type PaymentState,
} from './types.ts';

/**
 * A UUID as one flat string. Node builds randomUUID() by concatenation: a rope of ~20 pieces,
 * ~600 heap bytes kept with every payment (issue #17) where the flat string takes 56.
 */
const flatUuid = (): string => flatString(randomUUID());

/**
 * The ePayment state machine (vipps-facts §2.9–2.12, 2.16). No HTTP here: the routes in
 * plugin.ts validate headers, rate-limit and handle idempotency, then call these methods,
 * which either return the payment or throw an `ApiError` carrying status, title and code.
 *
 * States: CREATED → AUTHORIZED (approve / force approve), ABORTED (reject), EXPIRED (clock),
 * TERMINATED (merchant cancel before authorization). AUTHORIZED is final; capture, refund and
 * cancel only move the aggregate (U authorized, C captured, R refunded, X cancelled):
 *   capture: C + X + new ≤ U and X = 0      refund: R + new ≤ C      cancel: X := U − C
 *
 * Over 300 lines on purpose: one state machine whose transitions share the aggregate and event
 * log invariants; split across files, each transition would re-check what the others maintain.
 */

/** Capture/cancel deadline after authorization: Norway 180 days, Denmark/Finland 14 (§2.9). */
export const CAPTURE_DEADLINE_DAYS: Record<string, number> = { NOK: 180, DKK: 14, EUR: 14 };
export const REFUND_DEADLINE_DAYS = 365;
const DAY = 24 * 3600_000;

export type MachineClock = SchedulingClock;

export interface MachineDeps {
  clock: MachineClock;
  /** Read on every use, so changes to the sandbox settings take effect at once. */
  settings: { referenceMaxLength: number; paymentExpiryMs: number; maxExpiresAtDays: number };
  merchant(msn: string): Merchant | undefined;
  /** Base URL for redirectUrl (landing page, QR images), no trailing slash. */
  publicUrl(): string;
  /** Receives every payment event as a webhook-ready `PublishedEvent`. */
  publish?(event: PublishedEvent): void;
}

export interface CreateOptions {
  idempotencyKey?: string | null;
  /** The `Psp-Id` header (card passthrough). */
  pspId?: string;
  /** The PSP whose own credentials made the request (card passthrough). */
  authenticatedPspId?: string;
  /** Called once the request is valid and the reference free: a shorter life for this payment (ms). */
  expireAfterMs?: (input: CreateInput) => number | undefined;
}

export interface ModifyOptions {
  idempotencyKey?: string | null;
}

export class EpaymentMachine implements EpaymentService {
  /** MSN → reference → payment: no composite key string kept per payment. */
  private readonly payments = new Map<string, Map<string, Payment>>();
  private readonly tokens = new Map<string, Payment>();
  /** `Psp-Id` + `cardPassthrough.pspReference` of every card-passthrough payment (unique per PSP). */
  private readonly pspReferences = new Set<string>();
  private readonly expiries: ExpiryQueue<Payment>;

  constructor(private readonly deps: MachineDeps) {
    this.expiries = new ExpiryQueue(deps.clock, (p) => this.touch(p));
  }

  // --- EpaymentService ------------------------------------------------------------------

  get(msn: string, reference: string): Payment | undefined {
    const p = this.payments.get(msn)?.get(reference);
    if (p !== undefined) this.touch(p);
    return p;
  }

  byLandingToken(token: string): Payment | undefined {
    const p = this.tokens.get(token);
    if (p !== undefined) this.touch(p);
    return p;
  }

  list(filter: { msn?: string; state?: PaymentState } = {}): Payment[] {
    const out: Payment[] = [];
    const one = filter.msn === undefined ? undefined : this.payments.get(filter.msn);
    const merchants = filter.msn === undefined ? this.payments.values() : one ? [one] : [];
    for (const own of merchants)
      for (const p of own.values()) {
        this.touch(p);
        if (filter.state !== undefined && p.state !== filter.state) continue;
        out.push(p);
      }
    return out;
  }

  approve(msn: string, reference: string, options: { phoneNumber?: string; source?: ApproveSource; consent?: ConsentChoice } = {}): Payment {
    const p = this.require(msn, reference);
    const source = options.source ?? 'control';
    if (p.state !== 'CREATED') throw epaymentError(10020, `The payment is ${p.state}; only a CREATED payment can be approved.`);
    if (options.phoneNumber !== undefined && !MSISDN.test(options.phoneNumber))
      throw epaymentError(10010, 'The phone number must be an MSISDN (10–15 digits).', 'phoneNumber', 'must match ^\\d{10,15}$');
    // A push reaches one phone: only its owner can approve it.
    const pushedTo = p.userFlow === 'PUSH_MESSAGE' ? p.customer?.phoneNumber : undefined;
    if (pushedTo !== undefined && options.phoneNumber !== undefined && options.phoneNumber !== pushedTo)
      throw new ApiError({ status: 409, title: 'Other phone', detail: `The payment was pushed to ${pushedTo}; another phone cannot approve it.`, code: 'other-phone' });
    // The consent question comes before paying: declining it fails the payment (vipps-facts §2.13).
    if (p.profileScope !== undefined && source !== 'force-approve') p.consent = options.consent ?? 'share';
    if (p.consent === 'decline') {
      this.finish(p, 'ABORTED', 'ABORTED', this.deps.clock.now());
      return p;
    }
    const magic = source === 'force-approve' ? undefined : magicApproval(p.amount);
    if (magic) {
      this.attemptFailed(p, `${p.amount.value} ${magic.reason}`);
      throw new PaymentDeclinedError(p, magic.reason, p.amount.value, magic.outcome);
    }
    this.authorize(p, options.phoneNumber ?? p.customer?.phoneNumber ?? DEFAULT_TEST_PHONE_NUMBER, source);
    return p;
  }

  reject(msn: string, reference: string): Payment {
    const p = this.requireCreated(msn, reference, 'rejected');
    this.finish(p, 'ABORTED', 'ABORTED', this.deps.clock.now());
    return p;
  }

  expire(msn: string, reference: string): Payment {
    const p = this.requireCreated(msn, reference, 'expired');
    this.finish(p, 'EXPIRED', 'EXPIRED', this.deps.clock.now());
    return p;
  }

  failAttempt(msn: string, reference: string, reason: string): Payment {
    const p = this.requireCreated(msn, reference, 'declined');
    this.attemptFailed(p, reason);
    return p;
  }

  // --- merchant operations --------------------------------------------------------------

  /** `POST /payments`: validate, refuse a taken reference (4150), create, schedule expiry. */
  create(merchant: Merchant, body: unknown, options: CreateOptions = {}): Payment {
    const now = this.deps.clock.now();
    const { settings } = this.deps;
    const input = validateCreate(body, {
      merchant,
      referenceMaxLength: settings.referenceMaxLength,
      maxExpiresAtDays: settings.maxExpiresAtDays,
      now,
      pspId: options.pspId,
      authenticatedPspId: options.authenticatedPspId,
    });
    let own = this.payments.get(merchant.msn);
    if (own?.has(input.reference))
      throw epaymentError(4150, `Reference ${input.reference} already exists for MSN ${merchant.msn}. Each payment needs a new reference.`, 'reference', 'already exists');

    const pspRefKey = input.cardPassthrough ? `${input.pspId}\u0000${input.cardPassthrough.pspReference}` : undefined;
    if (pspRefKey !== undefined && this.pspReferences.has(pspRefKey))
      throw new ApiError({
        status: 409,
        title: 'Duplicate pspReference',
        detail: `cardPassthrough.pspReference ${input.cardPassthrough!.pspReference} was already used for another payment of PSP ${input.pspId}. Each payment needs its own pspReference.`,
        extraDetails: [{ name: 'cardPassthrough.pspReference', reason: 'already used for another payment of this PSP' }],
      });

    const token = landingToken();
    const c = merchant.currency; // validateCreate refuses any other (5040)
    const shortened = options.expireAfterMs?.(input);
    const amount = Object.freeze({ currency: c, value: input.amount.value });
    const pspReference = flatUuid();
    shareRepeatedParts(body as Record<string, unknown>, amount, input);
    // Only what every payment has is in the literal; an optional field is added when present,
    // so a plain web payment has no slots for a dozen absent ones (issue #17: ~100 heap bytes).
    const p: Payment = {
      msn: merchant.msn,
      reference: input.reference,
      state: 'CREATED',
      amount,
      aggregate: zeroAggregateOf(c),
      pspReference,
      userFlow: input.userFlow,
      paymentMethodType: input.paymentMethodType,
      returnUrl: input.returnUrl,
      redirectUrl: this.redirectUrl(input, token),
      landingToken: token,
      createRequest: body as Record<string, unknown>,
      createdAt: now,
      expiresAt: shortened !== undefined ? now + shortened : (input.expiresAt ?? now + settings.paymentExpiryMs),
      // The CREATED event in a one-slot array (a pushed first element gets 17).
      events: [this.event(input.reference, pspReference, 'CREATED', amount, options.idempotencyKey ?? null, now)],
      failedAttempts: NO_ATTEMPTS,
    };
    if (input.paymentDescription !== undefined) p.paymentDescription = input.paymentDescription;
    if (input.customer !== undefined) p.customer = input.customer;
    if (input.customerInteraction !== undefined) p.customerInteraction = input.customerInteraction;
    if (input.profileScope !== undefined) p.profileScope = input.profileScope;
    if (input.metadata !== undefined) p.metadata = input.metadata;
    if (input.receipt !== undefined) p.receipt = input.receipt;
    if (input.pspId !== undefined) p.pspId = input.pspId;
    if (input.cardPassthrough !== undefined) {
      p.cardPassthrough = input.cardPassthrough;
      p.card = newCardState();
    }
    if (input.qrFormat !== undefined) p.qrFormat = input.qrFormat;
    if (input.receiptUrl !== undefined) p.receiptUrl = input.receiptUrl;
    if (own === undefined) this.payments.set(merchant.msn, (own = new Map()));
    own.set(input.reference, p);
    this.tokens.set(token, p);
    if (pspRefKey !== undefined) this.pspReferences.add(pspRefKey);
    this.publish(p, p.events[0]);
    this.expiries.add(p);
    return p;
  }

  capture(msn: string, reference: string, body: unknown, options: ModifyOptions = {}): Payment {
    const p = this.require(msn, reference);
    const value = validateModification(body, p.amount.currency);
    if (p.state === 'CREATED' && p.card?.outcomeUnknown && p.card.resolvedBy === undefined) {
      // Card passthrough after an unknown callback outcome: the PSP's capture says the card was
      // really reserved (§4.4 "patched later"), so the payment is AUTHORIZED first.
      this.authorizePassthrough(p);
      p.card.resolvedBy = 'capture';
    }
    switch (p.state) {
      case 'CREATED':
        throw epaymentError(6080, 'The amount you tried to capture is not reserved. The user must accept the payment before capture can be done.');
      case 'TERMINATED':
        throw epaymentError(6070, 'The payment was cancelled (TERMINATED) and cannot be captured.');
      case 'ABORTED':
      case 'EXPIRED':
        throw epaymentError(6200, `The payment is ${p.state} and cannot be captured.`);
    }
    const a = p.aggregate; // read after authorizePassthrough above, which replaces it
    const now = this.deps.clock.now();
    if (now >= p.authorizedAt! + (CAPTURE_DEADLINE_DAYS[p.amount.currency] ?? 180) * DAY)
      throw epaymentError(6100, 'The capture period for this payment has expired.');
    if (a.cancelledAmount.value > 0) throw epaymentError(6070, 'The remaining amount was cancelled; a cancelled payment cannot be captured.');
    if (a.capturedAmount.value >= a.authorizedAmount.value) throw epaymentError(6170, 'The full amount has already been captured.');
    if (a.capturedAmount.value + value > a.authorizedAmount.value)
      throw epaymentError(6090, `The total capture amount exceeds the reserved amount (${a.authorizedAmount.value - a.capturedAmount.value} left to capture).`, 'modificationAmount.value', 'exceeds the amount left to capture');
    const merchant = this.deps.merchant(msn);
    if (merchant && !merchant.allowPartialCapture && value !== a.authorizedAmount.value)
      throw epaymentError(6140, 'This sales unit must capture the full amount in one capture.', 'modificationAmount.value', `must be ${a.authorizedAmount.value}`);
    move(p, 'capturedAmount', amountOf(p, a.capturedAmount.value + value));
    this.record(p, 'CAPTURED', value, options.idempotencyKey ?? null, now);
    return p;
  }

  refund(msn: string, reference: string, body: unknown, options: ModifyOptions = {}): Payment {
    const p = this.require(msn, reference);
    const value = validateModification(body, p.amount.currency, 'refundPayment');
    const a = p.aggregate;
    if (p.state === 'CREATED') throw epaymentError(6020, 'The payment is not reserved yet; there is nothing to refund.');
    if (p.state !== 'AUTHORIZED') throw epaymentError(6210, `The payment is ${p.state} and cannot be refunded.`);
    if (a.capturedAmount.value === 0) throw epaymentError(6020, 'Nothing has been captured; only captured amounts can be refunded (cancel the reservation instead).');
    if (a.refundedAmount.value >= a.capturedAmount.value) throw epaymentError(6180, 'The captured amount has already been refunded in full.');
    if (a.refundedAmount.value + value > a.capturedAmount.value)
      throw epaymentError(6150, `The refund exceeds the refundable amount (${a.capturedAmount.value - a.refundedAmount.value} left).`, 'modificationAmount.value', 'exceeds the refundable amount');
    const now = this.deps.clock.now();
    if (now >= p.authorizedAt! + REFUND_DEADLINE_DAYS * DAY) throw epaymentError(6220, `Refunds are possible for ${REFUND_DEADLINE_DAYS} days.`);
    if (value === MAGIC_REFUND_NOT_POSSIBLE || p.amount.value === MAGIC_REFUND_NOT_POSSIBLE)
      throw epaymentError(5100, 'The refund is not possible: the user has no account to receive it (test amount 123).');
    if (value === MAGIC_REFUND_PERIOD_EXPIRED || p.amount.value === MAGIC_REFUND_PERIOD_EXPIRED)
      throw epaymentError(6220, 'The refund period has expired (test amount 124).');
    move(p, 'refundedAmount', amountOf(p, a.refundedAmount.value + value));
    this.record(p, 'REFUNDED', value, options.idempotencyKey ?? null, now);
    return p;
  }

  cancel(msn: string, reference: string, body: unknown, options: ModifyOptions = {}): Payment {
    const p = this.require(msn, reference);
    const { cancelTransactionOnly } = validateCancel(body);
    const a = p.aggregate;
    const now = this.deps.clock.now();
    switch (p.state) {
      case 'CREATED':
        if (p.card?.outcomeUnknown) p.card.resolvedBy ??= 'cancel';
        move(p, 'cancelledAmount', p.amount);
        this.finish(p, 'TERMINATED', 'TERMINATED', now, options.idempotencyKey ?? null);
        return p;
      case 'TERMINATED':
        throw epaymentError(6190, 'The payment has already been cancelled (TERMINATED).');
      case 'ABORTED':
      case 'EXPIRED':
        throw epaymentError(6050, `The payment is ${p.state}; nothing is reserved to cancel.`);
    }
    if (cancelTransactionOnly) throw epaymentError(6060, 'The payment is authorized; with cancelTransactionOnly nothing was cancelled.');
    if (now >= p.authorizedAt! + (CAPTURE_DEADLINE_DAYS[p.amount.currency] ?? 180) * DAY)
      throw epaymentError(6030, 'The cancel period for this payment has expired.');
    if (a.capturedAmount.value >= a.authorizedAmount.value) throw epaymentError(6040, 'The payment has been captured in full; refund it instead.');
    if (a.cancelledAmount.value > 0) throw epaymentError(6190, 'The remaining amount has already been cancelled.');
    const released = a.authorizedAmount.value - a.capturedAmount.value;
    move(p, 'cancelledAmount', amountOf(p, released));
    this.record(p, 'CANCELLED', released, options.idempotencyKey ?? null, now);
    return p;
  }

  /**
   * Test-only force approve (§2.11). Magic amounts do not apply. Errors: 5090 unknown,
   * 10020 not CREATED, 10010 token or customer does not match, 10030 nobody identified,
   * 10040 paymentMethod CARD, 10060 Express (shipping).
   */
  forceApprove(msn: string, reference: string, body: unknown): Payment {
    const { payment, phoneNumber } = this.forceApprovable(msn, reference, body);
    this.authorize(payment, phoneNumber, 'force-approve');
    return payment;
  }

  /** The payment force approve may approve, and as whom; an ApiError (10010–10060) when it may not. */
  forceApprovable(msn: string, reference: string, body: unknown): { payment: Payment; phoneNumber: string } {
    const p = this.require(msn, reference);
    const { customer, token } = validateForceApprove(body);
    if (p.state !== 'CREATED') throw epaymentError(10020, `The payment is ${p.state}; only a CREATED payment can be approved.`);
    if (token !== undefined && token !== p.landingToken) throw epaymentError(10010, 'The token does not belong to this payment.', 'token', 'does not match the redirectUrl token');
    if (p.createRequest.shipping !== undefined && p.createRequest.shipping !== null)
      throw epaymentError(10060, 'Force approve does not support Express checkout payments.');
    if (p.paymentMethodType === 'CARD') throw epaymentError(10040, 'Force approve needs a wallet payment; CARD payments are completed on the card form.');
    if (customer?.phoneNumber !== undefined && p.customer?.phoneNumber !== undefined && customer.phoneNumber !== p.customer.phoneNumber)
      throw epaymentError(10010, 'The payment was requested from another customer.', 'customer.phoneNumber', 'differs from the payment customer');
    if (token === undefined && customer === undefined && p.customer === undefined)
      throw epaymentError(10030, 'Identify the customer: send customer or the token from redirectUrl.');
    return { payment: p, phoneNumber: customer?.phoneNumber ?? p.customer?.phoneNumber ?? DEFAULT_TEST_PHONE_NUMBER };
  }

  /** The event log of a payment (chronological). */
  events(msn: string, reference: string): PaymentEventRecord[] {
    return this.require(msn, reference).events;
  }

  /** The payment or 404 code 5090 (also for a known reference under another MSN). */
  require(msn: string, reference: string): Payment {
    const p = this.get(msn, reference);
    if (p === undefined) throw referenceNotFound(msn, reference);
    return p;
  }

  /** Payments held (all MSNs). */
  get size(): number {
    let n = 0;
    for (const own of this.payments.values()) n += own.size;
    return n;
  }

  // --- internals ------------------------------------------------------------------------

  private requireCreated(msn: string, reference: string, verb: string): Payment {
    const p = this.require(msn, reference);
    if (p.state !== 'CREATED') throw new ApiError({ status: 409, title: 'Payment is not CREATED', detail: `The payment is ${p.state} and can no longer be ${verb}.` });
    return p;
  }

  private redirectUrl(input: CreateInput, token: string): string | undefined {
    switch (input.userFlow) {
      case 'PUSH_MESSAGE':
        return undefined;
      case 'NATIVE_REDIRECT':
        return `vippsMT://?token=${token}`;
      case 'QR': {
        const format = input.qrFormat?.format ?? 'IMAGE/SVG+XML';
        if (format === 'TEXT/TARGETURL') return landingPageUrl(this.deps.publicUrl(), token);
        const base = `${this.deps.publicUrl()}/qr-image/v1?token=${token}`;
        return format === 'IMAGE/PNG' ? `${base}&format=png&size=${input.qrFormat?.size ?? 1024}` : base;
      }
      default:
        return landingPageUrl(this.deps.publicUrl(), token);
    }
  }

  /**
   * Card passthrough: the PSP reserved the card (RESERVE; with `capture`, the early revision's
   * CAPTURE, reserved and captured at once), or its later capture says so. The customer and
   * source are the attempt's.
   */
  authorizePassthrough(p: Payment, options: { capture?: boolean } = {}): void {
    if (p.state !== 'CREATED') return;
    this.authorize(p, p.card?.phoneNumber ?? p.customer?.phoneNumber ?? DEFAULT_TEST_PHONE_NUMBER, p.card?.approvedBy ?? 'control');
    if (options.capture) {
      move(p, 'capturedAmount', p.amount);
      this.record(p, 'CAPTURED', p.amount.value, null, this.deps.clock.now());
    }
  }

  private authorize(p: Payment, phoneNumber: string, source: ApproveSource): void {
    const now = this.deps.clock.now();
    p.state = 'AUTHORIZED';
    move(p, 'authorizedAmount', p.amount);
    p.authorizedAt = now;
    p.approvedBy = source;
    p.approvedPhoneNumber = phoneNumber;
    if (p.profileScope !== undefined) p.sub = subForPhoneNumber(phoneNumber);
    this.record(p, 'AUTHORIZED', p.amount.value, null, now);
  }

  /** A final state reached from CREATED (ABORTED, EXPIRED, TERMINATED). */
  private finish(p: Payment, state: PaymentState, event: PaymentEventName, at: number, idempotencyKey: string | null = null): void {
    p.state = state;
    this.record(p, event, p.amount.value, idempotencyKey, at);
  }

  private record(p: Payment, name: PaymentEventName, value: number, idempotencyKey: string | null, at: number): void {
    const event = this.event(p.reference, flatUuid(), name, amountOf(p, value), idempotencyKey, at);
    p.events.push(event);
    this.publish(p, event);
  }

  private event(reference: string, pspReference: string, name: PaymentEventName, amount: Amount, idempotencyKey: string | null, at: number): PaymentEventRecord {
    return { reference, pspReference, name, amount, timestamp: new Date(at).toISOString(), idempotencyKey, success: true };
  }

  private publish(p: Payment, event: PaymentEventRecord): void {
    this.deps.publish?.({
      eventType: epaymentEventType(event.name),
      msn: p.msn,
      reference: p.reference,
      amount: p.amount.value,
      payload: webhookPayload(p.msn, event),
    });
  }

  /** A failed card attempt, newest last (a new array: the empty one is shared). */
  attemptFailed(p: Payment, reason: string): void {
    p.failedAttempts = [...p.failedAttempts, { at: this.deps.clock.now(), reason }];
  }

  /** Expire lazily, so a moved clock never shows a stale CREATED even before the task runs. */
  private touch(p: Payment): void {
    if (p.state === 'CREATED' && this.deps.clock.now() >= p.expiresAt && !holdsExpiry(p.card)) this.finish(p, 'EXPIRED', 'EXPIRED', p.expiresAt);
  }

}
