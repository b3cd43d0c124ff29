import type { ApiName } from '../../traffic/types.ts';
import type { ConsentChoice } from '../../contract/in-person.ts';
import type { Amount } from './amount.ts';
import { ApiError, type ProblemInput } from '../problem.ts';
import type { CardCallbackForgery, CardCallbackSummary, CustomerCardChoice, CustomerCards, ForgedCardCallback } from './card-customer.ts';

/**
 * The payment directory: every API plugin that holds customer-facing payments (ePayment now,
 * eCom v2 and card passthrough next) registers a `PaymentSource` here, and the API-neutral
 * plugins (landing page, QR, receipts, userinfo, the control API's customer actions) find
 * payments through it instead of reaching into one API's service.
 */

/** A payment's state in terms the customer and the neutral plugins understand. */
export type CustomerState = 'awaiting-customer' | 'approved' | 'rejected' | 'expired' | 'cancelled';

/** Who acted for the customer: the landing page, the control API, or a test-only force approve. */
export type ApproveSource = 'landing' | 'control' | 'force-approve';

/** What the customer-facing plugins see of a payment. A snapshot: look it up again after acting. */
export interface CustomerPayment {
  api: ApiName;
  msn: string;
  reference: string;
  amount: Amount;
  state: CustomerState;
  /** The API's own name for the state (`AUTHORIZED`, `RESERVE`…), shown as-is on the landing page. */
  apiState: string;
  description?: string;
  /** Where the customer goes afterwards (ePayment `returnUrl`, eCom `fallBack`). */
  returnUrl?: string;
  landingToken: string;
  expiresAt: number;
  /** Profile data the merchant asked for (space-separated scopes). */
  profileScope?: string;
  /** The customer the payment was requested from, when the merchant said. */
  customerPhoneNumber?: string;
  /** The API's user flow (ePayment `userFlow`: PUSH_MESSAGE payments are the phone's push requests). */
  userFlow?: string;
  /** When the merchant created it (the push's `receivedAt`). */
  createdAt?: number;
  /** The customer's answer to the profile-sharing question, once given. */
  consent?: ConsentChoice;
  /** Set once approved: when, by whom (MSISDN) and the `sub` Userinfo answers for. */
  approvedAt?: number;
  approvedPhoneNumber?: string;
  sub?: string;
  /** A receipt sent with the create request (Order Management treats it as the order's). */
  receipt?: unknown;
  /** Card attempts the customer met, newest last. */
  failedAttempts: readonly { at: number; reason: string }[];
  /** The API's own record, as the control API shows it (redacted). */
  record: unknown;
  /** Card passthrough (ePayment CARD_PASSTHROUGH): the customer's cards and where the attempts stand. */
  card?: CustomerCards;
  /** The card callback the action that produced this snapshot caused (approve, soft-decline completion). */
  cardCallback?: CardCallbackSummary;
}

export interface ApproveOptions {
  phoneNumber?: string;
  source: ApproveSource;
  card?: CustomerCardChoice;
  /** The answer to the profile-sharing question (default `share`); `decline` fails a payment with a scope. */
  consent?: ConsentChoice;
}

/** One API's payments, as the directory reaches them. Actions throw `ApiError` when refused. */
export interface PaymentSource {
  api: ApiName;
  /** The API's own state names, for filters such as the control API's `?state=`. */
  states: readonly string[];
  get(msn: string, reference: string): CustomerPayment | undefined;
  byLandingToken(token: string): CustomerPayment | undefined;
  list(filter: { msn?: string; apiState?: string }): CustomerPayment[];
  /**
   * The customer approves. For a card-passthrough payment (`card` picks the card) this waits for
   * the PSP's card callback answer: a Promise; RESERVE → approved, SOFT_DECLINE → still awaiting
   * with `cardCallback.softDeclineUrl`, FAIL/unknown → throws CardCallbackDeclinedError.
   */
  approve(msn: string, reference: string, options: ApproveOptions): CustomerPayment | Promise<CustomerPayment>;
  /** Card passthrough: the PSP sent the customer back after 3-D Secure; the second callback (same attempt). */
  completeSoftDecline?(msn: string, reference: string, attemptId?: string): Promise<CustomerPayment>;
  /** Card passthrough: send a forged card callback for this payment and report the PSP's answer (never acted on). */
  forgeCardCallback?(msn: string, reference: string, forgery: CardCallbackForgery): Promise<ForgedCardCallback>;
  reject(msn: string, reference: string): CustomerPayment;
  expire(msn: string, reference: string): CustomerPayment;
  fail(msn: string, reference: string, reason: string): CustomerPayment;
}

/**
 * Thrown by `approve()` when the customer's card is declined (a magic amount): the attempt is
 * recorded and the payment stays open. `payment` is the API's own record.
 */
export class CustomerDeclinedError extends ApiError {
  constructor(
    readonly payment: unknown,
    /** Human-readable reason, e.g. "Insufficient funds". */
    readonly reason: string,
    readonly magicAmount: number,
    readonly outcome: 'declined' | 'unknown',
    /** How the API itself answers the attempt. */
    problem: ProblemInput,
  ) {
    super(problem);
  }
}

export class PaymentDirectory {
  private readonly sources: PaymentSource[] = [];

  register(source: PaymentSource): void {
    if (this.sources.some((s) => s.api === source.api)) throw new Error(`payment directory: ${source.api} is registered twice`);
    this.sources.push(source);
  }

  /** The source that holds `api`'s payments, if that API runs in this sandbox. */
  source(api: ApiName): PaymentSource | undefined {
    return this.sources.find((s) => s.api === api);
  }

  /** A payment by MSN and reference (ePayment reference, eCom orderId), in any API. */
  find(msn: string, reference: string): CustomerPayment | undefined {
    for (const s of this.sources) {
      const p = s.get(msn, reference);
      if (p !== undefined) return p;
    }
    return undefined;
  }

  byLandingToken(token: string): CustomerPayment | undefined {
    for (const s of this.sources) {
      const p = s.byLandingToken(token);
      if (p !== undefined) return p;
    }
    return undefined;
  }

  list(filter: { msn?: string; apiState?: string } = {}): CustomerPayment[] {
    return this.sources.flatMap((s) => s.list(filter));
  }

  /** Every API state name known, in registration order (for validating filters). */
  states(): string[] {
    return [...new Set(this.sources.flatMap((s) => s.states))];
  }

  /** The source holding a payment, for acting on it. */
  sourceOf(payment: CustomerPayment): PaymentSource {
    const s = this.source(payment.api);
    if (!s) throw new Error(`payment directory: no source for ${payment.api}`);
    return s;
  }
}
