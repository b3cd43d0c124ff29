import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SandboxContext } from './context.ts';
import type { AuthErrorShape } from './http.ts';
import type { Psp } from './psps.ts';
import { salesUnitOf } from './acting-keys.ts';

/**
 * The auth rules for a request made with a PSP's token (vipps-facts §1.4, §4.1), after the
 * gateway accepted key and token: the subscription key must be the PSP's own and the
 * `Merchant-Serial-Number` one of the sales units it serves (acting-keys.ts, shared with
 * partner keys); a PSP always names the merchant (no partner-wide webhooks here; a missing MSN
 * is a 400). On ePayment, Webhooks and PSP API requests `Psp-Id` must be sent and be the PSP's
 * (v2 `psp-id`, v3 `Psp-Id`). Refusals use the route API's `refuse` shape (RFC 7807 for ePayment
 * and Webhooks). Sets `request.merchant` (the sales unit) and `request.psp`.
 */
declare module 'fastify' {
  interface FastifyRequest {
    /** The PSP whose credentials made the request (card passthrough); `merchant` is the sales unit it acts for. */
    psp?: Psp;
  }
}

const PSP_ID_APIS = new Set(['epayment', 'webhooks', 'psp-v2', 'psp-v3']);

function header(request: FastifyRequest, name: string): string | undefined {
  const v = request.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

export function authenticatePsp(ctx: SandboxContext, request: FastifyRequest, reply: FastifyReply, psp: Psp, key: string, answer: AuthErrorShape): boolean {
  const merchant = salesUnitOf(ctx, request, reply, answer, {
    keyBelongs: ctx.psps.subscriptionKeyBelongsTo(key, psp),
    actsFor: (msn) => ctx.psps.serves(psp, msn),
    withoutMsn: {
      status: 400,
      title: 'Bad Request',
      detail: 'One or more validation errors occurred.',
      extraDetails: [{ name: 'Merchant-Serial-Number', reason: 'The Merchant-Serial-Number header is required: a PSP sends the MSN of the merchant it acts for.' }],
    },
  });
  if (!merchant) return false;
  if (PSP_ID_APIS.has(request.routeOptions.config.api ?? '')) {
    const pspId = header(request, 'psp-id');
    if (!pspId) {
      answer.refuse(request, reply, {
        status: 400,
        title: 'Bad Request',
        detail: 'One or more validation errors occurred.',
        extraDetails: [{ name: 'Psp-Id', reason: 'The Psp-Id header is required on every request made with PSP credentials.' }],
      });
      return false;
    }
    if (pspId !== psp.pspId) {
      answer.refuse(request, reply, { status: 403, title: 'Forbidden', detail: `Psp-Id ${pspId} is not the PSP these API keys belong to.` });
      return false;
    }
  }
  request.psp = psp;
  request.merchant = merchant;
  return true;
}
