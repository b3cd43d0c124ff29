/**
 * State authorized — "Handle responses … AUTHORIZED" (ePayment checklist, Quality assurance;
 * vipps-facts §8.2 #10, §2.9).
 * https://developer.vippsmobilepay.com/docs/APIs/epayment-api/checklist/
 *
 * Rule: AUTHORIZED = the customer approved and the funds are reserved (a final state; capture,
 * refund and cancel follow as events). The merchant order becomes paid/reserved, and the goods are
 * not booked as captured before a capture was made.
 *
 * Evidence (flow): the flow's payments that reached AUTHORIZED (customer approve observation,
 * authorized webhook, GET/event-log answer), the merchant-order observations after it and before
 * the first modification (last one must be `paid`), and pages in that window (must show success,
 * no raw error, no login wall). FAILED when the order never became paid or shows
 * captured/refunded without a capture/refund call before it.
 */
import type { Rule } from '../types.ts';
import { judgeFinalState } from '../support/states.ts';
import { normStatus } from '../support/payments.ts';
import { describe } from '../support/traffic.ts';

const CAPTURED = new Set(['captured', 'partially-captured', 'refunded', 'partially-refunded']);

export const stateAuthorized: Rule = {
  judge: (input, { item }) =>
    judgeFinalState(item, input, {
      state: 'AUTHORIZED',
      page: 'success',
      extra(p, t) {
        for (const o of p.orders) {
          if (!CAPTURED.has(normStatus(o.status))) continue;
          const captureBefore = p.captures.find((c) => c.startedAt <= o.at);
          if (!captureBefore) t.add('FAILED', `${p.reference}: merchant order shows "${o.status}" but no capture was made before it — goods booked as captured on authorization`);
          else t.cite(captureBefore);
        }
        if (p.captures.length > 0) t.note(`${p.reference}: first capture ${describe(p.captures[0])}`);
      },
    }),
};
