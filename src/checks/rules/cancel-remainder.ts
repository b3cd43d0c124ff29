/**
 * Cancel remainder — cancel the uncaptured rest after a partial capture (knowledge base "Cancel
 * payment"; vipps-facts §8.3 #28, §2.9).
 * https://developer.vippsmobilepay.com/docs/knowledge-base/cancel/
 *
 * Rule: "You must always release any funds you don't expect to capture, as soon as possible": a
 * partially captured order that is complete ends with cancelledAmount = authorized − captured.
 *
 * Evidence (whole run): per payment with a partial capture (capturedAmount < authorizedAmount in a
 * capture answer), the latest aggregate, and who decided each cancel (support/initiative.ts):
 * PASSED when later captures made it whole or the integration's own cancel released the rest
 * (cancelledAmount = authorized − captured). A release golive ordered (the profile's `cancel`
 * action) shows the endpoint works, not that the shop releases by itself ⇒ REVIEW. The remainder
 * still reserved after golive ran the profile's `completeOrder` role for that order ⇒ FAILED;
 * otherwise (recommended row) WARNING, as when no partial capture was made. Not applicable with
 * `capabilities.capture/partialCapture/cancel: false`, or when every flow listing the item was
 * (e.g. the profile declares no completeOrder role).
 */
import type { Rule } from '../types.ts';
import { finding, noEvidence, plural, Tally } from '../support/findings.ts';
import { cancelOrderedByGolive } from '../support/initiative.ts';
import { offReason } from '../support/profile.ts';
import { aggregateAt, observationsOf, payments } from '../support/payments.ts';
import { aggregateOf, describe, isOk, responseBodyOf } from '../support/traffic.ts';

const COMPLETE_ORDER = 'completeOrder';

export const cancelRemainder: Rule = {
  notApplicable: (profile) => offReason(profile, 'capture', 'partialCapture', 'cancel'),
  judge(input, { item }) {
    const t = new Tally();
    let judged = 0;
    const completed = new Map(observationsOf(input, 'role-action').filter((o) => o.role === COMPLETE_ORDER && o.reference).map((o) => [o.reference!, o]));
    for (const p of payments(input).values()) {
      const partial = p.captures.filter(isOk).find((c) => {
        const a = aggregateOf(responseBodyOf(c));
        return a !== undefined && a.captured > 0 && a.captured < a.authorized;
      });
      if (!partial) continue;
      judged++;
      const agg = aggregateAt(p)!;
      const rest = agg.authorized - agg.captured;
      const cancels = p.cancels.filter(isOk);
      const own = cancels.filter((c) => !cancelOrderedByGolive(input.traffic, c)).pop();
      const asked = completed.get(p.reference);
      const still = `${agg.cancelled > 0 ? `cancelled ${agg.cancelled}` : 'never cancelled'} — ${rest - agg.cancelled} still reserved`;
      if (rest === 0) t.cite(partial).note(`${p.reference}: later captures took the whole amount`);
      else if (agg.cancelled === rest && own) t.cite(partial, own).note(`${p.reference}: captured ${agg.captured} of ${agg.authorized}, rest ${rest} released by the integration (${describe(own)})`);
      else if (agg.cancelled === rest)
        t.add('REVIEW', `${p.reference}: the rest ${rest} was released only when golive ran the profile's cancel action (${describe(cancels[cancels.length - 1])}); declare the action that finishes an order as role ${COMPLETE_ORDER} so golive sees the shop release it by itself`, partial);
      else if (asked) t.add('FAILED', `${p.reference}: captured ${agg.captured} of ${agg.authorized} (${describe(partial)}); the shop completed the order (actions.${asked.name}, role ${COMPLETE_ORDER}) but ${still}`, partial, agg.seq);
      else t.add('WARNING', `${p.reference}: captured ${agg.captured} of ${agg.authorized} (${describe(partial)}) and ${still}`, partial, agg.seq);
    }
    if (judged === 0) {
      const listing = input.flows.filter((f) => (f.checklist ?? []).includes(item.id));
      if (listing.length > 0 && listing.every((f) => f.outcome === 'not-applicable'))
        return finding(item, input, 'NOT_APPLICABLE', `Not applicable: ${listing.map((f) => `the flow ${f.id} did not apply${f.error ? ` (${f.error})` : ''}`).join('; ')}.`);
      return noEvidence(item, input, 'No partial capture was made, so releasing the remainder could not be judged.');
    }
    if (t.problems === 0) return t.finding(item, input, `The integration released the uncaptured remainder for all ${plural(judged, 'partially captured payment')}.`);
    return t.finding(item, input, `Funds left reserved after a partial capture, or released only on golive's order: ${t.summary()}.`);
  },
};
