/**
 * The shop's business logic: checkout, keeping each order in step with its Vipps payment, and
 * the back-office actions (capture, refund, cancel). Pages and the JSON API are thin layers
 * over this.
 */
import type { Faults, MerchantConfig } from './config.ts';
import { mergePayment, orderStatusFor, remaining, type Order, type OrderStore, type Problem, type Source } from './orders.ts';
import { Pollers } from './poller.ts';
import type { ReferenceGenerator } from './references.ts';
import type { Logger } from './vipps/client.ts';
import type { CreatePaymentInput, EpaymentApi, Payment, PaymentEvent, PaymentState } from './vipps/epayment.ts';
import { customerMessage, staffMessage, VippsApiError } from './vipps/errors.ts';

/** An error the shop reports to a person (customer or staff) in plain words. */
export class ShopError extends Error {
  constructor(
    message: string,
    /** HTTP status for our own API. */
    readonly status: number,
    readonly customerText: string = message,
    readonly cause?: unknown,
  ) {
    super(message);
  }
}

/** The ePayment webhook body (Webhooks API, ePayment events). */
export interface WebhookEvent {
  msn: string;
  reference: string;
  pspReference: string;
  name: string;
  amount: { currency: string; value: number };
  timestamp: string;
  idempotencyKey?: string | null;
  success: boolean;
}

const WEBHOOK_STATES: ReadonlySet<string> = new Set<PaymentState>(['AUTHORIZED', 'ABORTED', 'EXPIRED', 'TERMINATED']);
const now = () => new Date().toISOString();
/** First words of the staff notice when Vipps refused a change: that it did not happen. */
const NOT_DONE: Record<string, string> = {
  capturePayment: 'The capture did not go through:',
  refundPayment: 'The refund did not go through:',
  cancelPayment: 'The cancellation did not go through:',
};

/** What an in-person payment changes in the create request (the web checkout sends none of it). */
export type FlowOptions = Pick<CreatePaymentInput, 'userFlow' | 'customer' | 'profile' | 'customerInteraction' | 'qrFormat' | 'receipt'>;

export class Shop {
  readonly pollers: Pollers;
  /** Called whenever what we know of an order's payment changed (the in-person mode reads Userinfo). */
  private readonly updateListeners: ((order: Order) => void)[] = [];

  constructor(
    private readonly config: MerchantConfig,
    private readonly faults: Faults,
    private readonly epayment: EpaymentApi,
    readonly orders: OrderStore,
    private readonly references: ReferenceGenerator,
    private readonly publicUrl: () => string,
    private readonly log: Logger,
  ) {
    this.pollers = new Pollers(config, faults, (order) => this.refresh(order, 'poll').then(() => undefined), log);
  }

  returnUrl(reference: string): string {
    return `${this.publicUrl()}/return?reference=${encodeURIComponent(reference)}`;
  }

  orderUrl(reference: string): string {
    return `${this.publicUrl()}/orders/${encodeURIComponent(reference)}`;
  }

  /** Start a payment for a new order (or a new attempt for an existing order number). */
  async checkout(input: {
    amount: number;
    description: string;
    sessionId?: string;
    orderNumber?: string;
    attempt?: number;
    flow?: FlowOptions;
    customerId?: string;
  }): Promise<Order> {
    if (!Number.isInteger(input.amount) || input.amount <= 0 || input.amount > 65_000_000)
      throw new ShopError('The amount must be a whole number of øre between 1 and 65 000 000.', 400, 'Please enter a valid amount.');
    const description = input.description.trim() || 'Coffee order';
    const orderNumber = input.orderNumber ?? this.references.orderNumber();
    const attempt = input.attempt ?? 1;
    const reference = this.references.reference(orderNumber, attempt);
    const amount = { currency: this.config.currency, value: input.amount };
    const order: Order = {
      reference,
      orderNumber,
      attempt,
      description,
      amount,
      status: 'pending',
      sessionId: input.sessionId,
      createdAt: now(),
      updatedAt: now(),
      history: [],
      problems: [],
      seenWebhooks: new Set(),
      userFlow: input.flow?.userFlow ?? 'WEB_REDIRECT',
      phoneNumber: input.flow?.customer?.phoneNumber,
      customerId: input.customerId,
      flow: input.flow,
    };
    this.orders.add(order);
    this.setStatus(order, 'pending', 'checkout', 'payment requested');

    // Tax: coffee is food in Norway (15 % VAT); amounts in øre, as everywhere in the API.
    const excl = Math.round(amount.value / 1.15);
    const { receipt, ...flow } = input.flow ?? {};
    try {
      const created = await this.epayment.create({
        reference,
        amount,
        // Only the web checkout comes back: a push or a QR payment has no return page.
        returnUrl: order.userFlow === 'WEB_REDIRECT' ? this.returnUrl(reference) : undefined,
        paymentDescription: `${this.config.shopName}: ${description}`.slice(0, 100),
        ...flow,
        receipt: receipt ?? {
          orderLines: [
            {
              name: description.slice(0, 100),
              id: `${orderNumber}-1`,
              totalAmount: amount.value,
              totalAmountExcludingTax: excl,
              totalTaxAmount: amount.value - excl,
              taxRate: 1500,
              unitInfo: { unitPrice: amount.value, quantity: '1', quantityUnit: 'PCS' },
            },
          ],
          bottomLine: { currency: amount.currency, receiptNumber: orderNumber },
        },
      });
      order.redirectUrl = created.redirectUrl;
    } catch (err) {
      this.recordProblem(order, 'createPayment', err);
      this.setStatus(order, 'failed', 'checkout', 'Vipps MobilePay did not accept the payment');
      throw new ShopError(staffMessage(err), err instanceof VippsApiError && err.status && err.status < 500 ? 422 : 502, customerMessage(err), err);
    }
    // Poll in the server: the order gets its true state even if the customer never comes back
    // and no webhook arrives.
    this.pollers.start(order);
    return order;
  }

  /** A new payment attempt (new reference, same order number) after a failed or expired one. */
  async retry(order: Order, sessionId?: string): Promise<Order> {
    if (order.retriedAs) {
      const next = this.orders.get(order.retriedAs);
      if (next) return next;
    }
    const next = await this.checkout({
      amount: order.amount.value,
      description: order.description,
      sessionId,
      orderNumber: order.orderNumber,
      attempt: order.attempt + 1,
      // In person, the new attempt goes the same way (the push to the same phone, a new QR).
      flow: order.flow,
      customerId: order.customerId,
    });
    order.retriedAs = next.reference;
    return next;
  }

  /**
   * Read the payment from Vipps and update the order. Never throws: a failure is recorded on the
   * order (and logged by the client); callers that must report it check the return value.
   */
  async refresh(order: Order, source: Source): Promise<VippsApiError | undefined> {
    try {
      const payment = await this.epayment.get(order.reference);
      this.apply(order, payment, source);
      // A webhook's news counts as confirmed once a read shows a final state too.
      if (payment.state !== 'CREATED') order.unconfirmed = false;
      return undefined;
    } catch (err) {
      // The poller retries on its own schedule; one failed read is not worth bothering the customer with.
      if (source !== 'poll') this.recordProblem(order, 'getPayment', err);
      return err instanceof VippsApiError ? err : new VippsApiError({ kind: 'network', operation: 'getPayment', detail: String(err) });
    }
  }

  /** The payment's full event history from Vipps (what support staff look at). */
  async events(order: Order): Promise<PaymentEvent[]> {
    if (this.faults.has('no-event-log')) return [];
    try {
      return await this.epayment.events(order.reference);
    } catch (err) {
      this.recordProblem(order, 'getPaymentEventLog', err);
      throw new ShopError(staffMessage(err), 502, customerMessage(err), err);
    }
  }

  /** Ship (part of) the order: capture the given amount, or everything still reserved. */
  async capture(order: Order, amount?: number): Promise<Order> {
    this.validateAmount(amount);
    if (amount === undefined) await this.ensureKnown(order);
    let value = amount ?? remaining(order.payment).capturable;
    // The fault: "everything that is left" gets a 100 øre fee on top — more than is authorized.
    if (this.faults.has('capture-more-than-authorized') && amount === undefined) value += 100;
    if (value <= 0) throw this.nothingLeft(order, 'There is nothing left to capture on this order.');
    return this.modify(order, 'capturePayment', `Captured ${formatMoney(value, order.amount.currency)}`, () =>
      this.epayment.capture(order.reference, { currency: order.amount.currency, value }),
    );
  }

  /** Refund the given amount, or everything captured and not yet refunded. */
  async refund(order: Order, amount?: number): Promise<Order> {
    if (this.faults.has('no-refund')) throw new ShopError('Refunds are not available in this shop.', 501);
    this.validateAmount(amount);
    if (amount === undefined) await this.ensureKnown(order);
    const value = amount ?? remaining(order.payment).refundable;
    if (value <= 0) throw this.nothingLeft(order, 'There is nothing left to refund on this order.');
    return this.modify(order, 'refundPayment', `Refunded ${formatMoney(value, order.amount.currency)}`, () =>
      this.epayment.refund(order.reference, { currency: order.amount.currency, value }),
    );
  }

  /** Cancel: before approval this ends the payment; after, it releases what is not captured. */
  async cancel(order: Order): Promise<Order> {
    return this.modify(order, 'cancelPayment', 'Cancelled', () => this.epayment.cancel(order.reference));
  }

  /** "Everything that is left" must be computed from the payment's real state. */
  private async ensureKnown(order: Order): Promise<void> {
    if (order.payment?.state !== 'AUTHORIZED') await this.refresh(order, 'admin');
  }

  private nothingLeft(order: Order, text: string): ShopError {
    order.notice = { kind: 'error', text };
    return new ShopError(text, 422);
  }

  private validateAmount(amount: number | undefined): void {
    if (amount !== undefined && (!Number.isInteger(amount) || amount <= 0))
      throw new ShopError('The amount must be a positive whole number of øre.', 400);
  }

  private async modify(order: Order, operation: string, done: string, call: () => Promise<{ payment: Payment }>): Promise<Order> {
    try {
      const { payment } = await call();
      // The answer carries the new aggregate: no need for an extra GET.
      this.apply(order, payment, 'admin', done);
      order.notice = { kind: 'success', text: `${done}.` };
      return order;
    } catch (err) {
      if (this.faults.has('capture-more-than-authorized') && operation === 'capturePayment') return order;
      if (this.faults.has('swallow-errors')) {
        order.notice = { kind: 'success', text: `${done}.` };
        return order;
      }
      const problem = this.recordProblem(order, operation, err);
      // Say first that nothing happened, then why (staff must not wonder whether it shipped).
      order.notice = { kind: 'error', text: `${NOT_DONE[operation] ?? 'That did not go through:'} ${problem.message}` };
      const status = err instanceof VippsApiError && err.status && err.status < 500 && err.status !== 429 ? 422 : 502;
      throw new ShopError(problem.message, status, problem.customerMessage, err);
    }
  }

  /**
   * A webhook is a signal, not the truth: re-read the payment and update from that. If the read
   * fails or lags behind (still CREATED although a verified webhook says the customer acted), the
   * verified event moves the order on, marked unconfirmed, and polling carries on until a GET agrees.
   */
  async onWebhook(event: WebhookEvent): Promise<void> {
    const order = this.orders.get(event.reference);
    if (!order) {
      // Another system on the same sales unit, or an order from before a restart.
      this.log.info({ reference: event.reference, name: event.name }, 'webhook for an unknown order: ignored');
      return;
    }
    const key = `${event.name}:${event.pspReference}`;
    if (order.seenWebhooks.has(key)) return; // duplicate delivery: already handled
    order.seenWebhooks.add(key);
    if (event.success !== true) {
      // A failed operation: nothing happened to the money. Note it, change nothing.
      this.note(order, 'webhook', `Vipps reported a failed ${event.name}`);
      return;
    }
    const failure = await this.refresh(order, 'webhook');
    if (WEBHOOK_STATES.has(event.name) && (failure || order.payment?.state === 'CREATED')) {
      const state = event.name as PaymentState;
      const base: Payment = order.payment ?? {
        reference: order.reference,
        state: 'CREATED',
        amount: order.amount,
        pspReference: event.pspReference,
        aggregate: { authorizedAmount: zero(order), capturedAmount: zero(order), refundedAmount: zero(order), cancelledAmount: zero(order) },
      };
      const aggregate = { ...base.aggregate };
      if (state === 'AUTHORIZED') aggregate.authorizedAmount = event.amount;
      if (state === 'TERMINATED') aggregate.cancelledAmount = event.amount;
      this.apply(order, { ...base, state, aggregate }, 'webhook', 'not yet confirmed by GET payment');
      order.unconfirmed = true;
    }
  }

  onUpdate(listener: (order: Order) => void): void {
    this.updateListeners.push(listener);
  }

  private apply(order: Order, payment: Payment, source: Source, note?: string): void {
    order.payment = mergePayment(order.payment, payment);
    const status = orderStatusFor(order.payment, this.faults);
    if (status !== order.status) this.setStatus(order, status, source, note);
    else order.updatedAt = now();
    for (const listener of this.updateListeners) listener(order);
  }


  private setStatus(order: Order, status: Order['status'], source: Source, note?: string): void {
    order.status = status;
    order.updatedAt = now();
    order.history.push({ at: order.updatedAt, status, source, note });
  }

  /** A history line without a status change (also the in-person mode's Userinfo reads). */
  note(order: Order, source: Source, note: string): void {
    order.history.push({ at: now(), status: order.status, source, note });
  }

  /** A problem shown on the order page (also the in-person mode's Userinfo failures). */
  recordProblem(order: Order, operation: string, err: unknown): Problem {
    const e = err instanceof VippsApiError ? err : undefined;
    const problem: Problem = {
      at: now(),
      operation,
      message: staffMessage(err),
      customerMessage: customerMessage(err),
      status: e?.status,
      code: e?.code,
      traceId: e?.traceId,
    };
    order.problems.push(problem);
    if (!e) this.log.error({ reference: order.reference, operation, err: String(err) }, 'unexpected error');
    return problem;
  }
}

const zero = (order: Order) => ({ currency: order.amount.currency, value: 0 });

export function formatMoney(minor: number, currency: string): string {
  const major = (minor / 100).toLocaleString('nb-NO', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  return currency === 'NOK' ? `kr ${major}` : `${major} ${currency}`;
}
