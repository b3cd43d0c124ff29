import { timingSafeEqual } from 'node:crypto';
import type { ShopConfig } from './config.ts';
import { ENDING_CALLBACK_STATUSES, endingFromStatus, isCustomerDecided, statusFromCallback, statusFromDetails } from './order-status.ts';
import type { Order, OrderBook } from './orders.ts';
import { Poller, type PollResult, type Timers, REAL_TIMERS } from './poller.ts';
import type { EcomApi } from './vipps/ecom-api.ts';
import type { OrderManagementApi } from './vipps/order-management.ts';
import { logLine, VippsApiError } from './vipps/errors.ts';

export type Log = (line: string) => void;

export type CheckoutResult = { ok: true; order: Order } | { ok: false; order: Order; message: string };

/**
 * The customer side of the shop: checkout (initiate), the callback, polling and reading the
 * payment. The order's status only ever comes from GET …/details; callbacks and the fallBack
 * redirect just make the shop read it sooner.
 */
export class Shop {
  readonly poller: Poller;
  /** Per-order chain of details reads, so results are booked in the order they were read. */
  private readonly reads = new Map<string, Promise<unknown>>();

  private readonly now: () => number;

  constructor(
    readonly config: ShopConfig,
    readonly api: EcomApi,
    readonly orders: OrderBook,
    readonly log: Log = (line) => process.stderr.write(`${line}\n`),
    timers: Timers = REAL_TIMERS,
    private readonly orderManagement?: OrderManagementApi,
  ) {
    this.now = timers.now;
    this.poller = new Poller(
      { firstMs: config.firstPollMs, intervalMs: config.pollIntervalMs, giveUpMs: config.pollGiveUpMs, keepAfterFinal: config.faults.has('poll-after-final') },
      (orderId) => this.pollOnce(orderId),
      timers,
    );
  }

  get trustsCallbacks(): boolean {
    return this.config.faults.has('callback-only');
  }

  async checkout(amount: number, description: string, mobileNumber?: string): Promise<CheckoutResult> {
    const order = this.orders.create(amount, description);
    try {
      const answer = await this.api.initiate({
        orderId: order.orderId,
        amount,
        transactionText: description.slice(0, 100),
        callbackPrefix: `${this.config.publicUrl}/vipps/callback`,
        fallBack: `${this.config.publicUrl}/return?order=${encodeURIComponent(order.orderId)}`,
        authToken: order.authToken,
        mobileNumber,
      });
      order.redirectUrl = answer.url; // used unchanged, as the guide asks
      if (!this.trustsCallbacks) this.poller.start(order.orderId);
      return { ok: true, order };
    } catch (err) {
      this.log(logLine(order.orderId, err));
      // Initiate is not idempotent: no retry with this orderId; the customer may start again (new orderId).
      order.status = 'failed';
      order.lastError = `The payment could not be started. ${customerReason(err)}`;
      if (this.config.faults.has('success-on-error')) {
        order.status = 'reserved';
        order.lastError = undefined;
        return { ok: true, order };
      }
      return { ok: false, order, message: order.lastError };
    }
  }

  /**
   * POST {callbackPrefix}/v2/payments/{orderId}. Answers at once (Vipps waits 3 s, sends once);
   * the body is not trusted: a details read decides.
   */
  callback(orderId: string, authorization: string | undefined, body: unknown): { status: number; then?: () => void } {
    const order = this.orders.get(orderId);
    if (!order) return { status: 404 };
    if (!sameSecret(authorization, order.authToken)) {
      this.log(`ecom-shop: callback for ${orderId} with a wrong Authorization: ignored`);
      return { status: 401 };
    }
    order.callbacks++;
    const info = (body as { transactionInfo?: { status?: string; amount?: number } })?.transactionInfo;
    const claimed = info?.status;
    if (this.trustsCallbacks) {
      const status = statusFromCallback(claimed);
      if (status) order.status = status;
      if (status === 'reserved') order.amounts = { ...order.amounts, reserved: info?.amount ?? order.amount, remainingToCapture: info?.amount ?? order.amount };
      this.afterApproval(order);
      return { status: 200 };
    }
    // Only a hint: the read below asks Vipps whether the order really ended.
    if (claimed && ENDING_CALLBACK_STATUSES.includes(claimed)) order.endingAnnounced = true;
    return { status: 200, then: () => void this.refresh(order).catch(() => undefined) };
  }

  /** Reads details and books what they say. Serialized per order. */
  refresh(order: Order): Promise<Order> {
    const previous = this.reads.get(order.orderId) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => this.readDetails(order));
    this.reads.set(order.orderId, next);
    void next.finally(() => this.reads.get(order.orderId) === next && this.reads.delete(order.orderId)).catch(() => undefined);
    return next;
  }

  private async readDetails(order: Order): Promise<Order> {
    order.detailsReads++;
    const details = await this.api.details(order.orderId);
    // The log only grows: a shorter one is a lagging read, and must not undo what we saw.
    if ((details.transactionLogHistory ?? []).length < order.history.length) return order;
    const view = statusFromDetails(order.amount, details);
    order.status = view.status;
    order.amounts = view.amounts;
    order.history = details.transactionLogHistory ?? [];
    this.afterApproval(order);
    if (view.status === 'awaiting-payment' && (order.endingAnnounced || this.now() - order.createdAt >= this.config.paymentWindowMs)) {
      const ending = endingFromStatus((await this.api.status(order.orderId)).transactionInfo?.status);
      if (ending) order.status = ending;
    }
    return order;
  }

  /** Once per paid order: the receipt goes to the customer's payment history (not blocking). */
  private afterApproval(order: Order): void {
    const paid = order.amounts.reserved > 0 || order.status === 'reserved' || order.status === 'captured';
    if (!this.orderManagement || order.receiptSent || !paid) return;
    order.receiptSent = true;
    const url = `${this.config.publicUrl}/return?order=${encodeURIComponent(order.orderId)}`;
    this.orderManagement.sendReceipt(order.orderId, [{ id: 'item-1', name: order.description.slice(0, 100), amount: order.amount }], url).catch((err) => {
      order.receiptSent = false; // tried again at the next read
      this.log(logLine(order.orderId, err));
    });
  }

  private async pollOnce(orderId: string): Promise<PollResult> {
    const order = this.orders.get(orderId);
    if (!order) return { decided: true };
    // A callback's read may already have found the decision: nothing left to poll for.
    if (isCustomerDecided(order.status) && !this.config.faults.has('poll-after-final')) return { decided: true };
    try {
      await this.refresh(order);
      return { decided: isCustomerDecided(order.status) };
    } catch (err) {
      this.log(logLine(orderId, err));
      if (err instanceof VippsApiError && err.status === 429) return { decided: false, backoffMs: err.retryAfterMs ?? 0 };
      // 404 would mean Vipps does not know the order: stop instead of asking forever.
      return { decided: err instanceof VippsApiError && err.status === 404 };
    }
  }

  /** For the return page: one details read for an open order, bounded so the page stays quick. */
  async settle(order: Order, waitMs = 3000): Promise<Order> {
    if (this.trustsCallbacks || isCustomerDecided(order.status)) return order;
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, waitMs).unref());
    await Promise.race([this.refresh(order).catch((err) => this.log(logLine(order.orderId, err))), timeout]);
    return order;
  }

  stop(): void {
    this.poller.stopAll();
  }
}

/** What a customer may read about a failed call: Vipps's message, not our internals. */
export function customerReason(err: unknown): string {
  if (err instanceof VippsApiError) return `Vipps MobilePay said: ${err.items[0]?.errorMessage ?? `HTTP ${err.status}`}.`;
  return 'Vipps MobilePay did not answer; please try again in a moment.';
}

function sameSecret(given: string | undefined, expected: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
