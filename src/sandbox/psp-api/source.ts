import type { CardCallbackForgery, CardCallbackSummary, CardCallbackOutcome } from '../../contract/card-passthrough.ts';
import type { ForgedCardCallback } from '../shared/card-customer.ts';
import { PSP_API_NAME, PSP_PAYMENT_STATES, type MakePaymentOutcome, type PspApiVersion, type PspPaymentState } from '../../contract/psp-api.ts';
import { CardCallbackDeclinedError } from '../shared/card-customer.ts';
import type { CustomerPayment, CustomerState, PaymentSource } from '../shared/directory.ts';
import { maskedNumber } from './card-data.ts';
import type { PspMachine } from './machine.ts';
import type { MakePaymentAttempt, PspPayment } from './types.ts';
import { controlRecord } from './views.ts';

/**
 * PSP API payments as the customer-facing plugins read them. The makePayment call is the PSP
 * API's card callback, so the landing page and the control API treat it as card passthrough's
 * (src/sandbox/shared/card-customer.ts): `cardCallback` says how the answer read (OK ⇒
 * `reserved`, FAIL ⇒ `declined`, SOFT_DECLINE ⇒ `soft-decline` with url3dSecure as
 * `softDeclineUrl`, no answer ⇒ `timeout`…), `card.blocked` what keeps the customer waiting,
 * and the PSP's return to operations[].url is the landing page's soft-decline completion.
 */

const CUSTOMER_STATE: Record<PspPaymentState, CustomerState> = {
  INITIATED: 'awaiting-customer',
  RESERVED: 'approved',
  CAPTURED: 'approved',
  REFUNDED: 'approved',
  CANCELLED: 'cancelled',
  EXPIRED: 'expired',
  FAILED: 'rejected',
};

const OUTCOME: Record<MakePaymentOutcome, CardCallbackOutcome> = {
  ok: 'reserved',
  fail: 'declined',
  'soft-decline': 'soft-decline',
  timeout: 'timeout',
  'server-error': 'server-error',
  invalid: 'invalid',
};

export function customerView(p: PspPayment): CustomerPayment {
  return {
    api: PSP_API_NAME[p.version],
    msn: p.msn,
    reference: p.pspTransactionId,
    amount: { currency: 'NOK', value: p.amount },
    state: p.state === 'CANCELLED' && p.cancelledBy === 'customer' ? 'rejected' : CUSTOMER_STATE[p.state],
    apiState: p.state,
    description: p.paymentText,
    returnUrl: p.pspRedirectUrl,
    landingToken: p.landingToken,
    expiresAt: p.expiresAt,
    customerPhoneNumber: p.customerMobileNumber !== undefined ? `47${p.customerMobileNumber}` : undefined,
    approvedAt: p.reservedAt,
    approvedPhoneNumber: p.state === 'INITIATED' ? undefined : p.approvedPhoneNumber,
    sub: p.sub,
    failedAttempts: p.failedAttempts,
    record: controlRecord(p),
    card: {
      pspReference: p.pspTransactionId,
      cards: [{ type: p.card?.tokenType === 'MASTERCARD' ? 'MC_CREDIT' : 'VISA_CREDIT', typeName: p.card?.tokenType === 'MASTERCARD' ? 'Mastercard' : 'Visa', maskedCardNumber: maskedNumber(p.card!) }],
      ...(p.inFlight ? { blocked: 'attempt-in-progress' as const } : p.pending3ds ? { blocked: 'soft-decline-pending' as const, softDeclineUrl: p.pending3ds.url3dSecure } : {}),
    },
  };
}

function summary(p: PspPayment, a: MakePaymentAttempt, publicUrl: string): CardCallbackSummary {
  const outcome = OUTCOME[a.outcome];
  return {
    authorizationAttemptId: a.attemptId,
    outcome,
    ...(a.httpStatus !== undefined ? { status: a.httpStatus } : {}),
    ...(a.answerMs !== undefined ? { answerMs: a.answerMs } : {}),
    retryable: false,
    ...(a.url3dSecure
      ? {
          softDeclineUrl: a.url3dSecure,
          softDeclineCompletedRedirectUrl: `${publicUrl}/landing/soft-decline-completed?token=${encodeURIComponent(p.landingToken)}&attempt=${encodeURIComponent(a.attemptId)}&operation=3dssuccess`,
        }
      : {}),
    ...(outcome === 'declined'
      ? { customerMessage: `The payment was declined${a.errorText ? `: ${a.errorText}` : ''}.` }
      : outcome !== 'reserved' && outcome !== 'soft-decline'
        ? { customerMessage: 'The payment could not be completed. Check the payment status with the shop.' }
        : {}),
  };
}

/** One version's payments as a payment-directory source (both versions live in one machine). */
export function pspSource(version: PspApiVersion, machine: PspMachine, publicUrl: () => string, forge: (p: PspPayment, forgery: CardCallbackForgery) => Promise<ForgedCardCallback>): PaymentSource {
  const view = (p: PspPayment | undefined) => (p === undefined || p.version !== version ? undefined : customerView(p));
  const own = (msn: string, id: string) => {
    const p = machine.get(msn, id);
    return p?.version === version ? p : undefined;
  };
  /** OK and SOFT_DECLINE give the snapshot; FAIL and no valid answer throw (the payment is FAILED). */
  const settle = ({ payment, attempt }: { payment: PspPayment; attempt?: MakePaymentAttempt }): CustomerPayment => {
    const snapshot = customerView(payment);
    if (!attempt) return snapshot;
    const cardCallback = summary(payment, attempt, publicUrl());
    if (cardCallback.outcome === 'reserved' || cardCallback.outcome === 'soft-decline') return { ...snapshot, cardCallback };
    const declined = cardCallback.outcome === 'declined';
    throw new CardCallbackDeclinedError(snapshot.record, payment.failure?.reason ?? cardCallback.outcome, declined ? 'declined' : 'unknown', false, cardCallback, {
      status: 402,
      title: declined ? 'Payment declined by the PSP' : 'No valid makePayment answer',
      detail: cardCallback.customerMessage ?? cardCallback.outcome,
      code: declined ? String(attempt.errorId ?? 'FAIL') : cardCallback.outcome,
    });
  };
  const require = (msn: string, id: string) => {
    if (!own(msn, id)) machine.require(version, '', msn, id); // throws transactionNotFound
  };
  return {
    api: PSP_API_NAME[version],
    states: PSP_PAYMENT_STATES,
    get: (msn, id) => view(own(msn, id)),
    byLandingToken: (token) => view(machine.byLandingToken(token)),
    list: ({ msn, apiState }) => machine.list({ version, msn, state: apiState }).map(customerView),
    approve: async (msn, id, options) => {
      require(msn, id);
      return settle(await machine.approve(msn, id, { phoneNumber: options.phoneNumber, source: options.source, card: options.card?.number || options.card?.last4 ? { number: options.card.number, last4: options.card.last4 } : undefined }));
    },
    completeSoftDecline: async (msn, id, attemptId) => {
      require(msn, id);
      return settle(await machine.completeSoftDecline(msn, id, attemptId));
    },
    forgeCardCallback: async (msn, id, forgery) => {
      require(msn, id);
      return forge(own(msn, id)!, forgery);
    },
    reject: (msn, id) => (require(msn, id), customerView(machine.reject(msn, id))),
    expire: (msn, id) => (require(msn, id), customerView(machine.expire(msn, id))),
    fail: (msn, id, reason) => (require(msn, id), customerView(machine.fail(msn, id, reason))),
  };
}
