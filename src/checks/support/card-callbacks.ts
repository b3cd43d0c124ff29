import { CARD_CALLBACK_OP, CARD_CALLBACK_TIMEOUT_MS, UNKNOWN_OUTCOMES, type CardCallbackNotes, type CardCallbackOutcome } from '../../contract/card-passthrough.ts';
import type { Exchange } from '../../traffic/types.ts';
import { byTime, referenceOf } from './traffic.ts';
import { seconds } from './findings.ts';

/**
 * The card callbacks the sandbox sent a PSP (kind `callback`, operation cardCallback; notes per
 * src/contract/card-passthrough.ts), read the same way by every PSP- rule.
 */
export const isCardCallback = (e: Exchange): boolean => e.kind === 'callback' && e.operation === CARD_CALLBACK_OP;

export const notesOf = (e: Exchange): Partial<CardCallbackNotes> => (e.notes ?? {}) as Partial<CardCallbackNotes>;

/** Callbacks that were really about a payment (not golive's forgeries), oldest first. */
export const genuineCallbacks = (traffic: readonly Exchange[]): Exchange[] => traffic.filter((e) => isCardCallback(e) && !notesOf(e).forged).sort(byTime);
export const forgedCallbacks = (traffic: readonly Exchange[]): Exchange[] => traffic.filter((e) => isCardCallback(e) && !!notesOf(e).forged).sort(byTime);

export const outcomeOfCallback = (e: Exchange): CardCallbackOutcome | undefined => notesOf(e).outcome;
export const isUnknownOutcome = (e: Exchange): boolean => UNKNOWN_OUTCOMES.includes(outcomeOfCallback(e) as CardCallbackOutcome);
/** The timeout came from a sandbox fault (Vipps gave up early on purpose), not from the PSP being slow. */
export const timedOutByFault = (e: Exchange): boolean => e.fault === 'card-callback-timeout';

/** The PSP's answer: HTTP status and the JSON body's `status`. */
export function answerOf(e: Exchange): { http?: number; status?: string; body: Record<string, unknown> } {
  const body = e.response?.body && typeof e.response.body === 'object' ? (e.response.body as Record<string, unknown>) : {};
  return { http: e.response?.status, status: typeof body.status === 'string' ? body.status : undefined, body };
}

/** "answered 200 RESERVE in 120 ms" / "no answer (timeout)" — one line for a detail. */
export function describeCallback(e: Exchange): string {
  const n = notesOf(e);
  const a = answerOf(e);
  const what = `card callback #${e.seq} (${n.round === 'soft-decline-completion' ? 'after 3-D Secure, ' : ''}attempt ${short(n.authorizationAttemptId)}, ${n.cardType ?? 'card'}) for ${referenceOf(e) ?? 'a payment'}`;
  if (a.http === undefined) return `${what}: no answer${e.error ? ` (${e.error})` : ''} after ${seconds(e.durationMs)}`;
  return `${what}: answered ${a.http}${a.status ? ` ${a.status}` : ''} in ${seconds(e.durationMs)}`;
}

const short = (id: string | undefined) => (id ? (id.length > 10 ? `${id.slice(0, 8)}…` : id) : '?');

/** Answered within Vipps' limit (the PSP's own answer time; a fault's early cut-off is not the PSP's). */
export const answeredInTime = (e: Exchange): boolean => e.response !== undefined && e.durationMs <= CARD_CALLBACK_TIMEOUT_MS;

/** The callbacks of one payment, oldest first. */
export function callbacksByReference(traffic: readonly Exchange[]): Map<string, Exchange[]> {
  const out = new Map<string, Exchange[]>();
  for (const e of genuineCallbacks(traffic)) {
    const ref = referenceOf(e);
    if (!ref) continue;
    out.set(ref, [...(out.get(ref) ?? []), e]);
  }
  return out;
}

/** Card type words compared as the same card: "VISA-DEBIT", "visa_debit" and "Visa Debit" are one. */
export const sameCardType = (a: string, b: string): boolean => a.toUpperCase().replace(/[\s_-]+/g, '_') === b.toUpperCase().replace(/[\s_-]+/g, '_');
