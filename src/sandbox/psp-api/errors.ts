import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PSP_API_ERROR_CODES, type PspApiErrorCode, type PspApiVersion } from '../../contract/psp-api.ts';
import type { AuthErrorShape } from '../http.ts';
import { InjectedFaultError } from '../faults.ts';
import { ApiError, sendGatewayError } from '../problem.ts';

/**
 * PSP API errors (vipps-facts §5.4): an array of ErrorDetails, `application/json;charset=UTF-8`.
 * v2: `{errorCode, errorMessage, errorField?, errorKey?, developerMsg?}`; v3: `{errorCode,
 * errorMessage, contextId}`. HTTP statuses: 400 for request errors, 403 for an MSN the PSP does not
 * serve (code 21), 404 for an unknown pspTransactionId (code 51; the spec lists no 404 body, so
 * the shape is the 400's), 500 with code `500` `Internal error` (undocumented). Gateway refusals (key, token)
 * are Azure's `{statusCode, message}`: the specs document 401 without a body.
 */
export const PSP_CONTENT_TYPE = 'application/json;charset=UTF-8';

export class PspApiError extends ApiError {
  constructor(
    readonly errorCode: string,
    message: string,
    readonly field?: string,
    status = 400,
  ) {
    super({ status, title: 'PSP API error', detail: message, code: errorCode });
  }
}

/** A catalogued error; `message` replaces the catalogue text when the case deserves a precise one. */
export function pspError(code: PspApiErrorCode, message?: string, field?: string, status?: number): PspApiError {
  return new PspApiError(code, message ?? (PSP_API_ERROR_CODES as Record<string, string>)[code], field, status);
}

/** A field that does not follow the spec: errorCode 51 with the field's name. */
export const invalidField = (field: string, message: string) => new PspApiError('51', message, field);

export const transactionNotFound = (pspTransactionId: string, msn: string) =>
  new PspApiError('51', `PSP transaction ${pspTransactionId} not found for merchant ${msn}.`, 'pspTransactionId', 404);

export interface PspErrorItem {
  errorCode: string;
  errorMessage: string;
  errorField?: string;
  errorKey?: string;
  developerMsg?: string;
  contextId?: string;
}

function item(version: PspApiVersion, errorCode: string, errorMessage: string, field?: string): PspErrorItem {
  if (version === 'v3') return { errorCode, errorMessage, contextId: randomUUID() };
  return { errorCode, errorMessage, ...(field ? { errorField: field } : {}) };
}

export function pspErrorBody(version: PspApiVersion, err: ApiError): { status: number; body: PspErrorItem[] } {
  const p = err.problem;
  if (err instanceof PspApiError) return { status: p.status, body: [item(version, err.errorCode, p.detail ?? p.title, err.field)] };
  if (p.status >= 500) return { status: p.status, body: [item(version, '500', 'Internal error')] };
  return { status: p.status, body: [item(version, '51', p.extraDetails?.[0]?.reason ?? p.detail ?? p.title, p.extraDetails?.[0]?.name)] };
}

export function sendPspError(version: PspApiVersion, reply: FastifyReply, err: ApiError): FastifyReply {
  const { status, body } = pspErrorBody(version, err);
  return reply.code(status).type(PSP_CONTENT_TYPE).send(body);
}

const versionOf = (request: FastifyRequest): PspApiVersion => (request.url.startsWith('/psp/v3/') ? 'v3' : 'v2');

/** The PSP API plugin's error handler: domain errors, injected faults, and anything else without crashing. */
export function pspErrorHandler(error: Error & { statusCode?: number }, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const version = versionOf(request);
  if (error instanceof ApiError) return sendPspError(version, reply, error);
  if (error instanceof InjectedFaultError) {
    const code = error.code === undefined ? (error.status >= 500 ? '500' : '51') : String(error.code);
    return reply.code(error.status).type(PSP_CONTENT_TYPE).send([item(version, code, error.detail ?? error.title ?? 'Injected by a golive sandbox fault.')]);
  }
  const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
  if (status === 500) process.emitWarning(`sandbox internal error on ${request.method} ${request.url}: ${error.stack ?? error.message}`);
  return reply.code(status).type(PSP_CONTENT_TYPE).send([item(version, status === 500 ? '500' : '51', status === 500 ? 'Internal error' : error.message)]);
}

/**
 * Gateway refusals as Azure answers them (the default); the PSP checks (psp-auth.ts) in the
 * PSP API's array: an MSN the PSP does not serve or a foreign psp-id is 403 code 21, a missing
 * header 400 code 51 naming it.
 */
export const PSP_AUTH_ERRORS: AuthErrorShape = {
  gateway: sendGatewayError,
  refuse: (request, reply, problem) =>
    sendPspError(
      versionOf(request),
      reply,
      problem.status === 403
        ? pspError('21', problem.detail ?? problem.title, undefined, 403)
        : invalidField(problem.extraDetails?.[0]?.name ?? 'merchant-serial-number', problem.extraDetails?.[0]?.reason ?? problem.detail ?? problem.title),
    ),
};
