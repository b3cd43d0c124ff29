import { ERROR_ID_NOT_CONFIRMED, MAKE_PAYMENT_CONFIRMED, V3_PAYMENT_STATE, type MakePaymentConfirmed, type MakePaymentNotes, type MakePaymentOutcome, type PspApiVersion } from './psp-api.ts';
import { isObject } from '../shared/objects.ts';

/**
 * How a PSP's makePayment answer reads (`MakePaymentResponse` `{errorMessage?, paymentInfo:
 * {pspTransactionId, status, url3dSecure?}}`): one pure function, so the sandbox (which sends
 * makePayment) and the test-api delivery relay (which forwards Vipps's) record the same outcome
 * and errorId for the same answer.
 */
export interface MakePaymentAnswer {
  /** The HTTP status; undefined when no complete answer came (timeout, connection failure). */
  status?: number;
  /** Parsed JSON when the PSP said JSON, else its text. */
  body?: unknown;
  /** Why there was no answer. */
  error?: string;
}

export interface MakePaymentReading {
  outcome: MakePaymentOutcome;
  status?: string;
  errorId?: string | number;
  errorText?: string;
  url3dSecure?: string;
  problem?: string;
}

const isLoopbackHost = (host: string) => host === 'localhost' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);

/** A url3dSecure the customer's browser may be sent to: https, or http on loopback (local tests). */
export function isBrowserUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' && url.hostname.length > 0) || (url.protocol === 'http:' && isLoopbackHost(url.hostname));
  } catch {
    return false;
  }
}

/** `round`: `first` when the customer acted, `3ds-completion` for the re-send after SOFT_DECLINE (which must not soft-decline again). */
export function readMakePaymentAnswer(r: MakePaymentAnswer, pspTransactionId: string, round: 'first' | '3ds-completion'): MakePaymentReading {
  if (r.status === undefined) return { outcome: 'timeout', problem: r.error };
  if (r.status >= 500) return { outcome: 'server-error', problem: `HTTP ${r.status}` };
  if (r.status !== 200) return { outcome: 'invalid', problem: `HTTP ${r.status} (makePayment is answered 200)` };
  const body = r.body;
  if (!isObject(body) || !isObject(body.paymentInfo)) return { outcome: 'invalid', problem: 'the answer is not a JSON MakePaymentResponse with paymentInfo' };
  const info = body.paymentInfo;
  const error = isObject(body.errorMessage) ? body.errorMessage : undefined;
  const errorId = typeof error?.errorId === 'string' || typeof error?.errorId === 'number' ? error.errorId : undefined;
  const errorText = typeof error?.errorText === 'string' ? error.errorText : undefined;
  const base = { status: typeof info.status === 'string' ? info.status : undefined, errorId, errorText };
  if (info.pspTransactionId !== undefined && info.pspTransactionId !== pspTransactionId)
    return { ...base, outcome: 'invalid', problem: `paymentInfo.pspTransactionId ${String(info.pspTransactionId)} is not ${pspTransactionId}` };
  switch (info.status) {
    case 'OK':
      return { ...base, outcome: 'ok' };
    case 'FAIL':
      return { ...base, outcome: 'fail' };
    case 'SOFT_DECLINE': {
      if (round !== 'first') return { ...base, outcome: 'invalid', problem: 'SOFT_DECLINE answered to the post-3DS re-send (must be OK or FAIL)' };
      const url = typeof info.url3dSecure === 'string' ? info.url3dSecure : undefined;
      if (!url || !isBrowserUrl(url)) return { ...base, outcome: 'invalid', problem: 'SOFT_DECLINE without a usable url3dSecure' };
      return { ...base, outcome: 'soft-decline', url3dSecure: url };
    }
    default:
      return { ...base, outcome: 'invalid', problem: `paymentInfo.status ${JSON.stringify(info.status)} is not OK, FAIL or SOFT_DECLINE` };
  }
}

/** What a makePayment request says the customer did: v2 `confirmed`, v3 `paymentState` (USER_CANCEL read as CANCEL: v3 does not tell CANCEL from NO). */
export function confirmedOf(version: PspApiVersion, body: unknown): MakePaymentConfirmed | undefined {
  if (!isObject(body)) return undefined;
  if (version === 'v2') return (MAKE_PAYMENT_CONFIRMED as readonly unknown[]).includes(body.confirmed) ? (body.confirmed as MakePaymentConfirmed) : undefined;
  const v3 = { ACCEPTED: 'YES', TIMEOUT: 'TIMEOUT', USER_CANCEL: 'CANCEL' } as const;
  return typeof body.paymentState === 'string' && body.paymentState in v3 ? v3[body.paymentState as keyof typeof v3] : undefined;
}

/** The notes of a recorded makePayment exchange (MakePaymentNotes), as the sandbox and the relay both record them. */
export function makePaymentNotes(version: PspApiVersion, round: MakePaymentNotes['round'], confirmed: MakePaymentConfirmed, read: MakePaymentReading, answerMs: number): MakePaymentNotes {
  const notConfirmed = confirmed !== 'YES';
  return {
    version,
    round,
    confirmed,
    ...(version === 'v3' ? { paymentState: V3_PAYMENT_STATE[confirmed] } : {}),
    outcome: read.outcome,
    ...(read.errorId !== undefined ? { errorId: read.errorId } : {}),
    ...(read.errorText !== undefined ? { errorText: read.errorText } : {}),
    ...(notConfirmed ? { expectedErrorId: ERROR_ID_NOT_CONFIRMED } : {}),
    ...(read.problem ? { problem: read.problem } : {}),
    answerMs,
  };
}
