/**
 * `POST /make-payment` (Vipps ⇒ PSP, vipps-facts §5.3): authenticate by the payment's
 * makePaymentToken (constant time; else 401, nothing processed), read the card (v2: decrypt
 * `cardData`; v3: `networkToken`), authorise at the acquirer stub and answer at once with
 * `{paymentInfo: {pspTransactionId, status}, errorMessage?}`:
 *
 *   not YES / ACCEPTED → FAIL 93 "Status from Vipps:<CANCEL|TIMEOUT|NO>"
 *   cardData not decryptable → FAIL 92 "Unable to decrypt"     bad body → FAIL 71 "Invalid request"
 *   acquirer: refused 82, insufficient funds 89, expired 86, invalid number 87
 *   3-D Secure needed → SOFT_DECLINE 1036 "Soft Decline" + url3dSecure; the re-send → OK / FAIL
 *   the PSP cancelled the payment first → FAIL 85 "Response received too late"
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { mask, type AuthorizeResult } from '../acquirer.ts';
import { cardTypeOf, decryptCardData } from './card-data.ts';
import type { ApiPayment, CallOutcome, ErrorMessage, MakePaymentAnswerBody, MakePaymentCall } from './payments.ts';
import type { PspApiPsp } from './psp.ts';

export const ERRORS = {
  invalidRequest: { errorId: '71', errorText: 'Invalid request' },
  differentTexts: { errorId: '72', errorText: 'Different texts' },
  refused: { errorId: '82', errorText: 'Refused by Issuer' },
  tooLate: { errorId: '85', errorText: 'Response received too late' },
  expiredCard: { errorId: '86', errorText: 'Expired card' },
  invalidCard: { errorId: '87', errorText: 'Invalid card number (no such number)' },
  insufficientFunds: { errorId: '89', errorText: 'Insufficient funds' },
  cannotDecrypt: { errorId: '92', errorText: 'Unable to decrypt' },
  unhandledSoftDecline: { errorId: '94', errorText: 'Unhandled soft decline' },
  softDecline: { errorId: '1036', errorText: 'Soft Decline' },
} as const satisfies Record<string, ErrorMessage>;
/** errorIds are strings on the wire: both specs' ErrorMessage.errorId is `type: string` (the guides' examples show numbers). */
export const NOT_CONFIRMED_ERROR_ID = '93';

const DECLINE_ERRORS: Record<Extract<AuthorizeResult, { outcome: 'declined' }>['reason'], ErrorMessage> = {
  refused: ERRORS.refused,
  'insufficient-funds': ERRORS.insufficientFunds,
  'expired-card': ERRORS.expiredCard,
  'invalid-card': ERRORS.invalidCard,
  'invalid-amount': ERRORS.invalidRequest,
};

export interface MakePaymentAnswer {
  httpStatus: number;
  body: unknown;
  delayMs: number;
  /** Called once the answer was written (delivered) or the connection closed first. */
  settle?: (delivered: boolean, answerMs: number) => void;
}

function sameSecret(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

export function handleMakePayment(psp: PspApiPsp, headers: IncomingHttpHeaders, rawBody: Buffer): MakePaymentAnswer {
  let body: any;
  try {
    body = JSON.parse(rawBody.toString('utf8'));
  } catch {
    body = undefined;
  }
  const p = typeof body?.pspTransactionId === 'string' ? psp.store.get(body.pspTransactionId) : undefined;
  const authorization = typeof headers.authorization === 'string' ? headers.authorization : undefined;
  const tokenOk = psp.config.faults.has('accept-wrong-token') || (p !== undefined && sameSecret(authorization, p.makePaymentToken));
  if (!tokenOk) {
    psp.log(`refpsp-api: makePayment refused: ${p ? 'Authorization is not the payment’s makePaymentToken' : 'unknown pspTransactionId'}`);
    if (p) p.calls.push({ at: new Date().toISOString(), round: p.threeDS ? 2 : 1, confirmed: String(body?.confirmed ?? body?.paymentState ?? '?'), outcome: 'unauthorised', httpStatus: 401, answer: { error: 'unauthorized' } });
    return { httpStatus: 401, body: { error: 'unauthorized' }, delayMs: 0 };
  }
  if (!p) return { httpStatus: 404, body: { error: 'no such pspTransactionId' }, delayMs: 0 };

  const round: 1 | 2 = p.threeDS ? 2 : 1;
  const v3 = psp.config.version === 'v3';
  const confirmed = String((v3 ? body.paymentState : body.confirmed) ?? '');
  const call: MakePaymentCall = { at: new Date().toISOString(), round, confirmed, outcome: 'invalid', httpStatus: 200, answer: undefined };
  p.calls.push(call);
  const { outcome, answer, release } = decide(psp, p, body, call);
  call.outcome = outcome;
  call.answer = answer;
  const delayMs = psp.config.faults.has('slow-make-payment') ? psp.config.slowMakePaymentMs : 0;
  return {
    httpStatus: 200,
    body: answer,
    delayMs,
    settle(delivered, answerMs) {
      call.delivered = delivered;
      call.answerMs = answerMs;
      if (!delivered) release?.();
    },
  };
}

const reply = (p: ApiPayment, status: MakePaymentAnswerBody['paymentInfo']['status'], error?: ErrorMessage, url3dSecure?: string): MakePaymentAnswerBody => ({
  paymentInfo: { pspTransactionId: p.reference, status, ...(url3dSecure ? { url3dSecure } : {}) },
  ...(error ? { errorMessage: { ...error } } : {}),
});

interface Decision {
  outcome: CallOutcome;
  answer: MakePaymentAnswerBody;
  /** Undo what the answer did when it never reached Vipps. */
  release?: () => void;
}

function decide(psp: PspApiPsp, p: ApiPayment, body: any, call: MakePaymentCall): Decision {
  const faults = psp.config.faults;
  const v3 = psp.config.version === 'v3';
  const fail = (outcome: CallOutcome, error: ErrorMessage, status: 'declined' | 'cancelled' | 'expired' | 'failed'): Decision => {
    const answer = reply(p, 'FAIL', error);
    p.decided = { outcome: status, answer };
    p.failure = { ...error };
    return { outcome, answer };
  };
  const approve = (card?: { type: string; maskedNumber: string }, reservation?: string): Decision => {
    const answer = reply(p, 'OK');
    p.decided = { outcome: 'authorised', answer };
    p.failure = undefined;
    if (card) p.card = card;
    p.reservation = reservation;
    return {
      outcome: 'authorised',
      answer,
      release: () => {
        // Vipps never got the OK (it gave up after 15 s): release the card and call the payment failed.
        if (p.reservation) psp.acquirer.release(p.reservation);
        p.decided = { outcome: 'failed', answer };
        p.failure = { ...ERRORS.tooLate };
        psp.log(`refpsp-api: ${p.reference}: the makePayment answer was not delivered; reservation released`);
      },
    };
  };

  // A repeat of a call already decided gets the same answer, nothing is authorised twice.
  if (p.decided) return { outcome: 'repeat', answer: p.decided.answer };
  if (p.cancelledBeforeMakePayment) return fail('too-late', ERRORS.tooLate, 'failed');
  if (typeof body.merchantSerialNumber === 'string' && body.merchantSerialNumber !== psp.config.msn) return fail('invalid', ERRORS.invalidRequest, 'failed');

  const confirmedOk = v3 ? body.paymentState === 'ACCEPTED' : body.confirmed === 'YES';
  if (!confirmedOk) {
    if (faults.has('timeout-as-success')) return approve();
    const word = String((v3 ? body.paymentState : body.confirmed) ?? '?');
    const shown = word === 'USER_CANCEL' ? 'CANCEL' : word;
    return fail('not-confirmed', { errorId: NOT_CONFIRMED_ERROR_ID, errorText: `Status from Vipps:${shown}` }, word === 'TIMEOUT' ? 'expired' : 'cancelled');
  }

  let number: string;
  let type: string;
  if (v3) {
    const token = body.networkToken;
    if (typeof token?.number !== 'string' || !/^\d{12,19}$/.test(token.number)) return fail('invalid', ERRORS.invalidRequest, 'failed');
    number = token.number;
    type = typeof token.tokenType === 'string' ? token.tokenType : cardTypeOf(number);
  } else {
    // The fault decrypts with a key that is not the one it serves: every cardData fails, and it answers OK anyway.
    const key = faults.has('ok-without-decrypt') ? psp.wrongKey : psp.key.privateKey;
    const card = decryptCardData(body.cardData, key, psp.config.oaepHash);
    if (!card) {
      if (faults.has('ok-without-decrypt')) return approve();
      return fail('undecryptable', ERRORS.cannotDecrypt, 'failed');
    }
    number = card.cardNumber;
    type = cardTypeOf(number);
  }
  call.maskedCardNumber = mask(number);
  const card = { type, maskedNumber: mask(number) };

  const threeDSecureDone = p.threeDS?.completed === true;
  if (p.threeDS && !threeDSecureDone) return fail('declined', ERRORS.refused, 'declined');
  const result = psp.acquirer.authorize({ number, cardType: type, amount: p.amount, currency: p.currency, threeDSecureDone });
  if (result.outcome === 'approved') return approve(card, result.networkTransactionReference);
  p.card = card;
  if (result.outcome === 'declined') return fail('declined', faults.has('wrong-error-id') ? ERRORS.differentTexts : DECLINE_ERRORS[result.reason], 'declined');

  // 3-D Secure: send the customer to our challenge; afterwards to the operations[] 3dssuccess url.
  const success = Array.isArray(body.operations) ? body.operations.find((o: any) => o?.operation === '3dssuccess' && typeof o.url === 'string') : undefined;
  if (!success) return fail('declined', ERRORS.unhandledSoftDecline, 'declined');
  p.threeDS = { completed: false, successUrl: success.url };
  return { outcome: 'soft-decline', answer: reply(p, 'SOFT_DECLINE', ERRORS.softDecline, `${psp.config.publicUrl}/3ds/${encodeURIComponent(p.reference)}`) };
}
