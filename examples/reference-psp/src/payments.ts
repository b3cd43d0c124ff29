/**
 * The PSP's payment records (in memory: its "database") and its own status words, derived from
 * what it did at the acquirer (reservation, captures, refunds, releases) and Vipps' state.
 */
import type { VippsState } from './vipps/epayment.ts';

/** The PSP's status words (README "Status words"). */
export const STATUS_WORDS = ['created', 'declined', 'authorised', 'part-captured', 'captured', 'part-refunded', 'refunded', 'cancelled', 'expired', 'failed'] as const;
export type PspStatus = (typeof STATUS_WORDS)[number];

export interface Attempt {
  authorizationAttemptId: string;
  /** 1 for the first callback of an attempt, 2 for the one after 3-D Secure. */
  round: 1 | 2;
  at: string;
  /** cardInfo.cardType as the callback spelt it (e.g. VISA-DEBIT). */
  callbackCardType: string;
  /** The card type the PSP processed with (an allowed-type word, e.g. VISA_DEBIT). */
  processedCardType: string;
  maskedCardNumber: string;
  outcome: 'reserved' | 'declined' | 'soft-decline' | 'rejected';
  /** The HTTP status and body the PSP answered. */
  answer: { httpStatus: number; body: unknown };
  answerMs?: number;
  /** false when the connection closed before the answer was written (Vipps never got it). */
  delivered?: boolean;
}

export interface Operation {
  op: 'create' | 'capture' | 'refund' | 'cancel';
  amount?: number;
  idempotencyKey: string;
  at: string;
  ok: boolean;
  detail?: string;
}

export interface Payment {
  reference: string;
  pspReference: string;
  /** The per-payment secret sent as cardCallbackAuthHeader and expected back on the callback. */
  callbackAuth: string;
  amount: number;
  currency: string;
  description: string;
  createdAt: number;
  redirectUrl?: string;
  vippsState?: VippsState;
  lastSyncAt?: string;
  /** The acquirer reservation (networkTransactionReference) once a card was authorised. */
  reservation?: string;
  card?: { type: string; callbackType: string; maskedNumber: string };
  attempts: Attempt[];
  /** 3-D Secure challenges by attempt id. */
  threeDS: Record<string, { completed: boolean; completedRedirectUrl: string }>;
  ledger: { captured: number; refunded: number; cancelled: number };
  operations: Operation[];
  /** Webhooks received (signal only; the payment is re-read). */
  notifications: { name: string; at: string; success: boolean }[];
  /** Set when the authorisation outcome could not be delivered to Vipps (timeout) or was an error answer. */
  failure?: string;
}

export function statusOf(p: Payment): PspStatus {
  if (p.failure) return 'failed';
  const { captured, refunded, cancelled } = p.ledger;
  if (refunded > 0) return refunded >= captured ? 'refunded' : 'part-refunded';
  if (captured > 0) return captured >= p.amount || cancelled > 0 ? 'captured' : 'part-captured';
  if (cancelled > 0) return 'cancelled';
  if (p.reservation) return 'authorised';
  if (p.vippsState === 'ABORTED' || p.vippsState === 'TERMINATED') return 'cancelled';
  if (p.vippsState === 'EXPIRED') return 'expired';
  if (p.attempts.at(-1)?.outcome === 'declined') return 'declined';
  return 'created';
}

/** Nothing more will change at Vipps without the PSP acting: stop polling. */
export function isSettledAtVipps(p: Payment): boolean {
  return Boolean(p.failure) || (p.vippsState !== undefined && p.vippsState !== 'CREATED');
}

export class PaymentStore {
  private readonly byRef = new Map<string, Payment>();
  private readonly byPspRef = new Map<string, Payment>();
  private readonly attemptToRef = new Map<string, string>();

  add(p: Payment): void {
    this.byRef.set(p.reference, p);
    // With reuse-psp-reference the latest payment wins (as a PSP with that bug would behave).
    this.byPspRef.set(p.pspReference, p);
  }

  get(reference: string): Payment | undefined {
    return this.byRef.get(reference);
  }

  byPspReference(pspReference: string): Payment | undefined {
    return this.byPspRef.get(pspReference);
  }

  linkAttempt(attemptId: string, reference: string): void {
    this.attemptToRef.set(attemptId, reference);
  }

  byAttempt(attemptId: string): Payment | undefined {
    const ref = this.attemptToRef.get(attemptId);
    return ref === undefined ? undefined : this.byRef.get(ref);
  }

  all(): Payment[] {
    return [...this.byRef.values()];
  }
}

/** The JSON view of GET /api/payments/:ref. */
export function paymentView(p: Payment) {
  return {
    reference: p.reference,
    pspReference: p.pspReference,
    status: statusOf(p),
    amount: p.amount,
    currency: p.currency,
    description: p.description,
    amounts: { authorised: p.reservation ? p.amount : 0, ...p.ledger },
    vippsState: p.vippsState ?? null,
    // Always an object: golive's orderStatus extracts $.card.type (null until a card was processed).
    card: { type: p.card?.type ?? null, callbackType: p.card?.callbackType ?? null, maskedNumber: p.card?.maskedNumber ?? null },
    attempts: p.attempts.map((a) => ({
      authorizationAttemptId: a.authorizationAttemptId,
      round: a.round,
      at: a.at,
      callbackCardType: a.callbackCardType,
      processedCardType: a.processedCardType,
      maskedCardNumber: a.maskedCardNumber,
      outcome: a.outcome,
      answer: a.answer,
      answerMs: a.answerMs,
      delivered: a.delivered,
    })),
    operations: p.operations,
    failure: p.failure ?? null,
  };
}
