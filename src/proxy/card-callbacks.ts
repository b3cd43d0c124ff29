import { readCardCallbackAnswer, retryableOf } from '../contract/card-callback-answer.ts';
import { CARD_CALLBACK_OP, CARD_TYPES, callbackCardType, type CardCallbackNotes, type CardType } from '../contract/card-passthrough.ts';
import type { DeliveryTarget } from '../traffic/delivery-targets.ts';
import type { TrafficLog } from '../traffic/log.ts';
import type { DeliveryClass } from './deliveries.ts';
import { isObject } from '../shared/objects.ts';

const header = (h: Record<string, string | string[] | undefined>, name: string): string | undefined => {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
};

/**
 * How the callback was authenticated, read from its headers as the sandbox sends them
 * (card-passthrough/callback.ts callbackSigner): HMAC when signed (x-ms-content-sha256), with the
 * PSP's own header value too when Authorization is not the signature.
 */
function authOf(headers: Record<string, string | string[] | undefined>): CardCallbackNotes['auth'] {
  if (header(headers, 'x-ms-content-sha256') === undefined) return 'auth-header';
  const authorization = header(headers, 'authorization') ?? '';
  return header(headers, 'x-vipps-authorization') !== undefined || (authorization !== '' && !authorization.startsWith('HMAC-SHA256')) ? 'both' : 'hmac';
}

/**
 * ePayment card passthrough, Vipps ⇒ PSP: a POST to a cardCallbackUrl a card-passthrough create
 * named. Its payment is the create with the body's pspReference and merchantSerialNumber (several
 * creates share one cardCallbackUrl). Notes as the sandbox's CardCallbackNotes, the outcome read
 * by the shared answer reading once the PSP answered.
 */
export function cardCallbackOf(log: TrafficLog, targets: readonly DeliveryTarget[], url: string, body: unknown, headers: Record<string, string | string[] | undefined>): DeliveryClass | undefined {
  const creates = targets
    .filter((t) => t.kind === 'card-callbacks' && t.url === url)
    .map(({ exchange: e }) => ({ reference: e.reference ?? (e.request.body as { reference?: string }).reference, msn: e.msn, pspReference: (e.request.body as { cardPassthrough: { pspReference?: unknown } }).cardPassthrough.pspReference }));
  if (creates.length === 0) return undefined;
  const b = isObject(body) ? body : {};
  const msn = typeof b.merchantSerialNumber === 'string' || typeof b.merchantSerialNumber === 'number' ? String(b.merchantSerialNumber) : undefined;
  const latest = [...creates].reverse();
  const create = latest.find((c) => c.pspReference === b.pspReference && (msn === undefined || c.msn === undefined || c.msn === msn)) ?? latest.find((c) => c.pspReference === b.pspReference);
  const reference = create?.reference;
  const attemptId = typeof b.authorizationAttemptId === 'string' ? b.authorizationAttemptId : '';
  // The early revision is flat (cardType at the top, no cardInfo).
  const revision = isObject(b.cardInfo) ? 'current' : 'early';
  const sentType = isObject(b.cardInfo) ? b.cardInfo.cardType : b.cardType;
  const cardType: CardType | undefined = CARD_TYPES.find((t) => callbackCardType(t) === sentType || t === sentType);
  // The same attempt again after its SOFT_DECLINE is the 3-D Secure completion.
  const previous = reference === undefined ? undefined : log.query({ kind: 'callback', api: 'epayment', operation: CARD_CALLBACK_OP, reference }).filter((e) => e.notes?.authorizationAttemptId === attemptId).at(-1);
  const round: CardCallbackNotes['round'] = previous?.notes?.outcome === 'soft-decline' ? 'soft-decline-completion' : 'first';
  const notes = {
    authorizationAttemptId: attemptId,
    round,
    ...(cardType ? { cardType } : {}),
    ...(typeof sentType === 'string' ? { callbackCardType: sentType } : {}),
    auth: authOf(headers),
  };
  return {
    kind: 'callback',
    api: 'epayment',
    operation: CARD_CALLBACK_OP,
    msn: msn ?? create?.msn,
    reference,
    notes,
    answered: (answer, answerMs) => {
      const read = readCardCallbackAnswer(answer, { revision, round });
      // Vipps's non-retryable FAIL codes are not published: every FAIL reads retryable, as the sandbox's default.
      const retryable = retryableOf(read, []);
      return { ...notes, outcome: read.outcome, ...(retryable !== undefined ? { retryable } : {}), answerMs };
    },
  };
}
