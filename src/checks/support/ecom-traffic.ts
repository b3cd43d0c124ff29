import { ECOM_OP, type EcomCallbackStatus } from '../../contract/ecom.ts';
import type { Exchange } from '../../traffic/types.ts';
import type { PaymentState } from '../../contract/epayment.ts';

/**
 * Reading eCom v2 traffic in golive's neutral payment terms, so the rules written for ePayment
 * judge eCom integrations with the same code (support/traffic.ts calls in here). The neutral
 * lifecycle is named as ePayment's: an eCom payment is CREATED until the customer acts, then
 * AUTHORIZED (reserved; its captures, refunds and voids are amounts), ABORTED (cancelled by the
 * customer, or its reservation failed), EXPIRED (timed out) or TERMINATED (cancelled by the
 * merchant before approval: only a cancel answer can tell).
 */

const ECOM_PATH = /\/ecomm\/v2\/payments(?:\/([^/?#]+))?(?:\/(details|status|capture|refund|cancel))?\/?$/;
const FORCE_APPROVE_PATH = /\/ecomm\/v2\/integration-test\/payments\/([^/?#]+)\/approve\/?$/;
const CALLBACK_PATH = /\/v2\/payments\/([^/?#]+)\/?$/;

export const isEcomExchange = (e: Exchange, path: string): boolean => e.api === 'ecom-v2' || path.includes('/ecomm/v2/');

/** The spec operationId of an eCom request, inferred from method + path (proxy recordings). */
export function ecomOperationOf(method: string, path: string): string | undefined {
  if (method === 'POST' && FORCE_APPROVE_PATH.test(path)) return ECOM_OP.forceApprove;
  const m = ECOM_PATH.exec(path);
  if (!m) return undefined;
  const [, ref, sub] = m;
  if (!ref && method === 'POST') return ECOM_OP.initiate;
  if (sub === 'details' && method === 'GET') return ECOM_OP.details;
  if (sub === 'status' && method === 'GET') return ECOM_OP.status;
  if (sub === 'capture' && method === 'POST') return ECOM_OP.capture;
  if (sub === 'refund' && method === 'POST') return ECOM_OP.refund;
  if (sub === 'cancel' && method === 'PUT') return ECOM_OP.cancel;
  return undefined;
}

/** The orderId an eCom exchange is about: from its path, the initiate body or a callback body. */
export function ecomReferenceOf(e: Exchange, path: string): string | undefined {
  const m = ECOM_PATH.exec(path) ?? FORCE_APPROVE_PATH.exec(path) ?? (e.kind === 'callback' ? CALLBACK_PATH.exec(path) : null);
  if (m?.[1]) return decodeURIComponent(m[1]);
  const body = e.request.body as { transaction?: { orderId?: unknown }; orderId?: unknown } | undefined;
  const id = body?.transaction?.orderId ?? body?.orderId;
  return typeof id === 'string' ? id : undefined;
}

export const isEcomCallback = (e: Exchange): boolean => e.kind === 'callback' && e.api === 'ecom-v2' && (e.operation === undefined || e.operation === ECOM_OP.callback);

interface LogEntry {
  operation?: string;
  operationSuccess?: boolean;
  amount?: number;
  timeStamp?: string;
}
interface Summary {
  capturedAmount?: number;
  remainingAmountToCapture?: number;
  refundedAmount?: number;
  remainingAmountToRefund?: number;
}

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const successful = (log: unknown): LogEntry[] => (Array.isArray(log) ? (log as LogEntry[]).filter((x) => x && x.operationSuccess !== false) : []);

/**
 * The four neutral amounts of an eCom answer: details (its log names what was reserved and
 * voided), a capture/refund answer (its transactionSummary: captured + still capturable), or a
 * cancel answer (the order's amount, less what was captured).
 */
export function ecomAggregateOf(body: unknown): { authorized: number; captured: number; refunded: number; cancelled: number; currency: string } | undefined {
  const b = body as { transactionSummary?: Summary; transactionLogHistory?: unknown; transactionInfo?: { status?: string; amount?: number } } | undefined;
  const s = b?.transactionSummary;
  if (!s || typeof s !== 'object') return undefined;
  const captured = num(s.capturedAmount);
  const refunded = num(s.refundedAmount);
  const log = successful(b?.transactionLogHistory);
  const reserved = log.find((x) => x.operation === 'RESERVE' || x.operation === 'SALE');
  let cancelled = 0;
  let authorized: number;
  if (reserved) {
    authorized = num(reserved.amount);
    if (log.some((x) => x.operation === 'VOID' || x.operation === 'CANCEL')) cancelled = Math.max(0, authorized - captured - num(s.remainingAmountToCapture));
  } else if (/cancel/i.test(String(b?.transactionInfo?.status ?? ''))) {
    // A cancel answer names the order's amount; what it released is what was neither captured nor left.
    authorized = num(b?.transactionInfo?.amount);
    cancelled = Math.max(0, authorized - captured - num(s.remainingAmountToCapture));
  } else {
    authorized = captured + num(s.remainingAmountToCapture);
  }
  return { authorized, captured, refunded, cancelled, currency: 'NOK' };
}

/** The neutral state an eCom answer shows (details or the deprecated status), if it shows one. */
export function ecomStateOf(body: unknown): PaymentState | undefined {
  const b = body as { transactionLogHistory?: unknown; transactionInfo?: { status?: string } } | undefined;
  if (Array.isArray(b?.transactionLogHistory)) {
    const log = successful(b.transactionLogHistory);
    if (log.length === 0) return undefined;
    const ops = new Set(log.map((x) => x.operation));
    if (ops.has('RESERVE') || ops.has('SALE')) return 'AUTHORIZED';
    if (ops.has('CANCEL') || ops.has('VOID')) return 'ABORTED';
    return ops.has('INITIATE') ? 'CREATED' : undefined;
  }
  // The deprecated status endpoint: one word for the whole payment (the sandbox also says REJECTED/FAILED).
  const status = b?.transactionInfo?.status;
  if (typeof status !== 'string') return undefined;
  return status === 'REGISTER' ? 'CREATED' : ecomNeutralState(status);
}

/** The amount an eCom capture or refund moved: the request's, or (full capture: none given) the answer's. */
export function ecomModificationAmountOf(e: Exchange): { value: number; currency: string } | undefined {
  const asked = (e.request.body as { transaction?: { amount?: unknown } } | undefined)?.transaction?.amount;
  if (typeof asked === 'number' && asked > 0) return { value: asked, currency: 'NOK' };
  const answer = e.response?.body as { transactionInfo?: { amount?: unknown }; transaction?: { amount?: unknown } } | undefined;
  const done = answer?.transactionInfo?.amount ?? answer?.transaction?.amount;
  return typeof done === 'number' ? { value: done, currency: 'NOK' } : undefined;
}

/** `errorCode` of an eCom error answer (an array of {errorGroup, errorCode, errorMessage, contextId}). */
export function ecomErrorCodeOf(body: unknown): string | undefined {
  const first = Array.isArray(body) ? (body[0] as { errorCode?: unknown } | undefined) : undefined;
  return first?.errorCode === undefined ? undefined : String(first.errorCode);
}

/** The neutral event a callback status reports (webhook event names, for the payment picture). */
const CALLBACK_EVENT: Record<EcomCallbackStatus | 'RESERVE', string> = {
  RESERVED: 'AUTHORIZED',
  RESERVE: 'AUTHORIZED',
  SALE: 'CAPTURED',
  CANCELLED: 'ABORTED',
  REJECTED: 'EXPIRED',
  RESERVE_FAILED: 'ABORTED',
  SALE_FAILED: 'ABORTED',
};

export function ecomCallbackEventOf(e: Exchange): string | undefined {
  const status = (e.request.body as { transactionInfo?: { status?: unknown } } | undefined)?.transactionInfo?.status;
  return typeof status === 'string' ? CALLBACK_EVENT[status.toUpperCase() as EcomCallbackStatus] : undefined;
}

/** The neutral state of an eCom state name (the sandbox record's, as `expect.payment` observed it). */
export function ecomNeutralState(state: string): PaymentState | undefined {
  switch (state) {
    case 'INITIATE':
      return 'CREATED';
    case 'RESERVE':
    case 'SALE':
    case 'CAPTURE':
    case 'REFUND':
    case 'VOID':
      return 'AUTHORIZED';
    case 'CANCEL':
    case 'FAILED':
      return 'ABORTED';
    case 'REJECTED':
      return 'EXPIRED';
    default:
      return undefined;
  }
}
