import { randomUUID } from 'node:crypto';
import type { TaskHandle } from '../clock.ts';
import type { SandboxContext } from '../context.ts';
import type { PublishedEvent } from '../events.ts';
import type { Fault, FaultType } from '../../contract/faults.ts';
import { faultName, type FaultSubject } from '../faults.ts';
import type { Exchange, Headers } from '../../traffic/types.ts';
import { Outbound, type AttemptResult, type OutboundRecord } from '../shared/outbound.ts';
import { webhookRequest, type TamperMode } from './tamper.ts';
export { TAMPER_MODES, type TamperMode } from './tamper.ts';
export type { AttemptResult } from '../shared/outbound.ts';
import type { WebhookRegistration, WebhookRegistry } from './registry.ts';

/**
 * Webhook delivery: for every published event, one delivery per subscribed registration of
 * the event's MSN and of each partner acting for it (partner-wide), signed per attempt with
 * the sandbox clock's date, retried on non-2xx / timeout / connection errors with the
 * configured back-off until the give-up window has passed. Ordering is kept per registration + payment (facts §3.5): while an event is
 * failing (or delayed), later events of the same payment for that registration wait.
 * Every attempt is recorded in the traffic log.
 *
 * Over 300 lines: the queues, retry back-off, webhook faults and delivery stats share one
 * per-registration state; the outbound POST and forgeries live in shared/outbound.ts and tamper.ts.
 */

export const WEBHOOK_FAULT_TYPES: readonly FaultType[] = ['webhook-drop', 'webhook-delay', 'webhook-duplicate', 'webhook-reorder'];
/** How long a `webhook-reorder` fault holds an event when no later event of the payment comes. */
export const REORDER_HOLD_MS = 30_000;
/** How webhook deliveries appear in the traffic log. */
const DELIVERY = { kind: 'webhook', api: 'webhooks', operation: 'deliverWebhook' } as const satisfies Partial<OutboundRecord>;

interface Delivery {
  deliveryId: string;
  registration: WebhookRegistration;
  event: PublishedEvent;
  /** Exact payload bytes, the same for every attempt. */
  body: string;
  key: string;
  attempt: number;
  firstAttemptAt?: number;
  /** Sandbox time before which the delivery must not be sent (webhook-delay). */
  notBefore?: number;
  fault?: string;
  copy?: { n: number; of: number };
}

interface Queue {
  items: Delivery[];
  /** The head is being sent or waits for a timer. */
  busy: boolean;
  timer?: TaskHandle;
}

export interface InjectTarget {
  url: string;
  secret: string;
  webhookId?: string;
}

export interface InjectInput {
  targets: InjectTarget[];
  body: string;
  eventType: string;
  msn?: string;
  reference?: string;
  tamper: TamperMode;
}

export interface InjectResult {
  webhookId?: string;
  url: string;
  eventType: string;
  tamper: TamperMode;
  /** 2xx from the receiver. */
  accepted: boolean;
  status?: number;
  headers?: Headers;
  body?: unknown;
  error?: string;
  durationMs: number;
  exchangeId: string;
}

export interface DeliveryStats {
  attempts: number;
  succeeded: number;
  failed: number;
  gaveUp: number;
  dropped: number;
  /** Deliveries queued, in flight, waiting for a retry, or held by a reorder fault. */
  pending: number;
}

const emptyStats = (): DeliveryStats => ({ attempts: 0, succeeded: 0, failed: 0, gaveUp: 0, dropped: 0, pending: 0 });

export class WebhookDispatcher {
  private readonly queues = new Map<string, Queue>();
  private readonly held = new Map<string, { delivery: Delivery; timer: TaskHandle }>();
  private readonly stats = new Map<string, DeliveryStats>();
  private readonly outbound: Outbound;
  private readonly unsubscribe: () => void;
  private closed = false;

  constructor(
    private readonly ctx: SandboxContext,
    private readonly registry: WebhookRegistry,
  ) {
    this.outbound = new Outbound(ctx, () => ctx.settings.webhookTimeoutMs);
    this.unsubscribe = ctx.events.subscribe((event) => this.publish(event));
  }

  // --- intake --------------------------------------------------------------------------

  /** Deliver one published event to every subscribed registration of its MSN. */
  publish(event: PublishedEvent): void {
    if (this.closed) return;
    const subscribers = this.registry.subscribers(event.msn, event.eventType);
    if (subscribers.length === 0) return;
    let body: string;
    try {
      body = JSON.stringify(event.payload);
    } catch (err) {
      process.emitWarning(`webhook payload of ${event.eventType} is not serialisable: ${(err as Error).message}`);
      return;
    }
    for (const registration of subscribers) {
      try {
        this.route(registration, event, body);
      } catch (err) {
        process.emitWarning(`webhook dispatch failed for ${registration.id}: ${(err as Error).message}`);
      }
    }
  }

  private route(registration: WebhookRegistration, event: PublishedEvent, body: string): void {
    // Ordering unit: registration + payment. Events without a reference are independent.
    const key = `${registration.id}\u0000${event.msn}\u0000${event.reference ?? randomUUID()}`;
    const held = this.held.get(key);
    const subject: FaultSubject = { api: 'webhooks', operation: 'deliverWebhook', msn: event.msn, reference: event.reference, amount: event.amount };
    // While an event is held by a reorder fault, the next one releases it (and is not held itself).
    const types = held ? WEBHOOK_FAULT_TYPES.filter((t) => t !== 'webhook-reorder') : WEBHOOK_FAULT_TYPES;
    const fault = this.ctx.faults.take(subject, types);
    const base = (): Delivery => ({
      deliveryId: randomUUID(),
      registration,
      event,
      body,
      key,
      attempt: 0,
      fault: fault ? faultName(fault.effect) : undefined,
    });

    const fresh: Delivery[] = [];
    const effect = fault?.effect;
    if (effect?.type === 'webhook-drop') {
      this.recordDrop(base(), fault!);
    } else if (effect?.type === 'webhook-reorder') {
      const delivery = base();
      const timer = this.ctx.clock.scheduleIn(REORDER_HOLD_MS, () => this.release(key));
      this.held.set(key, { delivery, timer });
      this.bump(registration.id, 'pending', 1);
      return;
    } else if (effect?.type === 'webhook-duplicate') {
      for (let n = 1; n <= effect.copies; n++) fresh.push({ ...base(), copy: { n, of: effect.copies } });
    } else if (effect?.type === 'webhook-delay') {
      fresh.push({ ...base(), notBefore: this.ctx.clock.now() + effect.ms });
    } else {
      fresh.push(base());
    }
    for (const d of fresh) this.enqueue(d);
    if (held) {
      held.timer.cancel();
      this.held.delete(key);
      this.bump(registration.id, 'pending', -1);
      this.enqueue(held.delivery);
    }
  }

  /** A held (reordered) event whose payment saw no later event: send it now. */
  private release(key: string): void {
    const held = this.held.get(key);
    if (!held || this.closed) return;
    this.held.delete(key);
    this.bump(held.delivery.registration.id, 'pending', -1);
    this.enqueue(held.delivery);
  }

  private enqueue(delivery: Delivery): void {
    if (this.closed) return;
    let queue = this.queues.get(delivery.key);
    if (!queue) {
      queue = { items: [], busy: false };
      this.queues.set(delivery.key, queue);
    }
    queue.items.push(delivery);
    this.bump(delivery.registration.id, 'pending', 1);
    this.pump(delivery.key);
  }

  // --- the per-key queue ---------------------------------------------------------------

  private pump(key: string): void {
    const queue = this.queues.get(key);
    if (!queue || queue.busy || this.closed) return;
    const head = queue.items[0];
    if (!head) {
      this.queues.delete(key);
      return;
    }
    queue.busy = true;
    const now = this.ctx.clock.now();
    if (head.notBefore !== undefined && head.notBefore > now) {
      queue.timer = this.ctx.clock.scheduleAt(head.notBefore, () => {
        queue.timer = undefined;
        void this.attempt(queue, head);
      });
    } else {
      void this.attempt(queue, head);
    }
  }

  private async attempt(queue: Queue, delivery: Delivery): Promise<void> {
    if (this.closed) return;
    try {
      delivery.attempt++;
      const startedAt = this.ctx.clock.now();
      delivery.firstAttemptAt ??= startedAt;
      const { registration } = delivery;
      const result = await this.outbound.post(webhookRequest(registration.url, registration.secret, delivery.body));
      if (this.closed) return;
      const ok = result.status !== undefined && result.status >= 200 && result.status < 300;
      this.bump(registration.id, 'attempts', 1);
      const notes: Record<string, unknown> = this.notesOf(delivery);
      if (ok) {
        this.bump(registration.id, 'succeeded', 1);
        this.record(delivery, result, notes);
        this.finish(queue, delivery);
        return;
      }
      this.bump(registration.id, 'failed', 1);
      const delays = this.ctx.settings.webhookRetryDelaysMs;
      const stillRegistered = this.registry.get(registration.id) !== undefined;
      const delay = delays.length > 0 ? delays[Math.min(delivery.attempt - 1, delays.length - 1)] : undefined;
      const now = this.ctx.clock.now();
      if (!stillRegistered || delay === undefined || now + delay - delivery.firstAttemptAt > this.ctx.settings.webhookGiveUpAfterMs) {
        notes.gaveUp = true;
        this.bump(registration.id, 'gaveUp', 1);
        this.record(delivery, result, notes);
        this.finish(queue, delivery);
        return;
      }
      notes.nextAttemptAt = now + delay;
      this.record(delivery, result, notes);
      queue.timer = this.ctx.clock.scheduleIn(delay, () => {
        queue.timer = undefined;
        void this.attempt(queue, delivery);
      });
    } catch (err) {
      // Never let a delivery problem escape; drop this one and move the queue on.
      process.emitWarning(`webhook delivery failed unexpectedly: ${(err as Error).stack ?? err}`);
      if (!this.closed) this.finish(queue, delivery);
    }
  }

  private finish(queue: Queue, delivery: Delivery): void {
    if (queue.items[0] === delivery) queue.items.shift();
    queue.busy = false;
    this.bump(delivery.registration.id, 'pending', -1);
    this.pump(delivery.key);
  }

  private notesOf(delivery: Delivery): Record<string, unknown> {
    const notes: Record<string, unknown> = {
      webhookId: delivery.registration.id,
      eventType: delivery.event.eventType,
      attempt: delivery.attempt,
      deliveryId: delivery.deliveryId,
    };
    if (delivery.copy) notes.copy = delivery.copy;
    // A partner-wide registration's delivery: the payload's msn says which sales unit, this whose webhook.
    if (delivery.registration.partnerId !== undefined) notes.partner = delivery.registration.partnerId;
    return notes;
  }

  // --- HTTP ----------------------------------------------------------------------------

  private record(delivery: Delivery, result: AttemptResult, notes: Record<string, unknown>): Exchange {
    return this.outbound.record(
      { url: result.url, headers: result.requestHeaders, sentBody: result.sentBody },
      { ...DELIVERY, msn: delivery.event.msn, reference: delivery.event.reference, fault: delivery.fault, notes },
      result,
    );
  }

  private recordDrop(delivery: Delivery, fault: Fault): void {
    const { registration } = delivery;
    this.bump(registration.id, 'dropped', 1);
    this.outbound.recordNotSent(
      webhookRequest(registration.url, registration.secret, delivery.body),
      {
        ...DELIVERY,
        msn: delivery.event.msn,
        reference: delivery.event.reference,
        fault: faultName(fault.effect),
        // attempt 0: the event was never sent.
        notes: { ...this.notesOf(delivery), faultId: fault.id },
      },
      'not delivered (sandbox fault: webhook-drop)',
    );
  }

  // --- control API ---------------------------------------------------------------------

  /**
   * One-off deliveries (the control API's `deliver`): sent at once to each target, outside
   * the retry queues, possibly forged; each is recorded and its answer returned.
   */
  async inject(input: InjectInput): Promise<InjectResult[]> {
    return Promise.all(
      input.targets.map(async (target) => {
        const deliveryId = randomUUID();
        const result = await this.outbound.post(webhookRequest(target.url, target.secret, input.body, input.tamper));
        const notes: Record<string, unknown> = {
          webhookId: target.webhookId,
          eventType: input.eventType,
          attempt: 1,
          deliveryId,
          injected: true,
          tamper: input.tamper,
        };
        if (target.webhookId) this.bump(target.webhookId, 'attempts', 1);
        const exchange = this.outbound.record(
          { url: result.url, headers: result.requestHeaders, sentBody: result.sentBody },
          { ...DELIVERY, msn: input.msn, reference: input.reference, fault: input.tamper === 'none' ? undefined : `webhook-tamper-${input.tamper}`, notes },
          result,
        );
        const accepted = result.status !== undefined && result.status >= 200 && result.status < 300;
        return {
          webhookId: target.webhookId,
          url: target.url,
          eventType: input.eventType,
          tamper: input.tamper,
          accepted,
          status: result.status,
          headers: result.responseHeaders,
          body: result.responseBody,
          error: result.error,
          durationMs: exchange.durationMs,
          exchangeId: exchange.id,
        };
      }),
    );
  }

  /** Delivery counters of one registration. */
  statsOf(webhookId: string): DeliveryStats {
    return { ...(this.stats.get(webhookId) ?? emptyStats()) };
  }

  /** A registration was deleted: its queued, delayed and held deliveries are dropped. */
  forget(webhookId: string): void {
    const prefix = `${webhookId}\u0000`;
    for (const [key, queue] of this.queues) {
      if (!key.startsWith(prefix)) continue;
      if (queue.timer) {
        // Waiting for a retry or a delay: nothing in flight, drop the lot.
        queue.timer.cancel();
        this.queues.delete(key);
      } else {
        // An attempt is in flight: it finishes by itself (and does not retry, the registration
        // is gone); what waits behind it is dropped.
        queue.items.splice(1);
      }
    }
    for (const [key, held] of this.held) {
      if (!key.startsWith(prefix)) continue;
      held.timer.cancel();
      this.held.delete(key);
    }
    const s = this.stats.get(webhookId);
    if (s) s.pending = [...this.queues.entries()].filter(([k]) => k.startsWith(prefix)).reduce((n, [, q]) => n + q.items.length, 0);
  }

  /** Stop everything: timers, queues, in-flight requests. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe();
    for (const queue of this.queues.values()) queue.timer?.cancel();
    for (const held of this.held.values()) held.timer.cancel();
    this.queues.clear();
    this.held.clear();
    await this.outbound.close();
  }

  private bump(webhookId: string, field: keyof DeliveryStats, by: number): void {
    let s = this.stats.get(webhookId);
    if (!s) {
      s = emptyStats();
      this.stats.set(webhookId, s);
    }
    s[field] = Math.max(0, s[field] + by);
  }
}
