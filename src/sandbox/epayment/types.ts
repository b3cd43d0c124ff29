import { CustomerDeclinedError, type ApproveSource } from '../shared/directory.ts';
import type { CardPassthroughState } from './card-passthrough/attempts.ts';
import type { ConsentChoice } from '../../contract/in-person.ts';
import type { AggregateKey, PaymentEventName, PaymentState, UserFlow } from '../../contract/epayment.ts';

/**
 * The contract of the ePayment state machine, shared by its HTTP routes, the landing page
 * and the sandbox control API. The implementation lives in ./machine.ts (no HTTP there).
 *
 * Errors: every method that cannot do what it is asked throws an `ApiError` (../problem.ts)
 * whose `problem` carries the HTTP status, title and ePayment error code — send it with
 * `sendProblem(request, reply, err.problem)`. A declined card attempt throws the subclass
 * `PaymentDeclinedError` (below), after recording the attempt.
 *
 * Behaviour every reader can rely on:
 * - `Payment` objects are live: the same object changes as the payment moves on.
 * - Every read (`get`, `byLandingToken`, `list`) first expires a CREATED payment whose
 *   `expiresAt` has passed on the sandbox clock, so a moved clock never shows a stale CREATED.
 * - Every event is appended to `payment.events` and published on `ctx.events` as
 *   `epayments.payment.<name>.v1` with the §3.3 WebhookEvent payload; customer and system
 *   events (AUTHORIZED, ABORTED, EXPIRED) carry `idempotencyKey: null`.
 */
export type Currency = 'NOK' | 'DKK' | 'EUR';
export interface Amount {
  currency: Currency | string;
  value: number;
}

export type { PaymentEventName, PaymentState, UserFlow } from '../../contract/epayment.ts';

/** Frozen: replaced, never changed in place (the untouched one is shared). */
export type Aggregate = Readonly<Record<AggregateKey, Amount>>;

export interface PaymentEventRecord {
  reference: string;
  pspReference: string;
  name: PaymentEventName;
  amount: Amount;
  timestamp: string;
  idempotencyKey: string | null;
  success: boolean;
}

/** A payment as the sandbox holds it (internal view; routes map it to the spec's shapes). */
export interface Payment {
  msn: string;
  reference: string;
  state: PaymentState;
  amount: Amount;
  aggregate: Aggregate;
  /** pspReference of the CREATED event: the one GET payment reports. */
  pspReference: string;
  userFlow: UserFlow;
  paymentMethodType: string;
  returnUrl?: string;
  redirectUrl?: string;
  /** Opaque token in redirectUrl (`?token=`), accepted by force approve and the landing page. */
  landingToken: string;
  paymentDescription?: string;
  customer?: { phoneNumber?: string; personalQr?: string; customerToken?: string };
  customerInteraction?: string;
  profileScope?: string;
  /** Set when AUTHORIZED with a profile scope. */
  sub?: string;
  metadata?: Record<string, string>;
  receipt?: unknown;
  /** Full create request body as received (for card passthrough, receipts, checks). */
  createRequest: Record<string, unknown>;
  createdAt: number;
  expiresAt: number;
  events: PaymentEventRecord[];
  /** Card failures the customer met on the landing page (magic amounts), newest last. */
  failedAttempts: readonly { at: number; reason: string }[];

  // --- additions (not part of the original contract; all optional for readers) ----------
  /** Sandbox time of authorization (capture/cancel/refund deadlines count from it). */
  authorizedAt?: number;
  /** How the payment got AUTHORIZED. */
  approvedBy?: ApproveSource;
  /** MSISDN of the customer who approved (explicit, from `customer`, or the default test user). */
  approvedPhoneNumber?: string;
  /** `Psp-Id` header of the create request (card passthrough). */
  pspId?: string;
  /** `cardPassthrough` object of a CARD_PASSTHROUGH create request, as received. */
  cardPassthrough?: CardPassthrough;
  /** Card passthrough: the customer's authorization attempts and their outcomes (card-passthrough/attempts.ts). */
  card?: CardPassthroughState;
  /** `qrFormat` of a QR payment (format defaulted to IMAGE/SVG+XML). */
  qrFormat?: { format: QrFormat; size?: number | null };
  receiptUrl?: string;
  /** The customer's answer to `profile.scope` (`decline` ended the payment ABORTED). */
  consent?: ConsentChoice;
}

export type { ApproveSource } from '../shared/directory.ts';
export type QrFormat = 'TEXT/TARGETURL' | 'IMAGE/SVG+XML' | 'IMAGE/PNG';

export interface CardPassthrough {
  pspReference: string;
  cardCallbackUrl: string;
  cardCallbackAuthHeader?: string;
  allowedCardTypes?: string[];
  preferVisaPartOfVisaDankort?: boolean;
  publicEncryptionKeyId?: string;
  [key: string]: unknown;
}

/**
 * Thrown by `approve()` (sources `landing` and `control`, never `force-approve`) when the
 * payment amount is one of the test environment's magic amounts (vipps-facts §2.16).
 * The attempt has already been recorded in `payment.failedAttempts`; the payment stays
 * CREATED, so the customer may try again (same result) or reject, or it expires.
 * - `outcome: 'declined'`: 151, 182, 183, 184, 186, 187, and for NOK 197, 202.
 * - `outcome: 'unknown'`: 201 — the result is unknown; nothing more happens.
 * HTTP status 402, title "Payment declined", code = the magic amount.
 */
export class PaymentDeclinedError extends CustomerDeclinedError {
  declare readonly payment: Payment;
  constructor(payment: Payment, reason: string, magicAmount: number, outcome: 'declined' | 'unknown') {
    super(payment, reason, magicAmount, outcome, {
      status: 402,
      title: 'Payment declined',
      detail: `${reason} (test amount ${magicAmount}). The payment is still CREATED.`,
      code: magicAmount,
    });
  }
}

export interface EpaymentService {
  get(msn: string, reference: string): Payment | undefined;
  /** Find a payment by the `token` in its redirectUrl. */
  byLandingToken(token: string): Payment | undefined;
  list(filter?: { msn?: string; state?: PaymentState }): Payment[];
  /**
   * The customer approves (app or landing page). Throws ApiError when not possible:
   * 404 code 5090 for an unknown payment, 400 code 10020 "Approve not allowed" when the payment
   * is not CREATED (also after it expired). With source `landing`/`control` (the default is
   * `control`) magic amounts throw `PaymentDeclinedError` after recording a failed attempt;
   * `force-approve` skips the magic amounts. Sets `profile.sub` when a scope was requested
   * (derived from `phoneNumber` ?? `customer.phoneNumber` ?? 4712345678).
   * In-person (src/contract/in-person.ts): `consent: 'decline'` on a payment with a scope ends it
   * ABORTED (the app cannot pay without the consent); a PUSH_MESSAGE payment approved with
   * another `phoneNumber` than its `customer.phoneNumber` → 409 code `other-phone`.
   */
  approve(msn: string, reference: string, options?: { phoneNumber?: string; source?: ApproveSource; consent?: ConsentChoice }): Payment;
  /** The customer rejects: ABORTED. 404/5090 unknown; 409 "Payment is not CREATED" (no code) otherwise. */
  reject(msn: string, reference: string): Payment;
  /** The clock runs out now: EXPIRED. Errors as reject(). */
  expire(msn: string, reference: string): Payment;
  /** The customer's card is declined (any reason); the payment stays CREATED. Errors as reject(). */
  failAttempt(msn: string, reference: string, reason: string): Payment;
}
