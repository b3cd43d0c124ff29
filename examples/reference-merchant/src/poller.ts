/**
 * Polling GET payment, one poller per order, in the server.
 *
 * Vipps' rule: never rely on the redirect or on webhooks alone. The customer may close the app
 * and never come back to the return page; a webhook may be late or lost. So every new payment is
 * polled — first after 5 s, then every 2 s — until it reaches a final state. Timers are chained
 * (setTimeout, not setInterval) so a slow answer never piles up requests.
 */
import type { Faults, MerchantConfig } from './config.ts';
import { isNoRedirectFlow, type Order } from './orders.ts';
import { FINAL_STATES } from './vipps/epayment.ts';
import type { Logger } from './vipps/client.ts';

export class Pollers {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** References being polled (waiting for the next tick or reading right now). */
  private readonly polling = new Set<string>();
  private stopped = false;

  constructor(
    private readonly config: MerchantConfig,
    private readonly faults: Faults,
    private readonly refresh: (order: Order) => Promise<void>,
    private readonly log: Logger,
  ) {}

  start(order: Order): void {
    if (this.faults.has('webhooks-only')) return;
    if (this.faults.has('redirect-only')) return;
    // The fault: push and QR payments are left to webhooks alone.
    if (this.faults.has('push-without-polling') && isNoRedirectFlow(order)) return;
    let initialDelay = this.config.pollInitialDelayMs;
    let interval = this.config.pollIntervalMs;
    if (this.faults.has('poll-too-fast')) initialDelay = interval = 100;

    const startedAt = Date.now();
    const done = () => {
      this.timers.delete(order.reference);
      this.polling.delete(order.reference);
    };
    const tick = async () => {
      if (this.stopped || this.isSettled(order)) return done();
      if (Date.now() - startedAt > this.config.pollGiveUpAfterMs) {
        this.log.warn({ reference: order.reference }, 'stopped polling: no final state in time');
        return done();
      }
      await this.refresh(order); // errors are recorded on the order; we simply try again next tick
      if (this.stopped || this.isSettled(order)) return done();
      this.timers.set(order.reference, setTimeout(tick, interval));
    };
    this.polling.add(order.reference);
    this.timers.set(order.reference, setTimeout(tick, initialDelay));
  }

  /** Final state, confirmed by a GET (a webhook alone does not stop the poller). */
  private isSettled(order: Order): boolean {
    return order.payment !== undefined && FINAL_STATES.has(order.payment.state) && !order.unconfirmed;
  }

  /** Currently polled references (for tests and the admin page). */
  active(): string[] {
    return [...this.polling];
  }

  stopAll(): void {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    this.polling.clear();
  }
}
