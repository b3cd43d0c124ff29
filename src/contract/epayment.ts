/**
 * ePayment API v1 vocabulary, declared once (order as in shared/reference/openapi/epayment-v1.yaml
 * unless noted): the sandbox speaks it, suites write it, checks read it, reports show it.
 */

/** `State` of a payment. CREATED is the only non-final state. */
export const PAYMENT_STATES = ['CREATED', 'AUTHORIZED', 'ABORTED', 'EXPIRED', 'TERMINATED'] as const;
export type PaymentState = (typeof PAYMENT_STATES)[number];
export const FINAL_PAYMENT_STATES = ['AUTHORIZED', 'ABORTED', 'EXPIRED', 'TERMINATED'] as const satisfies readonly PaymentState[];
/**
 * States after which nothing about the payment can change any more. AUTHORIZED is final for the
 * customer's decision but not for the payment: captures, refunds and a cancel still follow (it
 * ends once the aggregate is settled — see `isSettled`).
 */
export const ENDED_PAYMENT_STATES = ['ABORTED', 'EXPIRED', 'TERMINATED'] as const satisfies readonly PaymentState[];

/** An AUTHORIZED payment's aggregate with nothing left to capture, cancel or refund. */
export function isSettled(a: { authorized: number; captured: number; refunded: number; cancelled: number }): boolean {
  return a.authorized > 0 && a.captured + a.cancelled >= a.authorized && a.refunded >= a.captured;
}

/** `PaymentEventName`: the event log's and the webhooks' names. */
export const PAYMENT_EVENT_NAMES = ['CREATED', 'ABORTED', 'EXPIRED', 'CANCELLED', 'CAPTURED', 'REFUNDED', 'AUTHORIZED', 'TERMINATED'] as const;
export type PaymentEventName = (typeof PAYMENT_EVENT_NAMES)[number];

/** Webhook event type of an event: `AUTHORIZED` ⇒ `epayments.payment.authorized.v1`. */
export function epaymentEventType(name: string): string {
  return `epayments.payment.${name.toLowerCase()}.v1`;
}
export const EPAYMENT_EVENT_TYPES: readonly string[] = PAYMENT_EVENT_NAMES.map(epaymentEventType);

/** `userFlow` of a create request. */
export const USER_FLOWS = ['PUSH_MESSAGE', 'NATIVE_REDIRECT', 'WEB_REDIRECT', 'QR'] as const;
export type UserFlow = (typeof USER_FLOWS)[number];

/** Keys of a payment's `aggregate`, in the order reports list them. */
export const AGGREGATE_KEYS = ['authorizedAmount', 'capturedAmount', 'refundedAmount', 'cancelledAmount'] as const;
export type AggregateKey = (typeof AGGREGATE_KEYS)[number];

/** What a go-live test order must end in (the checklist's "test IDs with the following states"). */
export const GO_LIVE_ENDINGS = ['AUTHORIZED', 'CAPTURED', 'REFUNDED', 'CANCELLED'] as const;
export type GoLiveEnding = (typeof GO_LIVE_ENDINGS)[number];
