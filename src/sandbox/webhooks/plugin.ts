import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Redactor } from '../../traffic/redact.ts';
import type { SandboxContext } from '../context.ts';
import { CONTROL_PREFIX } from '../control/plugin.ts';
import { sendProblem, sendErrorAsProblem } from '../problem.ts';
import { TAMPER_MODES, WebhookDispatcher, type InjectResult, type InjectTarget } from './dispatcher.ts';
import { epaymentEventType } from '../../contract/epayment.ts';
import { describeScope, validateRegisterRequest, WebhookRegistry, withoutSecret, type RegistrationScope } from './registry.ts';

/** Operation names (webhooks-v1.yaml has no operationIds; these follow its summaries). */
export const WEBHOOK_OPERATIONS = {
  register: 'registerWebhook',
  list: 'getWebhooks',
  delete: 'deleteWebhook',
  /** Sandbox → receiver deliveries in the traffic log (kind `webhook`). */
  deliver: 'deliverWebhook',
} as const;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Control API `POST /_sandbox/v1/webhooks/deliver`. */
export const DeliverRequestSchema = z
  .object({
    /** Target: one registration… */
    webhookId: z.string().optional(),
    /** …or every registration of this MSN subscribed to the event type (also the payload's msn)… */
    msn: z.string().regex(/^[0-9]{4,6}$/, 'an MSN is 4–6 digits').optional(),
    /** …or an explicit URL + secret (nothing registered needed). */
    url: z.url({ protocol: /^https?$/ }).optional(),
    secret: z.string().min(1).optional(),
    /** Default: from `name` (`AUTHORIZED` ⇒ `epayments.payment.authorized.v1`). */
    eventType: z.string().min(1).optional(),
    /** Exact payload: a JSON object, or a string sent byte for byte. Built from the fields below when absent. */
    payload: z.union([z.record(z.string(), z.unknown()), z.string()]).optional(),
    reference: z.string().min(1).optional(),
    /** ePayment event name; default the payload's `name`, else `AUTHORIZED`. */
    name: z.string().min(1).optional(),
    amount: z.union([z.number().int(), z.object({ currency: z.string(), value: z.number().int() })]).optional(),
    success: z.boolean().default(true),
    idempotencyKey: z.string().nullable().optional(),
    pspReference: z.string().optional(),
    /** `none` or a forgery: wrong signature, body altered after signing, x-ms-date moved after signing, no Authorization. */
    tamper: z.enum(TAMPER_MODES).default('none'),
  })
  .strict()
  .refine((v) => [v.webhookId !== undefined, v.url !== undefined].filter(Boolean).length <= 1, {
    message: 'give webhookId, or url + secret, or msn — not several targets',
  })
  .refine((v) => v.webhookId !== undefined || v.url !== undefined || v.msn !== undefined, {
    message: 'give a target: webhookId, url + secret, or msn',
  })
  .refine((v) => v.url === undefined || v.secret !== undefined, { message: 'url needs secret', path: ['secret'] });

export type DeliverRequest = z.input<typeof DeliverRequestSchema>;

/**
 * Webhooks API v1 (spec webhooks-v1.yaml, facts §3): register / list / delete, the delivery
 * dispatcher, and the sandbox control routes for forged or one-off deliveries.
 *
 * Deviations from the real API (on purpose):
 * - `url` may be plain http:// on loopback hosts (localhost, 127.0.0.0/8, [::1]): integrations
 *   under test run there. Elsewhere HTTPS is required, as on the real API. Reachability,
 *   redirects and "common ports" are not checked at registration.
 * - Partner keys without Merchant-Serial-Number register, list and delete partner-wide webhooks
 *   (webhooks-v1.yaml: the header is "optional for ecom-partners. If merchant serial number is
 *   included, the partner access the API on behalf of the identified merchant"; facts §3.1). Such
 *   a registration gets the events of every sales unit the partner acts for, each payload with
 *   its own `msn`. Listing and deleting stay within one scope: the partner-wide ones, or one MSN's.
 * - DELETE of an unknown (or another MSN's) id answers 404 ProblemDetails; the spec lists only
 *   204 and 400. A malformed (non-UUID) id answers 400.
 * - The limit per event type is `settings.webhooksPerEvent` for every type (the toolkit's
 *   special limit of 1 for `user.checked-in.v1` is not applied).
 */
export default async function webhooksPlugin(app: FastifyInstance, { ctx, redactor }: { ctx: SandboxContext; redactor: Redactor }) {
  // Webhooks v1 answers RFC 7807 problems, injected faults included.
  app.setErrorHandler(sendErrorAsProblem);
  const registry = new WebhookRegistry((msn) => ctx.partners.actingFor(msn).map((p) => p.id));
  const dispatcher = new WebhookDispatcher(ctx, registry);
  ctx.onClose.push(() => dispatcher.close());

  const vipps = (operation: string) => ({ config: { api: 'webhooks' as const, operation, auth: 'vipps' as const, partnerWide: true } });
  /** The request's scope: the sales unit it names, else (partner keys without MSN, partner-auth.ts) the partner. */
  const scopeOf = (request: FastifyRequest): RegistrationScope => (request.merchant ? { msn: request.merchant.msn } : { partnerId: request.partner!.id });
  const notesOf = (scope: RegistrationScope, webhookId: string) => ({ webhookId, ...(scope.partnerId !== undefined ? { scope: 'partner' } : {}) });

  // --- Webhooks API v1 -------------------------------------------------------------------
  app.post('/webhooks/v1/webhooks', vipps(WEBHOOK_OPERATIONS.register), async (request, reply) => {
    const scope = scopeOf(request);
    const verdict = validateRegisterRequest(request.body, { registry, scope, limit: ctx.settings.webhooksPerEvent });
    if (!verdict.ok) {
      return sendProblem(request, reply, {
        status: 400,
        title: 'Bad Request',
        detail: 'One or more validation errors occurred.',
        extraDetails: verdict.extraDetails,
      });
    }
    const registration = registry.add({ ...scope, ...verdict.value, createdAt: ctx.clock.now() });
    redactor.addSecret(registration.secret);
    request.exchangeNotes = notesOf(scope, registration.id);
    return reply.code(201).type('application/json').send({ id: registration.id, secret: registration.secret });
  });

  app.get('/webhooks/v1/webhooks', vipps(WEBHOOK_OPERATIONS.list), async (request, reply) => {
    const webhooks = registry.list(scopeOf(request)).map(({ id, url, events }) => ({ id, url, events }));
    return reply.code(200).type('application/json').send({ webhooks });
  });

  app.delete<{ Params: { id: string } }>('/webhooks/v1/webhooks/:id', vipps(WEBHOOK_OPERATIONS.delete), async (request, reply) => {
    const { id } = request.params;
    const scope = scopeOf(request);
    request.exchangeNotes = notesOf(scope, id);
    if (!UUID.test(id)) {
      return sendProblem(request, reply, {
        status: 400,
        title: 'Bad Request',
        detail: 'One or more validation errors occurred.',
        extraDetails: [{ name: 'id', reason: `The value '${id}' is not a valid webhook id (a UUID).` }],
      });
    }
    const registration = registry.get(id);
    // Another scope's webhook (another merchant's, or partner-wide vs one MSN's) is reported exactly like an unknown one.
    if (!registration || registry.list(scope).indexOf(registration) < 0) {
      return sendProblem(request, reply, {
        status: 404,
        title: 'Not Found',
        detail: `No webhook with id ${id} is registered for ${describeScope(scope)}.`,
      });
    }
    registry.remove(id);
    dispatcher.forget(id);
    return reply.code(204).send();
  });

  // --- sandbox control -------------------------------------------------------------------
  const control = (operation: string) => ({ config: { api: 'sandbox-control' as const, operation } });
  const bad = (reply: FastifyReply, details: string) => reply.code(400).send({ error: 'invalid request', details });

  app.get<{ Querystring: { msn?: string; partnerId?: string } }>(`${CONTROL_PREFIX}/webhooks`, control('listWebhookRegistrations'), async (request) => ({
    webhooks: registry.list(request.query.msn ? { msn: request.query.msn } : request.query.partnerId ? { partnerId: request.query.partnerId } : undefined).map((r) => ({
      ...withoutSecret(r),
      createdAt: new Date(r.createdAt).toISOString(),
      deliveries: dispatcher.statsOf(r.id),
    })),
  }));

  app.post(`${CONTROL_PREFIX}/webhooks/deliver`, control('injectWebhook'), async (request, reply) => {
    const parsed = DeliverRequestSchema.safeParse(request.body ?? {});
    if (!parsed.success) return bad(reply, z.prettifyError(parsed.error));
    const input = parsed.data;
    if (input.secret) redactor.addSecret(input.secret);

    const registration = input.webhookId !== undefined ? registry.get(input.webhookId) : undefined;
    if (input.webhookId !== undefined && !registration) return reply.code(404).send({ error: `no webhook registration ${input.webhookId}` });

    const payloadObject = typeof input.payload === 'object' ? input.payload : undefined;
    const msn = input.msn ?? registration?.msn ?? (typeof payloadObject?.msn === 'string' ? payloadObject.msn : undefined);
    const name = input.name ?? (typeof payloadObject?.name === 'string' ? payloadObject.name : 'AUTHORIZED');
    const eventType = input.eventType ?? epaymentEventType(name);

    let body: string;
    let reference: string | undefined = input.reference ?? (typeof payloadObject?.reference === 'string' ? payloadObject.reference : undefined);
    if (typeof input.payload === 'string') body = input.payload;
    else if (payloadObject) body = JSON.stringify(payloadObject);
    else {
      if (!msn) return bad(reply, 'msn is needed to build a payload (or give payload)');
      reference ??= `golive-injected-${randomUUID().slice(0, 8)}`;
      // Not the payment directory: a Webhooks v1 payload is ePayment's (its pspReference has no
      // neutral counterpart), and the directory could answer an eCom order of the same reference.
      const payment = ctx.epayment?.get(msn, reference);
      const merchant = ctx.merchants.byMerchantSerialNumber(msn);
      const currency = payment?.amount.currency ?? merchant?.currency ?? 'NOK';
      const amount =
        input.amount === undefined ? payment?.amount : typeof input.amount === 'number' ? { currency, value: input.amount } : input.amount;
      if (!amount) return bad(reply, `amount is needed: no payment ${reference} of MSN ${msn} to take it from`);
      body = JSON.stringify({
        msn,
        reference,
        pspReference: input.pspReference ?? payment?.pspReference ?? randomUUID(),
        name,
        amount,
        timestamp: new Date(ctx.clock.now()).toISOString(),
        idempotencyKey: input.idempotencyKey === undefined ? randomUUID() : input.idempotencyKey,
        success: input.success,
      });
    }

    let targets: InjectTarget[];
    if (registration) targets = [{ url: registration.url, secret: registration.secret, webhookId: registration.id }];
    else if (input.url !== undefined) targets = [{ url: input.url, secret: input.secret! }];
    else {
      targets = registry.subscribers(msn!, eventType).map((r) => ({ url: r.url, secret: r.secret, webhookId: r.id }));
      if (targets.length === 0) return reply.code(404).send({ error: `no webhook of MSN ${msn} is registered for ${eventType}` });
    }

    request.exchangeReference = reference;
    const deliveries = await dispatcher.inject({ targets, body, eventType, msn, reference, tamper: input.tamper });
    const shown = deliveries.map((d) => redactor.value(d) as InjectResult);
    return reply.code(200).send({ ...(shown.length === 1 ? shown[0] : {}), deliveries: shown });
  });
}
