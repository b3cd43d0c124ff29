/**
 * Orders and the shop's own status words. One word may cover several Vipps states on purpose
 * (that is how real shops talk): `failed` is ABORTED or EXPIRED, `cancelled` is TERMINATED or
 * a cancelled reservation, `refunded` is any refund, partial or whole.
 */
export type PaymentState = 'CREATED' | 'AUTHORIZED' | 'ABORTED' | 'EXPIRED' | 'TERMINATED';
export const FINAL_STATES: readonly PaymentState[] = ['AUTHORIZED', 'ABORTED', 'EXPIRED', 'TERMINATED'];

export type OrderStatus = 'awaiting-payment' | 'reserved' | 'part-shipped' | 'completed' | 'refunded' | 'failed' | 'cancelled';

export interface Amounts {
  authorized: number;
  captured: number;
  refunded: number;
  cancelled: number;
}

export interface Order {
  orderId: string;
  reference: string;
  amount: number;
  description: string;
  createdAt: number;
  redirectUrl?: string;
  /** Vipps' payment state as last read with GET (or, with a fault, from a webhook name). */
  state: PaymentState;
  amounts: Amounts;
  /** The last error a back-office action met, shown to staff. */
  lastError?: string;
}

export const NO_AMOUNTS: Amounts = { authorized: 0, captured: 0, refunded: 0, cancelled: 0 };

export function orderStatus(order: Pick<Order, 'state' | 'amounts'>): OrderStatus {
  const { state, amounts: a } = order;
  if (state === 'CREATED') return 'awaiting-payment';
  if (state === 'ABORTED' || state === 'EXPIRED') return 'failed';
  if (state === 'TERMINATED') return 'cancelled';
  if (a.refunded > 0) return 'refunded';
  if (a.captured === 0) return a.cancelled > 0 ? 'cancelled' : 'reserved';
  const open = a.authorized - a.captured - a.cancelled;
  return open > 0 ? 'part-shipped' : 'completed';
}

/** What the customer reads on the return page, in plain words. */
export function customerMessage(status: OrderStatus): string {
  switch (status) {
    case 'awaiting-payment':
      return 'We are waiting for your payment in Vipps MobilePay. This page updates by itself.';
    case 'reserved':
      return 'Thank you! Your payment is reserved. We charge it when your order ships.';
    case 'part-shipped':
      return 'Thank you! Part of your order has shipped and been charged.';
    case 'completed':
      return 'Thank you! Your order has shipped and the payment is complete.';
    case 'refunded':
      return 'Your order has been refunded (in part or in full).';
    case 'failed':
      return 'The payment was not completed (cancelled in the app or timed out). Nothing was charged; you can try again.';
    case 'cancelled':
      return 'The order was cancelled. Nothing was charged.';
  }
}

/** The shop's in-memory order book (a real shop would use a database). */
export class OrderBook {
  private readonly byReference = new Map<string, Order>();
  private readonly byOrderId = new Map<string, Order>();
  private sequence = 0;
  /** Distinguishes this process's orders from another instance's on the same sales unit. */
  private readonly instance = Date.now().toString(36).slice(-6);

  constructor(private readonly referencePrefix: string) {}

  create(amount: number, description: string): Order {
    const orderId = `${this.instance}-${String(++this.sequence).padStart(4, '0')}`;
    const order: Order = {
      orderId,
      reference: `${this.referencePrefix}-${orderId}`,
      amount,
      description,
      createdAt: Date.now(),
      state: 'CREATED',
      amounts: { ...NO_AMOUNTS },
    };
    this.byReference.set(order.reference, order);
    this.byOrderId.set(orderId, order);
    return order;
  }

  /** By reference or order id. */
  find(id: string): Order | undefined {
    return this.byReference.get(id) ?? this.byOrderId.get(id);
  }

  remove(order: Order): void {
    this.byReference.delete(order.reference);
    this.byOrderId.delete(order.orderId);
  }

  view(order: Order) {
    return {
      orderId: order.orderId,
      reference: order.reference,
      status: orderStatus(order),
      amount: order.amount,
      amounts: { ...order.amounts },
      ...(order.lastError ? { lastError: order.lastError } : {}),
    };
  }
}
