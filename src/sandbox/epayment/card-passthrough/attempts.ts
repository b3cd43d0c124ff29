import { UNKNOWN_OUTCOMES, type CardCallbackNotes, type CardCallbackOutcome, type CardType } from '../../../contract/card-passthrough.ts';
import { ApiError } from '../../problem.ts';
import type { ApproveSource } from '../../shared/directory.ts';
import type { CallbackAnswer } from './callback.ts';

/**
 * Where a card-passthrough payment's authorization attempts stand (vipps-facts §4.3–4.4): the
 * state machine of attempts, apart from HTTP and from the payment's own states. One attempt per
 * card the customer confirms; a SOFT_DECLINE gives the same attempt a second round. The
 * payment stays CREATED until a RESERVE; after an unknown outcome (5xx, timeout, bad answer)
 * no attempt is allowed and the PSP must patch the payment (capture or cancel).
 */

export interface AttemptRound {
  round: CardCallbackNotes['round'];
  at: string;
  outcome: CardCallbackOutcome;
  /** HTTP status of the PSP's answer (absent: no answer). */
  status?: number;
  answerMs?: number;
  retryable?: boolean;
  networkTransactionReference?: string;
  errorCode?: number;
  errorMessage?: string;
  softDeclineUrl?: string;
  /** Why the outcome is unknown (timeout, HTTP 500, invalid answer). */
  problem?: string;
  /** The traffic-log exchange of this callback. */
  exchangeSeq?: number;
}

export interface CardAttempt {
  authorizationAttemptId: string;
  /** The allowed-type word of the card the customer picked. */
  cardType: CardType;
  /** `cardInfo.cardType` as sent (the Dankort part of a Visa/Dankort card says DANKORT). */
  callbackCardType: string;
  maskedCardNumber: string;
  startedAt: string;
  /** The latest round's outcome. */
  outcome?: CardCallbackOutcome;
  rounds: AttemptRound[];
}

export interface CardPassthroughState {
  attempts: CardAttempt[];
  /** A callback's outcome was unknown (5xx, timeout, invalid): no more attempts; the PSP must report. */
  outcomeUnknown: boolean;
  /** How the PSP settled an unknown outcome later: a capture (it was reserved) or a cancel. */
  resolvedBy?: 'capture' | 'cancel';
  /** A FAIL the customer may not retry (errorCode in `nonRetryableErrorCodes`). */
  declinedFinally?: boolean;
  /** The attempt whose callback is on its way (one at a time). */
  inFlight?: string;
  /** A SOFT_DECLINE waiting for the PSP to send the customer back. */
  softDecline?: { attemptId: string; softDeclineUrl: string };
  /** Who approved (for the AUTHORIZED event of a later RESERVE or patch). */
  approvedBy?: ApproveSource;
  phoneNumber?: string;
}

export const newCardState = (): CardPassthroughState => ({ attempts: [], outcomeUnknown: false });

const refuse = (code: string, detail: string) => new ApiError({ status: 409, title: 'Card attempt not possible', detail, code });

/** Why no new attempt may start now (throws 409 `{code}`), else nothing. */
export function assertCanAttempt(s: CardPassthroughState): void {
  if (s.inFlight) refuseNow('attempt-in-progress', 'A card attempt is in progress; wait for its result.');
  if (s.outcomeUnknown) refuseNow('outcome-unknown', 'The result of the last card attempt is unknown; no further attempt is allowed. Check the payment status at the merchant.');
  if (s.declinedFinally) refuseNow('not-retryable', 'The card was declined with an error that does not allow another attempt.');
  if (s.softDecline) refuseNow('soft-decline-pending', 'The card needs verification (3-D Secure) first: complete it at softDeclineUrl.');
}
function refuseNow(code: string, detail: string): never {
  throw refuse(code, detail);
}

export function beginAttempt(s: CardPassthroughState, a: Omit<CardAttempt, 'rounds' | 'outcome'>, who: { approvedBy: ApproveSource; phoneNumber?: string }): CardAttempt {
  assertCanAttempt(s);
  const attempt: CardAttempt = { ...a, rounds: [] };
  s.attempts.push(attempt);
  s.inFlight = attempt.authorizationAttemptId;
  s.approvedBy = who.approvedBy;
  s.phoneNumber = who.phoneNumber;
  return attempt;
}

/** The pending soft decline's attempt, for its second round (409 when there is none or it is another). */
export function beginCompletion(s: CardPassthroughState, attemptId?: string): CardAttempt {
  if (s.inFlight) refuseNow('attempt-in-progress', 'A card attempt is in progress; wait for its result.');
  const pending = s.softDecline;
  if (!pending) refuseNow('no-soft-decline', 'No soft decline is waiting for completion on this payment.');
  if (attemptId !== undefined && attemptId !== pending.attemptId) refuseNow('unknown-attempt', `Attempt ${attemptId} is not the one waiting for completion (${pending.attemptId}).`);
  s.softDecline = undefined;
  s.inFlight = pending.attemptId;
  return s.attempts.find((a) => a.authorizationAttemptId === pending.attemptId)!;
}

/** What the payment must do after an answer. */
export type Decision = 'authorize' | 'authorize-and-capture' | 'stay';

/** Record one round's answer and move the attempt state on. */
export function applyAnswer(
  s: CardPassthroughState,
  attempt: CardAttempt,
  round: AttemptRound['round'],
  answer: CallbackAnswer,
  meta: { at: string; status?: number; answerMs?: number; exchangeSeq?: number; nonRetryableErrorCodes: readonly number[] },
): AttemptRound {
  const r: AttemptRound = { round, at: meta.at, outcome: answer.outcome, status: meta.status, answerMs: meta.answerMs, exchangeSeq: meta.exchangeSeq };
  if (answer.networkTransactionReference !== undefined) r.networkTransactionReference = answer.networkTransactionReference;
  if (answer.outcome === 'declined') {
    r.errorCode = answer.errorCode;
    r.errorMessage = answer.errorMessage;
    r.retryable = !meta.nonRetryableErrorCodes.includes(answer.errorCode!);
    if (!r.retryable) s.declinedFinally = true;
  }
  if (answer.outcome === 'soft-decline') {
    r.softDeclineUrl = answer.softDeclineUrl;
    s.softDecline = { attemptId: attempt.authorizationAttemptId, softDeclineUrl: answer.softDeclineUrl! };
  }
  if (UNKNOWN_OUTCOMES.includes(answer.outcome)) {
    r.retryable = false;
    r.problem = answer.problem;
    s.outcomeUnknown = true;
  }
  attempt.rounds.push(r);
  attempt.outcome = answer.outcome;
  s.inFlight = undefined;
  return r;
}

export function decisionOf(answer: CallbackAnswer): Decision {
  if (answer.outcome !== 'reserved') return 'stay';
  return answer.capture ? 'authorize-and-capture' : 'authorize';
}

/** The attempt is over without an answer being applied (the sandbox is closing). */
export function abandon(s: CardPassthroughState): void {
  s.inFlight = undefined;
}

/** While a callback is out, or after an unknown outcome the PSP has not settled, the payment does not expire. */
export function holdsExpiry(s: CardPassthroughState | undefined): boolean {
  return s !== undefined && (s.inFlight !== undefined || (s.outcomeUnknown && s.resolvedBy === undefined));
}

/** The control view's `cardPassthrough` additions. */
export function attemptsView(s: CardPassthroughState | undefined) {
  return {
    attempts: s?.attempts ?? [],
    outcomeUnknown: s?.outcomeUnknown ?? false,
    ...(s?.resolvedBy ? { resolvedBy: s.resolvedBy } : {}),
    ...(s?.softDecline ? { softDecline: s.softDecline } : {}),
    ...(s?.declinedFinally ? { declinedFinally: true } : {}),
  };
}
