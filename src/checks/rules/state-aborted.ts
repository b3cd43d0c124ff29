/**
 * State aborted — "Handle responses … ABORTED" (ePayment checklist, Quality assurance;
 * vipps-facts §8.2 #11, §2.9, §2.3).
 * https://developer.vippsmobilepay.com/docs/APIs/epayment-api/checklist/
 *
 * Rule: ABORTED = the customer actively cancelled before approving (final). The order becomes
 * cancelled/failed, the return page says the payment was cancelled, nothing is captured, and the
 * reference is not reused for the next attempt (each attempt needs a new reference).
 *
 * Evidence (flow): payments that reached ABORTED (customer reject observation, aborted webhook,
 * GET answer); the last merchant-order observation after it (cancelled|failed); pages after it
 * (failure wording, no success, no raw error); capturePayment and createPayment exchanges for the
 * same reference afterwards (FAILED when present).
 */
import type { Rule } from '../types.ts';
import { judgeFinalState, noCapture, noReuse } from '../support/states.ts';

export const stateAborted: Rule = {
  judge: (input, { item }) =>
    judgeFinalState(item, input, {
      state: 'ABORTED',
      page: 'failure',
      extra(p, t) {
        noCapture(p, t);
        noReuse(p, t);
      },
    }),
};
