import { ApiError } from '../../problem.ts';
import { randomBytes } from 'node:crypto';
import type { CardCallbackForgery, CardCallbackNotes } from '../../../contract/card-passthrough.ts';
import { readCardCallbackAnswer, type CallbackAnswer as SharedAnswer, type CardCallbackRevision } from '../../../contract/card-callback-answer.ts';
import type { AttemptResult, OutboundRequest } from '../../shared/outbound.ts';
import { sign } from '../../webhooks/signer.ts';
import { cryptogram, encryptPan, maskCardNumber, type CardProcessing, type WalletCard } from './wallet.ts';

/**
 * The card callback, Vipps ⇒ PSP (vipps-facts §4.2–4.4): its body (current or early revision),
 * its authentication (the PSP's own header value, HMAC as §3.4 keyed with the PSP's client
 * secret, or both), the forgeries golive sends to prove the PSP checks them, and how the PSP's
 * synchronous answer is read. Pure functions: sending is service.ts's.
 */

export type Revision = CardCallbackRevision;
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

/** The PSP's answer as the sandbox reads it: the shared reading (src/contract/card-callback-answer.ts), which the test-api relay uses too. */
export type CallbackAnswer = SharedAnswer;

export function readAnswer(result: AttemptResult, options: { revision: Revision; round: CardCallbackNotes['round'] }): CallbackAnswer {
  return readCardCallbackAnswer({ status: result.status, body: result.responseBody, error: result.error }, options);
}
