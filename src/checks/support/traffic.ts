import { header } from '../../traffic/log.ts';
import type { Exchange } from '../../traffic/types.ts';
import { exchangeNumber } from '../../traffic/exchange-number.ts';
import { ECOM_REQUEST_ID_OPS } from '../../contract/ecom.ts';
import { PAYMENT_OPERATIONS } from '../../contract/operations.ts';
import { PAYMENT_STATES } from '../../contract/epayment.ts';
import { ecomAggregateOf, ecomErrorCodeOf, ecomModificationAmountOf, ecomOperationOf, ecomReferenceOf, ecomStateOf, isEcomExchange } from './ecom-traffic.ts';

/**
 * Reading the traffic log the way checks need it. Everything here tolerates the shapes the
 * sandbox and the recording proxy produce: `operation` may be missing (proxy), URLs may be
 * paths or absolute, header names any case, and secrets are redaction fingerprints
 * (`[REDACTED:1a2b3c4d]`, equal secrets ⇒ equal fingerprints within a run).
 */

/** Spec operationIds (epayment-v1.yaml, access-token.yaml) and the sandbox's names for Webhooks v1 (no operationIds in its spec). */
export const OP = {
  token: 'fetchAuthorizationTokenUsingPost',
  create: 'createPayment',
  get: 'getPayment',
  events: 'getPaymentEventLog',
  cancel: 'cancelPayment',
  capture: 'capturePayment',
  refund: 'refundPayment',
  forceApprove: 'forceApprove',
  registerWebhook: 'registerWebhook',
  listWebhooks: 'getWebhooks',
  deleteWebhook: 'deleteWebhook',
  deliverWebhook: 'deliverWebhook',
} as const;

/**
 * Other names for the same operations, mapped to ours: every API's operations of the same kind
 * (src/contract/operations.ts lists ePayment's first, so its name is the neutral one `OP` uses,
 * and one rule reads both APIs' traffic), and the brief's and older SDKs' names.
 */
const ALIASES: Record<string, string> = {
  ...Object.fromEntries(Object.values(PAYMENT_OPERATIONS).flatMap(([neutral, ...others]) => others.map((op) => [op, neutral]))),
  fetchToken: OP.token,
  getAllWebhooks: OP.listWebhooks,
  createWebhook: OP.registerWebhook,
  adjustmentsRefund: OP.refund,
  adjustmentsCapture: OP.capture,
};

/** Operations that the spec says must carry an Idempotency-Key. */
export const IDEMPOTENT_OPS: readonly string[] = [OP.create, OP.capture, OP.refund, OP.cancel];
/** eCom's operations that carry an X-Request-Id, by their neutral names. */
const ECOM_KEYED_OPS: readonly string[] = ECOM_REQUEST_ID_OPS.map((op) => ALIASES[op]);
export const MODIFICATION_OPS: readonly string[] = [OP.capture, OP.refund, OP.cancel];
/** Order Management calls that put information in the payment history. */
export const ORDER_MANAGEMENT_INFO_OPS: readonly string[] = ['postReceiptV2', 'postReceipt', 'putCategoryV2', 'putOrder'];

const EPAYMENT_PATH = /\/epayment\/v1\/payments(?:\/([^/?#]+))?(?:\/(events|cancel|capture|refund))?\/?$/;
const FORCE_APPROVE_PATH = /\/epayment\/v1\/(?:test\/)?payments\/([^/?#]+)\/approve\/?$/;
const WEBHOOKS_PATH = /\/webhooks\/v1\/webhooks(?:\/([^/?#]+))?\/?$/;
const OM_RECEIPT_PATH = /\/order-management\/v2\/[^/]+\/receipts\/([^/?#]+)\/?$/;
const OM_CATEGORY_PATH = /\/order-management\/v2\/[^/]+\/categories\/([^/?#]+)\/?$/;

const pathOnly = (e: Exchange): string => {
  const raw = e.request.path || e.request.url || '';
  try {
    return raw.startsWith('http') ? new URL(raw).pathname : raw.split('?')[0];
  } catch {
    return raw.split('?')[0];
  }
};

/** The exchange's operation: the recorded one (aliases normalised), else inferred from method + path. */
export function operationOf(e: Exchange): string | undefined {
  if (e.operation) return ALIASES[e.operation] ?? e.operation;
  const method = e.request.method.toUpperCase();
  const path = pathOnly(e);
  if (method === 'POST' && /\/accesstoken\/get\/?$/i.test(path)) return OP.token;
  if (isEcomExchange(e, path)) {
    const op = ecomOperationOf(method, path);
    return op === undefined ? undefined : ALIASES[op];
  }
  if (method === 'POST' && FORCE_APPROVE_PATH.test(path)) return OP.forceApprove;
  const m = EPAYMENT_PATH.exec(path);
  if (m) {
    const [, ref, sub] = m;
    if (!ref && method === 'POST') return OP.create;
    if (ref && !sub && method === 'GET') return OP.get;
    if (sub === 'events' && method === 'GET') return OP.events;
    if (sub === 'cancel' && method === 'POST') return OP.cancel;
    if (sub === 'capture' && method === 'POST') return OP.capture;
    if (sub === 'refund' && method === 'POST') return OP.refund;
  }
  const w = WEBHOOKS_PATH.exec(path);
  if (w && e.kind === 'api') {
    if (!w[1] && method === 'POST') return OP.registerWebhook;
    if (!w[1] && method === 'GET') return OP.listWebhooks;
    if (w[1] && method === 'DELETE') return OP.deleteWebhook;
  }
  if (method === 'POST' && OM_RECEIPT_PATH.test(path)) return 'postReceiptV2';
  if (method === 'PUT' && OM_CATEGORY_PATH.test(path)) return 'putCategoryV2';
  return undefined;
}

export const isOp = (e: Exchange, ...ops: readonly string[]): boolean => {
  const op = operationOf(e);
  return op !== undefined && ops.includes(op);
};

/** The integration's own calls to the (sandbox) Vipps API, without the test-only force approve. */
export const apiCalls = (traffic: readonly Exchange[]): Exchange[] =>
  traffic.filter((e) => e.kind === 'api' && operationOf(e) !== OP.forceApprove);

export const apiOps = (traffic: readonly Exchange[], ...ops: readonly string[]): Exchange[] =>
  traffic.filter((e) => e.kind === 'api' && isOp(e, ...ops));

export const statusOf = (e: Exchange): number | undefined => e.response?.status;
export const isOk = (e: Exchange): boolean => e.response !== undefined && e.response.status >= 200 && e.response.status < 300;
/** No (normal) answer reached the client: dropped, hung, timed out. */
export const noAnswer = (e: Exchange): boolean => e.response === undefined;
/** An outcome the client should retry with the same key (or resolve by GET): no answer, 5xx, 429, 423. */
export const isTransientFailure = (e: Exchange): boolean => {
  const s = e.response?.status;
  return s === undefined || s >= 500 || s === 429 || s === 423;
};
/** The sandbox applied the operation but the client never saw the answer (`drop-response`). */
export const tookEffectUnseen = (e: Exchange): boolean =>
  e.response === undefined && (e.fault === 'drop-response' || /took effect/i.test(e.error ?? ''));

export const endOf = (e: Exchange): number => e.startedAt + (Number.isFinite(e.durationMs) ? e.durationMs : 0);

/** The payment reference an exchange is about: recorded, else from the path or body. */
export function referenceOf(e: Exchange): string | undefined {
  if (e.reference) return e.reference;
  const path = pathOnly(e);
  if (isEcomExchange(e, path)) return ecomReferenceOf(e, path);
  const m = EPAYMENT_PATH.exec(path) ?? FORCE_APPROVE_PATH.exec(path) ?? OM_RECEIPT_PATH.exec(path) ?? OM_CATEGORY_PATH.exec(path);
  if (m?.[1]) return decodeURIComponent(m[1]);
  const body = e.request.body as Record<string, unknown> | undefined;
  return body && typeof body === 'object' && typeof body.reference === 'string' ? body.reference : undefined;
}

export const reqHeader = (e: Exchange, name: string): string | undefined => header(e.request.headers, name);
export const resHeader = (e: Exchange, name: string): string | undefined => header(e.response?.headers, name);

/** The header that makes a retry idempotent: ePayment's `Idempotency-Key`, eCom's `X-Request-Id`. */
export const idempotencyHeaderOf = (e: Exchange): string => (isEcomExchange(e, pathOnly(e)) ? 'X-Request-Id' : 'Idempotency-Key');

/** Whether the API wants a key on this call: ePayment's four modifying calls; eCom's capture and refund (its initiate is retried with a new orderId, its cancel takes none). */
export function needsIdempotencyKey(e: Exchange): boolean {
  const op = operationOf(e);
  return op !== undefined && (isEcomExchange(e, pathOnly(e)) ? ECOM_KEYED_OPS : IDEMPOTENT_OPS).includes(op);
}

/** The longest key the API takes (ePayment Idempotency-Key 50, eCom X-Request-Id 40). */
export const idempotencyKeyMaxOf = (e: Exchange): number => (isEcomExchange(e, pathOnly(e)) ? 40 : 50);

/** The call's idempotency key: `Idempotency-Key` (ePayment), `X-Request-Id` (eCom v2; elsewhere it is only a trace id). */
export function idempotencyKeyOf(e: Exchange): string | undefined {
  if (isEcomExchange(e, pathOnly(e))) {
    const id = reqHeader(e, 'x-request-id');
    return id === undefined || id.trim() === '' ? undefined : id;
  }
  const v = reqHeader(e, 'idempotency-key');
  if (v !== undefined) return v.trim() === '' ? undefined : v;
  if (reqHeader(e, 'x-request-id') !== undefined) return undefined;
  return e.idempotencyKey || undefined;
}

/** What identifies the bearer token of a call: its redaction fingerprint (or the raw value in unredacted logs). */
export function bearerOf(e: Exchange): string | undefined {
  const auth = reqHeader(e, 'authorization');
  const m = auth ? /^Bearer\s+(\S.*)$/i.exec(auth.trim()) : null;
  return m ? m[1].trim() : undefined;
}

export const bodyOf = (e: Exchange): Record<string, any> | undefined => {
  const b = e.request.body;
  return b && typeof b === 'object' && !Array.isArray(b) ? (b as Record<string, any>) : undefined;
};
export const responseBodyOf = (e: Exchange): any => e.response?.body;

/** The reference a create request names: ePayment `reference`, eCom `transaction.orderId`. */
export function requestedReferenceOf(e: Exchange): unknown {
  const b = bodyOf(e);
  return b?.reference ?? b?.transaction?.orderId;
}

/** Where a create request sends the customer back: ePayment `returnUrl`, eCom `merchantInfo.fallBack`. */
export function returnUrlOf(e: Exchange | undefined): unknown {
  const b = e ? bodyOf(e) : undefined;
  return b?.returnUrl ?? b?.merchantInfo?.fallBack;
}

/** Canonical JSON (sorted keys) for comparing request bodies. */
export function canonicalJson(v: unknown): string {
  if (v === undefined) return '';
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
    .join(',')}}`;
}

export interface Agg {
  authorized: number;
  captured: number;
  refunded: number;
  cancelled: number;
  currency?: string;
}

const val = (a: unknown): number | undefined => {
  const v = (a as { value?: unknown } | undefined)?.value;
  return typeof v === 'number' ? v : undefined;
};

/** `aggregate` of a GetPaymentResponse / ModificationResponse body (or an eCom answer's transactionSummary, in the same terms). */
export function aggregateOf(body: unknown): Agg | undefined {
  const a = (body as { aggregate?: Record<string, unknown> } | undefined)?.aggregate;
  if (!a || typeof a !== 'object') return ecomAggregateOf(body);
  const authorized = val(a.authorizedAmount);
  if (authorized === undefined) return undefined;
  return {
    authorized,
    captured: val(a.capturedAmount) ?? 0,
    refunded: val(a.refundedAmount) ?? 0,
    cancelled: val(a.cancelledAmount) ?? 0,
    currency: (a.authorizedAmount as { currency?: string }).currency,
  };
}

export const modificationAmountOf = (e: Exchange): { value: number; currency?: string } | undefined => {
  if (isEcomExchange(e, pathOnly(e))) return ecomModificationAmountOf(e);
  const m = bodyOf(e)?.modificationAmount;
  return m && typeof m.value === 'number' ? { value: m.value, currency: m.currency } : undefined;
};

/** `#42 POST /epayment/v1/payments/acme-1/capture` (`G3 GET /api/orders/…` for golive's own requests) */
export function describe(e: Exchange): string {
  return `${exchangeNumber(e)} ${e.request.method.toUpperCase()} ${pathOnly(e)}`;
}

/** `→ 201`, `→ no answer (response dropped …)` */
export function outcomeOf(e: Exchange): string {
  if (e.response) return `→ ${e.response.status}${e.fault ? ` (fault ${e.fault})` : ''}`;
  return `→ no answer${e.error ? ` (${e.error})` : ''}${e.fault && !(e.error ?? '').includes(e.fault) ? ` (fault ${e.fault})` : ''}`;
}

/** ePayment error code from a problem body (`extraDetails[{name:"ErrorCode"}]`). */
export function errorCodeOf(body: unknown): string | undefined {
  if (Array.isArray(body)) return ecomErrorCodeOf(body);
  const extra = (body as { extraDetails?: { name?: string; reason?: string }[] } | undefined)?.extraDetails;
  return Array.isArray(extra) ? extra.find((d) => d?.name === 'ErrorCode')?.reason : undefined;
}

export const bySeq = (a: Exchange, b: Exchange): number => a.seq - b.seq;
export const byTime = (a: Exchange, b: Exchange): number => a.startedAt - b.startedAt || a.seq - b.seq;

const STATES = new Set<string>(PAYMENT_STATES);

/** The neutral payment state an API answer shows (ePayment `state`; eCom details, status or a cancel of a reserved payment). */
export function paymentStateOf(body: unknown): (typeof PAYMENT_STATES)[number] | undefined {
  const s = (body as { state?: unknown } | undefined)?.state;
  if (typeof s === 'string') return STATES.has(s) ? (s as (typeof PAYMENT_STATES)[number]) : undefined;
  return ecomStateOf(body);
}
