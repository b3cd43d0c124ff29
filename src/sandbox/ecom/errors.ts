import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { EcomErrorGroup } from '../../contract/ecom.ts';
import type { AuthErrorShape } from '../http.ts';
import { InjectedFaultError } from '../faults.ts';
import { ApiError } from '../problem.ts';
import type { StoredOutcome } from '../shared/idempotency.ts';
import type { ErrorShape } from '../shared/routes.ts';

/**
 * eCom v2 errors (vipps-facts §6.5): an array `[{errorGroup, errorCode, errorMessage, contextId}]`,
 * `application/json;charset=UTF-8`. Gateway refusals are Azure's `{responseInfo, result}` (the
 * ErrorFromAzure schema). The HTTP statuses per code are not documented (UNCONFIRMED): 400 for
 * request and state errors, 404 for an unknown orderId, 409 for request-id conflicts, 403 for
 * refused merchants; they live in this one table.
 */
export const ECOM_CONTENT_TYPE = 'application/json;charset=UTF-8';

const CODES = {
  Payment: { 41: 'No valid card', 42: 'Refused by issuer', 43: 'Invalid amount', 44: 'Expired card', 45: 'Reservation failed', 51: 'Cannot cancel an already captured order', 52: 'Cancellation failed', 61: 'Captured amount exceeds the reserved amount', 62: 'The amount you tried to capture is not reserved', 63: 'Capture failed', 71: 'Cannot refund more than captured amount', 72: 'Cannot refund a reserved order (only captured orders), cancel instead', 73: 'Cannot refund a cancelled order', 74: 'Refund failed during debit from merchant account', 95: 'Payments can only be refunded up to 365 days after reservation', 98: 'Too late for capture' },
  VippsError: { 91: 'Transaction is not allowed', 92: 'Transaction already processed', 93: 'The X-Request-Id was already used with a different request', 94: 'Order locked and is already processing', 99: 'Internal error' },
  User: { 81: 'User not registered with Vipps', 82: 'User app version not supported' },
  Merchant: { 34: 'Duplicate order id', 35: 'Requested order not found', 37: 'Merchant not available or deactivated or blocked', 51: 'Merchant not allowed to use this scope' },
} as const satisfies Partial<Record<EcomErrorGroup, Record<number, string>>>;

const STATUS: Record<string, number> = { 'Merchant:35': 404, 'Merchant:37': 403, 'Merchant:51': 403, 'VippsError:93': 409, 'VippsError:94': 409, 'VippsError:99': 500 };

/** A domain error of the eCom API. `problem` carries status and text so shared route plumbing can store it. */
export class EcomError extends ApiError {
  constructor(
    readonly group: EcomErrorGroup,
    readonly code: string,
    message: string,
    status = STATUS[`${group}:${code}`] ?? 400,
  ) {
    super({ status, title: group, detail: message, code });
  }
}

/** A catalogued error; `message` replaces the catalogue text when the case deserves a precise one. */
export function ecomError<G extends keyof typeof CODES>(group: G, code: keyof (typeof CODES)[G] & number, message?: string): EcomError {
  return new EcomError(group, String(code), message ?? (CODES[group] as Record<number, string>)[code]);
}

/** A request that does not have the spec's shape: errorCode is the field's name. */
export function invalidRequest(field: string, message: string): EcomError {
  return new EcomError('InvalidRequest', field, message);
}

export const orderNotFound = (msn: string, orderId: string) => ecomError('Merchant', 35, `Requested order ${orderId} not found for merchant ${msn}`);

export interface EcomErrorItem {
  errorGroup: EcomErrorGroup;
  errorCode: string;
  errorMessage: string;
  contextId: string;
}

/** Any error as the eCom array (other ApiErrors, e.g. the JSON parser's, are invalid requests). */
export function ecomErrorBody(err: ApiError): { status: number; body: EcomErrorItem[] } {
  const p = err.problem;
  if (err instanceof EcomError) return { status: p.status, body: [item(err.group, err.code, p.detail ?? p.title)] };
  const field = p.extraDetails?.[0]?.name ?? 'body';
  const message = p.extraDetails?.[0]?.reason ?? p.detail ?? p.title;
  if (p.status >= 500) return { status: p.status, body: [item('VippsError', '99', message)] };
  return { status: p.status, body: [item('InvalidRequest', field, message)] };
}

const item = (errorGroup: EcomErrorGroup, errorCode: string, errorMessage: string): EcomErrorItem => ({ errorGroup, errorCode, errorMessage, contextId: randomUUID() });

/** An injected `status` fault: its `code` is the errorCode (group by the catalogue, else by status). */
export function faultErrorBody(fault: InjectedFaultError): EcomErrorItem[] {
  const code = fault.code === undefined ? undefined : String(fault.code);
  const group = (code && (Object.keys(CODES) as (keyof typeof CODES)[]).find((g) => code in CODES[g])) || (fault.status >= 500 ? 'VippsError' : 'InvalidRequest');
  const catalogued = code ? (CODES[group as keyof typeof CODES] as Record<string, string> | undefined)?.[code] : undefined;
  return [item(group, code ?? (fault.status >= 500 ? '99' : String(fault.status)), fault.detail ?? fault.title ?? catalogued ?? 'Injected by a golive sandbox fault.')];
}

export function sendEcomError(reply: FastifyReply, err: ApiError): FastifyReply {
  const { status, body } = ecomErrorBody(err);
  return reply.code(status).type(ECOM_CONTENT_TYPE).send(body);
}

export const ECOM_SHAPE: ErrorShape = {
  send: (_request, reply, err) => sendEcomError(reply, err),
  outcome: (_request, err): StoredOutcome => {
    const { status, body } = ecomErrorBody(err);
    return { status, contentType: ECOM_CONTENT_TYPE, body: JSON.stringify(body) };
  },
};

/** The eCom plugin's error handler: domain errors, injected faults, and anything else without crashing. */
export function ecomErrorHandler(error: Error & { statusCode?: number }, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (error instanceof ApiError) return sendEcomError(reply, error);
  if (error instanceof InjectedFaultError) return reply.code(error.status).type(ECOM_CONTENT_TYPE).send(faultErrorBody(error));
  const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
  if (status === 500) process.emitWarning(`sandbox internal error on ${request.method} ${request.url}: ${error.stack ?? error.message}`);
  const body = status === 500 ? [item('VippsError', '99', 'Internal error')] : [item('InvalidRequest', 'body', error.message)];
  return reply.code(status).type(ECOM_CONTENT_TYPE).send(body);
}

const AZURE_MESSAGES: Record<number, string> = { 401: 'Unauthorized', 403: 'Forbidden', 429: 'Too Many Requests' };

/**
 * Gateway refusals as the eCom spec documents them (ErrorFromAzure): missing or bad key or
 * token. The MSN checks are the API's own, in the eCom array: a missing header is an invalid
 * request; an MSN the keys do not cover is `Authentication` (its code is not documented: UNCONFIRMED).
 */
export const ECOM_AUTH_ERRORS: AuthErrorShape = {
  gateway: (reply, status, message) =>
    reply
      .code(status)
      .type(ECOM_CONTENT_TYPE)
      .send({ responseInfo: { responseCode: status, responseMessage: AZURE_MESSAGES[status] ?? 'Error' }, result: { message } }),
  refuse: (_request, reply, problem) =>
    sendEcomError(reply, problem.status === 403 ? new EcomError('Authentication', '403', problem.detail ?? problem.title, 403) : invalidRequest(problem.extraDetails?.[0]?.name ?? 'Merchant-Serial-Number', problem.extraDetails?.[0]?.reason ?? problem.detail ?? problem.title)),
};
