/**
 * State terminated — "Handle responses … TERMINATED" (ePayment checklist, Quality assurance;
 * vipps-facts §8.2 #13, §2.9, §2.10a).
 * https://developer.vippsmobilepay.com/docs/APIs/epayment-api/checklist/
 *
 * Rule: TERMINATED = the merchant cancelled the payment before the customer approved (cancel on a
 * CREATED payment). The order shows it as terminated/cancelled, and later reads of the payment
 * (GET answering TERMINATED) are handled without error.
 *
 * Evidence (flow): payments that reached TERMINATED (cancel answer with state TERMINATED, webhook,
 * GET); the last merchant-order observation after it (terminated|cancelled); pages after it
 * (failure wording, no HTTP ≥ 400, no raw error); a GET payment after the cancel (WARNING when the
 * integration never read the payment again). Not applicable with `capabilities.cancel: false`.
 */
import type { Rule } from '../types.ts';
import { offReason } from '../support/profile.ts';
import { finalStateOf } from '../support/payments.ts';
import { judgeFinalState, noCapture } from '../support/states.ts';
import { describe, isOk } from '../support/traffic.ts';

export const stateTerminated: Rule = {
  notApplicable: (profile) => offReason(profile, 'cancel'),
  judge: (input, { item }) =>
    judgeFinalState(item, input, {
      state: 'TERMINATED',
      page: 'failure',
      extra(p, t) {
        noCapture(p, t);
        const fin = finalStateOf(p)!;
        const later = p.gets.filter((g) => g.startedAt >= fin.at - 1);
        if (later.length === 0) t.add('WARNING', `${p.reference}: the payment was never read with GET after it was terminated`);
        else {
          const failed = later.filter((g) => !isOk(g) && !g.fault);
          for (const g of failed) t.add('WARNING', `${p.reference}: ${describe(g)} after termination answered ${g.response?.status ?? 'nothing'}`, g);
          t.cite(later[later.length - 1]);
        }
      },
    }),
};
