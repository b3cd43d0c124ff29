import { randomUUID } from 'node:crypto';
import type { Operation, Order } from './orders.ts';
import { isRetryable, withRetries } from './retry.ts';
import type { Shop } from './shop.ts';
import { logLine, VippsApiError } from './vipps/errors.ts';

export type ActionResult = { ok: true; order: Order } | { ok: false; status: number; message: string; order: Order };

const refused = (order: Order, status: number, message: string): ActionResult => ({ ok: false, status, message, order });

/**
 * Staff actions on an order: capture (ship), refund, cancel, and "complete order" (capture
 * what shipped, release the rest). Amounts are checked against the last details read before
 * Vipps is asked; every Vipps refusal comes back as a readable message.
 */
export class BackOffice {
  constructor(
    private readonly shop: Shop,
    private readonly sleep?: (ms: number) => Promise<void>,
  ) {}

  async capture(order: Order, amount?: number): Promise<ActionResult> {
    await this.freshen(order);
    if (order.status !== 'reserved' && order.status !== 'part-captured') return refused(order, 409, `Order ${order.orderId} is ${order.status}; only a reserved order can be captured.`);
    const left = order.amounts.remainingToCapture;
    if (amount !== undefined && (amount < 1 || amount > left)) return refused(order, 400, `Cannot capture ${amount} øre: ${left} øre is still reserved.`);
    // Fault no-partial-capture: the amount is dropped, so Vipps captures everything reserved.
    const sent = this.shop.config.faults.has('no-partial-capture') ? undefined : amount;
    return this.idempotent(order, 'capture', sent, (id) => this.shop.api.capture(order.orderId, sent, `Shipped: ${order.description}`.slice(0, 100), id));
  }

  async refund(order: Order, amount?: number): Promise<ActionResult> {
    await this.freshen(order);
    const refundable = order.amounts.captured - order.amounts.refunded;
    if (refundable <= 0) return refused(order, 409, `Order ${order.orderId} is ${order.status}; nothing captured is left to refund.`);
    if (amount !== undefined && (amount < 1 || amount > refundable)) return refused(order, 400, `Cannot refund ${amount} øre: ${refundable} øre can be refunded.`);
    return this.idempotent(order, 'refund', amount, (id) => this.shop.api.refund(order.orderId, amount, `Refund: ${order.description}`.slice(0, 100), id));
  }

  /** Before approval or while reserved: cancel; after a partial capture: release the rest. */
  async cancel(order: Order): Promise<ActionResult> {
    await this.freshen(order);
    if (!['awaiting-payment', 'reserved', 'part-captured'].includes(order.status)) {
      const hint = order.amounts.captured > order.amounts.refunded ? ' Refund it instead.' : '';
      return refused(order, 409, `Order ${order.orderId} is ${order.status} and cannot be cancelled.${hint}`);
    }
    const release = order.amounts.captured > 0;
    const op = this.begin(order, 'cancel', undefined);
    const send = () => this.shop.api.cancel(order.orderId, `Cancelled: ${order.description}`.slice(0, 100), release);
    try {
      try {
        await send();
      } catch (err) {
        if (!isRetryable(err)) throw err;
        // Cancel has no X-Request-Id: look before sending it again.
        await this.shop.refresh(order).catch(() => undefined);
        if (order.status === 'cancelled' || (release && order.amounts.remainingToCapture === 0)) return this.succeed(order, op);
        await send();
      }
      return await this.succeed(order, op);
    } catch (err) {
      return this.fail(order, op, err);
    }
  }

  /** "Complete order": capture up to `shipped` øre in total (default: all), release the rest. */
  async complete(order: Order, shipped?: number): Promise<ActionResult> {
    await this.freshen(order);
    if (order.status !== 'reserved' && order.status !== 'part-captured') return refused(order, 409, `Order ${order.orderId} is ${order.status}; only a reserved order can be completed.`);
    const target = shipped ?? order.amounts.reserved;
    if (target < order.amounts.captured || target > order.amounts.reserved) return refused(order, 400, `Cannot complete with ${target} øre shipped: ${order.amounts.captured}–${order.amounts.reserved} øre is possible.`);
    const toCapture = target - order.amounts.captured;
    if (toCapture > 0) {
      const captured = await this.capture(order, toCapture === order.amounts.remainingToCapture ? undefined : toCapture);
      if (!captured.ok) return captured;
    }
    return order.amounts.remainingToCapture > 0 ? this.cancel(order) : { ok: true, order };
  }

  /**
   * Capture and refund: one X-Request-Id per operation, stored with it and sent again on each
   * retry after a lost answer or a 5xx, so Vipps performs the operation once.
   */
  private async idempotent(order: Order, kind: 'capture' | 'refund', amount: number | undefined, send: (requestId: string) => Promise<unknown>): Promise<ActionResult> {
    const op = this.begin(order, kind, amount);
    let requestId = randomUUID();
    try {
      await withRetries(
        (attempt) => {
          // Fault new-request-id-on-retry: every retry looks like a new operation to Vipps.
          if (attempt > 0 && this.shop.config.faults.has('new-request-id-on-retry')) requestId = randomUUID();
          op.requestIds.push(requestId);
          return send(requestId);
        },
        { retries: this.shop.config.retries, backoffMs: this.shop.config.retryBackoffMs, sleep: this.sleep },
      );
      return await this.succeed(order, op);
    } catch (err) {
      return this.fail(order, op, err);
    }
  }

  private begin(order: Order, kind: Operation['kind'], amount: number | undefined): Operation {
    const op: Operation = { kind, ...(amount === undefined ? {} : { amount }), requestIds: [], outcome: 'pending', at: new Date().toISOString() };
    order.operations.push(op);
    return op;
  }

  private async succeed(order: Order, op: Operation): Promise<ActionResult> {
    op.outcome = 'ok';
    order.lastError = undefined;
    await this.shop.refresh(order).catch((err) => this.shop.log(logLine(order.orderId, err)));
    return { ok: true, order };
  }

  private async fail(order: Order, op: Operation, err: unknown): Promise<ActionResult> {
    this.shop.log(logLine(order.orderId, err));
    const message = `${op.kind} failed: ${err instanceof VippsApiError ? err.message : `${(err as Error).message}; the shop re-read the payment, check its amounts before trying again`}`;
    op.outcome = 'failed';
    op.error = message;
    order.lastError = message;
    // Whatever happened at Vipps, show the staff member the payment as it now is.
    await this.shop.refresh(order).catch(() => undefined);
    return refused(order, 502, message);
  }

  /** An order still open may have been approved a moment ago: read it before acting. */
  private async freshen(order: Order): Promise<void> {
    if (order.status === 'awaiting-payment' && !this.shop.trustsCallbacks) await this.shop.refresh(order).catch(() => undefined);
  }
}
