import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import type { Redactor } from '../../traffic/redact.ts';
import type { SandboxContext } from '../context.ts';
import { CustomerDeclinedError, type CustomerPayment, type PaymentSource } from '../shared/directory.ts';
import { CARD_TYPES } from '../../contract/card-passthrough.ts';
import { CONSENT_CHOICES } from '../../contract/in-person.ts';
import { CardCallbackDeclinedError } from '../shared/card-customer.ts';
import { addCardControlRoutes, cardAnswer } from './card-control.ts';
import { CONTROL_PREFIX } from '../control/plugin.ts';
import { ApiError } from '../problem.ts';
import { MSISDN } from '../shared/validation.ts';
import { landingPageUrl } from '../shared/landing-tokens.ts';

/**
 * Customer and clock actions on payments of any API in the payment directory, for tests and
 * the golive runner's customer actor (no browser needed). Not part of Vipps' API. Answers are
 * JSON: the API's own record of the payment (redacted, plus `landingUrl`); errors `{error, code?}`.
 *
 *   POST /_sandbox/v1/payments/:msn/:reference/approve   {phoneNumber?, card?, consent?}  → 200 view
 *        (consent `decline` on a payment with profile.scope → ABORTED; a PUSH_MESSAGE payment
 *        approved with another phoneNumber → 409 code other-phone; src/contract/in-person.ts)
 *   POST /_sandbox/v1/payments/:msn/:reference/reject                    → 200 view (ABORTED)
 *   POST /_sandbox/v1/payments/:msn/:reference/expire                    → 200 view (EXPIRED)
 *   POST /_sandbox/v1/payments/:msn/:reference/fail      {reason}        → 200 view (CREATED, failedAttempts + 1)
 *   GET  /_sandbox/v1/payments?msn=&state=                               → {payments: view[], count}
 *   GET  /_sandbox/v1/payments/:msn/:reference                           → view
 *   GET  /_sandbox/v1/payments/by-token/:token                           → view
 *
 * 404 unknown payment; 409 payment not CREATED; 400 bad body/query; approve of a magic amount
 * → 402 {error, code: "<amount>", reason, outcome: "declined"|"unknown", payment: view}
 * (the attempt is recorded, the payment stays CREATED). POSTs are recorded in the traffic log
 * (kind `control`, api `sandbox-control`, operations approvePayment, rejectPayment,
 * expirePayment, failPayment); reads are not.
 *
 * Card passthrough (ePayment CARD_PASSTHROUGH): approve takes `card: CustomerCardChoice` and
 * waits for the PSP's card callback answer; the answers, soft-decline completion and forged
 * callbacks are in card-control.ts.
 */

const ApproveBody = z.object({
  phoneNumber: z.string().regex(MSISDN, 'an MSISDN: country code + number, 10–15 digits').optional(),
  /** Card passthrough: the card the customer picks (CustomerCardChoice). */
  card: z.object({ type: z.enum(CARD_TYPES).optional(), last4: z.string().regex(/^\d{4}$/).optional(), number: z.string().regex(/^\d{12,19}$/).optional() }).optional(),
  /** The answer to `profile.scope` (default share); decline → ABORTED. */
  consent: z.enum(CONSENT_CHOICES).optional(),
});
const FailBody = z.object({ reason: z.string().trim().min(1).max(200) });

type Params = { msn: string; reference: string };
const PAST: Record<string, string> = { approve: 'approved', reject: 'rejected', expire: 'expired', fail: 'declined' };

export default async function controlRoutes(app: FastifyInstance, { ctx, redactor }: { ctx: SandboxContext; redactor: Redactor }) {
  const base = `${CONTROL_PREFIX}/payments`;
  const config = (operation: string) => ({ config: { api: 'sandbox-control' as const, operation } });

  const view = (p: CustomerPayment) => ({
    ...(redactor.value(p.record) as Record<string, unknown>),
    landingUrl: landingPageUrl(ctx.publicUrl(), p.landingToken),
  });
  const fail = (reply: FastifyReply, status: number, error: string, code?: string | number) =>
    reply.code(status).type('application/json; charset=utf-8').send(code === undefined ? { error } : { error, code: String(code) });
  // `?state=` takes the API state names of every registered API; built on first use, after all plugins registered.
  let listQuery: z.ZodType<{ msn?: string; state?: string }> | undefined;
  const ListQuery = () => {
    const states = ctx.payments.states();
    return (listQuery ??= z.object({
      msn: z.string().min(1).optional(),
      state: (states.length > 0 ? z.enum(states as [string, ...string[]]) : z.never()).optional(),
    }));
  };
  const bodyOf = (body: unknown): unknown => {
    if (body === undefined || body === null || body === '') return {};
    if (typeof body === 'string') {
      try {
        return JSON.parse(body);
      } catch {
        return Object.fromEntries(new URLSearchParams(body));
      }
    }
    return body;
  };

  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    if (error instanceof ApiError) return fail(reply, error.problem.status, error.problem.detail ?? error.problem.title, error.problem.code);
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) process.emitWarning(`sandbox control error on ${request.method} ${request.url}: ${error.stack ?? error.message}`);
    return fail(reply, status, status === 500 ? 'internal error' : error.message);
  });

  /** Run a customer action; the API's refusals become `{error, code}` with 404/409 (400 for bad input). */
  const action = (operation: string, run: (source: PaymentSource, p: Params, body: unknown) => CustomerPayment | Promise<CustomerPayment>) =>
    app.post<{ Params: Params }>(`${base}/:msn/:reference/${operation}`, config(`${operation}Payment`), async (request, reply) => {
      const { msn, reference } = request.params;
      const current = ctx.payments.find(msn, reference);
      if (!current) return fail(reply, 404, `no payment with reference ${reference} for MSN ${msn}`);
      if (current.state !== 'awaiting-customer') {
        request.exchangeNotes = { state: current.apiState, refused: true };
        return fail(reply, 409, `the payment is ${current.apiState}; only a CREATED payment can be ${PAST[operation] ?? operation}`);
      }
      const source = ctx.payments.sourceOf(current);
      try {
        const result = await run(source, request.params, bodyOf(request.body));
        request.exchangeNotes = { state: result.apiState, ...consentNotes(result) };
        if (result.cardCallback) return cardAnswer(request, reply, view, result);
        return reply.type('application/json; charset=utf-8').send(view(result));
      } catch (err) {
        if (err instanceof CardCallbackDeclinedError) return cardAnswer(request, reply, view, source.get(msn, reference) ?? current, err);
        if (err instanceof CustomerDeclinedError) {
          // A magic amount: the attempt is recorded, the payment stays open.
          const declined = source.get(msn, reference) ?? current;
          request.exchangeNotes = { state: declined.apiState, declined: err.reason, outcome: err.outcome };
          return reply.code(402).type('application/json; charset=utf-8').send({
            error: err.problem.detail ?? err.problem.title,
            code: String(err.problem.code),
            reason: err.reason,
            outcome: err.outcome,
            payment: view(declined),
          });
        }
        if (!(err instanceof ApiError)) throw err;
        const status = [400, 404, 409].includes(err.problem.status) ? err.problem.status : 409;
        return fail(reply, status, err.problem.detail ?? err.problem.title, err.problem.code);
      }
    });

  action('approve', (source, { msn, reference }, body) => {
    const parsed = ApproveBody.safeParse(body);
    if (!parsed.success) throw new ApiError({ status: 400, title: 'Bad Request', detail: z.prettifyError(parsed.error) });
    return source.approve(msn, reference, { phoneNumber: parsed.data.phoneNumber, source: 'control', card: parsed.data.card, consent: parsed.data.consent });
  });
  action('reject', (source, { msn, reference }) => source.reject(msn, reference));
  action('expire', (source, { msn, reference }) => source.expire(msn, reference));
  action('fail', (source, { msn, reference }, body) => {
    const parsed = FailBody.safeParse(body);
    if (!parsed.success) throw new ApiError({ status: 400, title: 'Bad Request', detail: z.prettifyError(parsed.error) });
    return source.fail(msn, reference, parsed.data.reason);
  });

  addCardControlRoutes(app, { ctx, view, fail, bodyOf });

  // Reads are not recorded in the traffic log (like the rest of the control API), so polling stays cheap.
  app.get<{ Querystring: Record<string, unknown> }>(base, async (request, reply) => {
    const parsed = ListQuery().safeParse(request.query ?? {});
    if (!parsed.success) return fail(reply, 400, z.prettifyError(parsed.error));
    const payments = ctx.payments.list({ msn: parsed.data.msn, apiState: parsed.data.state }).map(view);
    return { payments, count: payments.length };
  });

  app.get<{ Params: { token: string } }>(`${base}/by-token/:token`, async (request, reply) => {
    const p = ctx.payments.byLandingToken(request.params.token);
    return p ? view(p) : fail(reply, 404, 'no payment has this landing token');
  });

  app.get<{ Params: Params }>(`${base}/:msn/:reference`, async (request, reply) => {
    const p = ctx.payments.find(request.params.msn, request.params.reference);
    return p ? view(p) : fail(reply, 404, `no payment with reference ${request.params.reference} for MSN ${request.params.msn}`);
  });
}

/** Why an approve ended ABORTED, for the traffic record. */
export function consentNotes(p: CustomerPayment): Record<string, unknown> {
  if (p.consent !== 'decline') return p.consent ? { consent: p.consent } : {};
  return { consent: 'decline', why: `the customer declined to share ${p.profileScope ?? 'profile data'}; the app cannot pay without the consent` };
}
