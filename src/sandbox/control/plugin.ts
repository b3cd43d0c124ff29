import { createPublicKey } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { SandboxContext } from '../context.ts';
import { FaultSpecSchema } from '../../contract/faults.ts';
import { MerchantSchema } from '../merchants.ts';
import { PspSchema } from '../psps.ts';
import { PartnerSchema, type Partner } from '../partners.ts';
import { Redactor } from '../../traffic/redact.ts';
import type { ExchangeKind, TrafficQuery, ApiName } from '../../traffic/types.ts';

export const CONTROL_PREFIX = '/_sandbox/v1';

/**
 * The sandbox control API — not part of Vipps' API. Tests and the golive runner use it to
 * move the clock, switch faults on and off, read the traffic log and add merchants, PSPs and partners.
 * Customer actions on payments (approve, reject, expire, fail) live with the landing page.
 */
export default async function controlPlugin(app: FastifyInstance, { ctx, redactor }: { ctx: SandboxContext; redactor: Redactor }) {
  const config = { api: 'sandbox-control' as const };
  const bad = (reply: any, error: z.ZodError | string) =>
    reply.code(400).send({ error: 'invalid request', details: typeof error === 'string' ? error : z.prettifyError(error) });

  app.get(`${CONTROL_PREFIX}/health`, async () => ({ status: 'ok', now: new Date(ctx.clock.now()).toISOString() }));

  // --- clock ---------------------------------------------------------------------------
  const clockState = () => ({
    now: ctx.clock.now(),
    iso: new Date(ctx.clock.now()).toISOString(),
    offsetMs: ctx.clock.offset,
    frozen: ctx.clock.frozen,
  });
  app.get(`${CONTROL_PREFIX}/clock`, async () => clockState());
  const Advance = z
    .object({ ms: z.number().nonnegative().optional(), seconds: z.number().nonnegative().optional(), minutes: z.number().nonnegative().optional() })
    .refine((v) => v.ms !== undefined || v.seconds !== undefined || v.minutes !== undefined, 'give ms, seconds or minutes');
  app.post(`${CONTROL_PREFIX}/clock/advance`, { config: { ...config, operation: 'advanceClock' } }, async (request, reply) => {
    const parsed = Advance.safeParse(request.body ?? {});
    if (!parsed.success) return bad(reply, parsed.error);
    const { ms = 0, seconds = 0, minutes = 0 } = parsed.data;
    ctx.clock.advance(ms + seconds * 1000 + minutes * 60_000);
    return clockState();
  });
  app.post(`${CONTROL_PREFIX}/clock/freeze`, { config: { ...config, operation: 'freezeClock' } }, async () => {
    ctx.clock.freeze();
    return clockState();
  });
  app.post(`${CONTROL_PREFIX}/clock/resume`, { config: { ...config, operation: 'resumeClock' } }, async () => {
    ctx.clock.resume();
    return clockState();
  });

  // --- faults --------------------------------------------------------------------------
  app.get(`${CONTROL_PREFIX}/faults`, async () => ({ faults: ctx.faults.list() }));
  // One fault, also after its `times` retired it: `hits` says whether (and how often) it fired.
  app.get<{ Params: { id: string } }>(`${CONTROL_PREFIX}/faults/:id`, async (request, reply) => {
    const fault = ctx.faults.get(request.params.id);
    return fault ? fault : reply.code(404).send({ error: 'no such fault' });
  });
  app.post(`${CONTROL_PREFIX}/faults`, { config: { ...config, operation: 'addFault' } }, async (request, reply) => {
    const parsed = FaultSpecSchema.safeParse(request.body ?? {});
    if (!parsed.success) return bad(reply, parsed.error);
    return reply.code(201).send(ctx.faults.add(parsed.data));
  });
  app.delete<{ Params: { id: string } }>(`${CONTROL_PREFIX}/faults/:id`, { config: { ...config, operation: 'removeFault' } }, async (request, reply) =>
    ctx.faults.remove(request.params.id) ? reply.code(204).send() : reply.code(404).send({ error: 'no such fault' }),
  );
  app.delete<{ Querystring: { label?: string } }>(`${CONTROL_PREFIX}/faults`, { config: { ...config, operation: 'clearFaults' } }, async (request) => ({
    removed: ctx.faults.clear(request.query.label),
  }));

  // --- flow tags: which running flow an exchange belongs to (src/sandbox/flow-tags.ts) ---
  const FlowTagSchema = z.object({ label: z.string().min(1), flowId: z.string().min(1), msn: z.string().min(1), amount: z.number().int() });
  app.post(`${CONTROL_PREFIX}/flows`, { config: { ...config, operation: 'startFlowTags' } }, async (request, reply) => {
    const parsed = FlowTagSchema.safeParse(request.body ?? {});
    if (!parsed.success) return bad(reply, parsed.error);
    ctx.flows.start(parsed.data);
    return reply.code(201).send(parsed.data);
  });
  app.delete<{ Querystring: { label?: string } }>(`${CONTROL_PREFIX}/flows`, { config: { ...config, operation: 'endFlowTags' } }, async (request, reply) =>
    request.query.label && ctx.flows.end(request.query.label) ? reply.code(204).send() : reply.code(404).send({ error: 'no such running flow' }),
  );

  // --- traffic -------------------------------------------------------------------------
  const list = (v: string | undefined) => (v ? v.split(',') : undefined);
  app.get<{ Querystring: Record<string, string | undefined> }>(`${CONTROL_PREFIX}/traffic`, async (request) => {
    const q = request.query;
    const query: TrafficQuery = {
      kind: list(q.kind) as ExchangeKind[] | undefined,
      api: list(q.api) as ApiName[] | undefined,
      operation: list(q.operation),
      msn: q.msn,
      reference: q.reference,
      flowId: q.flowId,
      afterSeq: q.afterSeq ? Number(q.afterSeq) : undefined,
      since: q.since ? Number(q.since) : undefined,
      limit: q.limit ? Math.min(Number(q.limit), 10_000) : 1000,
    };
    // The control API's own traffic is left out unless asked for, so polling it does not flood it.
    if (!query.api) query.api = ['access-token', 'epayment', 'webhooks', 'order-management', 'userinfo', 'qr', 'ecom-v2', 'psp-v2', 'psp-v3', 'landing'];
    const exchanges = ctx.traffic.query(query).map((e) => redactor.exchange(e));
    return { exchanges, lastSeq: ctx.traffic.lastSeq, dropped: ctx.traffic.dropped, capacity: ctx.traffic.capacity };
  });

  // --- merchants -----------------------------------------------------------------------
  app.get(`${CONTROL_PREFIX}/merchants`, async () => ({
    merchants: ctx.merchants.list().map((m) => ({ msn: m.msn, name: m.name, clientId: m.clientId, currency: m.currency, pspId: m.pspId })),
  }));
  // --- PSPs (card passthrough): own credentials, acting for the MSNs they serve -------------
  app.get(`${CONTROL_PREFIX}/psps`, async () => ({
    psps: ctx.psps.list().map((p) => ({ pspId: p.pspId, name: p.name, clientId: p.clientId, merchants: p.merchants })),
  }));
  app.post(`${CONTROL_PREFIX}/psps`, { config: { ...config, operation: 'addPsp' } }, async (request, reply) => {
    const parsed = PspSchema.safeParse(request.body ?? {});
    if (!parsed.success) return bad(reply, parsed.error);
    try {
      const p = ctx.psps.add(parsed.data);
      redactor.addSecret(p.clientSecret);
      p.subscriptionKeys.forEach((k) => redactor.addSecret(k));
      return reply.code(201).send({ pspId: p.pspId, name: p.name, clientId: p.clientId, merchants: p.merchants });
    } catch (err) {
      return reply.code(409).send({ error: (err as Error).message });
    }
  });

  // --- partners (partner keys): one set of keys acting for many sales units ------------------
  const partnerView = (p: Partner) => ({ id: p.id, name: p.name, clientId: p.clientId, salesUnits: p.salesUnits });
  app.get(`${CONTROL_PREFIX}/partners`, async () => ({ partners: ctx.partners.list().map(partnerView) }));
  app.post(`${CONTROL_PREFIX}/partners`, { config: { ...config, operation: 'addPartner' } }, async (request, reply) => {
    const parsed = PartnerSchema.safeParse(request.body ?? {});
    if (!parsed.success) return bad(reply, parsed.error);
    try {
      const p = ctx.partners.add(parsed.data);
      redactor.addSecret(p.clientSecret);
      p.subscriptionKeys.forEach((k) => redactor.addSecret(k));
      return reply.code(201).send(partnerView(p));
    } catch (err) {
      return reply.code(409).send({ error: (err as Error).message });
    }
  });

  // The PSP's RSA public key (PEM) the PSP API v2 encrypts cardData with: given at onboarding,
  // here when the PSP has started (golive fetches it from the profile's pspApi.publicKey).
  app.put<{ Params: { pspId: string } }>(`${CONTROL_PREFIX}/psps/:pspId/public-key`, { config: { ...config, operation: 'setPspPublicKey' } }, async (request, reply) => {
    const psp = ctx.psps.byPspId(request.params.pspId);
    if (!psp) return reply.code(404).send({ error: `no PSP ${request.params.pspId}` });
    const pem = (request.body as { publicKey?: unknown } | undefined)?.publicKey;
    const problem = typeof pem === 'string' ? rsaPublicKeyProblem(pem) : 'expected {"publicKey": "<PEM>"}';
    if (problem) return reply.code(400).send({ error: problem });
    psp.publicKey = pem as string;
    return { pspId: psp.pspId, publicKey: 'set' };
  });

  app.post(`${CONTROL_PREFIX}/merchants`, { config: { ...config, operation: 'addMerchant' } }, async (request, reply) => {
    const parsed = MerchantSchema.safeParse(request.body ?? {});
    if (!parsed.success) return bad(reply, parsed.error);
    try {
      const m = ctx.merchants.add(parsed.data);
      redactor.addSecret(m.clientSecret);
      m.subscriptionKeys.forEach((k) => redactor.addSecret(k));
      return reply.code(201).send({ msn: m.msn, name: m.name, clientId: m.clientId });
    } catch (err) {
      return reply.code(409).send({ error: (err as Error).message });
    }
  });
}

/** Why a PEM is not an RSA-2048 public key (what the PSP API encrypts cardData with), if it is not one. */
function rsaPublicKeyProblem(pem: string): string | undefined {
  try {
    const key = createPublicKey(pem);
    if (key.asymmetricKeyType !== 'rsa') return `expected an RSA public key, got ${key.asymmetricKeyType}`;
    if (key.asymmetricKeyDetails?.modulusLength !== 2048) return `expected a 2048-bit RSA key, got ${key.asymmetricKeyDetails?.modulusLength} bits`;
    return undefined;
  } catch (err) {
    return `not a PEM public key: ${(err as Error).message}`;
  }
}
