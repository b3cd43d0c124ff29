import { PAYMENT_STATES } from '../../contract/epayment.ts';
import type { CustomerPayment, CustomerState, PaymentSource } from '../shared/directory.ts';
import { CardCallbackDeclinedError, type CustomerCards } from '../shared/card-customer.ts';
import { attemptsView } from './card-passthrough/attempts.ts';
import { CardPassthroughService, type CardResult } from './card-passthrough/service.ts';
import { CARD_TYPE_NAMES, maskCardNumber } from './card-passthrough/wallet.ts';
import { referenceNotFound } from './errors.ts';
import type { EpaymentService, Payment, PaymentState } from './types.ts';

/** ePayment states as the customer-facing plugins read them. */
const CUSTOMER_STATE: Record<PaymentState, CustomerState> = {
  CREATED: 'awaiting-customer',
  AUTHORIZED: 'approved',
  ABORTED: 'rejected',
  EXPIRED: 'expired',
  TERMINATED: 'cancelled',
};

export function customerView(p: Payment, cards?: CardPassthroughService): CustomerPayment {
  const view: CustomerPayment = {
    api: 'epayment',
    msn: p.msn,
    reference: p.reference,
    amount: p.amount,
    state: CUSTOMER_STATE[p.state],
    apiState: p.state,
    description: p.paymentDescription,
    returnUrl: p.returnUrl,
    landingToken: p.landingToken,
    expiresAt: p.expiresAt,
    profileScope: p.profileScope,
    customerPhoneNumber: p.customer?.phoneNumber,
    userFlow: p.userFlow,
    createdAt: p.createdAt,
    ...(p.consent ? { consent: p.consent } : {}),
    approvedAt: p.authorizedAt ?? authorizedEventAt(p),
    approvedPhoneNumber: p.approvedPhoneNumber,
    sub: p.sub,
    receipt: p.receipt,
    failedAttempts: p.failedAttempts,
    record: controlRecord(p),
  };
  if (cards && CardPassthroughService.isCardPassthrough(p)) view.card = customerCards(p, cards);
  return view;
}

/** The control API's record: the payment, its card passthrough with the attempts (`attempts`, `outcomeUnknown`). */
function controlRecord(p: Payment): unknown {
  if (!p.cardPassthrough) return p;
  const { card: _state, ...rest } = p;
  return { ...rest, cardPassthrough: { ...p.cardPassthrough, ...attemptsView(p.card) } };
}

function customerCards(p: Payment & { cardPassthrough: NonNullable<Payment['cardPassthrough']> }, service: CardPassthroughService): CustomerCards {
  const s = p.card;
  const blocked = s?.inFlight
    ? 'attempt-in-progress'
    : s?.outcomeUnknown
      ? 'outcome-unknown'
      : s?.declinedFinally
        ? 'not-retryable'
        : s?.softDecline
          ? 'soft-decline-pending'
          : undefined;
  return {
    pspReference: p.cardPassthrough.pspReference,
    cards: service.offered(p).map((c) => ({ type: c.type, typeName: CARD_TYPE_NAMES[c.type], maskedCardNumber: maskCardNumber(c.number) })),
    ...(blocked ? { blocked } : {}),
    ...(s?.softDecline ? { softDeclineUrl: s.softDecline.softDeclineUrl } : {}),
  };
}

/** For payments created before `authorizedAt` was recorded: the AUTHORIZED event's time. */
function authorizedEventAt(p: Payment): number | undefined {
  if (p.state !== 'AUTHORIZED') return undefined;
  const event = p.events.find((e) => e.name === 'AUTHORIZED' && e.success !== false);
  const at = event ? Date.parse(event.timestamp) : NaN;
  return Number.isFinite(at) ? at : p.createdAt;
}

/** The ePayment machine as a payment-directory source; card passthrough through `cards`. */
export function epaymentSource(service: EpaymentService, cards?: CardPassthroughService): PaymentSource {
  const view = (p: Payment | undefined) => (p === undefined ? undefined : customerView(p, cards));
  const cardPayment = (msn: string, reference: string) => {
    const p = service.get(msn, reference);
    if (p === undefined) throw referenceNotFound(msn, reference);
    if (!CardPassthroughService.isCardPassthrough(p)) throw referenceNotFound(msn, reference);
    return p;
  };
  /** RESERVE and SOFT_DECLINE give the snapshot; FAIL and unknown outcomes throw. */
  const settle = (r: CardResult): CustomerPayment => {
    const snapshot: CustomerPayment = { ...customerView(r.payment, cards), cardCallback: r.summary };
    const outcome = r.summary.outcome;
    if (outcome === 'reserved' || outcome === 'soft-decline') return snapshot;
    const declined = outcome === 'declined';
    throw new CardCallbackDeclinedError(snapshot.record, r.reason ?? outcome, declined ? 'declined' : 'unknown', r.retryable, r.summary, {
      status: 402,
      title: declined ? 'Card declined' : 'Card payment outcome unknown',
      detail: r.summary.customerMessage ?? outcome,
      code: declined ? String(r.payment.card?.attempts.at(-1)?.rounds.at(-1)?.errorCode ?? outcome) : 'outcome-unknown',
    });
  };
  return {
    api: 'epayment',
    states: PAYMENT_STATES,
    get: (msn, reference) => view(service.get(msn, reference)),
    byLandingToken: (token) => view(service.byLandingToken(token)),
    list: ({ msn, apiState }) => service.list({ msn, state: apiState as PaymentState | undefined }).map((p) => customerView(p, cards)),
    approve: (msn, reference, options) => {
      const p = service.get(msn, reference);
      if (cards && CardPassthroughService.isCardPassthrough(p)) return cards.approve(p, options).then(settle);
      return customerView(service.approve(msn, reference, options), cards);
    },
    reject: (msn, reference) => customerView(service.reject(msn, reference), cards),
    expire: (msn, reference) => customerView(service.expire(msn, reference), cards),
    fail: (msn, reference, reason) => customerView(service.failAttempt(msn, reference, reason), cards),
    ...(cards
      ? {
          completeSoftDecline: async (msn: string, reference: string, attemptId?: string) => settle(await cards.completeSoftDecline(cardPayment(msn, reference), attemptId)),
          forgeCardCallback: (msn: string, reference: string, forgery: Parameters<CardPassthroughService['forge']>[1]) => cards.forge(cardPayment(msn, reference), forgery),
        }
      : {}),
  };
}
