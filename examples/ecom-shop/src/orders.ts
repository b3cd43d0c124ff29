import { randomBytes } from 'node:crypto';
import type { FaultName } from './config.ts';
import type { Amounts, ShopStatus } from './order-status.ts';
import type { LogEntry } from './vipps/ecom-api.ts';

/** A back-office action on the payment, kept with the X-Request-Id(s) it was sent with. */
export interface Operation {
  kind: 'capture' | 'refund' | 'cancel';
  /** Requested amount; undefined = all that is left. */
  amount?: number;
  /** The X-Request-Id of each attempt (the same one repeated for retries of one operation). */
  requestIds: string[];
  outcome: 'pending' | 'ok' | 'failed';
  error?: string;
  at: string;
}

export interface Order {
  orderId: string;
  amount: number;
  description: string;
  /** Random per order; Vipps sends it back as the callback's Authorization. */
  authToken: string;
  /** The checkout's session cookie; only the `session-return-page` fault looks at it. */
  sessionId: string;
  createdAt: number;
  status: ShopStatus;
  amounts: Amounts;
  redirectUrl?: string;
  /** The last error a customer or staff member was shown. */
  lastError?: string;
  /** transactionLogHistory of the last details read (customer service sees it). */
  history: LogEntry[];
  operations: Operation[];
  callbacks: number;
  /** The Order Management receipt was sent (or is on its way). */
  receiptSent: boolean;
  /** A verified callback announced an end (REJECTED, *_FAILED, CANCELLED): confirm it with Vipps. */
  endingAnnounced: boolean;
  detailsReads: number;
}

const NO_AMOUNTS: Amounts = { reserved: 0, captured: 0, refunded: 0, cancelled: 0, remainingToCapture: 0 };

/**
 * The shop's orders (in memory). An orderId is readable and new for every payment:
 * `ecomshop-20261201-k3f9-7` — prefix, date, this process's instance tag, sequence number.
 */
export class OrderBook {
  private readonly orders = new Map<string, Order>();
  private readonly instance = randomBytes(3).toString('hex').slice(0, 4);
  private sequence = 0;

  constructor(
    private readonly prefix: string,
    private readonly faults: ReadonlySet<FaultName>,
    private readonly now: () => number = Date.now,
  ) {}

  nextOrderId(): string {
    const date = new Date(this.now()).toISOString().slice(0, 10).replace(/-/g, '');
    if (this.faults.has('reuse-order-id')) return `${this.prefix}-${date}-${this.instance}-1`;
    this.sequence++;
    if (this.faults.has('digits-order-id')) return String(this.sequence).padStart(8, '0');
    return `${this.prefix}-${date}-${this.instance}-${this.sequence}`;
  }

  create(amount: number, description: string): Order {
    const order: Order = {
      orderId: this.nextOrderId(),
      amount,
      description,
      authToken: randomBytes(24).toString('base64url'),
      sessionId: randomBytes(16).toString('base64url'),
      createdAt: this.now(),
      status: 'awaiting-payment',
      amounts: { ...NO_AMOUNTS },
      history: [],
      operations: [],
      callbacks: 0,
      receiptSent: false,
      endingAnnounced: false,
      detailsReads: 0,
    };
    // A reused orderId (fault) keeps the first order; the new one only lives for its failed checkout.
    if (!this.orders.has(order.orderId)) this.orders.set(order.orderId, order);
    return order;
  }

  get(orderId: string): Order | undefined {
    return this.orders.get(orderId);
  }

  all(): Order[] {
    return [...this.orders.values()];
  }
}

/** The order as the back office's JSON shows it (no secrets: authToken and session stay inside). */
export function orderView(order: Order) {
  return {
    orderId: order.orderId,
    status: order.status,
    amount: order.amount,
    description: order.description,
    amounts: order.amounts,
    createdAt: new Date(order.createdAt).toISOString(),
    ...(order.lastError ? { lastError: order.lastError } : {}),
    history: order.history,
    operations: order.operations,
    callbacks: order.callbacks,
  };
}
