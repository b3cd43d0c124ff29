import type { FastifyReply, FastifyRequest } from 'fastify';
import { salesUnitOf } from './acting-keys.ts';
import type { SandboxContext } from './context.ts';
import type { AuthErrorShape } from './http.ts';
import type { Partner } from './partners.ts';

/**
 * The auth rules for a request made with a partner's token (vipps-facts §1.4: "mandatory with
 * partner keys (missing or foreign MSN with partner keys ⇒ 403)"), after the gateway accepted
 * key and token: the subscription key must be the partner's, and `Merchant-Serial-Number` must
 * name one of its sales units — a missing one, a foreign one and the partner's own id are each
 * a 403 in the route API's `refuse` shape (the merchant-key mismatch's `Merchant Not Allowed`).
 * Routes with `partnerWide` (Webhooks v1) take a request without MSN: it acts for the partner
 * as a whole (§3.1). Sets `request.partner`, and `request.merchant` when an MSN was named.
 */
declare module 'fastify' {
  interface FastifyContextConfig {
    /** A partner's token without Merchant-Serial-Number acts for all its sales units here (Webhooks v1). */
    partnerWide?: boolean;
  }
  interface FastifyRequest {
    /** The partner whose keys made the request; `merchant` is the sales unit it acts for (absent: partner-wide). */
    partner?: Partner;
  }
}

export function authenticatePartner(ctx: SandboxContext, request: FastifyRequest, reply: FastifyReply, partner: Partner, key: string, answer: AuthErrorShape): boolean {
  const merchant = salesUnitOf(ctx, request, reply, answer, {
    keyBelongs: ctx.partners.subscriptionKeyBelongsTo(key, partner),
    actsFor: (msn) => ctx.partners.actsFor(partner, msn),
    ownId: partner.id,
    withoutMsn: request.routeOptions.config.partnerWide
      ? 'allowed'
      : {
          status: 403,
          title: 'Merchant Not Allowed',
          detail: 'The Merchant-Serial-Number header is required with partner keys: send the MSN of the sales unit you act for.',
        },
  });
  if (merchant === false) return false;
  request.partner = partner;
  if (merchant) request.merchant = merchant;
  return true;
}
