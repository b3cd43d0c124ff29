import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { CARD_CALLBACK_FORGERIES } from '../../contract/card-passthrough.ts';
import type { SandboxContext } from '../context.ts';
import { CONTROL_PREFIX } from '../control/plugin.ts';
import { ApiError } from '../problem.ts';
import { CardCallbackDeclinedError } from '../shared/card-customer.ts';
import type { CustomerPayment } from '../shared/directory.ts';

/**
 * Card passthrough in the control API (the customer's side of vipps-facts §4, no browser):
 *
 *   POST /_sandbox/v1/payments/:msn/:reference/approve {phoneNumber?, card?: CustomerCardChoice}
 *     → 200 {...view, cardCallback}                         RESERVE: AUTHORIZED
 *     → 202 {outcome: 'soft-decline', payment, cardCallback} SOFT_DECLINE: cardCallback.softDeclineUrl
 *     → 402 {error, code, reason, outcome: 'declined'|'unknown', retryable, payment, cardCallback}
 *   POST /_sandbox/v1/payments/:msn/:reference/soft-decline-completed {attempt?}
 *     → the PSP sent the customer back: the second callback (same attempt id); answers as approve
 *   POST /_sandbox/v1/payments/:msn/:reference/forge-card-callback {forgery}
 *     → 200 {authorizationAttemptId, forgery, status, body, accepted, error?} (never acted on)
 *
 * `cardCallback` is a CardCallbackSummary (src/contract/card-passthrough.ts). Refusals:
 * 404 unknown payment; 409 {error, code} with code `attempt-in-progress`, `outcome-unknown`,
 * `not-retryable`, `soft-decline-pending`, `no-soft-decline`, `unknown-attempt`,
 * `not-card-passthrough`, or the payment is not CREATED; 400 bad body or a card type not allowed.
 */

type Params = { msn: string; reference: string };
type View = (p: CustomerPayment) => Record<string, unknown>;
type Fail = (reply: FastifyReply, status: number, error: string, code?: string | number) => FastifyReply;

const json = (reply: FastifyReply, status: number, body: unknown) => reply.code(status).type('application/json; charset=utf-8').send(body);

/** The answer to an action that sent a card callback: 200 reserved, 202 soft decline, 402 declined or unknown. */
export function cardAnswer(request: FastifyRequest, reply: FastifyReply, view: View, payment: CustomerPayment, err?: CardCallbackDeclinedError): FastifyReply {
  const cardCallback = err?.cardCallback ?? payment.cardCallback!;
  request.exchangeNotes = { state: payment.apiState, cardOutcome: cardCallback.outcome, authorizationAttemptId: cardCallback.authorizationAttemptId };
  if (err) {
    return json(reply, 402, {
      error: err.problem.detail ?? err.problem.title,
      code: String(err.problem.code),
      reason: err.reason,
      outcome: err.outcome,
      retryable: err.retryable,
      payment: view(payment),
      cardCallback,
    });
  }
  if (cardCallback.outcome === 'soft-decline') return json(reply, 202, { outcome: 'soft-decline', payment: view(payment), cardCallback });
  return json(reply, 200, { ...view(payment), cardCallback });
}

export function addCardControlRoutes(app: FastifyInstance, deps: { ctx: SandboxContext; view: View; fail: Fail; bodyOf: (body: unknown) => unknown }) {
  const { ctx, view, fail, bodyOf } = deps;
  const base = `${CONTROL_PREFIX}/payments`;
  const config = (operation: string) => ({ config: { api: 'sandbox-control' as const, operation } });
  const refused = (reply: FastifyReply, err: unknown) => {
    if (!(err instanceof ApiError)) throw err;
    const status = [400, 404, 409].includes(err.problem.status) ? err.problem.status : 409;
    return fail(reply, status, err.problem.detail ?? err.problem.title, err.problem.code);
  };
  const cardPayment = (request: FastifyRequest<{ Params: Params }>, reply: FastifyReply) => {
    const { msn, reference } = request.params;
    const p = ctx.payments.find(msn, reference);
    if (!p) return void fail(reply, 404, `no payment with reference ${reference} for MSN ${msn}`);
    if (!p.card) return void fail(reply, 409, 'not a card-passthrough payment', 'not-card-passthrough');
    return p;
  };

  const Completion = z.object({ attempt: z.string().min(1).optional() });
  app.post<{ Params: Params }>(`${base}/:msn/:reference/soft-decline-completed`, config('completeSoftDecline'), async (request, reply) => {
    const current = cardPayment(request, reply);
    if (!current) return reply;
    const parsed = Completion.safeParse(bodyOf(request.body));
    if (!parsed.success) return fail(reply, 400, z.prettifyError(parsed.error));
    if (current.state !== 'awaiting-customer') return fail(reply, 409, `the payment is ${current.apiState}; no soft decline is waiting`);
    const source = ctx.payments.sourceOf(current);
    try {
      const result = await source.completeSoftDecline!(current.msn, current.reference, parsed.data.attempt);
      return cardAnswer(request, reply, view, result);
    } catch (err) {
      if (err instanceof CardCallbackDeclinedError) return cardAnswer(request, reply, view, source.get(current.msn, current.reference) ?? current, err);
      return refused(reply, err);
    }
  });

  const Forge = z.object({ forgery: z.enum(CARD_CALLBACK_FORGERIES) });
  app.post<{ Params: Params }>(`${base}/:msn/:reference/forge-card-callback`, config('forgeCardCallback'), async (request, reply) => {
    const current = cardPayment(request, reply);
    if (!current) return reply;
    const parsed = Forge.safeParse(bodyOf(request.body));
    if (!parsed.success) return fail(reply, 400, z.prettifyError(parsed.error));
    try {
      const answer = await ctx.payments.sourceOf(current).forgeCardCallback!(current.msn, current.reference, parsed.data.forgery);
      request.exchangeNotes = { forgery: answer.forgery, status: answer.status, accepted: answer.accepted };
      return json(reply, 200, answer);
    } catch (err) {
      return refused(reply, err);
    }
  });
}
