/**
 * The PSP API mode's payment records (in memory: its "database") and its status words, derived
 * only from what the PSP itself did: its makePayment answers, its acquirer operations and its
 * own cancels — never from the customer reaching pspRedirectUrl (PSPAPI-NO-REDIRECT-RELIANCE).
 */
import type { PaymentDetails } from './vipps.ts';

/** The PSP API mode's status words (README "PSP API mode → Status words"). */
export const STATUS_WORDS = ['initiated', '3ds-pending', 'authorised', 'part-captured', 'captured', 'part-refunded', 'refunded', 'cancelled', 'expired', 'declined', 'failed'] as const;
export type ApiStatus = (typeof STATUS_WORDS)[number];

/** How a makePayment call ended for the payment. */
export type CallOutcome = 'authorised' | 'declined' | 'soft-decline' | 'not-confirmed' | 'undecryptable' | 'invalid' | 'too-late' | 'unauthorised' | 'repeat';

export interface ErrorMessage {
  /** A string, as both specs' ErrorMessage schema has it ("82"). */
  errorId: string;
  errorText: string;
}

export interface MakePaymentAnswerBody {
  paymentInfo: { pspTransactionId: string; status: 'OK' | 'FAIL' | 'SOFT_DECLINE'; url3dSecure?: string };
  errorMessage?: ErrorMessage;
}

export interface MakePaymentCall {
  at: string;
  /** 1 for a first call, 2 for the re-send after 3-D Secure. */
  round: 1 | 2;
  /** v2 `confirmed` / v3 `paymentState` as Vipps sent it. */
  confirmed: string;
  maskedCardNumber?: string;
  outcome: CallOutcome;
  httpStatus: number;
  answer: unknown;
  answerMs?: number;
  /** false when the connection closed before the answer was written (Vipps never got it). */
  delivered?: boolean;
}

export interface StatusReport {
  at: string;
  status: 'CAPTURED' | 'REFUNDED' | 'CANCELLED';
  amount: number;
  /** false with the no-status-updates fault: the PSP did the operation but never told Vipps. */
  sent: boolean;
  ok: boolean;
  detail?: string;
}

export interface DetailsRead {
  at: string;
  after: string;
  details?: PaymentDetails;
  /** The transactionSummary agrees with the PSP's own amounts. */
  consistent?: boolean;
  error?: string;
}

export interface ApiPayment {
  /** The pspTransactionId: the payment's reference towards golive and Vipps. */
  reference: string;
  merchantOrderId: string;
  amount: number;
  currency: 'NOK';
  description: string;
  /** The per-payment secret sent as makePaymentToken and expected back as Authorization. */
  makePaymentToken: string;
  createdAt: number;
  redirectUrl?: string;
  /** The makePayment answer that decided the payment (OK / FAIL); undefined while initiated. */
  decided?: { outcome: 'authorised' | 'declined' | 'cancelled' | 'expired' | 'failed'; answer: MakePaymentAnswerBody };
  /** The acquirer reservation (networkTransactionReference) once a card was authorised. */
  reservation?: string;
  card?: { type: string; maskedNumber: string };
  /** 3-D Secure after a SOFT_DECLINE: where to send the customer once done (operations[] 3dssuccess). */
  threeDS?: { completed: boolean; successUrl: string };
  ledger: { captured: number; refunded: number; cancelled: number };
  /** The PSP cancelled before makePayment came: a later makePayment is answered 85. */
  cancelledBeforeMakePayment?: boolean;
  /** redirect-reliance fault: the customer reached pspRedirectUrl. */
  redirectReached?: boolean;
  failure?: ErrorMessage;
  calls: MakePaymentCall[];
  reports: StatusReport[];
  details: DetailsRead[];
}

/** Authorised and not yet captured or released (in øre). */
export function remaining(p: ApiPayment): number {
  return p.decided?.outcome === 'authorised' ? p.amount - p.ledger.captured - p.ledger.cancelled : 0;
}

export function statusOf(p: ApiPayment, redirectReliance = false): ApiStatus {
  const { captured, refunded, cancelled } = p.ledger;
  if (refunded > 0) return refunded >= captured ? 'refunded' : 'part-refunded';
  if (captured > 0) return captured >= p.amount || cancelled > 0 ? 'captured' : 'part-captured';
  if (cancelled > 0 || p.cancelledBeforeMakePayment) return 'cancelled';
  const outcome = p.decided?.outcome;
  if (outcome === 'authorised') return redirectReliance && !p.redirectReached ? 'initiated' : 'authorised';
  if (outcome) return outcome;
  return p.threeDS ? '3ds-pending' : 'initiated';
}

export class ApiPaymentStore {
  private readonly byRef = new Map<string, ApiPayment>();

  add(p: ApiPayment): void {
    this.byRef.set(p.reference, p);
  }

  get(reference: string): ApiPayment | undefined {
    return this.byRef.get(reference);
  }

  all(): ApiPayment[] {
    return [...this.byRef.values()];
  }
}

/** The JSON view of GET /api/payments/:ref. */
export function paymentView(p: ApiPayment, version: string, redirectReliance = false) {
  return {
    reference: p.reference,
    pspTransactionId: p.reference,
    merchantOrderId: p.merchantOrderId,
    version,
    status: statusOf(p, redirectReliance),
    amount: p.amount,
    currency: p.currency,
    description: p.description,
    amounts: { authorised: p.decided?.outcome === 'authorised' ? p.amount : 0, ...p.ledger },
    // Always an object: golive extracts $.card.type (null until a card was processed).
    card: { type: p.card?.type ?? null, maskedNumber: p.card?.maskedNumber ?? null },
    attempts: p.calls,
    reports: p.reports,
    details: p.details.at(-1)?.details ?? null,
    failure: p.failure ?? null,
  };
}
