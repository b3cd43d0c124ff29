import type { FastifyInstance } from 'fastify';
import type { SandboxContext } from '../context.ts';
import { headerValue, isKnownSubscriptionKey } from '../http.ts';
import { GATEWAY_MESSAGES, sendGatewayError, traceId } from '../problem.ts';

/**
 * Access Token API: `POST /accesstoken/get` (spec access-token.yaml). Credentials in headers,
 * body empty; every value in the answer is a string, as the real service sends them.
 */
export default async function accessTokenPlugin(app: FastifyInstance, { ctx }: { ctx: SandboxContext }) {
  app.post('/accesstoken/get', { config: { api: 'access-token', operation: 'fetchAuthorizationTokenUsingPost' } }, async (request, reply) => {
    const key = headerValue(request, 'ocp-apim-subscription-key');
    if (!key) return sendGatewayError(reply, 401, GATEWAY_MESSAGES.missingKey);
    if (!isKnownSubscriptionKey(ctx, key)) return sendGatewayError(reply, 401, GATEWAY_MESSAGES.invalidKey);

    const clientId = headerValue(request, 'client_id');
    const clientSecret = headerValue(request, 'client_secret');
    const owner = clientId ? ownerOf(clientId) : undefined;
    if (!clientId || !clientSecret || !owner) {
      // Azure AD's shape, as the 2017 spec documents it (the current spec gives none).
      return reply.code(400).type('application/json').send(aadError('unauthorized_client', 700016,
        `AADSTS700016: Application with identifier '${clientId ?? ''}' was not found in the directory.`));
    }
    if (clientSecret !== owner.keys.clientSecret) {
      return reply.code(401).type('application/json').send(aadError('invalid_client', 7000215,
        'AADSTS7000215: Invalid client secret is provided.'));
    }
    if (!owner.keys.subscriptionKeys.includes(key)) return sendGatewayError(reply, 401, GATEWAY_MESSAGES.invalidKey);
    if (owner.partner) request.partner = owner.partner;
    // The header is optional on this call for every key (access-token.yaml: "can be used with all
    // API keys"); when sent it must be a unit the keys act for. A PSP's or partner's token acts
    // for all its sales units whatever was sent here: each API call names its MSN (§1.4).
    const msn = headerValue(request, 'merchant-serial-number');
    if (msn !== undefined && !owner.actsFor(msn)) {
      return reply.code(403).type('application/json').send(aadError('unauthorized_client', 50105,
        `The API keys do not give access to merchant ${msn}.`));
    }

    const issued = ctx.tokens.issue(owner.token, ctx.clock.now(), ctx.settings.tokenLifetimeSeconds);
    request.exchangeNotes = { tokenExpiresAt: issued.expiresAt };
    return reply
      .code(200)
      .type('application/json;charset=UTF-8')
      .send({
        token_type: 'Bearer',
        expires_in: String(ctx.settings.tokenLifetimeSeconds),
        ext_expires_in: '0',
        expires_on: String(Math.floor(issued.expiresAt / 1000)),
        not_before: String(Math.floor(issued.issuedAt / 1000)),
        resource: '00000002-0000-0000-c000-000000000000',
        access_token: issued.token,
      });
  });

  /** Whose client_id: a PSP's, a partner's or a merchant's, with what its token is issued for and the MSNs it may name. */
  function ownerOf(clientId: string) {
    const psp = ctx.psps.byClient(clientId);
    if (psp) return { keys: psp, token: { psp }, actsFor: (msn: string) => ctx.psps.serves(psp, msn) };
    const partner = ctx.partners.byClient(clientId);
    if (partner) return { keys: partner, partner, token: { partner }, actsFor: (msn: string) => msn !== partner.id && ctx.partners.actsFor(partner, msn) };
    const merchant = ctx.merchants.byClient(clientId);
    if (merchant) return { keys: merchant, token: merchant, actsFor: (msn: string) => msn === merchant.msn };
    return undefined;
  }

  function aadError(error: string, code: number, description: string) {
    const now = new Date(ctx.clock.now());
    return {
      error,
      error_description: `${description}\r\nTrace ID: ${traceId()}\r\nTimestamp: ${now.toISOString()}`,
      error_codes: [code],
      timestamp: now.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z'),
      trace_id: traceId(),
      correlation_id: traceId(),
    };
  }
}
