import { PAYMENT_STATES } from '../../contract/epayment.ts';
import type { CustomerPayment, CustomerState, PaymentSource } from '../shared/directory.ts';
import type { EpaymentService, Payment, PaymentState } from './types.ts';

/** ePayment states as the customer-facing plugins read them. */
const CUSTOMER_STATE: Record<PaymentState, CustomerState> = {
  CREATED: 'awaiting-customer',
  AUTHORIZED: 'approved',
  ABORTED: 'rejected',
  EXPIRED: 'expired',
  TERMINATED: 'cancelled',
};

export function customerView(p: Payment): CustomerPayment {
  return {
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
    approvedAt: p.authorizedAt ?? authorizedEventAt(p),
    approvedPhoneNumber: p.approvedPhoneNumber,
    sub: p.sub,
    receipt: p.receipt,
    failedAttempts: p.failedAttempts,
    record: p,
  };
}

/** For payments created before `authorizedAt` was recorded: the AUTHORIZED event's time. */
function authorizedEventAt(p: Payment): number | undefined {
  if (p.state !== 'AUTHORIZED') return undefined;
  const event = p.events.find((e) => e.name === 'AUTHORIZED' && e.success !== false);
  const at = event ? Date.parse(event.timestamp) : NaN;
  return Number.isFinite(at) ? at : p.createdAt;
}

/** The ePayment machine as a payment-directory source. */
export function epaymentSource(service: EpaymentService): PaymentSource {
  const view = (p: Payment | undefined) => (p === undefined ? undefined : customerView(p));
  return {
    api: 'epayment',
    states: PAYMENT_STATES,
    get: (msn, reference) => view(service.get(msn, reference)),
    byLandingToken: (token) => view(service.byLandingToken(token)),
    list: ({ msn, apiState }) => service.list({ msn, state: apiState as PaymentState | undefined }).map(customerView),
    approve: (msn, reference, options) => customerView(service.approve(msn, reference, options)),
    reject: (msn, reference) => customerView(service.reject(msn, reference)),
    expire: (msn, reference) => customerView(service.expire(msn, reference)),
    fail: (msn, reference, reason) => customerView(service.failAttempt(msn, reference, reason)),
  };
}
