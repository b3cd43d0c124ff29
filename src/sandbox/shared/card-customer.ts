import type { CardCallbackForgery, CardCallbackSummary, CardType, CustomerCardChoice } from '../../contract/card-passthrough.ts';
import { CustomerDeclinedError } from './directory.ts';
import type { ProblemInput } from '../problem.ts';

/**
 * Card passthrough as the customer-facing plugins see it (landing page, control API), without
 * importing ePayment: the wallet's cards on offer, what blocks another attempt, and the
 * outcome of the card callback an action caused.
 */

export type { CardCallbackForgery, CardCallbackSummary, CustomerCardChoice };

export interface CustomerCard {
  type: CardType;
  /** e.g. "Visa/Dankort". */
  typeName: string;
  maskedCardNumber: string;
}

export interface CustomerCards {
  pspReference: string;
  /** The wallet's cards this payment allows, in the order the app lists them. */
  cards: CustomerCard[];
  /** What keeps the customer from trying (another) card now. */
  blocked?: 'attempt-in-progress' | 'outcome-unknown' | 'not-retryable' | 'soft-decline-pending';
  /** With `soft-decline-pending`: where the customer verifies the card (3-D Secure). */
  softDeclineUrl?: string;
}

/** The answer to a forged callback (the sandbox never acts on it). */
export interface ForgedCardCallback {
  authorizationAttemptId: string;
  forgery: CardCallbackForgery;
  /** HTTP status of the PSP's answer; null when it did not answer. */
  status: number | null;
  body?: unknown;
  /** The PSP answered 2xx with RESERVE or CAPTURE: it accepted a forged callback. */
  accepted: boolean;
  error?: string;
}

/**
 * Thrown by `approve()` / `completeSoftDecline()` of a card-passthrough payment when the PSP
 * answered FAIL (`outcome: 'declined'`) or the outcome is unknown (5xx, timeout, invalid answer:
 * `outcome: 'unknown'`). The payment stays CREATED; `cardCallback` says what happened.
 * `magicAmount` is 0: no magic amount is involved (the PSP's answer decides).
 */
export class CardCallbackDeclinedError extends CustomerDeclinedError {
  constructor(
    payment: unknown,
    reason: string,
    outcome: 'declined' | 'unknown',
    readonly retryable: boolean,
    readonly cardCallback: CardCallbackSummary,
    problem: ProblemInput,
  ) {
    super(payment, reason, 0, outcome, problem);
  }
}
