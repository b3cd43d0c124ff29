import type { ShopConfig } from './config.ts';
import { FINAL_STATES, type Order } from './orders.ts';
import type { Payments } from './payments.ts';

/** The payment window is 10 minutes; after it (and a margin) nothing will change by itself. */
const GIVE_UP_AFTER_MS = 11 * 60_000;
const MAX_BACKOFF_MS = 30_000;

/**
 * Polls GET payment at the documented pace: first ≈5 s after create, then every 2 s, until
 * the payment reaches a final state (AUTHORIZED, ABORTED, EXPIRED, TERMINATED). A 429 backs
 * off (Retry-After, doubling); webhooks only make a GET happen sooner.
 */
export class Poller {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly firstMs: number;
  private readonly intervalMs: number;
  private stopped = false;

  constructor(
    private readonly config: ShopConfig,
    private readonly payments: Payments,
  ) {
    const tooFast = config.faults.has('poll-too-fast');
    this.firstMs = tooFast ? 200 : config.firstPollMs;
    this.intervalMs = tooFast ? 300 : config.pollIntervalMs;
  }

  start(order: Order): void {
    this.schedule(order, this.firstMs, 0);
  }

  /** The order reached a final state some other way (a webhook's confirming GET). */
  settled(order: Order): void {
    if (this.config.faults.has('poll-after-final')) return;
    clearTimeout(this.timers.get(order.reference));
    this.timers.delete(order.reference);
  }

  stopAll(): void {
    this.stopped = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  private schedule(order: Order, delayMs: number, backoffs: number): void {
    if (this.stopped) return;
    clearTimeout(this.timers.get(order.reference));
    this.timers.set(order.reference, setTimeout(() => void this.tick(order, backoffs), delayMs));
  }

  private async tick(order: Order, backoffs: number): Promise<void> {
    this.timers.delete(order.reference);
    const res = await this.payments.refresh(order);
    if (this.stopped || this.timers.has(order.reference)) return;
    // Judged on what Vipps said, not on what the shop booked (a shop may ignore a state).
    const final = FINAL_STATES.includes(res.ok ? (res.data.state as Order['state']) : order.state);
    if (final && !this.config.faults.has('poll-after-final')) return;
    if (Date.now() - order.createdAt > GIVE_UP_AFTER_MS) return;
    if (!res.ok && res.status === 429) {
      const wait = Math.min(MAX_BACKOFF_MS, Math.max((res.retryAfterSeconds ?? 0) * 1000, this.intervalMs) * 2 ** backoffs);
      this.schedule(order, wait, backoffs + 1);
      return;
    }
    this.schedule(order, this.intervalMs, 0);
  }
}
