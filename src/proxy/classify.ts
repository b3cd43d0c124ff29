import { classifyRoute, type RouteApi } from '../contract/api-routes.ts';
import type { ApiName, Headers } from '../traffic/types.ts';

/**
 * What a forwarded request is in the traffic log's terms: API, operation, MSN, payment
 * reference and idempotency key, found where the sandbox finds them (its route `subject`s):
 * ePayment `{reference}` or `body.reference`; eCom `{orderId}` or `body.transaction.orderId`;
 * the PSP API `{pspTransactionId}`, `body.pspTransactionId` or the first of `body.transactions`;
 * Order Management the `{orderId}` (v1: `{transactionId}`). Idempotency key: eCom's
 * `X-Request-Id`, none for the PSP API, else `Idempotency-Key` or `X-Request-Id`.
 */
export interface Classification {
  api: ApiName;
  operation?: string;
  msn?: string;
  reference?: string;
  idempotencyKey?: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function first(headers: Headers, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

type Subject = (params: Record<string, string>, body: unknown) => string | undefined;

const SUBJECTS: Partial<Record<RouteApi, Subject>> = {
  epayment: (params, body) => params.reference ?? (isObject(body) ? str(body.reference) : undefined),
  'ecom-v2': (params, body) => params.orderId ?? (isObject(body) && isObject(body.transaction) ? str(body.transaction.orderId) : undefined),
  'psp-v2': pspSubject,
  'psp-v3': pspSubject,
  'order-management': (params) => params.orderId ?? params.transactionId,
};

function pspSubject(params: Record<string, string>, body: unknown): string | undefined {
  if (params.pspTransactionId) return params.pspTransactionId;
  if (!isObject(body)) return undefined;
  if (typeof body.pspTransactionId === 'string') return body.pspTransactionId;
  const firstTx = Array.isArray(body.transactions) ? body.transactions[0] : undefined;
  return isObject(firstTx) ? str(firstTx.pspTransactionId) : undefined;
}

/** `headers` with lower-case names; `body` the parsed JSON request body when there was one. */
export function classifyRequest(method: string, path: string, headers: Headers, body: unknown): Classification {
  const match = classifyRoute(method, path);
  const msn = first(headers, 'merchant-serial-number') ?? ecomMsn(match?.api, body);
  if (!match) return { api: 'unknown', msn };
  const idempotencyKey =
    match.api === 'ecom-v2' ? first(headers, 'x-request-id') : match.api.startsWith('psp-') ? undefined : (first(headers, 'idempotency-key') ?? first(headers, 'x-request-id'));
  return { api: match.api, operation: match.operation, msn, reference: SUBJECTS[match.api]?.(match.params, body), idempotencyKey };
}

/** eCom names the MSN in the body when the optional header is absent (the sandbox knows it from the token instead). */
function ecomMsn(api: ApiName | undefined, body: unknown): string | undefined {
  if (api !== 'ecom-v2' || !isObject(body) || !isObject(body.merchantInfo)) return undefined;
  const msn = body.merchantInfo.merchantSerialNumber;
  return typeof msn === 'string' || typeof msn === 'number' ? String(msn) : undefined;
}
