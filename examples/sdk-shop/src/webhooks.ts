import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { ShopConfig } from './config.ts';
import { FINAL_STATES, type Order, type PaymentState } from './orders.ts';
import type { Payments } from './payments.ts';
import type { Poller } from './poller.ts';
import type { VippsApi } from './vipps-api.ts';

export const WEBHOOK_PATH = '/webhooks/vipps';
// Not `created`: the shop made the payment itself, the event carries nothing to book.
const EVENTS = ['aborted', 'expired', 'cancelled', 'captured', 'refunded', 'authorized', 'terminated'].map((e) => `epayments.payment.${e}.v1`);

/**
 * Webhooks API v1 (facts §3.4): the HMAC-SHA256 signature over
 * "POST\n<pathAndQuery>\n<x-ms-date>;<host>;<content hash>", keyed with the secret's UTF-8
 * bytes, checked against the raw body. True only when the content hash and signature match.
 */
export function verifySignature(secret: string, pathAndQuery: string, headers: IncomingHttpHeaders, rawBody: Buffer): boolean {
  const date = headers['x-ms-date'];
  const contentHash = headers['x-ms-content-sha256'];
  const host = headers.host;
  const authorization = headers.authorization;
  if (typeof date !== 'string' || typeof contentHash !== 'string' || !host || !authorization) return false;
  const actualHash = createHash('sha256').update(rawBody).digest('base64');
  if (!sameText(actualHash, contentHash)) return false;
  const signature = createHmac('sha256', Buffer.from(secret, 'utf8')).update(`POST\n${pathAndQuery}\n${date};${host};${contentHash}`, 'utf8').digest('base64');
  return sameText(authorization, `HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=${signature}`);
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

interface WebhookEvent {
  msn?: string;
  reference?: string;
  pspReference?: string;
  name?: string;
  amount?: { value?: number };
  success?: boolean;
}

/** Registers the shop's receiver, verifies deliveries and turns them into a confirming GET. */
export class WebhookReceiver {
  private registration: { id: string; secret: string } | undefined;
  private readonly seen = new Set<string>();

  constructor(
    private readonly config: ShopConfig,
    private readonly api: VippsApi,
    private readonly payments: Payments,
    private readonly poller: Poller,
  ) {}

  get url(): string {
    return `${this.config.publicUrl}${WEBHOOK_PATH}`;
  }

  /** At start-up: drop stale registrations of our URL (a previous run), then register anew. */
  async register(): Promise<void> {
    const listed = await this.api.call((token) => this.api.sdk.webhook.list(token));
    if (listed.ok) {
      for (const stale of listed.data.webhooks.filter((w) => w.url === this.url)) await this.api.call((token) => this.api.sdk.webhook.delete(token, stale.id));
    }
    const res = await this.api.call((token) => this.api.sdk.webhook.register(token, { url: this.url, events: EVENTS }));
    if (!res.ok) throw new Error(`webhook registration failed: ${res.message}`);
    this.registration = { id: res.data.id, secret: res.data.secret };
  }

  async unregister(): Promise<void> {
    const id = this.registration?.id;
    if (id) await this.api.call((token) => this.api.sdk.webhook.delete(token, id));
  }

  /** Answers the delivery: 401 for a bad signature, 2xx otherwise (fast; work continues after). */
  handle(pathAndQuery: string, headers: IncomingHttpHeaders, rawBody: Buffer): { status: number; body: object } {
    if (!this.registration) return { status: 503, body: { error: 'not ready for webhooks yet' } };
    const genuine = verifySignature(this.registration.secret, pathAndQuery, headers, rawBody);
    if (!genuine && !this.config.faults.has('accept-bad-signature')) return { status: 401, body: { error: 'invalid webhook signature' } };
    let event: WebhookEvent;
    try {
      event = JSON.parse(rawBody.toString('utf8')) as WebhookEvent;
    } catch {
      return { status: 400, body: { error: 'webhook body is not JSON' } };
    }
    const order = event.reference ? this.payments.orders.find(event.reference) : undefined;
    if (!order || event.msn !== this.config.msn) return { status: 200, body: { ignored: 'not an order of this shop' } };
    if (event.success !== true) return { status: 200, body: { ignored: 'operation did not succeed' } };
    const key = `${event.reference}|${event.name}|${event.pspReference}`;
    if (this.seen.has(key)) return { status: 200, body: { ignored: 'duplicate' } };
    this.seen.add(key);
    if (this.config.faults.has('trust-webhook-name')) bookFromName(order, event);
    else void this.confirm(order);
    return { status: 200, body: { received: true } };
  }

  /** A webhook is a signal, not the truth: read the payment back before booking anything. */
  private async confirm(order: Order): Promise<void> {
    const res = await this.payments.refresh(order);
    if (res.ok && FINAL_STATES.includes(res.data.state as PaymentState)) this.poller.settled(order);
  }
}

/** The fault `trust-webhook-name`: book the event's name and amount as if it were the payment's state. */
function bookFromName(order: Order, event: WebhookEvent): void {
  const value = event.amount?.value ?? 0;
  const a = order.amounts;
  switch (event.name) {
    case 'AUTHORIZED':
      order.state = 'AUTHORIZED';
      a.authorized = value;
      break;
    case 'ABORTED':
    case 'EXPIRED':
    case 'TERMINATED':
      order.state = event.name;
      break;
    case 'CAPTURED':
      a.captured += value;
      break;
    case 'REFUNDED':
      a.refunded += value;
      break;
    case 'CANCELLED':
      a.cancelled += value;
      break;
  }
}
