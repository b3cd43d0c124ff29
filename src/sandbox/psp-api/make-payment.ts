import { randomBytes, randomUUID, type KeyObject } from 'node:crypto';
import type { CardCallbackForgery } from '../../contract/card-passthrough.ts';
import { ApiError } from '../problem.ts';
import type { ForgedCardCallback } from '../shared/card-customer.ts';
import {
  PSP_API_NAME,
  PSP_OP,
  THREE_DS_OPERATIONS,
  V3_PAYMENT_STATE,
  type MakePaymentConfirmed,
  type MakePaymentNotes,
} from '../../contract/psp-api.ts';
import { makePaymentNotes, readMakePaymentAnswer, type MakePaymentReading } from '../../contract/psp-make-payment.ts';
import type { SandboxContext } from '../context.ts';
import { Outbound, type AttemptResult } from '../shared/outbound.ts';
import { binNumber, encryptCardData, networkToken, newCard, readPublicKey } from './card-data.ts';
import type { MakePaymentAttempt, PspPayment } from './types.ts';

/**
 * The makePayment call, Vipps ⇒ PSP (vipps-facts §5.3): `POST {makePaymentUrl}` with
 * `Authorization: <makePaymentToken>` (the raw value; none when the PSP gave none), one attempt,
 * never retried (the post-3DS re-send is a new call), a real-time deadline
 * (`settings.pspApi.makePaymentTimeoutMs`, 15 s), recorded with kind `callback`, api
 * `psp-v2`/`psp-v3`, operation `makePaymentSwaggerUsingPOST`/`makePaymentV3UsingPOST` and
 * `notes: MakePaymentNotes`. Card data only goes with YES / ACCEPTED.
 */

export type Round = MakePaymentAttempt['round'];

/** Where the PSP sends the customer after 3-D Secure: the landing page's completion route (it re-sends makePayment). */
export function operations(publicUrl: string, p: PspPayment, attemptId: string) {
  return THREE_DS_OPERATIONS.map((operation) => ({
    url: `${publicUrl}/landing/soft-decline-completed?token=${encodeURIComponent(p.landingToken)}&attempt=${encodeURIComponent(attemptId)}&operation=${operation}`,
    operation,
  }));
}

export function makePaymentBody(p: PspPayment, confirmed: MakePaymentConfirmed, ops: ReturnType<typeof operations>, cardData: () => string): Record<string, unknown> {
  const head = { pspTransactionId: p.pspTransactionId, merchantSerialNumber: p.msn };
  const yes = confirmed === 'YES' && p.card !== undefined;
  if (p.version === 'v2') return { ...head, ...(yes ? { cardData: cardData() } : {}), confirmed, operations: ops };
  return {
    ...head,
    paymentState: V3_PAYMENT_STATE[confirmed],
    ...(yes ? { binNumber: binNumber(p.card!), paymentInstrument: 'TOKEN', networkToken: networkToken(p.card!) } : {}),
    operations: ops,
  };
}

export type ReadAnswer = MakePaymentReading;

/** How one answer reads: the shared reading (src/contract/psp-make-payment.ts), which the test-api relay uses too. */
export function readAnswer(r: AttemptResult, pspTransactionId: string, round: Round): ReadAnswer {
  return readMakePaymentAnswer({ status: r.status, body: r.responseBody, error: r.error }, pspTransactionId, round);
}

export class MakePaymentSender {
  private readonly outbound: Outbound;
  private readonly keys = new Map<string, KeyObject | string>();
  private closed = false;

  constructor(private readonly ctx: SandboxContext) {
    this.outbound = new Outbound(ctx, () => ctx.settings.pspApi.makePaymentTimeoutMs);
  }

  /** The PSP's public key (cached per PEM), or why there is none usable. */
  publicKey(pspId: string): KeyObject | string {
    const pem = this.ctx.psps.byPspId(pspId)?.publicKey;
    if (pem === undefined) return readPublicKey(undefined);
    let key = this.keys.get(pem);
    if (key === undefined) this.keys.set(pem, (key = readPublicKey(pem)));
    return key;
  }

  /** One call, recorded; never throws. */
  async send(p: PspPayment, round: Round, confirmed: MakePaymentConfirmed, attemptId: string): Promise<MakePaymentAttempt> {
    const at = this.ctx.clock.now();
    const ops = operations(this.ctx.publicUrl(), p, attemptId);
    const cardData = () => {
      const key = this.publicKey(p.pspId);
      if (typeof key === 'string') throw new Error(key);
      return encryptCardData(p.card!, key, this.ctx.settings.pspApi.oaepHash);
    };
    let body: string;
    try {
      body = JSON.stringify(makePaymentBody(p, confirmed, ops, cardData));
    } catch (err) {
      return { attemptId, round, confirmed, outcome: 'invalid', problem: `not sent: ${(err as Error).message}`, at };
    }
    const token = p.makePaymentToken;
    const result = await this.outbound.post({
      url: p.makePaymentUrl,
      body,
      signer: () => ({ 'content-type': 'application/json;charset=UTF-8', ...(token !== undefined ? { authorization: token } : {}) }),
    });
    const read = readAnswer(result, p.pspTransactionId, round);
    const answerMs = Math.round(result.durationMs);
    const notes: MakePaymentNotes = {
      ...makePaymentNotes(p.version, round, confirmed, read, answerMs),
      ...(p.version === 'v3' && p.card && confirmed === 'YES' ? { tokenType: p.card.tokenType } : {}),
    };
    const exchange = this.closed
      ? undefined
      : this.outbound.record(
          { url: result.url, headers: result.requestHeaders, sentBody: result.sentBody },
          { kind: 'callback', api: PSP_API_NAME[p.version], operation: PSP_OP[p.version].makePayment, msn: p.msn, reference: p.pspTransactionId, notes: { ...notes, attemptId } },
          result,
        );
    return { attemptId, round, confirmed, ...read, httpStatus: result.status, answerMs, exchangeId: exchange?.id, at };
  }

  /**
   * A forged makePayment for the payment (PSPAPI-MAKEPAYMENT-TOKENS): a wrong or missing
   * Authorization, or (v2) the right token with cardData that does not decrypt. Recorded with
   * `notes.forged`; the sandbox never acts on the answer.
   */
  async forge(p: PspPayment, forgery: CardCallbackForgery): Promise<ForgedCardCallback> {
    const attemptId = randomUUID();
    const card = p.card ?? newCard(p.version, p.amount, this.ctx.clock.now());
    const key = this.publicKey(p.pspId);
    const cardData = () => {
      if (forgery === 'bad-card-data') return randomBytes(256).toString('base64');
      if (typeof key === 'string') throw new Error(key);
      return encryptCardData(card, key, this.ctx.settings.pspApi.oaepHash);
    };
    if (forgery === 'bad-hmac' || (forgery === 'bad-card-data' && p.version !== 'v2'))
      throw new ApiError({ status: 400, title: 'Bad Request', detail: `${forgery} does not apply to a PSP API ${p.version} makePayment` });
    const body = JSON.stringify(makePaymentBody({ ...p, card }, 'YES', operations(this.ctx.publicUrl(), p, attemptId), cardData));
    const token = forgery === 'bad-card-data' ? p.makePaymentToken : forgery === 'wrong-auth-header' ? `golive-forged-${randomBytes(8).toString('hex')}` : undefined;
    const result = await this.outbound.post({
      url: p.makePaymentUrl,
      body,
      signer: () => ({ 'content-type': 'application/json;charset=UTF-8', ...(token !== undefined ? { authorization: token } : {}) }),
    });
    const read = readAnswer(result, p.pspTransactionId, 'first');
    const accepted = read.outcome === 'ok';
    if (!this.closed)
      this.outbound.record(
        { url: result.url, headers: result.requestHeaders, sentBody: result.sentBody },
        {
          kind: 'callback',
          api: PSP_API_NAME[p.version],
          operation: PSP_OP[p.version].makePayment,
          msn: p.msn,
          reference: p.pspTransactionId,
          notes: { version: p.version, round: 'first', confirmed: 'YES', forged: forgery, outcome: read.outcome, ...(read.errorId !== undefined ? { errorId: read.errorId } : {}), answerMs: Math.round(result.durationMs), attemptId },
        },
        result,
      );
    return { authorizationAttemptId: attemptId, forgery, status: result.status ?? null, body: result.responseBody, accepted, ...(result.error ? { error: result.error } : {}) };
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.outbound.close();
  }
}
