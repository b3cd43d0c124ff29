import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SandboxContext } from '../context.ts';
import type { FaultEffect } from '../../contract/faults.ts';
import type { Payment } from './types.ts';
import { headerValue } from '../http.ts';
import { ApiError, PROBLEM_SHAPE, sendErrorAsProblem, sendProblem } from '../problem.ts';
import { staleReadHides } from '../faults.ts';
import { PaymentRateLimits } from '../shared/rate-limits.ts';
import { epaymentError, referenceNotFound, VALIDATION_DETAIL } from './errors.ts';
import { IdempotencyStore, idempotencyScope } from '../shared/idempotency.ts';
import { jsonOutcome as ok, note, runIdempotent, sendOutcome as send } from '../shared/routes.ts';
import { isObject } from '../shared/validation.ts';
import { noteReceiptProblems } from '../shared/receipt-notes.ts';
import { EpaymentMachine } from './machine.ts';
import { epaymentSource } from './source.ts';
import { CardPassthroughService } from './card-passthrough/service.ts';
import { validateIdempotencyKey } from './validation.ts';
import { createdText, eventsView, modificationView, paymentView } from './views.ts';

/**
 * ePayment API v1 routes (epayment-v1.yaml). Thin: rate limit → Idempotency-Key → state
 * machine (machine.ts) → serialise; the idempotent sequence is ../shared/routes.ts.
 * Auth, faults and traffic recording come from the shared HTTP layer (../http.ts) through
 * the route config.
 */

type Op = 'createPayment' | 'getPayment' | 'getPaymentEventLog' | 'cancelPayment' | 'capturePayment' | 'refundPayment' | 'forceApprove';
type Params = { Params: { reference: string } };

const BASE = '/epayment/v1';
export const FORCE_APPROVE_PATHS = {
  /** Spec, SDKs, Postman, toolkit. */
  spec: `${BASE}/test/payments/:reference/approve`,
  /** The force-approve guide page text (CONFLICT, vipps-facts §2.1). */
  guide: `${BASE}/payments/:reference/approve`,
} as const;

const config = (operation: Op) => ({ config: { api: 'epayment' as const, operation, auth: 'vipps' as const } });

/** 409 answers for an Idempotency-Key reused with a different body (vipps-facts §2.2). */
const CONFLICT = {
  createPayment: (key: string) =>
    new ApiError({ status: 409, title: 'Idempotency error', detail: `Idempotency-Key ${key} was already used for another create request.`, code: 4020 }),
  capturePayment: (key: string) =>
    new ApiError({ status: 409, title: 'Capture idempotency conflict', detail: `Idempotency-Key ${key} was already used for a different capture of this payment.`, code: 4010 }),
  refundPayment: (key: string) =>
    new ApiError({ status: 409, title: 'Refund idempotency conflict', detail: `Idempotency-Key ${key} was already used for a different refund of this payment.`, code: 4150 }),
  cancelPayment: (key: string) =>
    new ApiError({ status: 409, title: 'Idempotency error', detail: `Idempotency-Key ${key} was already used for a different cancel of this payment.`, code: 4020 }),
};

export default async function epaymentPlugin(app: FastifyInstance, { ctx }: { ctx: SandboxContext }) {
  const machine = new EpaymentMachine({
    clock: ctx.clock,
    settings: ctx.settings,
    merchant: (msn) => ctx.merchants.byMerchantSerialNumber(msn),
    publicUrl: () => ctx.publicUrl(),
    publish: (event) => ctx.events.publish(event),
  });
  ctx.epayment = machine;
  // Card passthrough: the customer's approval calls the PSP's cardCallbackUrl (card-passthrough/).
  const cards = new CardPassthroughService(ctx, machine);
  ctx.onClose.push(() => cards.close());
  ctx.payments.register(epaymentSource(machine, cards));

  const idempotency = new IdempotencyStore();
  const rateLimits = new PaymentRateLimits(ctx);

  // ePayment answers RFC 7807 problems, injected faults included. A body that is not JSON at
  // all is one more validation error to it: same detail as every other shape error.
  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    if (error instanceof ApiError && error.problem.status === 400 && error.problem.extraDetails?.[0]?.name === 'body')
      return sendProblem(request, reply, { ...error.problem, detail: VALIDATION_DETAIL });
    return sendErrorAsProblem(error, request, reply);
  });

  /** §2.15: 5/min per operation + reference + MSN for modifications; 120/min per reference + subscription key for reads. */
  function rateLimited(request: FastifyRequest, reply: FastifyReply, op: Op, msn: string, reference: string): boolean {
    const read = op === 'getPayment' || op === 'getPaymentEventLog';
    const key = read ? `${op}\u0000${headerValue(request, 'ocp-apim-subscription-key')}\u0000${reference}` : `${op}\u0000${msn}\u0000${reference}`;
    const refused = rateLimits.hit(read ? 'read' : 'modify', key);
    if (!refused) return false;
    reply.header('retry-after', String(refused.retryAfter));
    note(request, { rateLimited: true });
    sendProblem(request, reply, {
      status: 429,
      title: 'Too Many Requests',
      detail: `Rate limit exceeded: at most ${refused.limit} ${op} requests per minute for reference ${reference}.`,
    });
    return true;
  }

  const inProgress = (key: string) => () =>
    new ApiError({ status: 409, title: 'Order processing', detail: `A request with Idempotency-Key ${key} is still being processed.`, code: 6160 });

  function idempotencyKey(request: FastifyRequest, reply: FastifyReply): string | undefined {
    try {
      return validateIdempotencyKey(headerValue(request, 'idempotency-key'));
    } catch (err) {
      sendProblem(request, reply, (err as ApiError).problem);
      return undefined;
    }
  }

  /** The `expire-after` fault for a payment about to be created (ms), noted on the exchange. */
  function expireAfterFault(request: FastifyRequest, msn: string, reference: string, amount: number): number | undefined {
    const fault = ctx.faults.take({ api: 'epayment', operation: 'createPayment', msn, reference, amount }, ['expire-after']);
    if (fault?.effect.type !== 'expire-after') return undefined;
    note(request, { expireAfterMs: fault.effect.ms });
    return fault.effect.ms;
  }

  // --- create ---------------------------------------------------------------------------
  app.post(`${BASE}/payments`, config('createPayment'), (request, reply) => {
    const merchant = request.merchant!;
    const body = request.body;
    const reference = isObject(body) && typeof body.reference === 'string' ? body.reference : '';
    // A create without a readable reference is counted by nobody: its validation error must show, not a shared 429.
    if (reference.trim() !== '' && rateLimited(request, reply, 'createPayment', merchant.msn, reference)) return reply;
    const key = idempotencyKey(request, reply);
    if (key === undefined) return reply;
    return runIdempotent(idempotency, PROBLEM_SHAPE, request, reply, {
      scope: idempotencyScope(merchant.msn, reference, 'createPayment', key),
      body,
      conflict: () => CONFLICT.createPayment(key),
      inProgress: inProgress(key),
      apply: () => {
        const p = machine.create(merchant, body, {
          idempotencyKey: key,
          pspId: headerValue(request, 'psp-id'),
          authenticatedPspId: request.psp?.pspId,
          expireAfterMs: ctx.faults.size > 0 ? (input) => expireAfterFault(request, merchant.msn, input.reference, input.amount.value) : undefined,
        });
        noteReceiptProblems(request, p.receipt, p.amount);
        // Written again from the payment on a replay: its reference and redirectUrl never change.
        return { status: 201, contentType: 'application/json', body: createdText(p), again: { source: p, render: createdText } };
      },
    });
  });

  // --- reads ----------------------------------------------------------------------------
  app.get<Params>(`${BASE}/payments/:reference`, config('getPayment'), (request, reply) => {
    const msn = request.merchant!.msn;
    const reference = request.params.reference;
    if (rateLimited(request, reply, 'getPayment', msn, reference)) return reply;
    const p = machine.get(msn, reference);
    if (p === undefined) return sendProblem(request, reply, referenceNotFound(msn, reference).problem);
    const staleFault = ctx.faults.size > 0 ? ctx.faults.peek({ api: 'epayment', operation: 'getPayment', msn, reference, amount: p.amount.value }, ['stale-read']) : undefined;
    const stale = staleFault !== undefined && staleReadHides(staleFault.effect, changedAt(p), ctx.clock.now());
    // Only a read that really hides a change counts as the fault firing.
    if (staleFault && stale && p.state !== 'CREATED') ctx.faults.fired(staleFault);
    if (stale) note(request, { staleRead: true, actualState: p.state });
    return send(reply, ok(200, paymentView(p, stale)));
  });

  app.get<Params>(`${BASE}/payments/:reference/events`, config('getPaymentEventLog'), (request, reply) => {
    const msn = request.merchant!.msn;
    const reference = request.params.reference;
    if (rateLimited(request, reply, 'getPaymentEventLog', msn, reference)) return reply;
    const p = machine.get(msn, reference);
    if (p === undefined) return sendProblem(request, reply, referenceNotFound(msn, reference).problem);
    return send(reply, ok(200, eventsView(p)));
  });

  // --- modifications --------------------------------------------------------------------
  const APPLY = {
    capturePayment: (msn: string, reference: string, body: unknown, key: string) => machine.capture(msn, reference, body, { idempotencyKey: key }),
    refundPayment: (msn: string, reference: string, body: unknown, key: string) => machine.refund(msn, reference, body, { idempotencyKey: key }),
    cancelPayment: (msn: string, reference: string, body: unknown, key: string) => machine.cancel(msn, reference, body, { idempotencyKey: key }),
  };

  function modification(op: 'capturePayment' | 'refundPayment' | 'cancelPayment') {
    const apply = APPLY[op];
    const conflict = CONFLICT[op];
    return (request: FastifyRequest<Params>, reply: FastifyReply) => {
      const msn = request.merchant!.msn;
      const reference = request.params.reference;
      if (rateLimited(request, reply, op, msn, reference)) return reply;
      const key = idempotencyKey(request, reply);
      if (key === undefined) return reply;
      // Unknown references are answered without touching the key: nothing to be idempotent about.
      if (machine.get(msn, reference) === undefined) return sendProblem(request, reply, referenceNotFound(msn, reference).problem);
      return runIdempotent(idempotency, PROBLEM_SHAPE, request, reply, {
        scope: idempotencyScope(msn, reference, op, key),
        body: request.body,
        conflict: () => conflict(key),
        inProgress: inProgress(key),
        apply: () => ok(200, modificationView(apply(msn, reference, request.body, key))),
      });
    };
  }

  app.post<Params>(`${BASE}/payments/:reference/capture`, config('capturePayment'), modification('capturePayment'));
  app.post<Params>(`${BASE}/payments/:reference/refund`, config('refundPayment'), modification('refundPayment'));
  app.post<Params>(`${BASE}/payments/:reference/cancel`, config('cancelPayment'), modification('cancelPayment'));

  // --- force approve (test environment only) ---------------------------------------------
  for (const [variant, path] of Object.entries(FORCE_APPROVE_PATHS)) {
    app.post<Params>(path, config('forceApprove'), async (request, reply) => {
      note(request, { forceApprovePath: variant, forceApproveRoute: path.replace(':reference', '{reference}') });
      try {
        const { payment, phoneNumber } = machine.forceApprovable(request.merchant!.msn, request.params.reference, request.body);
        // Card passthrough: the test user pays with their card, so the PSP's card callback decides, as in the app.
        if (CardPassthroughService.isCardPassthrough(payment)) {
          const r = await cards.approve(payment, { phoneNumber, source: 'force-approve' });
          if (r.summary.outcome !== 'reserved')
            throw epaymentError(10010, `Force approve failed: the PSP answered the card callback for the test user's card with ${r.summary.outcome}${r.reason ? ` (${r.reason})` : ''}.`);
        } else machine.forceApprove(request.merchant!.msn, request.params.reference, request.body);
      } catch (err) {
        if (err instanceof ApiError) return sendProblem(request, reply, err.problem);
        throw err;
      }
      return reply.code(200).send();
    });
  }
}

/** When the payment last changed (its last event), for `stale-read` windows. */
function changedAt(p: Payment): number {
  const last = p.events[p.events.length - 1];
  const at = last ? Date.parse(String(last.timestamp)) : p.createdAt;
  return Number.isFinite(at) ? at : Number.NEGATIVE_INFINITY;
}
