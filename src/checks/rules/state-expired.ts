/**
 * State expired — "Handle responses … EXPIRED" (ePayment checklist, Quality assurance;
 * vipps-facts §8.2 #12, §2.9, §2.12).
 * https://developer.vippsmobilepay.com/docs/APIs/epayment-api/checklist/
 *
 * Rule: EXPIRED = the customer did nothing before the payment's expiry (10 minutes by default).
 * The order becomes expired/failed (or cancelled), pages say so, nothing is captured, and the
 * reference is not reused.
 *
 * Evidence (flow): payments that reached EXPIRED (expired webhook, GET/event-log answer, payment
 * observation — typically after the sandbox clock was moved or an `expire-after` fault); the last
 * merchant-order observation after it (expired|failed|cancelled); pages after it; captures and
 * re-creates of the same reference (FAILED when present).
 */
import type { Rule } from '../types.ts';
import { judgeFinalState, noCapture, noReuse } from '../support/states.ts';

export const stateExpired: Rule = {
  judge: (input, { item }) =>
    judgeFinalState(item, input, {
      state: 'EXPIRED',
      page: 'failure',
      extra(p, t) {
        noCapture(p, t);
        noReuse(p, t);
      },
    }),
};
