import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import type { Redactor } from '../../traffic/redact.ts';
import type { SandboxContext } from '../context.ts';
import { PaymentDeclinedError, type EpaymentService, type Payment, type PaymentState } from '../epayment/types.ts';
import { CONTROL_PREFIX } from '../control/plugin.ts';
import { ApiError } from '../problem.ts';
import { MSISDN } from './format.ts';
import { PAYMENT_STATES } from '../../contract/epayment.ts';

/**
 * Customer and clock actions on payments, for tests and the golive runner's customer actor
 * (no browser needed). Not part of Vipps' API. Answers are JSON: the payment's internal view
 * (redacted, plus `landingUrl`); errors `{error, code?}`.
 *
 *   POST /_sandbox/v1/payments/:msn/:reference/approve   {phoneNumber?}  → 200 view
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
 */

const ApproveBody = z.object({ phoneNumber: z.string().regex(MSISDN, 'an MSISDN: country code + number, 10–15 digits').optional() });
const FailBody = z.object({ reason: z.string().trim().min(1).max(200) });
const ListQuery = z.object({ msn: z.string().min(1).optional(), state: z.enum(PAYMENT_STATES).optional() });

type Params = { msn: string; reference: string };
const PAST: Record<string, string> = { approve: 'approved', reject: 'rejected', expire: 'expired', fail: 'declined' };

export default async function controlRoutes(app: FastifyInstance, { ctx, redactor }: { ctx: SandboxContext; redactor: Redactor }) {
  const base = `${CONTROL_PREFIX}/payments`;
  const config = (operation: string) => ({ config: { api: 'sandbox-control' as const, operation } });

  const view = (p: Payment) => ({
    ...(redactor.value(p) as Record<string, unknown>),
    landingUrl: `${ctx.publicUrl()}/landing?token=${encodeURIComponent(p.landingToken)}`,
  });
  const fail = (reply: FastifyReply, status: number, error: string, code?: string | number) =>
    reply.code(status).type('application/json; charset=utf-8').send(code === undefined ? { error } : { error, code: String(code) });
  const withService = (reply: FastifyReply): EpaymentService | undefined => {
    const svc = ctx.epayment;
    if (!svc) fail(reply, 503, 'the ePayment service is not running in this sandbox');
    return svc;
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

  /** Run a customer action; ePayment refusals become `{error, code}` with 404/409 (400 for bad input). */
  const action = (operation: string, run: (svc: EpaymentService, p: Params, body: unknown) => Payment) =>
    app.post<{ Params: Params }>(`${base}/:msn/:reference/${operation}`, config(`${operation}Payment`), async (request, reply) => {
      const svc = withService(reply);
      if (!svc) return reply;
      const { msn, reference } = request.params;
      const current = svc.get(msn, reference);
      if (!current) return fail(reply, 404, `no payment with reference ${reference} for MSN ${msn}`);
      if (current.state !== 'CREATED') {
        request.exchangeNotes = { state: current.state, refused: true };
        return fail(reply, 409, `the payment is ${current.state}; only a CREATED payment can be ${PAST[operation] ?? operation}`);
      }
      try {
        const result = run(svc, request.params, bodyOf(request.body));
        request.exchangeNotes = { state: result.state };
        return reply.type('application/json; charset=utf-8').send(view(result));
      } catch (err) {
        if (err instanceof PaymentDeclinedError) {
          // A magic amount: the attempt is recorded, the payment stays CREATED.
          request.exchangeNotes = { state: err.payment.state, declined: err.reason, outcome: err.outcome };
          return reply.code(402).type('application/json; charset=utf-8').send({
            error: err.problem.detail ?? err.problem.title,
            code: String(err.problem.code),
            reason: err.reason,
            outcome: err.outcome,
            payment: view(err.payment),
          });
        }
        if (!(err instanceof ApiError)) throw err;
        const status = [400, 404, 409].includes(err.problem.status) ? err.problem.status : 409;
        return fail(reply, status, err.problem.detail ?? err.problem.title, err.problem.code);
      }
    });

  action('approve', (svc, { msn, reference }, body) => {
    const parsed = ApproveBody.safeParse(body);
    if (!parsed.success) throw new ApiError({ status: 400, title: 'Bad Request', detail: z.prettifyError(parsed.error) });
    return svc.approve(msn, reference, { phoneNumber: parsed.data.phoneNumber, source: 'control' });
  });
  action('reject', (svc, { msn, reference }) => svc.reject(msn, reference));
  action('expire', (svc, { msn, reference }) => svc.expire(msn, reference));
  action('fail', (svc, { msn, reference }, body) => {
    const parsed = FailBody.safeParse(body);
    if (!parsed.success) throw new ApiError({ status: 400, title: 'Bad Request', detail: z.prettifyError(parsed.error) });
    return svc.failAttempt(msn, reference, parsed.data.reason);
  });

  // Reads are not recorded in the traffic log (like the rest of the control API), so polling stays cheap.
  app.get<{ Querystring: Record<string, unknown> }>(base, async (request, reply) => {
    const svc = withService(reply);
    if (!svc) return reply;
    const parsed = ListQuery.safeParse(request.query ?? {});
    if (!parsed.success) return fail(reply, 400, z.prettifyError(parsed.error));
    const payments = svc.list({ msn: parsed.data.msn, state: parsed.data.state }).map(view);
    return { payments, count: payments.length };
  });

  app.get<{ Params: { token: string } }>(`${base}/by-token/:token`, async (request, reply) => {
    const svc = withService(reply);
    if (!svc) return reply;
    const p = svc.byLandingToken(request.params.token);
    return p ? view(p) : fail(reply, 404, 'no payment has this landing token');
  });

  app.get<{ Params: Params }>(`${base}/:msn/:reference`, async (request, reply) => {
    const svc = withService(reply);
    if (!svc) return reply;
    const p = svc.get(request.params.msn, request.params.reference);
    return p ? view(p) : fail(reply, 404, `no payment with reference ${request.params.reference} for MSN ${request.params.msn}`);
  });
}
