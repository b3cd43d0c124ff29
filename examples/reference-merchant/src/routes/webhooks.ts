/**
 * POST /vipps/webhooks — the receiver registered with the Webhooks API.
 *
 * 1. Verify the signature over the RAW body (this route keeps the bytes; parsing and
 *    re-serialising JSON would change them). Bad signature, altered body or a stale/replayed
 *    x-ms-date ⇒ 401 and nothing changes.
 * 2. Answer 2xx at once (Vipps wants an answer within seconds and retries otherwise); the work —
 *    re-reading the payment — happens after the answer.
 * 3. Duplicates are normal (retries): the shop handles each event once.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Faults, MerchantConfig } from '../config.ts';
import type { Shop, WebhookEvent } from '../shop.ts';
import type { Logger } from '../vipps/client.ts';
import { verifyWebhook } from '../vipps/webhooks.ts';

export const WEBHOOK_PATH = '/vipps/webhooks';

export interface WebhookDeps {
  config: MerchantConfig;
  faults: Faults;
  shop: Shop;
  /** The secret from our registration (undefined when not registered). */
  secret: () => string | undefined;
  /** Keeps background work visible so shutdown can wait for it. */
  track: (work: Promise<unknown>) => void;
  log: Logger;
}

/**
 * Steps 1 of every receiver of ours (the single shop's and the platform's partner-wide one):
 * the signature over the raw body, then the event's shape. Answers what to send back when the
 * delivery is refused.
 */
export function readWebhookEvent(
  request: FastifyRequest,
  secret: string | undefined,
  options: { verify: boolean; maxClockSkewMs: number; log: Logger },
): { event: WebhookEvent } | { status: 400 | 401; body: { error: string } } {
  const rawBody = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
  if (options.verify) {
    const verdict = secret
      ? verifyWebhook({ method: request.method, pathAndQuery: request.url, host: request.headers.host ?? '', headers: request.headers, rawBody }, secret, Date.now(), options.maxClockSkewMs)
      : ({ ok: false, reason: 'no webhook registration, so no secret to verify with' } as const);
    if (!verdict.ok) {
      options.log.warn({ reason: verdict.reason }, 'rejected a webhook delivery');
      return { status: 401, body: { error: 'invalid signature' } };
    }
  }
  let event: WebhookEvent;
  try {
    event = JSON.parse(rawBody.toString('utf8'));
  } catch {
    return { status: 400, body: { error: 'body is not JSON' } };
  }
  if (!event || typeof event.reference !== 'string' || typeof event.name !== 'string') return { status: 400, body: { error: 'not an ePayment event' } };
  return { event };
}

export default async function webhookRoutes(app: FastifyInstance, { config, faults, shop, secret, track, log }: WebhookDeps) {
  // In this plugin only: hand the body over as raw bytes, whatever the content type.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  app.post(WEBHOOK_PATH, async (request, reply) => {
    const read = readWebhookEvent(request, secret(), { verify: !faults.has('accept-bad-webhook-signature'), maxClockSkewMs: config.webhookMaxClockSkewMs, log });
    if ('status' in read) return reply.code(read.status).send(read.body);
    const { event } = read;
    if (event.msn !== undefined && event.msn !== config.msn) return reply.code(200).send({ ok: true, ignored: 'other merchant' });

    track(shop.onWebhook(event).catch((err) => log.error({ err: String(err), reference: event.reference }, 'webhook processing failed')));
    return reply.code(200).send({ ok: true });
  });
}
