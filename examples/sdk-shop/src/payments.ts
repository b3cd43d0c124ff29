import type { CreatePaymentRequest, GetPaymentResponse } from '@vippsmobilepay/sdk';
import type { ShopConfig } from './config.ts';
import { NO_AMOUNTS, type Amounts, type Order, type OrderBook, type PaymentState } from './orders.ts';
import type { ApiResult, VippsApi } from './vipps-api.ts';

type Aggregate = GetPaymentResponse['aggregate'];
type PaymentView = { state: PaymentState; aggregate: Aggregate };

/** A result the HTTP layer turns into a JSON answer: 4xx/5xx carry a readable error. */
export type Outcome = { ok: true; order: Order } | { ok: false; httpStatus: number; error: string };

const fail = (httpStatus: number, error: string): Outcome => ({ ok: false, httpStatus, error });

/** Payment operations of the shop: create, read back, and the back office's modifications. */
export class Payments {
  private readonly currency: 'NOK' | 'DKK' | 'EUR';
  private readonly reads = new Map<string, Promise<ApiResult<GetPaymentResponse>>>();

  constructor(
    private readonly config: ShopConfig,
    private readonly api: VippsApi,
    readonly orders: OrderBook,
  ) {
    this.currency = (process.env.VIPPS_CURRENCY as 'NOK' | 'DKK' | 'EUR' | undefined) ?? 'NOK';
  }

  async create(amount: number, description: string): Promise<Outcome> {
    const order = this.orders.create(amount, description);
    const res = await this.api.call((token) => this.api.sdk.payment.create(token, this.createBody(order)), { retryLost: true });
    if (res.ok) {
      order.redirectUrl = res.data.redirectUrl;
      return { ok: true, order };
    }
    if (this.config.faults.has('fake-success-on-create-error')) {
      // The fault: pretend the payment went through and send the customer to a thank-you page.
      order.state = 'AUTHORIZED';
      order.amounts = { ...NO_AMOUNTS, authorized: amount };
      order.redirectUrl = this.returnUrl(order);
      return { ok: true, order };
    }
    this.orders.remove(order);
    return fail(502, `payment could not be created: ${res.message}`);
  }

  private createBody(order: Order): CreatePaymentRequest {
    const value = order.amount;
    const excludingTax = Math.round(value / 1.25);
    return {
      amount: { currency: this.currency, value },
      paymentMethod: { type: 'WALLET' },
      reference: order.reference,
      userFlow: 'WEB_REDIRECT',
      returnUrl: this.returnUrl(order),
      paymentDescription: order.description.slice(0, 100).padEnd(3, '.'),
      // Order lines for the payment history in the app (Order Management through the create call).
      receipt: {
        orderLines: [
          { name: order.description.slice(0, 100) || 'Order', id: `${order.orderId}-1`, totalAmount: value, totalAmountExcludingTax: excludingTax, totalTaxAmount: value - excludingTax, taxRate: 2500 },
        ],
        bottomLine: { currency: this.currency, receiptNumber: order.orderId },
      },
    };
  }

  returnUrl(order: Order): string {
    return `${this.config.publicUrl}/return?ref=${encodeURIComponent(order.reference)}`;
  }

  /** GET the payment and book what it says. Concurrent reads of one order share one request. */
  async refresh(order: Order): Promise<ApiResult<GetPaymentResponse>> {
    let read = this.reads.get(order.reference);
    if (!read) {
      read = this.api.call((token) => this.api.sdk.payment.info(token, order.reference)).finally(() => this.reads.delete(order.reference));
      this.reads.set(order.reference, read);
    }
    const res = await read;
    if (res.ok) this.book(order, res.data);
    return res;
  }

  /** Book a payment view (GET, or the answer to a modification). */
  book(order: Order, payment: PaymentView): void {
    const ignored = payment.state === 'ABORTED' || payment.state === 'EXPIRED';
    if (ignored && this.config.faults.has('ignore-aborted-expired')) return;
    order.state = payment.state;
    order.amounts = amountsOf(payment.aggregate);
  }

  async capture(order: Order, requested?: number): Promise<Outcome> {
    if (order.state !== 'AUTHORIZED') return fail(409, `order ${order.orderId} is not reserved, nothing to capture`);
    const open = remaining(order.amounts);
    let amount = requested ?? open;
    if (this.config.faults.has('capture-over-authorized')) amount += 100; // the fault: a "handling fee" nobody authorized
    else if (!validAmount(amount) || amount > open) return fail(400, `capture amount must be a whole number from 1 to ${open} øre`);
    const body = { modificationAmount: { currency: this.currency, value: amount } };
    const res = await this.api.call((token) => this.api.sdk.payment.capture(token, order.reference, body), { retryLost: true });
    return this.afterModification(order, res, 'capture');
  }

  async refund(order: Order, requested?: number): Promise<Outcome> {
    const refundable = order.amounts.captured - order.amounts.refunded;
    const amount = requested ?? refundable;
    if (!validAmount(amount) || amount > refundable) return fail(400, `refund amount must be a whole number from 1 to ${refundable} øre`);
    const body = { modificationAmount: { currency: this.currency, value: amount } };
    const res = await this.api.call((token) => this.api.sdk.payment.refund(token, order.reference, body), { retryLost: true });
    return this.afterModification(order, res, 'refund');
  }

  async cancel(order: Order): Promise<Outcome> {
    if (order.state !== 'CREATED' && order.state !== 'AUTHORIZED') return fail(409, `order ${order.orderId} is already closed`);
    if (order.state === 'AUTHORIZED' && remaining(order.amounts) === 0) return fail(409, `order ${order.orderId} has nothing left to cancel`);
    const res = await this.api.call((token) => this.api.sdk.payment.cancel(token, order.reference), { retryLost: true });
    return this.afterModification(order, res, 'cancel');
  }

  /**
   * "Complete order": capture what was shipped (default: everything) beyond what is already
   * captured, then release the reservation that will never be captured.
   */
  async complete(order: Order, shipped = order.amounts.authorized): Promise<Outcome> {
    if (order.state !== 'AUTHORIZED') return fail(409, `order ${order.orderId} is not reserved, nothing to complete`);
    if (!Number.isInteger(shipped) || shipped < 0 || shipped > order.amounts.authorized) return fail(400, `shipped amount must be a whole number from 0 to ${order.amounts.authorized} øre`);
    const toCapture = shipped - order.amounts.captured;
    if (toCapture > 0) {
      const captured = await this.capture(order, toCapture);
      if (!captured.ok) return captured;
    }
    if (remaining(order.amounts) > 0 && !this.config.faults.has('never-release-remainder')) return this.cancel(order);
    return { ok: true, order };
  }

  private afterModification(order: Order, res: ApiResult<PaymentView>, what: string): Outcome {
    if (res.ok) {
      this.book(order, res.data);
      order.lastError = undefined;
      return { ok: true, order };
    }
    order.lastError = `${what} was not done: ${res.message}`;
    return fail(502, `${what} failed: Vipps MobilePay answered ${res.status ?? 'nothing'}: ${res.message}`);
  }
}

export function amountsOf(aggregate: Aggregate): Amounts {
  return {
    authorized: aggregate.authorizedAmount.value,
    captured: aggregate.capturedAmount.value,
    refunded: aggregate.refundedAmount.value,
    cancelled: aggregate.cancelledAmount.value,
  };
}

/** Reserved and neither captured nor released. */
export const remaining = (a: Amounts) => Math.max(0, a.authorized - a.captured - a.cancelled);
const validAmount = (v: number) => Number.isInteger(v) && v > 0;
