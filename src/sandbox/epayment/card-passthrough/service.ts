import { randomUUID } from 'node:crypto';
import {
  CARD_CALLBACK_OP,
  UNKNOWN_OUTCOMES,
  type CardCallbackForgery,
  type CardCallbackNotes,
  type CardCallbackSummary,
  type CustomerCardChoice,
} from '../../../contract/card-passthrough.ts';
import { retryableOf } from '../../../contract/card-callback-answer.ts';
import type { SandboxContext } from '../../context.ts';
import { faultName } from '../../faults.ts';
import type { ApproveSource } from '../../shared/directory.ts';
import type { ForgedCardCallback } from '../../shared/card-customer.ts';
import { Outbound, type AttemptResult, type OutboundRecord } from '../../shared/outbound.ts';
import { MSISDN } from '../../shared/validation.ts';
import { epaymentError } from '../errors.ts';
import type { EpaymentMachine } from '../machine.ts';
import type { Payment } from '../types.ts';
import { applyAnswer, assertCanAttempt, beginAttempt, beginCompletion, decisionOf, newCardState, type AttemptRound, type CardAttempt, type CardPassthroughState } from './attempts.ts';
import { authMode, callbackBody, callbackSigner, forgeryTamper, readAnswer } from './callback.ts';
import { chooseCard, maskCardNumber, offeredCards, processingOf, Wallet, type WalletCard } from './wallet.ts';

/**
 * Card passthrough (vipps-facts §4): when the customer confirms a CARD_PASSTHROUGH payment
 * with a card, POST the card callback to the PSP's `cardCallbackUrl` through the shared
 * Outbound (recorded as kind `callback`, api `epayment`, operation CARD_CALLBACK_OP, notes
 * CardCallbackNotes), wait for the synchronous answer (settings.cardCallback.timeoutMs, 20 s;
 * fault `card-callback-timeout` shortens it) and let it decide the payment (attempts.ts).
 */

export interface CardResult {
  payment: Payment;
  summary: CardCallbackSummary;
  retryable: boolean;
  /** FAIL's errorMessage, or why the outcome is unknown. */
  reason?: string;
}

const COUNTRY: Record<string, string> = { NOK: 'NO', DKK: 'DK', EUR: 'FI' };

export class CardPassthroughService {
  readonly wallet: Wallet;
  private readonly outbound: Outbound;
  /** The card of each attempt (the soft-decline completion sends the same card again). */
  private readonly attemptCards = new Map<string, WalletCard>();
  private closed = false;

  constructor(
    private readonly ctx: SandboxContext,
    private readonly machine: EpaymentMachine,
  ) {
    this.wallet = new Wallet(ctx.clock.now());
    this.outbound = new Outbound(ctx, () => ctx.settings.cardCallback.timeoutMs);
  }

  static isCardPassthrough(p: Payment | undefined): p is Payment & { cardPassthrough: NonNullable<Payment['cardPassthrough']> } {
    return p?.paymentMethodType === 'CARD_PASSTHROUGH' && p.cardPassthrough !== undefined;
  }

  state(p: Payment): CardPassthroughState {
    return (p.card ??= newCardState());
  }

  offered(p: Payment): WalletCard[] {
    return p.cardPassthrough ? offeredCards(this.wallet, p.cardPassthrough) : [];
  }

  /** The customer confirms with a card: a new attempt, its first callback, the answer applied. */
  async approve(p: Payment, options: { phoneNumber?: string; source: ApproveSource; card?: CustomerCardChoice }): Promise<CardResult> {
    if (p.state !== 'CREATED') throw epaymentError(10020, `The payment is ${p.state}; only a CREATED payment can be approved.`);
    if (options.phoneNumber !== undefined && !MSISDN.test(options.phoneNumber))
      throw epaymentError(10010, 'The phone number must be an MSISDN (10–15 digits).', 'phoneNumber', 'must match ^\\d{10,15}$');
    const s = this.state(p);
    assertCanAttempt(s);
    const card = chooseCard(this.wallet, p.cardPassthrough!, options.card, this.ctx.clock.now());
    const processing = processingOf(card, p.cardPassthrough!);
    const attempt = beginAttempt(
      s,
      {
        authorizationAttemptId: randomUUID(),
        cardType: card.type,
        callbackCardType: processing.callbackCardType,
        maskedCardNumber: maskCardNumber(card.number),
        startedAt: new Date(this.ctx.clock.now()).toISOString(),
      },
      { approvedBy: options.source, phoneNumber: options.phoneNumber ?? p.customer?.phoneNumber },
    );
    this.attemptCards.set(attempt.authorizationAttemptId, card);
    return this.round(p, attempt, 'first');
  }

  /** The PSP sent the customer back to softDeclineCompletedRedirectUrl: the second callback, same attempt. */
  async completeSoftDecline(p: Payment, attemptId?: string): Promise<CardResult> {
    if (p.state !== 'CREATED') throw epaymentError(10020, `The payment is ${p.state}; only a CREATED payment can be approved.`);
    const attempt = beginCompletion(this.state(p), attemptId);
    return this.round(p, attempt, 'soft-decline-completion');
  }

  /** A forged callback (fresh attempt id, the first offered card): sent, recorded with notes.forged, never acted on. */
  async forge(p: Payment, forgery: CardCallbackForgery): Promise<ForgedCardCallback> {
    const card = this.offered(p)[0] ?? this.wallet.cards[0];
    const attemptId = randomUUID();
    const { request, notes } = this.request(p, attemptId, card, 'first');
    const result = await this.outbound.post({ ...request, tamper: forgeryTamper(forgery) });
    const body = result.responseBody as { status?: unknown } | undefined;
    const accepted = result.status !== undefined && result.status >= 200 && result.status < 300 && (body?.status === 'RESERVE' || body?.status === 'CAPTURE');
    const answer = readAnswer(result, { revision: this.ctx.settings.cardCallback.revision, round: 'first' });
    if (!this.closed) this.record(p, result, { ...notes, forged: forgery, outcome: answer.outcome, answerMs: Math.round(result.durationMs) });
    return { authorizationAttemptId: attemptId, forgery, status: result.status ?? null, body: result.responseBody, accepted, ...(result.error ? { error: result.error } : {}) };
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.outbound.close();
  }

  // --- internals ------------------------------------------------------------------------

  private async round(p: Payment, attempt: CardAttempt, round: CardCallbackNotes['round']): Promise<CardResult> {
    const s = this.state(p);
    const card = this.attemptCards.get(attempt.authorizationAttemptId)!;
    const { request, notes, completedUrl } = this.request(p, attempt.authorizationAttemptId, card, round);
    const fault = this.ctx.faults.size > 0
      ? this.ctx.faults.take({ api: 'epayment', operation: CARD_CALLBACK_OP, msn: p.msn, reference: p.reference, amount: p.amount.value }, ['card-callback-timeout'])
      : undefined;
    // The fault loses the PSP's answer: sent and answered (within `ms` when given), but never read
    // by Vipps — as when it arrives after Vipps gave up. The PSP cannot tell; it must reconcile.
    const faultMs = fault?.effect.type === 'card-callback-timeout' ? fault.effect.ms : undefined;
    let result: AttemptResult;
    try {
      result = await this.outbound.post({ ...request, ...(faultMs ? { timeoutMs: faultMs } : {}) });
    } catch (err) {
      s.inFlight = undefined;
      throw err;
    }
    const { revision, nonRetryableErrorCodes } = this.ctx.settings.cardCallback;
    const answer = fault ? { outcome: 'timeout' as const, problem: `the PSP's answer never reached Vipps (sandbox fault: card-callback-timeout${faultMs ? `, ${faultMs} ms` : ''})` } : readAnswer(result, { revision, round });
    const retryable = retryableOf(answer, nonRetryableErrorCodes);
    const exchange = this.closed
      ? undefined
      : this.record(
          p,
          result,
          { ...notes, outcome: answer.outcome, ...(retryable !== undefined ? { retryable } : {}), answerMs: Math.round(result.durationMs), ...(fault ? { answerLost: true } : {}) },
          fault ? { id: fault.id, name: faultName(fault.effect) } : undefined,
        );
    const r = applyAnswer(s, attempt, round, answer, {
      at: new Date(this.ctx.clock.now()).toISOString(),
      status: result.status,
      answerMs: Math.round(result.durationMs),
      exchangeSeq: exchange?.seq,
      nonRetryableErrorCodes,
    });
    if (answer.outcome !== 'reserved' && answer.outcome !== 'soft-decline') {
      this.machine.attemptFailed(p, `card callback ${answer.outcome}: ${answer.errorCode !== undefined ? `${answer.errorCode} ${answer.errorMessage}` : answer.problem}`);
    }
    const decision = decisionOf(answer);
    if (decision !== 'stay') this.machine.authorizePassthrough(p, { capture: decision === 'authorize-and-capture' });
    this.machine.get(p.msn, p.reference); // a payment held from expiring while the callback was out expires now if due
    return { payment: p, summary: this.summary(p, attempt, r, completedUrl), retryable: r.retryable ?? false, reason: r.errorMessage ?? r.problem };
  }

  private request(p: Payment, attemptId: string, card: WalletCard, round: CardCallbackNotes['round']) {
    const cp = p.cardPassthrough!;
    const processing = processingOf(card, cp);
    const completedUrl = `${this.ctx.publicUrl()}/landing/soft-decline-completed?token=${encodeURIComponent(p.landingToken)}&attempt=${encodeURIComponent(attemptId)}`;
    const body = callbackBody({
      revision: this.ctx.settings.cardCallback.revision,
      pspReference: cp.pspReference,
      authorizationAttemptId: attemptId,
      msn: p.msn,
      amount: p.amount,
      softDeclineCompletedRedirectUrl: completedUrl,
      card,
      processing,
      country: card.type === 'DANKORT' || card.type === 'VISA_DANKORT' ? 'DK' : (COUNTRY[p.amount.currency] ?? 'NO'),
      publicEncryptionKeyId: cp.publicEncryptionKeyId,
    });
    const auth = authMode(this.ctx.settings.cardCallback.auth, cp.cardCallbackAuthHeader);
    const secret = this.ctx.psps.byPspId(p.pspId)?.clientSecret ?? this.ctx.merchants.byMerchantSerialNumber(p.msn)?.clientSecret ?? '';
    const notes: Omit<CardCallbackNotes, 'outcome'> = {
      authorizationAttemptId: attemptId,
      round,
      cardType: card.type,
      callbackCardType: processing.callbackCardType,
      auth,
    };
    return { request: { url: cp.cardCallbackUrl, body: JSON.stringify(body), signer: callbackSigner(auth, cp.cardCallbackAuthHeader, secret) }, notes, completedUrl };
  }

  private record(p: Payment, result: AttemptResult, notes: Record<string, unknown>, fault?: { id: string; name: string }) {
    const meta: OutboundRecord = {
      kind: 'callback',
      api: 'epayment',
      operation: CARD_CALLBACK_OP,
      msn: p.msn,
      reference: p.reference,
      fault: fault?.name,
      notes: { ...notes, ...(fault ? { faultId: fault.id } : {}) },
    };
    return this.outbound.record({ url: result.url, headers: result.requestHeaders, sentBody: result.sentBody }, meta, result);
  }

  private summary(p: Payment, attempt: CardAttempt, r: AttemptRound, completedUrl: string): CardCallbackSummary {
    const merchant = this.ctx.merchants.byMerchantSerialNumber(p.msn)?.name ?? `merchant ${p.msn}`;
    const out: CardCallbackSummary = { authorizationAttemptId: attempt.authorizationAttemptId, outcome: r.outcome };
    if (r.status !== undefined) out.status = r.status;
    if (r.answerMs !== undefined) out.answerMs = r.answerMs;
    if (r.retryable !== undefined) out.retryable = r.retryable;
    if (r.outcome === 'soft-decline') {
      out.softDeclineUrl = r.softDeclineUrl;
      out.softDeclineCompletedRedirectUrl = completedUrl;
      out.customerMessage = 'Your bank needs to verify this payment (3-D Secure).';
    } else if (r.outcome === 'declined') {
      out.customerMessage = r.retryable
        ? `The card was declined (${r.errorMessage}). Try again with the same or another card.`
        : `The card was declined (${r.errorMessage}). This payment cannot be completed; go back to ${merchant}.`;
    } else if (UNKNOWN_OUTCOMES.includes(r.outcome)) {
      out.customerMessage = `Something went wrong with the card payment. Please check the payment status at ${merchant}, the merchant you came from.`;
    }
    return out;
  }
}
