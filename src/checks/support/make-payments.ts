import { PSP_API_NAME, PSP_ERROR_IDS, PSP_MAKE_PAYMENT_OPS, PSPAPI_CALLBACK_TIMEOUT_MS, type MakePaymentNotes } from '../../contract/psp-api.ts';
import type { Exchange } from '../../traffic/types.ts';
import { seconds } from './findings.ts';
import { byTime, referenceOf } from './traffic.ts';

/**
 * The PSP API's makePayment calls the sandbox sent a PSP (kind `callback`, api psp-v2/psp-v3;
 * notes per src/contract/psp-api.ts MakePaymentNotes, `forged` on golive's forgeries), read the
 * same way by every PSPAPI- rule, and the PSP API's own requests.
 */
const PSP_APIS: readonly string[] = Object.values(PSP_API_NAME);

export const isPspApiExchange = (e: Exchange): boolean => PSP_APIS.includes(e.api);
export const isMakePayment = (e: Exchange): boolean => e.kind === 'callback' && isPspApiExchange(e) && PSP_MAKE_PAYMENT_OPS.includes(e.operation ?? '');

type Notes = Partial<MakePaymentNotes> & { forged?: string; attemptId?: string };
export const mpNotes = (e: Exchange): Notes => (e.notes ?? {}) as Notes;

export const genuineMakePayments = (traffic: readonly Exchange[]): Exchange[] => traffic.filter((e) => isMakePayment(e) && !mpNotes(e).forged).sort(byTime);
export const forgedMakePayments = (traffic: readonly Exchange[]): Exchange[] => traffic.filter((e) => isMakePayment(e) && !!mpNotes(e).forged).sort(byTime);

/** The answer's paymentInfo.status and errorMessage, as the PSP sent them. */
export function mpAnswer(e: Exchange): { http?: number; status?: string; errorId?: number; errorText?: string; url3dSecure?: string } {
  const b = e.response?.body && typeof e.response.body === 'object' ? (e.response.body as Record<string, any>) : {};
  const id = b.errorMessage?.errorId;
  return {
    http: e.response?.status,
    status: typeof b.paymentInfo?.status === 'string' ? b.paymentInfo.status : undefined,
    ...(id !== undefined && id !== null && Number.isFinite(Number(id)) ? { errorId: Number(id) } : {}),
    ...(typeof b.errorMessage?.errorText === 'string' ? { errorText: b.errorMessage.errorText } : {}),
    ...(typeof b.paymentInfo?.url3dSecure === 'string' ? { url3dSecure: b.paymentInfo.url3dSecure } : typeof b.url3dSecure === 'string' ? { url3dSecure: b.url3dSecure } : {}),
  };
}

export const isDocumentedErrorId = (id: number): boolean => Object.hasOwn(PSP_ERROR_IDS, id);

/** "makePayment #12 (YES, after 3-D Secure) for abc: answered 200 FAIL 82 in 120 ms". */
export function describeMakePayment(e: Exchange): string {
  const n = mpNotes(e);
  const a = mpAnswer(e);
  const what = `makePayment #${e.seq} (${n.confirmed ?? '?'}${n.round === '3ds-completion' ? ', after 3-D Secure' : ''}) for ${referenceOf(e) ?? 'a payment'}`;
  if (a.http === undefined) return `${what}: no answer${e.error ? ` (${e.error})` : ''} after ${seconds(e.durationMs)}`;
  return `${what}: answered ${a.http}${a.status ? ` ${a.status}` : ''}${a.errorId !== undefined ? ` ${a.errorId}` : ''} in ${seconds(e.durationMs)}`;
}

export const answeredWithinLimit = (e: Exchange): boolean => e.response !== undefined && e.durationMs <= PSPAPI_CALLBACK_TIMEOUT_MS;

/** The PSP API's transactions an updatestatus request reports: `transactions[]` {pspTransactionId, status, amount}. */
export function reportedTransactions(e: Exchange): { pspTransactionId?: string; status?: string; amount?: number }[] {
  const body = e.request.body && typeof e.request.body === 'object' ? (e.request.body as { transactions?: unknown }) : {};
  return Array.isArray(body.transactions) ? (body.transactions as { pspTransactionId?: string; status?: string; amount?: number }[]) : [];
}

/**
 * The PSP API's go-live endings by payment (the evidence table): reserved by a makePayment OK,
 * then the newest accepted updatestatus report of it — CAPTURED, REFUNDED or CANCELLED.
 */
export function pspApiEndings(traffic: readonly Exchange[]): Record<'AUTHORIZED' | 'CAPTURED' | 'REFUNDED' | 'CANCELLED', string[]> {
  const last = new Map<string, string>();
  for (const e of genuineMakePayments(traffic)) if (mpAnswer(e).status === 'OK' && referenceOf(e)) last.set(referenceOf(e)!, 'AUTHORIZED');
  const reports = traffic.filter((e) => e.kind === 'api' && e.operation === 'updatestatusUsingPOST' && e.response && e.response.status < 300).sort(byTime);
  for (const e of reports) for (const tx of reportedTransactions(e)) if (tx.pspTransactionId && last.has(tx.pspTransactionId) && tx.status && tx.status !== 'RESERVED') last.set(tx.pspTransactionId, tx.status);
  const out = { AUTHORIZED: [] as string[], CAPTURED: [] as string[], REFUNDED: [] as string[], CANCELLED: [] as string[] };
  for (const [ref, ending] of last) if (ending in out) out[ending as keyof typeof out].push(ref);
  return out;
}
