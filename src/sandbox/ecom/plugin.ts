import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ECOM_OP } from '../../contract/ecom.ts';
import type { Redactor } from '../../traffic/redact.ts';
import type { SandboxContext } from '../context.ts';
import { CONTROL_PREFIX } from '../control/plugin.ts';
import { staleReadHides } from '../faults.ts';
import { headerValue, type RequestSubject } from '../http.ts';
import { IdempotencyStore, idempotencyScope, type StoredOutcome } from '../shared/idempotency.ts';
import { PaymentRateLimits } from '../shared/rate-limits.ts';
import { note, runIdempotent, sendOutcome } from '../shared/routes.ts';
import { isObject, requestKeyProblem } from '../shared/validation.ts';
import { CallbackSender } from './callbacks.ts';
import { ECOM_AUTH_ERRORS, ECOM_CONTENT_TYPE, ECOM_SHAPE, EcomError, ecomError, ecomErrorHandler, invalidRequest, orderNotFound } from './errors.ts';
import { EcomMachine } from './machine.ts';
import { ecomSource } from './source.ts';
import type { Order } from './types.ts';
import { validateAction, validateCancel, validateInitiate } from './validation.ts';
import { asInitiated, cancelView, captureView, detailsView, refundView, statusView } from './views.ts';

/** eCom API v2 (vipps-facts §6): routes only; the state lives in machine.ts. */

type Op = (typeof ECOM_OP)[keyof typeof ECOM_OP];
type Params = { Params: { orderId: string } };

const BASE = '/ecomm/v2';
const REQUEST_ID_MAX = 40;
const INITIATE_PER_MINUTE = 2;

/** eCom names its payment `:orderId` / `transaction.orderId`, its amount `transaction.amount`, its request key `X-Request-Id`. */
const ECOM_SUBJECT: RequestSubject = {
  reference(request) {
    const orderId = (request.params as Record<string, string> | undefined)?.orderId;
    if (orderId) return orderId;
    const transaction = isObject(request.body) ? request.body.transaction : undefined;
    return isObject(transaction) && typeof transaction.orderId === 'string' ? transaction.orderId : undefined;
  },
  amount(request) {
    const transaction = isObject(request.body) ? request.body.transaction : undefined;
    return isObject(transaction) && typeof transaction.amount === 'number' ? transaction.amount : undefined;
  },
  requestKey: (request) => headerValue(request, 'x-request-id'),
};

// The Merchant-Serial-Number header is optional in eCom: the body's merchantInfo names the MSN.
const config = (operation: Op) => ({
  config: { api: 'ecom-v2' as const, operation, auth: 'vipps' as const, msnRequired: false, subject: ECOM_SUBJECT, authErrors: ECOM_AUTH_ERRORS },
});

const ok = (body: unknown): StoredOutcome => ({ status: 200, contentType: ECOM_CONTENT_TYPE, body: JSON.stringify(body) });

export default async function ecomPlugin(app: FastifyInstance, { ctx, redactor }: { ctx: SandboxContext; redactor: Redactor }) {
  const callbacks = new CallbackSender(ctx, (order, shipping) => machine.setShipping(order, shipping));
  ctx.onClose.push(() => callbacks.close());
  const machine: EcomMachine = new EcomMachine({
    clock: ctx.clock,
    merchant: (msn) => ctx.merchants.byMerchantSerialNumber(msn),
    publicUrl: () => ctx.publicUrl(),
    callback: (event) => callbacks.send(event),
  });
  ctx.payments.register(ecomSource(machine));
  const requestIds = new IdempotencyStore();
  const rateLimits = new PaymentRateLimits(ctx);

  /**
   * §6.5: initiate 2/min per orderId + MSN; cancel, capture, refund 5/min per orderId + MSN;
   * details and status 120/min per orderId + subscription key. Refused as the gateway does (Azure 429).
   */
  function rateLimited(request: FastifyRequest, reply: FastifyReply, op: Op, orderId: string): boolean {
    const read = op === ECOM_OP.details || op === ECOM_OP.status;
    const who = read ? headerValue(request, 'ocp-apim-subscription-key') : request.merchant!.msn;
    const refused = rateLimits.hit(read ? 'read' : 'modify', `${op}\u0000${who}\u0000${orderId}`, op === ECOM_OP.initiate ? INITIATE_PER_MINUTE : undefined);
    if (!refused) return false;
    note(request, { rateLimited: true });
    reply.header('retry-after', String(refused.retryAfter));
    ECOM_AUTH_ERRORS.gateway(reply, 429, `Rate limit is exceeded: at most ${refused.limit} requests per minute for order ${orderId}. Try again in ${refused.retryAfter} seconds.`);
    return true;
  }

  // Encapsulated: eCom routes (their EcomErrors, and the faults injected on them) answer the eCom error array.
  app.setErrorHandler(ecomErrorHandler);

  /** The body's merchantSerialNumber must be the one the keys belong to. */
  function requireOwnMsn(request: FastifyRequest, msn: string): void {
    const own = request.merchant!.msn;
    if (msn !== own) throw new EcomError('Authentication', '403', `The API keys used do not give access to merchant ${msn}.`, 403);
  }

  function expireAfterFault(request: FastifyRequest, msn: string, orderId: string, amount: number): number | undefined {
    if (ctx.faults.size === 0) return undefined;
    const fault = ctx.faults.take({ api: 'ecom-v2', operation: ECOM_OP.initiate, msn, reference: orderId, amount }, ['expire-after']);
    if (fault?.effect.type !== 'expire-after') return undefined;
    note(request, { expireAfterMs: fault.effect.ms });
    return fault.effect.ms;
  }

  app.post<Params>(
    `${BASE}/payments`,
    config(ECOM_OP.initiate),
    (request, reply) => {
      const input = validateInitiate(request.body);
      requireOwnMsn(request, input.merchantInfo.merchantSerialNumber);
      if (rateLimited(request, reply, ECOM_OP.initiate, input.orderId)) return reply;
      const refusedScope = input.scope?.split(' ').find((s) => s && !request.merchant!.allowedScopes.includes(s));
      if (refusedScope) throw ecomError('Merchant', 51, `This sales unit is not allowed to ask for the scope ${refusedScope}.`);
      // The merchant's callback secret never shows in control views or reports.
      redactor.addSecret(input.merchantInfo.authToken);
      const order = machine.initiate(input, { expireAfterMs: () => expireAfterFault(request, input.merchantInfo.merchantSerialNumber, input.orderId, input.amount) });
      return sendOutcome(reply, ok({ orderId: order.orderId, url: order.url }));
    },
  );

  function requireOrder(request: FastifyRequest<Params>): Order {
    const msn = request.merchant!.msn;
    const order = machine.get(msn, request.params.orderId);
    if (!order) throw orderNotFound(msn, request.params.orderId);
    return order;
  }

  app.get<Params>(
    `${BASE}/payments/:orderId/details`,
    config(ECOM_OP.details),
    (request, reply) => {
      if (rateLimited(request, reply, ECOM_OP.details, request.params.orderId)) return reply;
      const order = requireOrder(request);
      const stale = ctx.faults.size > 0 && isStale(request, order);
      return sendOutcome(reply, ok(detailsView(stale ? asInitiated(order) : order)));
    },
  );

  /** `stale-read` on details: the order as initiated, counted only when it really hides a change. */
  function isStale(request: FastifyRequest, order: Order): boolean {
    const fault = ctx.faults.peek({ api: 'ecom-v2', operation: ECOM_OP.details, msn: order.msn, reference: order.orderId, amount: order.amount }, ['stale-read']);
    if (!fault || !staleReadHides(fault.effect, order.changedAt, ctx.clock.now())) return false;
    if (order.log.length > 1 || order.state !== 'INITIATE') ctx.faults.fired(fault);
    note(request, { staleRead: true, actualState: order.state });
    return true;
  }

  app.get<Params>(
    `${BASE}/payments/:orderId/status`,
    config(ECOM_OP.status),
    (request, reply) => (rateLimited(request, reply, ECOM_OP.status, request.params.orderId) ? reply : sendOutcome(reply, ok(statusView(requireOrder(request))))),
  );

  /** Capture and refund: X-Request-Id makes them idempotent (same id + body ⇒ the first answer again). */
  function idempotentAction(op: typeof ECOM_OP.capture | typeof ECOM_OP.refund) {
    return (request: FastifyRequest<Params>, reply: FastifyReply) => {
      if (rateLimited(request, reply, op, request.params.orderId)) return reply;
      const requestId = headerValue(request, 'x-request-id');
      const problem = requestKeyProblem('X-Request-Id', requestId, { max: REQUEST_ID_MAX });
      if (problem) throw invalidRequest(problem.name, problem.reason);
      const order = requireOrder(request); // unknown orders leave the key untouched
      return runIdempotent(requestIds, ECOM_SHAPE, request, reply, {
        scope: idempotencyScope(order.msn, order.orderId, op, requestId!),
        body: request.body,
        conflict: () => ecomError('VippsError', 93, `X-Request-Id ${requestId} was already used with a different request for order ${order.orderId}.`),
        inProgress: () => ecomError('VippsError', 94),
        apply: () => {
          const input = validateAction(request.body);
          requireOwnMsn(request, input.msn);
          if (op === ECOM_OP.capture) {
            const { order: o, amount } = machine.capture(order.msn, order.orderId, input, requestId);
            return ok(captureView(o, amount, input.transactionText));
          }
          const { order: o, amount } = machine.refund(order.msn, order.orderId, input, requestId);
          return ok(refundView(o, amount, input.transactionText));
        },
      });
    };
  }

  app.post<Params>(`${BASE}/payments/:orderId/capture`, config(ECOM_OP.capture), idempotentAction(ECOM_OP.capture));
  app.post<Params>(`${BASE}/payments/:orderId/refund`, config(ECOM_OP.refund), idempotentAction(ECOM_OP.refund));

  app.put<Params>(
    `${BASE}/payments/:orderId/cancel`,
    config(ECOM_OP.cancel),
    (request, reply) => {
      if (rateLimited(request, reply, ECOM_OP.cancel, request.params.orderId)) return reply;
      const order = requireOrder(request);
      const input = validateCancel(request.body);
      requireOwnMsn(request, input.msn);
      const o = machine.cancel(order.msn, order.orderId, input, headerValue(request, 'x-request-id'));
      return sendOutcome(reply, ok(cancelView(o, input.transactionText)));
    },
  );

  // Test environment only: approve without the app. 200 with no body.
  app.post<Params>(
    `${BASE}/integration-test/payments/:orderId/approve`,
    config(ECOM_OP.forceApprove),
    (request, reply) => {
      const order = requireOrder(request);
      machine.forceApprove(order.msn, order.orderId, request.body);
      return reply.code(200).send();
    },
  );

  // Sandbox control (not Vipps' API): the Express customer withdraws consent; Vipps tells the
  // merchant with `DELETE {consentRemovalPrefix}/v2/consents/{userId}`. Answers the merchant's reply.
  app.post<{ Params: { msn: string; orderId: string } }>(
    `${CONTROL_PREFIX}/ecom/payments/:msn/:orderId/remove-consent`,
    { config: { api: 'sandbox-control', operation: 'removeConsent' } },
    async (request, reply) => {
      const order = machine.get(request.params.msn, request.params.orderId);
      const refuse = (status: number, error: string) => reply.code(status).type('application/json; charset=utf-8').send({ error });
      if (!order) return refuse(404, `no eCom order ${request.params.orderId} for MSN ${request.params.msn}`);
      if (!order.merchantInfo.consentRemovalPrefix || order.approvedPhoneNumber === undefined)
        return refuse(409, 'only an approved Express checkout order with a consentRemovalPrefix has a consent to remove');
      const exchange = await callbacks.removeConsent(order);
      return { exchangeId: exchange?.id, status: exchange?.response?.status, error: exchange?.error };
    },
  );
}

