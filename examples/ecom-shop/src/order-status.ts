import type { LogEntry, PaymentDetails } from './vipps/ecom-api.ts';

/** The shop's own status words (shown to staff and customers; golive maps them in the profile). */
export const SHOP_STATUSES = ['awaiting-payment', 'reserved', 'part-captured', 'captured', 'part-refunded', 'refunded', 'cancelled', 'failed'] as const;
export type ShopStatus = (typeof SHOP_STATUSES)[number];

/** Amounts in øre, as the back office shows them. */
export interface Amounts {
  reserved: number;
  captured: number;
  refunded: number;
  /** Released without capture: a cancelled reservation, or the rest after a partial capture. */
  cancelled: number;
  remainingToCapture: number;
}

export interface PaymentView {
  status: ShopStatus;
  amounts: Amounts;
}

/** While the customer has not decided, the shop keeps polling; after it, it stops. */
export const isCustomerDecided = (status: ShopStatus): boolean => status !== 'awaiting-payment';

const sum = (entries: LogEntry[]) => entries.reduce((total, e) => total + (e.amount ?? 0), 0);

/**
 * The order's state read from GET …/details: the successful operations of
 * `transactionLogHistory`, amounts from `transactionSummary` (absent until the customer acts).
 * The callback and the fallBack redirect never decide it.
 */
export function statusFromDetails(orderAmount: number, details: PaymentDetails): PaymentView {
  const log = details.transactionLogHistory ?? [];
  const ok = log.filter((e) => e.operationSuccess);
  const has = (op: string) => ok.some((e) => e.operation === op);
  const summary = details.transactionSummary;
  const approved = has('RESERVE') || has('SALE');
  const reserved = approved ? (ok.find((e) => e.operation === 'RESERVE' || e.operation === 'SALE')?.amount ?? orderAmount) : 0;
  const captured = summary?.capturedAmount ?? (has('SALE') ? reserved : sum(ok.filter((e) => e.operation === 'CAPTURE')));
  const refunded = summary?.refundedAmount ?? sum(ok.filter((e) => e.operation === 'REFUND'));
  const released = has('VOID') || has('CANCEL');
  const remainingToCapture = released || !approved ? 0 : (summary?.remainingAmountToCapture ?? Math.max(0, reserved - captured));
  const amounts: Amounts = { reserved, captured, refunded, cancelled: released && approved ? Math.max(0, reserved - captured) : 0, remainingToCapture };
  return { status: statusWord(), amounts };

  function statusWord(): ShopStatus {
    if (refunded > 0) return refunded >= captured ? 'refunded' : 'part-refunded';
    if (released) return captured > 0 ? 'captured' : 'cancelled';
    if (captured > 0) return remainingToCapture > 0 ? 'part-captured' : 'captured';
    if (approved) return 'reserved';
    // A declined card (RESERVE with operationSuccess false) leaves the order open for another
    // try; a timeout has no log entry at all: endingFromStatus tells those ends.
    return 'awaiting-payment';
  }
}

/**
 * The ends details has no word for (the customer never acted: REJECTED; every card declined:
 * FAILED), read from GET …/status once details alone cannot settle an order.
 */
export function endingFromStatus(state: string | undefined): ShopStatus | undefined {
  if (state === 'REJECTED' || state === 'FAILED') return 'failed';
  if (state === 'CANCEL' || state === 'VOID') return 'cancelled';
  return undefined;
}

/** Callback statuses that announce an end details may not show (confirmed with GET …/status). */
export const ENDING_CALLBACK_STATUSES: readonly string[] = ['REJECTED', 'RESERVE_FAILED', 'SALE_FAILED', 'CANCELLED'];

/**
 * Only for the `callback-only` fault: what the callback body claims, taken at its word. The
 * clean shop never calls this; it reads details instead.
 */
export function statusFromCallback(callbackStatus: string | undefined): ShopStatus | undefined {
  switch (callbackStatus) {
    case 'RESERVED':
    case 'RESERVE':
      return 'reserved';
    case 'SALE':
      return 'captured';
    case 'CANCELLED':
      return 'cancelled';
    case 'REJECTED':
    case 'RESERVE_FAILED':
    case 'SALE_FAILED':
      return 'failed';
    default:
      return undefined;
  }
}
