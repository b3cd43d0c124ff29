import { ECOM_STATES, type EcomState } from '../../contract/ecom.ts';
import type { CustomerPayment, CustomerState, PaymentSource } from '../shared/directory.ts';
import type { EcomMachine } from './machine.ts';
import type { Order } from './types.ts';
import { controlRecord } from './views.ts';

/** eCom states as the customer-facing plugins read them. */
const CUSTOMER_STATE: Record<EcomState, CustomerState> = {
  INITIATE: 'awaiting-customer',
  RESERVE: 'approved',
  SALE: 'approved',
  CAPTURE: 'approved',
  REFUND: 'approved',
  CANCEL: 'cancelled',
  VOID: 'cancelled',
  REJECTED: 'expired',
  FAILED: 'rejected',
};

export function customerView(o: Order): CustomerPayment {
  return {
    api: 'ecom-v2',
    msn: o.msn,
    reference: o.orderId,
    amount: { currency: 'NOK', value: o.amount },
    state: o.state === 'CANCEL' && o.cancelledBy === 'customer' ? 'rejected' : CUSTOMER_STATE[o.state],
    apiState: o.state,
    description: o.transactionText,
    // The landing page sends the customer to fallBack exactly as given.
    returnUrl: o.merchantInfo.fallBack,
    landingToken: o.landingToken,
    expiresAt: o.expiresAt,
    profileScope: o.scope,
    customerPhoneNumber: o.mobileNumber !== undefined ? `47${o.mobileNumber}` : undefined,
    approvedAt: o.reservedAt,
    approvedPhoneNumber: o.approvedPhoneNumber,
    sub: o.sub,
    failedAttempts: o.failedAttempts,
    record: controlRecord(o),
  };
}

/** The eCom machine as a payment-directory source. */
export function ecomSource(machine: EcomMachine): PaymentSource {
  const view = (o: Order | undefined) => (o === undefined ? undefined : customerView(o));
  return {
    api: 'ecom-v2',
    states: ECOM_STATES,
    get: (msn, orderId) => view(machine.get(msn, orderId)),
    byLandingToken: (token) => view(machine.byLandingToken(token)),
    list: ({ msn, apiState }) => machine.list({ msn, state: apiState }).map(customerView),
    approve: (msn, orderId, options) => customerView(machine.approve(msn, orderId, options)),
    reject: (msn, orderId) => customerView(machine.reject(msn, orderId)),
    expire: (msn, orderId) => customerView(machine.expire(msn, orderId)),
    fail: (msn, orderId, reason) => customerView(machine.fail(msn, orderId, reason)),
  };
}
