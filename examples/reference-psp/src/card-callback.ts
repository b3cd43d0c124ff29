/**
 * POST /card-callback: Vipps sends the card (network token) the customer picked; the PSP must
 * authorise it with its acquirer and answer synchronously (well within 20 s):
 *   200 {status: RESERVE, networkTransactionReference} — authorised;
 *   200 {status: FAIL, errorCode, errorMessage}         — declined (the customer may retry);
 *   200 {status: SOFT_DECLINE, softDeclineUrl}          — 3-D Secure needed; after the challenge
 *       Vipps calls again with the same authorizationAttemptId, answered RESERVE or FAIL.
 * Authenticity first: the request must carry the payment's own cardCallbackAuthHeader value in
 * Authorization (compared in constant time), or Vipps' HMAC headers signed with the PSP's client
 * secret. Anything else is 401 and nothing is authorised.
 */
import { mask, REFUSED_BY_ISSUER } from './acquirer.ts';
import { hasHmacHeaders, safeEqual, verifyHmac, type SignedRequest } from './hmac.ts';
import type { Attempt, Payment } from './payments.ts';
import type { Psp } from './psp.ts';
import { ALLOWED_CARD_TYPES } from './vipps/epayment.ts';

export interface CallbackAnswer {
  httpStatus: number;
  body: unknown;
  /** Hold the answer this long (fault slow-callback). */
  delayMs: number;
  /** Called once the exchange is over: whether the answer was written before the connection closed. */
  settle?: (delivered: boolean, answerMs: number) => void;
}

/** The PSP's own FAIL codes besides the acquirer's (300 Refused by Issuer, 301, 302). */
export const FAIL_CODES = {
  encryptedPan: { errorCode: 303, errorMessage: 'Encrypted PAN not supported; send a network token' },
  mismatch: { errorCode: 304, errorMessage: 'Amount or merchant does not match the payment' },
  processed: { errorCode: 305, errorMessage: 'Payment already processed' },
  threeDSNotDone: { errorCode: 306, errorMessage: '3-D Secure was not completed' },
  noRedirect: { errorCode: 307, errorMessage: '3-D Secure required but no softDeclineCompletedRedirectUrl' },
} as const;

const reject = (httpStatus: number, error: string): CallbackAnswer => ({ httpStatus, body: { error }, delayMs: 0 });

/** The allowed-type word for a callback cardType ("VISA-DEBIT" → VISA_DEBIT). */
export function normaliseCardType(raw: unknown): string {
  return String(raw ?? '').trim().toUpperCase().replace(/[-\s]/g, '_');
}

/** Fault ignore-card-type: what a PSP guessing from the BIN or allowedCardTypes would use. */
function guessCardType(masked: string): string {
  return /^[25]/.test(masked) ? 'MC_CREDIT' : ALLOWED_CARD_TYPES[0];
}

export function authenticated(psp: Psp, req: SignedRequest, p: Payment | undefined): boolean {
  if (psp.config.faults.has('accept-wrong-auth')) return true;
  if (hasHmacHeaders(req)) return verifyHmac(psp.config.clientSecret, req);
  const auth = Array.isArray(req.headers.authorization) ? req.headers.authorization[0] : req.headers.authorization;
  return Boolean(p && auth && safeEqual(auth, p.callbackAuth));
}

export function handleCardCallback(psp: Psp, req: SignedRequest): CallbackAnswer {
  let body: any;
  try {
    body = JSON.parse(req.rawBody.toString('utf8'));
  } catch {
    body = undefined;
  }
  const pspReference = body && typeof body === 'object' && typeof body.pspReference === 'string' ? body.pspReference : undefined;
  const p = pspReference ? psp.store.byPspReference(pspReference) : undefined;
  if (!authenticated(psp, req, p)) {
    psp.log(`refpsp: card callback rejected (authentication failed) for pspReference ${pspReference ?? '?'}`);
    return reject(401, 'unauthorized');
  }
  if (!body || typeof body !== 'object') return reject(400, 'expected a JSON body');
  if (!p) return reject(404, `unknown pspReference ${pspReference ?? '(none)'}`);
  const attemptId = body.authorizationAttemptId;
  if (typeof attemptId !== 'string' || !attemptId) return reject(400, 'authorizationAttemptId is required');

  const started = Date.now();
  const card = body.cardInfo ?? {};
  const masked = String(card.maskedCardNumber ?? '');
  const callbackCardType = String(card.cardType ?? '');
  const processedCardType = psp.config.faults.has('ignore-card-type') ? guessCardType(masked) : normaliseCardType(callbackCardType);
  const challenge = p.threeDS[attemptId];
  const attempt: Attempt = {
    authorizationAttemptId: attemptId,
    round: challenge ? 2 : 1,
    at: new Date().toISOString(),
    callbackCardType,
    processedCardType,
    maskedCardNumber: masked || mask(String(card.networkToken?.number ?? '')),
    outcome: 'declined',
    answer: { httpStatus: 200, body: undefined },
  };
  const answer = decide(psp, p, body, attempt, challenge);
  attempt.answer = { httpStatus: answer.httpStatus, body: answer.body };
  p.attempts.push(attempt);
  psp.store.linkAttempt(attemptId, p.reference);
  psp.log(`refpsp: card callback ${p.reference} attempt ${attemptId} round ${attempt.round}: ${attempt.outcome} (${processedCardType})`);
  answer.settle = (delivered, answerMs) => {
    attempt.delivered = delivered;
    attempt.answerMs = answerMs || Date.now() - started;
    if (!delivered) void psp.reportUnknownOutcome(p, attempt, 'card callback answer not delivered (Vipps closed the connection)');
    else if (answer.httpStatus >= 500) void psp.reportUnknownOutcome(p, attempt, `card callback answered HTTP ${answer.httpStatus}`);
  };
  return answer;
}

function decide(psp: Psp, p: Payment, body: any, attempt: Attempt, challenge: Payment['threeDS'][string] | undefined): CallbackAnswer {
  const delayMs = psp.config.faults.has('slow-callback') ? psp.config.slowCallbackMs : 0;
  const fail = (f: { errorCode: number; errorMessage: string }, outcome: Attempt['outcome'] = 'rejected'): CallbackAnswer => {
    attempt.outcome = outcome;
    if (outcome === 'declined' && psp.config.faults.has('decline-as-500')) return { httpStatus: 500, body: { error: f.errorMessage }, delayMs };
    return { httpStatus: 200, body: { status: 'FAIL', ...f }, delayMs };
  };
  const reserved = (ntr: string): CallbackAnswer => {
    attempt.outcome = 'reserved';
    const status = psp.config.faults.has('unknown-status') ? 'APPROVED' : 'RESERVE';
    return { httpStatus: 200, body: { status, networkTransactionReference: ntr }, delayMs };
  };

  // The same attempt again after it was reserved: the same answer (idempotent), nothing new authorised.
  const earlier = p.attempts.find((a) => a.authorizationAttemptId === attempt.authorizationAttemptId && a.outcome === 'reserved');
  if (earlier && p.reservation) return reserved(p.reservation);
  if (p.reservation || p.failure || (p.vippsState && p.vippsState !== 'CREATED')) return fail(FAIL_CODES.processed);
  if (body.merchantSerialNumber !== undefined && String(body.merchantSerialNumber) !== psp.config.msn) return fail(FAIL_CODES.mismatch);
  if (body.amount && (Number(body.amount.value) !== p.amount || (body.amount.currency && body.amount.currency !== p.currency))) return fail(FAIL_CODES.mismatch);
  const card = body.cardInfo ?? {};
  const number = card.networkToken?.number;
  if (typeof number !== 'string') return fail(card.encryptedPan ? FAIL_CODES.encryptedPan : { errorCode: 301, errorMessage: 'Invalid card number' });
  if (challenge && !challenge.completed) return fail(FAIL_CODES.threeDSNotDone, 'declined');

  p.card = { type: attempt.processedCardType, callbackType: attempt.callbackCardType, maskedNumber: attempt.maskedCardNumber };
  const result = psp.acquirer.authorize({ number, cardType: attempt.processedCardType, amount: p.amount, currency: p.currency, threeDSecureDone: Boolean(challenge?.completed) });
  if (result.outcome === 'approved') {
    p.reservation = result.networkTransactionReference;
    return reserved(result.networkTransactionReference);
  }
  if (result.outcome === 'declined') return fail({ errorCode: result.code, errorMessage: result.message }, 'declined');
  // 3-D Secure required: never a second SOFT_DECLINE for one attempt (round 2 had threeDSecureDone).
  const redirect = typeof body.softDeclineCompletedRedirectUrl === 'string' ? body.softDeclineCompletedRedirectUrl : '';
  if (challenge || !/^https?:\/\//.test(redirect)) return fail(challenge ? REFUSED_BY_ISSUER_FAIL : FAIL_CODES.noRedirect, 'declined');
  p.threeDS[attempt.authorizationAttemptId] = { completed: false, completedRedirectUrl: redirect };
  attempt.outcome = 'soft-decline';
  return { httpStatus: 200, body: { status: 'SOFT_DECLINE', softDeclineUrl: `${psp.config.publicUrl}/3ds/${encodeURIComponent(attempt.authorizationAttemptId)}` }, delayMs };
}

const REFUSED_BY_ISSUER_FAIL = { errorCode: REFUSED_BY_ISSUER.code, errorMessage: REFUSED_BY_ISSUER.message };
