import { ApiError } from '../../problem.ts';
import { randomBytes } from 'node:crypto';
import type { CardCallbackForgery, CardCallbackNotes, CardCallbackOutcome } from '../../../contract/card-passthrough.ts';
import type { AttemptResult, OutboundRequest } from '../../shared/outbound.ts';
import { isAcceptableUrl, isObject } from '../../shared/validation.ts';
import { sign } from '../../webhooks/signer.ts';
import { cryptogram, encryptPan, maskCardNumber, type CardProcessing, type WalletCard } from './wallet.ts';

/**
 * The card callback, Vipps ⇒ PSP (vipps-facts §4.2–4.4): its body (current or early revision),
 * its authentication (the PSP's own header value, HMAC as §3.4 keyed with the PSP's client
 * secret, or both), the forgeries golive sends to prove the PSP checks them, and how the PSP's
 * synchronous answer is read. Pure functions: sending is service.ts's.
 */

export type Revision = 'current' | 'early';
export type AuthSetting = 'auto' | 'auth-header' | 'hmac' | 'both';

/** In `both` mode the HMAC Authorization value travels here, as `Authorization` carries the PSP's header (sandbox convention). */
export const BOTH_HMAC_HEADER = 'x-vipps-authorization';

export interface CallbackInput {
  revision: Revision;
  pspReference: string;
  authorizationAttemptId: string;
  msn: string;
  amount: { currency: string; value: number };
  softDeclineCompletedRedirectUrl: string;
  card: WalletCard;
  processing: CardProcessing;
  /** `cardIssuedInCountryCode`. */
  country: string;
  publicEncryptionKeyId?: string;
}

/** The callback body: `CardCallbackRequest` (current), or the early page's flat fields. */
export function callbackBody(i: CallbackInput): Record<string, unknown> {
  const pan = i.processing.dataType === 'PAN' && i.publicEncryptionKeyId !== undefined;
  const cardData = pan
    ? { encryptedPan: encryptPan(i.card.number, i.publicEncryptionKeyId!) }
    : {
        networkToken: {
          number: i.card.tokenNumber,
          cryptogram: cryptogram(),
          expiryMonth: i.card.expiryMonth,
          expiryYear: i.card.expiryYear,
          tokenType: i.processing.tokenType ?? 'VISA',
          eci: '7',
          paymentAccountReference: i.card.paymentAccountReference,
        },
      };
  const card = {
    maskedCardNumber: maskCardNumber(i.card.number),
    cardType: i.processing.callbackCardType,
    cardIssuedInCountryCode: i.country,
  };
  const head = { pspReference: i.pspReference, authorizationAttemptId: i.authorizationAttemptId, merchantSerialNumber: i.msn };
  if (i.revision === 'early') {
    return { ...head, softDeclineCompletedRedirectUrl: i.softDeclineCompletedRedirectUrl, ...card, paymentInstrument: pan ? 'PAN' : 'TOKEN', ...cardData };
  }
  return {
    ...head,
    amount: { currency: i.amount.currency, value: i.amount.value },
    softDeclineCompletedRedirectUrl: i.softDeclineCompletedRedirectUrl,
    cardInfo: { ...card, cardDataType: pan ? 'PAN' : 'TOKEN', ...cardData },
  };
}

/** Which authentication a callback carries, per setting and whether the payment gave a header value. */
export function authMode(setting: AuthSetting, authHeader: string | undefined): CardCallbackNotes['auth'] {
  if (setting === 'auto') return authHeader !== undefined ? 'auth-header' : 'hmac';
  if (setting === 'both' && authHeader === undefined) return 'hmac';
  return setting;
}

/** Headers for one callback at sandbox time `now`. */
export function callbackSigner(mode: CardCallbackNotes['auth'], authHeader: string | undefined, secret: string): NonNullable<OutboundRequest['signer']> {
  return (url, body, now) => {
    if (mode === 'auth-header') return { 'content-type': 'application/json', ...(authHeader !== undefined ? { authorization: authHeader } : {}) };
    const signed: Record<string, string> = { ...sign(secret, url, body, now) };
    if (mode === 'both' && authHeader !== undefined) {
      signed[BOTH_HMAC_HEADER] = signed.authorization;
      signed.authorization = authHeader;
    }
    return signed;
  };
}

/** A forgery on top of the real headers: what golive sends to prove the PSP refuses it. */
export function forgeryTamper(forgery: CardCallbackForgery): NonNullable<OutboundRequest['tamper']> {
  return ({ url, body, headers, now }) => {
    const out = { ...headers };
    switch (forgery) {
      case 'bad-card-data': // the PSP API's; a card callback carries no encrypted card data
        throw new ApiError({ status: 400, title: 'Bad Request', detail: 'bad-card-data forges a PSP API makePayment; card callbacks carry a network token' });
      case 'no-auth-header':
        delete out.authorization;
        delete out[BOTH_HMAC_HEADER];
        break;
      case 'wrong-auth-header': {
        const current = out.authorization ?? '';
        const last = current.slice(-1);
        out.authorization = current.length > 0 ? current.slice(0, -1) + (last === 'x' ? 'y' : 'x') : `golive-forged-${randomBytes(6).toString('hex')}`;
        break;
      }
      case 'bad-hmac': {
        // Signed correctly in form, with a secret that is not the PSP's.
        const forged = sign(`golive-forged-${randomBytes(12).toString('hex')}`, url, body, now);
        out['x-ms-date'] = forged['x-ms-date'];
        out['x-ms-content-sha256'] = forged['x-ms-content-sha256'];
        out.host = forged.host;
        if (out[BOTH_HMAC_HEADER] !== undefined) out[BOTH_HMAC_HEADER] = forged.authorization;
        else out.authorization = forged.authorization;
        break;
      }
    }
    return { headers: out, body };
  };
}

/** The PSP's answer as the sandbox reads it. */
export interface CallbackAnswer {
  outcome: CardCallbackOutcome;
  /** Early revision `CAPTURE`: reserved and captured at once. */
  capture?: boolean;
  networkTransactionReference?: string;
  errorCode?: number;
  errorMessage?: string;
  softDeclineUrl?: string;
  /** Why an answer is `invalid`, `timeout` or `server-error`, in words. */
  problem?: string;
}

/**
 * Read the synchronous answer (§4.3). 2xx JSON with a known status and its fields decides;
 * 5xx → server-error; no answer in time or a failed connection → timeout; anything else
 * (4xx, not JSON, unknown status, missing fields, SOFT_DECLINE in the second round) → invalid.
 */
export function readAnswer(result: AttemptResult, options: { revision: Revision; round: CardCallbackNotes['round'] }): CallbackAnswer {
  if (result.status === undefined) return { outcome: 'timeout', problem: result.error ?? 'no answer' };
  if (result.status >= 500) return { outcome: 'server-error', problem: `HTTP ${result.status}` };
  if (result.status < 200 || result.status > 299) return { outcome: 'invalid', problem: `HTTP ${result.status} (a card callback is answered 200 OK)` };
  const b = result.responseBody;
  if (!isObject(b)) return { outcome: 'invalid', problem: 'the answer is not a JSON object' };
  const nonEmpty = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
  switch (b.status) {
    case 'CAPTURE':
      if (options.revision !== 'early') return { outcome: 'invalid', problem: 'status CAPTURE belongs to the early revision; the current one has RESERVE, FAIL, SOFT_DECLINE' };
    // falls through
    case 'RESERVE':
      if (!nonEmpty(b.networkTransactionReference)) return { outcome: 'invalid', problem: `status ${b.status} without networkTransactionReference` };
      return { outcome: 'reserved', capture: b.status === 'CAPTURE', networkTransactionReference: b.networkTransactionReference };
    case 'FAIL':
      if (typeof b.errorCode !== 'number' || !Number.isFinite(b.errorCode)) return { outcome: 'invalid', problem: 'status FAIL without a numeric errorCode' };
      if (typeof b.errorMessage !== 'string') return { outcome: 'invalid', problem: 'status FAIL without errorMessage' };
      return { outcome: 'declined', errorCode: b.errorCode, errorMessage: b.errorMessage };
    case 'SOFT_DECLINE': {
      if (options.round === 'soft-decline-completion') return { outcome: 'invalid', problem: 'SOFT_DECLINE again: the second callback must be answered RESERVE or FAIL' };
      const field = options.revision === 'early' ? 'softDeclineRedirectUrl' : 'softDeclineUrl';
      const url = b[field];
      if (!nonEmpty(url) || !isAcceptableUrl(url, { customScheme: false })) return { outcome: 'invalid', problem: `SOFT_DECLINE without an https ${field}` };
      return { outcome: 'soft-decline', softDeclineUrl: url };
    }
    default:
      return { outcome: 'invalid', problem: `unknown status ${JSON.stringify(b.status ?? null)}` };
  }
}
