import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiName } from '../traffic/types.ts';
import { pathOf } from '../traffic/compact.ts';
import type { SandboxContext } from './context.ts';
import type { Fault } from '../contract/faults.ts';
import { faultName, InjectedFaultError, type FaultSubject } from './faults.ts';
import type { Merchant } from './merchants.ts';
import { installEdges, installParsers, rootErrorHandler } from './edges.ts';
import { authenticatePsp } from './psp-auth.ts';
import { authenticatePartner } from './partner-auth.ts';
import { ApiError, GATEWAY_MESSAGES, sendErrorAsProblem, sendGatewayError, sendProblem, type ProblemInput } from './problem.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Which API a route belongs to; routes without it are not recorded. */
    api?: ApiName;
    /** Spec operation name, e.g. `createPayment`. */
    operation?: string;
    /** `vipps`: subscription key + Bearer token + MSN, as the real gateway/API checks them. */
    auth?: 'vipps' | 'none';
    /** With auth `vipps`: whether Merchant-Serial-Number is required (default true). */
    msnRequired?: boolean;
    /** Whether HTTP faults may apply to this route (default true for `vipps` routes). */
    faults?: boolean;
    /** Where this API's requests carry the payment reference and amount (default: ePayment's). */
    subject?: RequestSubject;
    /** How this API's gateway and auth refusals look (default: Azure `{statusCode, message}` + RFC 7807). */
    authErrors?: AuthErrorShape;
  }
  interface FastifyRequest {
    merchant?: Merchant;
    fault?: Fault;
    /** Set by a handler when the exchange concerns a payment reference not in path/body. */
    exchangeReference?: string;
    /** Notes a handler wants on the traffic record. */
    exchangeNotes?: Record<string, unknown>;
    /** The JSON body's text as it arrived, kept by the traffic log in place of the parsed body. */
    exchangeBodyText?: string;
    /** When the request arrived: sandbox clock (ms) and a monotonic timer for the duration. */
    arrivedAt?: number;
    arrivedHr?: number;
  }
}

/**
 * Where an API's requests name the payment they concern, for traffic records and fault
 * selectors: ePayment has `:reference` and `amount.value`, eCom `:orderId` and
 * `transaction.amount`. A handler's `exchangeReference` still wins over what this finds.
 */
export interface RequestSubject {
  reference(request: FastifyRequest): string | undefined;
  /** The amount of a request that creates a payment (later requests match the payment's own). */
  amount(request: FastifyRequest): number | undefined;
  /** The request's idempotency key header (ePayment `Idempotency-Key`, eCom `X-Request-Id`), for the traffic record. */
  requestKey(request: FastifyRequest): string | undefined;
}

/** ePayment's names, the default for routes that declare no subject. */
const DEFAULT_SUBJECT: RequestSubject = {
  reference(request) {
    const params = request.params as Record<string, string> | undefined;
    if (params?.reference) return params.reference;
    const body = request.body as Record<string, unknown> | undefined;
    return body && typeof body === 'object' && typeof body.reference === 'string' ? body.reference : undefined;
  },
  amount(request) {
    const value = (request.body as Record<string, any> | undefined)?.amount?.value;
    return typeof value === 'number' ? value : undefined;
  },
  // Every API without a subject of its own (Webhooks, Order Management…) records either header.
  requestKey: (request) => headerValue(request, 'idempotency-key') ?? headerValue(request, 'x-request-id'),
};

/**
 * An API's answers when the gateway or the auth check refuses a request: `gateway` for the
 * Azure-level 401/429s (bad key, bad token), `refuse` for the API's own 400/403s (MSN missing or
 * not the token's). ePayment and Webhooks answer the defaults; eCom its own error shapes.
 */
export interface AuthErrorShape {
  gateway(reply: FastifyReply, status: number, message: string): FastifyReply;
  refuse(request: FastifyRequest, reply: FastifyReply, problem: ProblemInput): FastifyReply;
}

const DEFAULT_AUTH_ERRORS: AuthErrorShape = { gateway: sendGatewayError, refuse: sendProblem };

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function headerValue(request: FastifyRequest, name: string): string | undefined {
  const v = request.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** The payment reference an exchange concerns: what the handler said, else where the route's API carries it. */
export function referenceOf(request: FastifyRequest): string | undefined {
  if (request.exchangeReference) return request.exchangeReference;
  return (request.routeOptions.config.subject ?? DEFAULT_SUBJECT).reference(request);
}

/**
 * The amount a fault selector matches: the payment's own amount once it exists (so a fault
 * scoped to a flow's payment also catches its partial captures), else the create body's.
 */
function amountOf(request: FastifyRequest, ctx: SandboxContext, msn: string | undefined, reference: string | undefined): number | undefined {
  const existing = msn && reference ? ctx.payments.find(msn, reference)?.amount.value : undefined;
  if (existing !== undefined) return existing;
  return (request.routeOptions.config.subject ?? DEFAULT_SUBJECT).amount(request);
}

/** Whether a subscription key is anyone's: a merchant's, a PSP's or a partner's (else the gateway's 401). */
export function isKnownSubscriptionKey(ctx: SandboxContext, key: string): boolean {
  return ctx.merchants.isKnownSubscriptionKey(key) || ctx.psps.isKnownSubscriptionKey(key) || ctx.partners.isKnownSubscriptionKey(key);
}

function authenticate(ctx: SandboxContext, request: FastifyRequest, reply: FastifyReply): boolean {
  const answer = request.routeOptions.config.authErrors ?? DEFAULT_AUTH_ERRORS;
  const key = headerValue(request, 'ocp-apim-subscription-key');
  if (!key) {
    answer.gateway(reply, 401, GATEWAY_MESSAGES.missingKey);
    return false;
  }
  if (!isKnownSubscriptionKey(ctx, key)) {
    answer.gateway(reply, 401, GATEWAY_MESSAGES.invalidKey);
    return false;
  }
  const authorization = headerValue(request, 'authorization') ?? '';
  const prefixOk = ctx.settings.bearerCaseSensitive ? authorization.startsWith('Bearer ') : /^bearer /i.test(authorization);
  const verdict = prefixOk ? ctx.tokens.verify(authorization.slice(7).trim(), ctx.clock.now()) : undefined;
  if (verdict === undefined || verdict === 'expired') {
    answer.gateway(reply, 401, GATEWAY_MESSAGES.invalidToken);
    return false;
  }
  if (verdict.psp) return authenticatePsp(ctx, request, reply, verdict.psp, key, answer);
  if (verdict.partner) return authenticatePartner(ctx, request, reply, verdict.partner, key, answer);
  const merchant = verdict.merchant!;
  if (!ctx.merchants.subscriptionKeyBelongsTo(key, merchant)) {
    answer.refuse(request, reply, {
      status: 403,
      title: 'Forbidden',
      detail: 'The subscription key and the access token belong to different sales units.',
    });
    return false;
  }
  const msn = headerValue(request, 'merchant-serial-number');
  const msnRequired = request.routeOptions.config.msnRequired ?? true;
  if (!msn && msnRequired) {
    answer.refuse(request, reply, {
      status: 400,
      title: 'Bad Request',
      detail: 'One or more validation errors occurred.',
      extraDetails: [{ name: 'Merchant-Serial-Number', reason: 'The Merchant-Serial-Number header is required.' }],
    });
    return false;
  }
  if (msn && msn !== merchant.msn) {
    answer.refuse(request, reply, {
      status: 403,
      title: 'Merchant Not Allowed',
      detail: `The API keys used do not give access to merchant ${msn}.`,
    });
    return false;
  }
  request.merchant = merchant;
  return true;
}

/**
 * Apply an HTTP fault. Returns true when the fault answered the request itself. A status fault
 * is thrown as `InjectedFaultError`, so the route's own API renders it in its error shape;
 * gateway-level ones (401, a bare 429) answer as the API gateway does, the same for every API.
 */
async function applyFault(ctx: SandboxContext, request: FastifyRequest, reply: FastifyReply): Promise<boolean> {
  if (ctx.faults.size === 0) return false;
  const config = request.routeOptions.config;
  const msn = request.merchant?.msn ?? headerValue(request, 'merchant-serial-number');
  const reference = referenceOf(request);
  const subject: FaultSubject = { api: config.api, operation: config.operation, msn, reference, amount: amountOf(request, ctx, msn, reference) };
  const fault = ctx.faults.take(subject, ['status', 'delay', 'drop-response', 'hang']);
  if (!fault) return false;
  request.fault = fault;
  const effect = fault.effect;
  switch (effect.type) {
    case 'status': {
      if (effect.retryAfter !== undefined) reply.header('retry-after', String(effect.retryAfter));
      if (effect.status === 401 || (effect.status === 429 && effect.code === undefined && !effect.title)) {
        (config.authErrors ?? DEFAULT_AUTH_ERRORS).gateway(reply, effect.status, effect.status === 401 ? GATEWAY_MESSAGES.invalidToken : GATEWAY_MESSAGES.rateLimited);
        return true;
      }
      throw new InjectedFaultError(effect.status, effect.title, effect.detail, effect.code);
    }
    case 'delay':
      await sleep(effect.ms);
      return false;
    case 'hang':
      await new Promise<void>((resolve) => request.raw.once('close', resolve));
      return true;
    case 'drop-response':
      return false; // handled in onSend, after the effect has happened
    default:
      return false;
  }
}


/**
 * The exchange's notes: the handler's, plus `partner` (the partner id) when partner keys made
 * the request, so a check can tell which installation's traffic used them, and
 * `systemHeaderTooLong`: `Vipps-System-*` headers are at most 30 characters (vipps-facts §1.1);
 * the gateway takes longer ones silently, so the record says which were too long, for EP-HEADERS.
 */
function notesOf(request: FastifyRequest): Record<string, unknown> | undefined {
  // Allocation-free unless a header is too long: this runs for every recorded request.
  let tooLong: string[] | undefined;
  const headers = request.headers;
  for (const name in headers) {
    if (!name.startsWith('vipps-system-')) continue;
    const value = headers[name];
    const long = Array.isArray(value) ? value.some((v) => v.length > 30) : typeof value === 'string' && value.length > 30;
    if (long) (tooLong ??= []).push(name.replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase()));
  }
  if (tooLong === undefined && !request.partner) return request.exchangeNotes;
  return {
    ...request.exchangeNotes,
    ...(request.partner ? { partner: request.partner.id } : {}),
    ...(tooLong !== undefined ? { systemHeaderTooLong: tooLong } : {}),
  };
}

export function installHttpLayer(app: FastifyInstance, ctx: SandboxContext): void {
  installParsers(app);
  installEdges(app, ctx);

  // Fastify only times requests when it logs; the traffic log needs start and duration always.
  app.addHook('onRequest', (request, _reply, done) => {
    request.arrivedAt = ctx.clock.now();
    request.arrivedHr = performance.now();
    done();
  });

  // A synchronous fast path (no promise per request); a refusal or a fault goes the async way as
  // before: Fastify's hook runner awaits what the hook returns (the reply, once sent; the fault's outcome).
  app.addHook('preHandler', ((request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    const config = request.routeOptions.config;
    if (config.auth === 'vipps' && !authenticate(ctx, request, reply)) return reply;
    if (ctx.faults.size === 0 || !(config.faults ?? config.auth === 'vipps')) return done();
    return applyFault(ctx, request, reply).then((answered) => (answered ? reply : undefined));
  }) as never);

  app.addHook('onSend', (request, reply, payload, done) => {
    try {
      done(null, record(request, reply, payload));
    } catch (err) {
      done(err as Error);
    }
  });

  /** The traffic record of an answered request (routes with an `api`); the payload goes on unchanged. */
  function record(request: FastifyRequest, reply: FastifyReply, payload: unknown): unknown {
    const config = request.routeOptions.config;
    if (!config.api) return payload;
    const dropped = request.fault?.effect.type === 'drop-response';
    const hung = request.fault?.effect.type === 'hang';
    const raw = typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : '';
    const responseHeaders = reply.getHeaders() as Record<string, string>;
    const bodyText = request.exchangeBodyText;
    const msn = request.merchant?.msn ?? headerValue(request, 'merchant-serial-number');
    ctx.traffic.append({
      kind: config.api === 'landing' || config.api === 'sandbox-control' ? 'control' : 'api',
      api: config.api,
      operation: config.operation,
      msn,
      reference: referenceOf(request),
      idempotencyKey: (config.subject ?? DEFAULT_SUBJECT).requestKey(request),
      request: { method: request.method, url: request.url, path: pathOf(request.url), headers: request.headers, body: request.body },
      response:
        dropped || hung
          ? undefined
          : { status: reply.statusCode, headers: responseHeaders },
      error: dropped ? 'response dropped by sandbox fault (the operation took effect)' : hung ? 'no answer (sandbox fault: hang)' : undefined,
      fault: request.fault ? faultName(request.fault.effect) : undefined,
      startedAt: request.arrivedAt ?? ctx.clock.now(),
      durationMs: request.arrivedHr === undefined ? 0 : performance.now() - request.arrivedHr,
      notes: notesOf(request),
    }, {
      // Bodies stay the text they travelled as; the log decodes them when a reader looks.
      request: bodyText === undefined ? undefined : { text: bodyText, json: true },
      response: { text: raw, json: String(responseHeaders['content-type'] ?? '').includes('json') },
    });
    if (dropped) request.raw.socket?.destroy();
    return payload;
  }

  // The default for routes whose plugin sets no error handler of its own.
  app.setErrorHandler(rootErrorHandler);
}
