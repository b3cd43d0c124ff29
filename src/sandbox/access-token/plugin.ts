import type { FastifyInstance } from 'fastify';
import type { SandboxContext } from '../context.ts';
import { headerValue } from '../http.ts';
import { GATEWAY_MESSAGES, sendGatewayError, traceId } from '../problem.ts';

/**
 * Access Token API: `POST /accesstoken/get` (spec access-token.yaml). Credentials in headers,
 * body empty; every value in the answer is a string, as the real service sends them.
 */
export default async function accessTokenPlugin(app: FastifyInstance, { ctx }: { ctx: SandboxContext }) {
  app.post('/accesstoken/get', { config: { api: 'access-token', operation: 'fetchAuthorizationTokenUsingPost' } }, async (request, reply) => {
    const key = headerValue(request, 'ocp-apim-subscription-key');
    if (!key) return sendGatewayError(reply, 401, GATEWAY_MESSAGES.missingKey);
    if (!ctx.merchants.isKnownSubscriptionKey(key) && !ctx.psps.isKnownSubscriptionKey(key)) return sendGatewayError(reply, 401, GATEWAY_MESSAGES.invalidKey);

    const clientId = headerValue(request, 'client_id');
    const clientSecret = headerValue(request, 'client_secret');
    const psp = clientId ? ctx.psps.byClient(clientId) : undefined;
    const merchant = clientId && !psp ? ctx.merchants.byClient(clientId) : undefined;
    const owner = psp ?? merchant;
    if (!clientId || !clientSecret || !owner) {
      // Azure AD's shape, as the 2017 spec documents it (the current spec gives none).
      return reply.code(400).type('application/json').send(aadError('unauthorized_client', 700016,
        `AADSTS700016: Application with identifier '${clientId ?? ''}' was not found in the directory.`));
    }
    if (clientSecret !== owner.clientSecret) {
      return reply.code(401).type('application/json').send(aadError('invalid_client', 7000215,
        'AADSTS7000215: Invalid client secret is provided.'));
    }
    if (psp ? !ctx.psps.subscriptionKeyBelongsTo(key, psp) : !ctx.merchants.subscriptionKeyBelongsTo(key, merchant!)) {
      return sendGatewayError(reply, 401, GATEWAY_MESSAGES.invalidKey);
    }
    // A PSP's token acts for every sales unit it serves; a merchant's for its own MSN.
    const msn = headerValue(request, 'merchant-serial-number');
    if (msn !== undefined && (psp ? !ctx.psps.serves(psp, msn) : msn !== merchant!.msn)) {
      return reply.code(403).type('application/json').send(aadError('unauthorized_client', 50105,
        `The API keys do not give access to merchant ${msn}.`));
    }

    const issued = ctx.tokens.issue(psp ? { psp } : merchant!, ctx.clock.now(), ctx.settings.tokenLifetimeSeconds);
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
