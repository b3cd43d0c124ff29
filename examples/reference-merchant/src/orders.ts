/**
 * The shop's own orders, and how a Vipps payment maps onto them.
 *
 * Vipps has five payment *states* (CREATED, AUTHORIZED, ABORTED, EXPIRED, TERMINATED). Capture,
 * refund and cancel do not change the state — the payment stays AUTHORIZED — they move money,
 * which shows in `aggregate` (authorized / captured / refunded / cancelled amounts) and as
 * CAPTURED / REFUNDED / CANCELLED events. Our order status is derived from both. The mapping is
 * documented in the README.
 *
 * Orders live in memory: this is an example, a real shop keeps them in its database.
 */
import type { Faults } from './config.ts';
import type { FlowOptions } from './shop.ts';
import type { Aggregate, Amount, Payment, PaymentState, UserFlow } from './vipps/epayment.ts';
import { FINAL_STATES } from './vipps/epayment.ts';

export const ORDER_STATUSES = [
  'pending',
  'paid',
  'partially-captured',
  'captured',
  'partially-refunded',
  'refunded',
  'cancelled',
  'failed',
  'expired',
  'terminated',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** Where a piece of knowledge about the payment came from (shown in the order history). */
export type Source = 'checkout' | 'poll' | 'webhook' | 'return-page' | 'order-page' | 'admin';

export interface Problem {
  at: string;
  operation: string;
  /** For staff: plain words plus code and trace id. */
  message: string;
  /** For the customer: plain words only. */
  customerMessage: string;
  status?: number;
  code?: string;
  traceId?: string;
}

export interface Order {
  reference: string;
  /** The shop's order number; each payment attempt for it gets its own reference. */
  orderNumber: string;
  attempt: number;
  description: string;
  amount: Amount;
  status: OrderStatus;
  /** The payment as we last saw it (GET payment, a modification answer, or a verified webhook). */
  payment?: Payment;
  /** True while the last state we know came from a webhook and no GET has confirmed it yet. */
  unconfirmed?: boolean;
  redirectUrl?: string;
  /** Session cookie of the browser that checked out (only the `return-page-needs-session` fault looks at it). */
  sessionId?: string;
  createdAt: string;
  updatedAt: string;
  history: { at: string; status: OrderStatus; source: Source; note?: string }[];
  problems: Problem[];
  /** Result of the last staff action, shown once on the order page. */
  notice?: { kind: 'success' | 'error'; text: string };
  /** The reference of the next attempt, when the customer tried again. */
  retriedAs?: string;
  /** Webhook deliveries already handled (reference + event name + pspReference). */
  seenWebhooks: Set<string>;
  /** How the customer approves: WEB_REDIRECT (the web shop), PUSH_MESSAGE or QR (in person). */
  userFlow: UserFlow;
  /** PUSH_MESSAGE: the number the payment was pushed to (typed in, or kept from an earlier order). */
  phoneNumber?: string;
  /** In person: the customer this order belongs to (the reference of their first order), for the kept phone number. */
  customerId?: string;
  /** In person: what the create request carried beyond the web checkout's (a retry sends it again). */
  flow?: FlowOptions;
  /** Userinfo was asked for this order's profile `sub` (once). */
  userinfoRead?: boolean;
}

/** Flows in which no redirect ever reaches the shop: only polling and webhooks tell the outcome. */
export const isNoRedirectFlow = (order: Order) => order.userFlow === 'PUSH_MESSAGE' || order.userFlow === 'QR';

const v = (a: Amount | undefined) => a?.value ?? 0;

/** Vipps payment ⇒ our order status. */
export function orderStatusFor(payment: Payment, faults: Faults): OrderStatus {
  switch (payment.state) {
    case 'CREATED':
      return 'pending';
    case 'ABORTED':
      if (faults.has('ignore-aborted-expired')) return 'pending';
      return 'failed';
    case 'EXPIRED':
      if (faults.has('ignore-aborted-expired')) return 'pending';
      return 'expired';
    case 'TERMINATED':
      return 'terminated';
    case 'AUTHORIZED': {
      const { authorizedAmount, capturedAmount, refundedAmount, cancelledAmount } = payment.aggregate;
      const captured = v(capturedAmount);
      const refunded = v(refundedAmount);
      if (refunded > 0) return refunded >= captured ? 'refunded' : 'partially-refunded';
      // After a partial capture the rest may have been cancelled: then nothing is left to capture.
      if (captured > 0) return captured + v(cancelledAmount) >= v(authorizedAmount) ? 'captured' : 'partially-captured';
      if (v(cancelledAmount) > 0) return 'cancelled';
      return 'paid';
    }
    default:
      return 'pending';
  }
}

/**
 * Combine what we knew with a fresh answer. Payment states only move forward and aggregate
 * amounts only grow, so an answer that is behind what we already know (a lagging read replica,
 * a reordered webhook) must not move the order backwards.
 */
export function mergePayment(known: Payment | undefined, fresh: Payment): Payment {
  if (!known) return fresh;
  const state: PaymentState = fresh.state === 'CREATED' && FINAL_STATES.has(known.state) ? known.state : fresh.state;
  const max = (a: Amount, b: Amount | undefined): Amount => (b && b.value > a.value ? b : a);
  const aggregate: Aggregate = {
    authorizedAmount: max(fresh.aggregate.authorizedAmount, known.aggregate?.authorizedAmount),
    capturedAmount: max(fresh.aggregate.capturedAmount, known.aggregate?.capturedAmount),
    refundedAmount: max(fresh.aggregate.refundedAmount, known.aggregate?.refundedAmount),
    cancelledAmount: max(fresh.aggregate.cancelledAmount, known.aggregate?.cancelledAmount),
  };
  return { ...known, ...fresh, state, aggregate };
}

/** What is left to capture / refund, in minor units. */
export function remaining(payment: Payment | undefined) {
  if (!payment || payment.state !== 'AUTHORIZED') return { capturable: 0, refundable: 0, cancellable: payment?.state === 'CREATED' };
  const a = payment.aggregate;
  const capturable = Math.max(0, v(a.authorizedAmount) - v(a.capturedAmount) - v(a.cancelledAmount));
  return { capturable, refundable: Math.max(0, v(a.capturedAmount) - v(a.refundedAmount)), cancellable: capturable > 0 };
}

export class OrderStore {
  private readonly orders = new Map<string, Order>();

  add(order: Order): void {
    this.orders.set(order.reference, order);
  }

  get(reference: string): Order | undefined {
    return this.orders.get(reference);
  }

  /** Newest first. */
  list(): Order[] {
    return [...this.orders.values()].reverse();
  }
}

/** Human words for each status, for the customer-facing pages. */
export const STATUS_TEXT: Record<OrderStatus, { title: string; text: string }> = {
  pending: { title: 'Waiting for your payment', text: 'Please approve the payment in the Vipps or MobilePay app. This page updates by itself.' },
  paid: { title: 'Thank you — payment approved', text: 'Your payment is reserved. We charge it when we ship your order.' },
  'partially-captured': { title: 'Partly shipped', text: 'Part of your order has shipped and been charged. The rest follows.' },
  captured: { title: 'Shipped and paid', text: 'Your order has shipped and the payment has been charged.' },
  'partially-refunded': { title: 'Partly refunded', text: 'We have refunded part of your payment. It can take a few bank days to show.' },
  refunded: { title: 'Refunded', text: 'We have refunded your payment. It can take a few bank days to show.' },
  cancelled: { title: 'Order cancelled', text: 'The order was cancelled and the reserved amount released. You have not been charged.' },
  failed: { title: 'Payment cancelled', text: 'The payment was cancelled in the app, so you have not been charged. You can try again.' },
  expired: { title: 'Payment timed out', text: 'The payment was not approved in time, so you have not been charged. You can try again.' },
  terminated: { title: 'Order cancelled by the shop', text: 'We cancelled this payment before it was approved. You have not been charged.' },
};

/** Statuses after which the customer may start a new payment attempt for the same order. */
export const RETRYABLE: ReadonlySet<OrderStatus> = new Set(['failed', 'expired']);
