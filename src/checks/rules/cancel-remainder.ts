/**
 * Cancel remainder — cancel the uncaptured rest after a partial capture (knowledge base "Cancel
 * payment"; vipps-facts §8.3 #28, §2.9).
 * https://developer.vippsmobilepay.com/docs/knowledge-base/cancel/
 *
 * Rule: "You must always release any funds you don't expect to capture, as soon as possible": a
 * partially captured order that is complete ends with cancelledAmount = authorized − captured.
 *
 * Evidence (whole run): per payment with a partial capture (capturedAmount < authorizedAmount in a
 * capture answer), the latest aggregate: PASSED when later captures made it whole or a cancel
 * released the rest (cancelledAmount = authorized − captured). Recommended row: WARNING when the
 * remainder stays reserved, or when no partial capture was made. Not applicable with
 * `capabilities.capture/partialCapture/cancel: false`.
 */
import type { Rule } from '../types.ts';
import { noEvidence, plural, Tally } from '../support/findings.ts';
import { offReason } from '../support/profile.ts';
import { aggregateAt, payments } from '../support/payments.ts';
import { aggregateOf, describe, isOk, responseBodyOf } from '../support/traffic.ts';

export const cancelRemainder: Rule = {
  notApplicable: (profile) => offReason(profile, 'capture', 'partialCapture', 'cancel'),
  judge(input, { item }) {
    const t = new Tally();
    let judged = 0;
    for (const p of payments(input).values()) {
      const partial = p.captures.filter(isOk).find((c) => {
        const a = aggregateOf(responseBodyOf(c));
        return a !== undefined && a.captured > 0 && a.captured < a.authorized;
      });
      if (!partial) continue;
      judged++;
      const agg = aggregateAt(p)!;
      const rest = agg.authorized - agg.captured;
      const cancel = p.cancels.filter(isOk).pop();
      if (rest === 0) t.cite(partial).note(`${p.reference}: later captures took the whole amount`);
      else if (agg.cancelled === rest) t.cite(partial, cancel).note(`${p.reference}: captured ${agg.captured} of ${agg.authorized}, rest ${rest} cancelled${cancel ? ` (${describe(cancel)})` : ''}`);
      else
        t.add(
          'WARNING',
          `${p.reference}: captured ${agg.captured} of ${agg.authorized} (${describe(partial)}) and ${agg.cancelled > 0 ? `cancelled ${agg.cancelled}` : 'never cancelled'} — ${rest - agg.cancelled} still reserved`,
          partial,
          agg.seq,
        );
    }
    if (judged === 0) return noEvidence(item, input, 'No partial capture was made, so releasing the remainder could not be judged.');
    if (t.problems === 0) return t.finding(item, input, `The uncaptured remainder was released for all ${plural(judged, 'partially captured payment')}.`);
    return t.finding(item, input, `Funds left reserved after a partial capture: ${t.summary()}.`);
  },
};
