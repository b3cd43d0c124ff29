/**
 * The contract of the ePayment state machine, shared by its HTTP routes, the landing page
 * and the sandbox control API. The implementation lives in ./machine.ts (no HTTP there).
 */
export type Currency = 'NOK' | 'DKK' | 'EUR';
export interface Amount {
  currency: Currency | string;
  value: number;
}

export type PaymentState = 'CREATED' | 'AUTHORIZED' | 'ABORTED' | 'EXPIRED' | 'TERMINATED';
export type PaymentEventName =
  | 'CREATED'
  | 'AUTHORIZED'
  | 'ABORTED'
  | 'EXPIRED'
  | 'CANCELLED'
  | 'CAPTURED'
  | 'REFUNDED'
  | 'TERMINATED';
export type UserFlow = 'WEB_REDIRECT' | 'NATIVE_REDIRECT' | 'PUSH_MESSAGE' | 'QR';

export interface Aggregate {
  authorizedAmount: Amount;
  cancelledAmount: Amount;
  capturedAmount: Amount;
  refundedAmount: Amount;
}

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
  failedAttempts: { at: number; reason: string }[];
}

export interface EpaymentService {
  get(msn: string, reference: string): Payment | undefined;
  /** Find a payment by the `token` in its redirectUrl. */
  byLandingToken(token: string): Payment | undefined;
  list(filter?: { msn?: string; state?: PaymentState }): Payment[];
  /** The customer approves (app or landing page). Throws ApiError when not possible. */
  approve(msn: string, reference: string, options?: { phoneNumber?: string; source?: 'landing' | 'control' | 'force-approve' }): Payment;
  /** The customer rejects: ABORTED. */
  reject(msn: string, reference: string): Payment;
  /** The clock runs out now: EXPIRED. */
  expire(msn: string, reference: string): Payment;
  /** The customer's card is declined (e.g. magic amount); the payment stays CREATED. */
  failAttempt(msn: string, reference: string, reason: string): Payment;
}
