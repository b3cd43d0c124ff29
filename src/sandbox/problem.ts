import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { InjectedFaultError } from './faults.ts';
import type { StoredOutcome } from './shared/idempotency.ts';
import type { ErrorShape } from './shared/routes.ts';

/** W3C traceparent-style id, as the real API puts in `traceId`. */
export function traceId(): string {
  return `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`;
}

export interface ExtraDetail {
  name: string;
  reason: string;
}

export interface ProblemInput {
  status: number;
  title: string;
  detail?: string;
  /** ePayment numeric error code, sent as extraDetails [{name:"ErrorCode", reason:code}]. */
  code?: string | number;
  extraDetails?: ExtraDetail[];
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  traceId: string;
  extraDetails?: ExtraDetail[];
}

/** `instance` as the real API reports it: the path without the API's public prefix. */
export function instanceOf(request: FastifyRequest): string {
  return instanceOfPath(request.url);
}

/** `instance` for a URL as sent (the gateway matches the prefix case-insensitively). */
export function instanceOfPath(url: string): string {
  return url.split('?')[0].replace(/^\/(epayment|webhooks)(?=\/v\d)/i, '');
}

export function buildProblem(p: ProblemInput, instance?: string): Problem {
  const extra: ExtraDetail[] = [];
  if (p.code !== undefined) extra.push({ name: 'ErrorCode', reason: String(p.code) });
  if (p.extraDetails) extra.push(...p.extraDetails);
  const problem: Problem = {
    type: `https://httpstatuses.io/${p.status}`,
    title: p.title,
    status: p.status,
    traceId: traceId(),
  };
  if (p.detail !== undefined) problem.detail = p.detail;
  if (instance !== undefined) problem.instance = instance;
  if (extra.length > 0) problem.extraDetails = extra;
  return problem;
}

/** Send an RFC 7807 problem (application/problem+json), the shape ePayment and Webhooks use. */
export function sendProblem(request: FastifyRequest, reply: FastifyReply, p: ProblemInput): FastifyReply {
  return reply
    .code(p.status)
    .type('application/problem+json')
    .send(buildProblem(p, instanceOf(request)));
}

/** RFC 7807 as an API's error shape (ePayment, Webhooks). */
export const PROBLEM_SHAPE: ErrorShape = {
  send: (request, reply, err) => sendProblem(request, reply, err.problem),
  outcome: (request, err): StoredOutcome => ({
    status: err.problem.status,
    contentType: 'application/problem+json',
    body: JSON.stringify(buildProblem(err.problem, instanceOf(request))),
  }),
};

/** The title an error answer gets when nothing more specific was asked for. */
export function defaultTitle(status: number): string {
  return (
    { 400: 'Bad Request', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 408: 'Request Timeout', 409: 'Conflict', 413: 'Payload Too Large', 414: 'URI Too Long', 415: 'Unsupported Media Type', 423: 'Locked', 429: 'Too Many Requests', 431: 'Request Header Fields Too Large', 500: 'Internal error', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout' } as Record<number, string>
  )[status] ?? 'Error';
}

/**
 * The error handler of the APIs that answer RFC 7807 problems (ePayment, Webhooks, Userinfo,
 * and the sandbox's root): domain errors, injected faults, anything else as 4xx/500.
 */
export function sendErrorAsProblem(error: Error & { statusCode?: number }, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (error instanceof ApiError) return sendProblem(request, reply, error.problem);
  if (error instanceof InjectedFaultError)
    return sendProblem(request, reply, {
      status: error.status,
      title: error.title ?? defaultTitle(error.status),
      detail: error.detail ?? 'Injected by a golive sandbox fault.',
      code: error.code,
    });
  const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
  if (status === 500) process.emitWarning(`sandbox internal error on ${request.method} ${request.url}: ${error.stack ?? error.message}`);
  return sendProblem(request, reply, {
    status,
    title: defaultTitle(status),
    detail: status === 500 ? 'An internal error occurred.' : error.message,
    code: status === 500 ? 3010 : undefined,
  });
}

/** A domain error thrown by a state machine, turned into a problem by the HTTP layer. */
export class ApiError extends Error {
  constructor(readonly problem: ProblemInput) {
    super(`${problem.status} ${problem.title}${problem.code ? ` (${problem.code})` : ''}`);
  }
}

/** Azure API Management answers for gateway-level rejections (not RFC 7807). */
export function sendGatewayError(reply: FastifyReply, status: number, message: string): FastifyReply {
  return reply.code(status).type('application/json').send({ statusCode: status, message });
}

export const GATEWAY_MESSAGES = {
  missingKey:
    'Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API.',
  invalidKey: 'Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription.',
  invalidToken: 'Unauthorized. Access token is missing or invalid.',
  rateLimited: 'Rate limit is exceeded. Try again later.',
} as const;
