import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PSP_API_NAME, PSP_OP, type PspApiVersion } from '../../contract/psp-api.ts';
import type { Redactor } from '../../traffic/redact.ts';
import type { SandboxContext } from '../context.ts';
import type { RequestSubject } from '../http.ts';
import type { Psp } from '../psps.ts';
import { ApiError } from '../problem.ts';
import { CustomerDeclinedError } from '../shared/directory.ts';
import { note } from '../shared/routes.ts';
import { isObject } from '../shared/validation.ts';
import { PSP_AUTH_ERRORS, PSP_CONTENT_TYPE, PspApiError, pspError, pspErrorHandler } from './errors.ts';
import { PspMachine } from './machine.ts';
import { MakePaymentSender } from './make-payment.ts';
import { pspSource } from './source.ts';
import { validateInitiate, validateStatusUpdate } from './validation.ts';
import { detailsView, initiateView, STATUS_UPDATE_ANSWER } from './views.ts';

/**
 * PSP API v2 and v3 (vipps-facts §5): routes only; the state lives in machine.ts, the makePayment
 * call in make-payment.ts. Both versions share one machine (pspTransactionId is unique per PSP
 * across them) and register one payment-directory source each (api `psp-v2`, `psp-v3`).
 *
 *   POST /psp/{v2,v3}/psppayments/init                                → 200 PaymentInitiationRepresentation
 *   POST /psp/{v2,v3}/psppayments/updatestatus                        → 200 {responseInfo: {responseCode: "9000", responseMessage: "SUCCESS"}}
 *   GET  /psp/{v2,v3}/psppayments/:pspTransactionId/details           → 200 PaymentDetailsRepresentation
 *   POST /psp/v3/integration-test/psppayments/:pspTransactionId/approve {customerPhoneNumber, token} → 200, no body
 *
 * Auth: a PSP's access token, its subscription key, `psp-id` / `Psp-Id` and
 * `merchant-serial-number` (one of the PSP's MSNs), checked by psp-auth.ts.
 */

type Params = { Params: { pspTransactionId: string } };

/** The PSP API names its payment `pspTransactionId` (path, body, or the first updatestatus transaction), its amount `amount`. */
const PSP_SUBJECT: RequestSubject = {
  reference(request) {
    const id = (request.params as Record<string, string> | undefined)?.pspTransactionId;
    if (id) return id;
    const body = request.body;
    if (!isObject(body)) return undefined;
    if (typeof body.pspTransactionId === 'string') return body.pspTransactionId;
    const first = Array.isArray(body.transactions) ? body.transactions[0] : undefined;
    return isObject(first) && typeof first.pspTransactionId === 'string' ? first.pspTransactionId : undefined;
  },
  amount: (request) => (isObject(request.body) && typeof request.body.amount === 'number' ? request.body.amount : undefined),
  requestKey: () => undefined,
};

const config = (version: PspApiVersion, operation: string) => ({
  config: { api: PSP_API_NAME[version], operation, auth: 'vipps' as const, subject: PSP_SUBJECT, authErrors: PSP_AUTH_ERRORS },
});

const ok = (reply: FastifyReply, body: unknown) => reply.code(200).type(PSP_CONTENT_TYPE).send(body);

export default async function pspApiPlugin(app: FastifyInstance, { ctx, redactor }: { ctx: SandboxContext; redactor: Redactor }) {
  const sender = new MakePaymentSender(ctx);
  const machine = new PspMachine({
    clock: ctx.clock,
    publicUrl: () => ctx.publicUrl(),
    customerTimeoutMs: () => ctx.settings.pspApi.customerTimeoutMs,
    makePayment: (p, round, confirmed, attemptId) => sender.send(p, round, confirmed, attemptId),
  });
  // Closing aborts makePayment calls still waiting for the PSP; then their promises settle at once.
  ctx.onClose.push(async () => {
    await sender.close();
    await machine.settled();
  });
  for (const version of ['v2', 'v3'] as const) ctx.payments.register(pspSource(version, machine, () => ctx.publicUrl(), (p, forgery) => sender.forge(p, forgery)));

  // Encapsulated: PSP API routes (their errors, and faults injected on them) answer the ErrorDetails array.
  app.setErrorHandler(pspErrorHandler);

  /** The PSP whose token made the request (a merchant's token does not open the PSP API). */
  const pspOf = (request: FastifyRequest): Psp => {
    if (!request.psp) throw pspError('21', 'The PSP API takes a PSP’s access token: these keys belong to a merchant.', undefined, 403);
    return request.psp;
  };

  for (const version of ['v2', 'v3'] as const) {
    const base = `/psp/${version}/psppayments`;
    const op = PSP_OP[version];

    app.post(`${base}/init`, config(version, op.initiate), (request, reply) => {
      const psp = pspOf(request);
      const input = validateInitiate(version, request.body);
      if (input.scope !== undefined) throw pspError('42', 'PSP recurring (scope psp_subscription) is not simulated by the sandbox.', 'scope');
      if (version === 'v2') {
        const key = sender.publicKey(psp.pspId);
        if (typeof key === 'string') throw pspError('42', `v2 makePayment encrypts cardData with the PSP's public key, but ${key}.`);
      }
      // The PSP's makePayment secret never shows in control views or reports.
      if (input.makePaymentToken) redactor.addSecret(input.makePaymentToken);
      const p = machine.initiate(version, psp.pspId, request.merchant!.msn, input);
      return ok(reply, initiateView(p));
    });

    app.post(`${base}/updatestatus`, config(version, op.updateStatus), (request, reply) => {
      const psp = pspOf(request);
      const updates = validateStatusUpdate(request.body);
      const touched = machine.updateStatus(version, psp.pspId, request.merchant!.msn, updates);
      note(request, { transactions: updates.map((u) => ({ pspTransactionId: u.pspTransactionId, status: u.status, amount: u.amount, operationStatus: u.operationStatus })), states: touched.map((p) => p.state) });
      return ok(reply, STATUS_UPDATE_ANSWER);
    });

    app.get<Params>(`${base}/:pspTransactionId/details`, config(version, op.details), (request, reply) => {
      const p = machine.require(version, pspOf(request).pspId, request.merchant!.msn, request.params.pspTransactionId);
      note(request, { state: p.state });
      return ok(reply, detailsView(p));
    });
  }

  // Test environment only: approve without the app (v3). The customer's confirmation goes to the PSP as
  // makePayment; 200 once it answered. psp-v3.yaml documents its 400 without a body: the reason is in
  // the traffic record's notes (`error`) only.
  app.post<Params>('/psp/v3/integration-test/psppayments/:pspTransactionId/approve', config('v3', PSP_OP.v3.forceApprove), async (request, reply) => {
    try {
      const p = machine.require('v3', pspOf(request).pspId, request.merchant!.msn, request.params.pspTransactionId);
      if (p.state !== 'INITIATED') throw new PspApiError('51', `The payment is ${p.state}; only an INITIATED payment can be approved.`);
      const { attempt } = await machine.forceApprove(p, request.body);
      note(request, { state: p.state, makePayment: attempt?.outcome });
      return reply.code(200).send();
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      const status = err.problem.status === 404 || err.problem.status === 403 ? err.problem.status : 400;
      note(request, { error: err.problem.detail ?? err.problem.title, code: err instanceof CustomerDeclinedError ? String(err.problem.code) : err.problem.code });
      return reply.code(status).send();
    }
  });
}
