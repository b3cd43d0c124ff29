/**
 * Order ending cancelled — "The merchant verifies the integration in the test environment by checking that
 * there are test IDs (reference) in the test environment with the following states … a complete
 * order ending in CANCELLED" (ePayment checklist, Flow to go live for direct integrations; vipps-facts
 * §8.4).
 * https://developer.vippsmobilepay.com/docs/APIs/epayment-api/checklist/
 *
 * Rule: a complete test order exists whose last operation is a cancel: create → approve → cancel, cancelledAmount = authorized amount (nothing captured).
 *
 * Evidence (whole run): accepted createPayment calls and the last accepted modification answer of
 * each payment (idempotent replays ignored) with its aggregate. PASSED listing the references
 * (the evidence the go-live review asks for); FAILED when none exists. Not applicable with
 * `capabilities.cancel: false`.
 */
import { completeOrderEndingIn } from '../support/orders.ts';

export const orderEndingCancelled = completeOrderEndingIn('CANCELLED', 'cancel');
