import type { Amount, Payment, PaymentEventRecord } from './types.ts';

/**
 * The spec's response shapes (epayment-v1.yaml), built from the sandbox's `Payment`.
 * Property order follows the spec's listing, as the real API's JSON does.
 */

const amount = (currency: string, value: number): Amount => ({ currency, value });

/** `GetPaymentResponse`. With `asCreated`, the payment as it was right after create (stale-read fault). */
export function paymentView(p: Payment, asCreated = false): Record<string, unknown> {
  const state = asCreated ? 'CREATED' : p.state;
  const c = p.amount.currency;
  const view: Record<string, unknown> = {
    aggregate: asCreated
      ? { authorizedAmount: amount(c, 0), cancelledAmount: amount(c, 0), capturedAmount: amount(c, 0), refundedAmount: amount(c, 0) }
      : p.aggregate,
    amount: p.amount,
    state,
    paymentMethod: { type: p.paymentMethodType },
    profile: !asCreated && p.sub !== undefined ? { sub: p.sub } : {},
    pspReference: p.pspReference,
  };
  if (state === 'CREATED' && p.redirectUrl !== undefined) view.redirectUrl = p.redirectUrl;
  view.reference = p.reference;
  if (p.metadata !== undefined) view.metadata = p.metadata;
  return view;
}

/** `CreatePaymentResponse` as text: from fields fixed at create, so the same text every time. */
export function createdText(p: Payment): string {
  return JSON.stringify(p.redirectUrl !== undefined ? { redirectUrl: p.redirectUrl, reference: p.reference } : { reference: p.reference });
}

/** `ModificationResponse` (capture, refund, cancel). */
export function modificationView(p: Payment): Record<string, unknown> {
  return { amount: p.amount, state: p.state, aggregate: p.aggregate, pspReference: p.pspReference, reference: p.reference };
}

/** `PaymentEvent[]` for the event log. */
export function eventsView(p: Payment): PaymentEventRecord[] {
  return p.events;
}

/** `WebhookEvent` (§3.3) for an event of a payment. */
export function webhookPayload(msn: string, e: PaymentEventRecord): Record<string, unknown> {
  return {
    msn,
    reference: e.reference,
    pspReference: e.pspReference,
    name: e.name,
    amount: { currency: e.amount.currency, value: e.amount.value },
    timestamp: e.timestamp,
    idempotencyKey: e.idempotencyKey,
    success: e.success,
  };
}
