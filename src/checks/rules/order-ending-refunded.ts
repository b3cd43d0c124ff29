/**
 * Order ending refunded — "The merchant verifies the integration in the test environment by checking that
 * there are test IDs (reference) in the test environment with the following states … a complete
 * order ending in REFUNDED" (ePayment checklist, Flow to go live for direct integrations; vipps-facts
 * §8.4).
 * https://developer.vippsmobilepay.com/docs/APIs/epayment-api/checklist/
 *
 * Rule: a complete test order exists whose last operation is a refund: create → approve → capture → refund, refundedAmount > 0.
 *
 * Evidence (whole run): accepted createPayment calls and the last accepted modification answer of
 * each payment (idempotent replays ignored) with its aggregate. PASSED listing the references
 * (the evidence the go-live review asks for); FAILED when none exists. Not applicable with
 * `capabilities.refund: false`.
 */
import { completeOrderEndingIn } from '../support/orders.ts';

export const orderEndingRefunded = completeOrderEndingIn('REFUNDED', 'refund');
