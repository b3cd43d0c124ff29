/**
 * Webhooks API v1: registering our receiver, and checking that a delivery really comes from
 * Vipps MobilePay (HMAC-SHA256 over date, host and body hash, with the secret we got when we
 * registered).
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { Logger, VippsClient } from './client.ts';

/** All eight ePayment event types: we want to hear about every state change. */
export const EPAYMENT_EVENT_TYPES = [
  'epayments.payment.created.v1',
  'epayments.payment.aborted.v1',
  'epayments.payment.expired.v1',
  'epayments.payment.cancelled.v1',
  'epayments.payment.captured.v1',
  'epayments.payment.refunded.v1',
  'epayments.payment.authorized.v1',
  'epayments.payment.terminated.v1',
] as const;

export interface WebhookRegistration {
  id: string;
  url: string;
  /** Returned only once, at registration: keep it, it is the key for verifying deliveries. */
  secret: string;
}

/**
 * Register `url` for all ePayment events. The secret of an existing registration cannot be read
 * back, so we register anew and then delete older registrations for the same URL — the order
 * Vipps recommends for replacing a webhook (new one first, so no event falls in a gap).
 */
export async function registerWebhook(client: VippsClient, url: string, log: Logger): Promise<WebhookRegistration> {
  const before = await client.call<{ webhooks: { id: string; url: string; events: string[] }[] }>({
    operation: 'getAllWebhooks',
    method: 'GET',
    path: '/webhooks/v1/webhooks',
  });
  const created = await client.call<{ id: string; secret: string }>({
    operation: 'registerWebhook',
    method: 'POST',
    path: '/webhooks/v1/webhooks',
    body: { url, events: [...EPAYMENT_EVENT_TYPES] },
  });
  for (const old of before.body.webhooks ?? []) {
    if (old.url !== url || old.id === created.body.id) continue;
    await deleteWebhook(client, old.id).catch((err) => log.warn({ id: old.id, err: String(err) }, 'could not delete an old webhook registration'));
  }
  return { id: created.body.id, url, secret: created.body.secret };
}

export async function deleteWebhook(client: VippsClient, id: string): Promise<void> {
  await client.call({ operation: 'deleteWebhook', method: 'DELETE', path: `/webhooks/v1/webhooks/${encodeURIComponent(id)}` });
}

export interface SignedDelivery {
  method: string;
  /** Path and query exactly as requested (`request.url`). */
  pathAndQuery: string;
  /** The Host header: the authority of the registered URL, `:port` included when not default. */
  host: string;
  headers: Record<string, string | string[] | undefined>;
  rawBody: Buffer;
}

export type VerifyResult = { ok: true } | { ok: false; reason: string };

const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * The documented algorithm (Webhooks API "request authentication"):
 *   contentHash  = base64(sha256(raw body))                 — must equal x-ms-content-sha256
 *   stringToSign = "POST\n" + pathAndQuery + "\n" + x-ms-date + ";" + host + ";" + contentHash
 *   signature    = base64(hmacSha256(secret as UTF-8 text, stringToSign))
 *   Authorization must be "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=" + signature
 * Always over the raw bytes: re-serialised JSON would not hash the same. A date far from now
 * means a recorded delivery is being replayed.
 */
export function verifyWebhook(delivery: SignedDelivery, secret: string, now: number, maxSkewMs: number): VerifyResult {
  const date = first(delivery.headers['x-ms-date']);
  const contentHeader = first(delivery.headers['x-ms-content-sha256']);
  const authorization = first(delivery.headers['authorization']);
  if (!date || !contentHeader || !authorization) return { ok: false, reason: 'missing x-ms-date, x-ms-content-sha256 or Authorization' };

  const sentAt = Date.parse(date);
  if (Number.isNaN(sentAt)) return { ok: false, reason: 'x-ms-date is not a date' };
  if (Math.abs(now - sentAt) > maxSkewMs) return { ok: false, reason: `x-ms-date is ${Math.round((now - sentAt) / 1000)} s off: stale or replayed` };

  const contentHash = createHash('sha256').update(delivery.rawBody).digest('base64');
  if (!safeEqual(contentHash, contentHeader)) return { ok: false, reason: 'body does not match x-ms-content-sha256' };

  const stringToSign = `${delivery.method.toUpperCase()}\n${delivery.pathAndQuery}\n${date};${delivery.host};${contentHash}`;
  const signature = createHmac('sha256', Buffer.from(secret, 'utf8')).update(stringToSign, 'utf8').digest('base64');
  const expected = `HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=${signature}`;
  if (!safeEqual(expected, authorization)) return { ok: false, reason: 'signature does not match' };
  return { ok: true };
}
