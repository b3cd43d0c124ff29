import { expressDetailsFields } from './express.ts';
import type { Order } from './types.ts';

/** Response bodies of ecom-v2.yaml, and the control record, built from an order. */

const iso = (ms: number) => new Date(ms).toISOString();

/** TransactionSummary: absent until the customer acted (approved, declined or cancelled). */
export function transactionSummary(o: Order) {
  if (!o.customerActed) return undefined;
  return {
    capturedAmount: o.captured,
    refundedAmount: o.refunded,
    remainingAmountToCapture: Math.max(0, o.reserved - o.captured - o.cancelled),
    remainingAmountToRefund: o.captured - o.refunded,
  };
}

/** transactionLogHistory, newest first. */
export function transactionLogHistory(o: Order) {
  return o.log
    .map((e) => ({
      amount: e.amount,
      operation: e.operation,
      operationSuccess: e.operationSuccess,
      transactionText: e.transactionText,
      ...(e.requestId !== undefined ? { requestId: e.requestId } : {}),
      timeStamp: iso(e.at),
      transactionId: o.transactionId,
    }))
    .reverse();
}

/** The order as it was when initiated: what a `stale-read` fault answers. */
export function asInitiated(o: Order): Order {
  return { ...o, state: 'INITIATE', log: o.log.slice(0, 1), customerActed: false, reserved: 0, captured: 0, refunded: 0, cancelled: 0, sub: undefined, approvedPhoneNumber: undefined, shipping: undefined };
}

export function detailsView(o: Order) {
  const summary = transactionSummary(o);
  return {
    orderId: o.orderId,
    ...(summary ? { transactionSummary: summary } : {}),
    transactionLogHistory: transactionLogHistory(o),
    ...expressDetailsFields(o),
    ...(o.sub && o.scope ? { sub: o.sub } : {}),
  };
}

/** Deprecated status endpoint: the state and when it was reached. */
export function statusView(o: Order) {
  return { orderId: o.orderId, transactionInfo: { amount: o.amount, status: o.state, timeStamp: iso(o.changedAt), transactionId: o.transactionId } };
}

function transactionInfo(o: Order, amount: number, status: 'Captured' | 'Refund' | 'Cancelled', transactionText: string) {
  return { amount, status, timeStamp: iso(o.changedAt), transactionId: o.transactionId, transactionText };
}

const summaryOrZero = (o: Order) => transactionSummary(o) ?? { capturedAmount: 0, refundedAmount: 0, remainingAmountToCapture: 0, remainingAmountToRefund: 0 };

export const captureView = (o: Order, amount: number, text: string) => ({ orderId: o.orderId, transactionInfo: transactionInfo(o, amount, 'Captured', text), transactionSummary: summaryOrZero(o) });
/** The refund answer says `transaction`, not `transactionInfo` (§6.4). */
export const refundView = (o: Order, amount: number, text: string) => ({ orderId: o.orderId, transaction: transactionInfo(o, amount, 'Refund', text), transactionSummary: summaryOrZero(o) });
export const cancelView = (o: Order, text: string) => ({ orderId: o.orderId, transactionInfo: transactionInfo(o, o.amount, 'Cancelled', text), transactionSummary: summaryOrZero(o) });

const nok = (value: number) => ({ value, currency: 'NOK' as const });

/**
 * The control API's record of an order: the ePayment record's common shape (reference, msn,
 * state, amount, aggregate) so golive's step driver reads both alike, plus what details shows.
 */
export function controlRecord(o: Order) {
  return {
    api: 'ecom-v2' as const,
    reference: o.orderId,
    orderId: o.orderId,
    msn: o.msn,
    state: o.state,
    amount: nok(o.amount),
    aggregate: {
      authorizedAmount: nok(o.reserved),
      capturedAmount: nok(o.captured),
      refundedAmount: nok(o.refunded),
      cancelledAmount: nok(o.cancelled),
    },
    transactionText: o.transactionText,
    transactionId: o.transactionId,
    transactionSummary: transactionSummary(o),
    transactionLogHistory: transactionLogHistory(o),
    merchantInfo: { ...o.merchantInfo },
    customerInfo: o.mobileNumber !== undefined ? { mobileNumber: o.mobileNumber } : {},
    skipLandingPage: o.skipLandingPage,
    scope: o.scope,
    useExplicitCheckoutFlow: o.useExplicitCheckoutFlow,
    url: o.url,
    cancelledBy: o.cancelledBy,
    approvedPhoneNumber: o.approvedPhoneNumber,
    sub: o.sub,
    failedAttempts: o.failedAttempts.map((a) => ({ ...a })),
    shipping: o.shipping,
    createdAt: o.createdAt,
    expiresAt: o.expiresAt,
    reservedAt: o.reservedAt,
  };
}
