/**
 * Webhook duplicates — tolerate duplicate and retried webhooks (Webhooks API guide; vipps-facts §8.5
 * #41, §3.3, §3.5).
 * https://developer.vippsmobilepay.com/docs/APIs/webhooks-api/api-guide/
 *
 * Rule: the same event can arrive more than once (retries, duplicates); the receiver answers each
 * with 2xx and changes the order only once — key on reference + name (+ pspReference).
 *
 * Evidence (flow): deliveries of the same event (reference + name + pspReference) that reached the
 * merchant more than once — sandbox retries, `webhook-duplicate` copies, golive-injected correctly
 * signed repeats (forged and dropped ones excluded); then the first merchant-order observation
 * after the last copy: its status must match the payment's state and aggregate at that time, and
 * amounts in its `raw` must equal the aggregate.
 * - FAILED: the order shows a double booking (status or amounts beyond the aggregate) — derived
 *   row, but the harm is real.
 * - WARNING: a copy answered non-2xx (it will be retried for days); no observation after the
 *   copies; no duplicate delivered in the flow (inject `webhook-duplicate`).
 * Not applicable with `capabilities.webhooks: false`.
 */
import type { Exchange } from '../../traffic/types.ts';
import type { Rule } from '../types.ts';
import { noEvidence, plural, Tally } from '../support/findings.ts';
import { judgeEachFlow } from '../support/flows.ts';
import { rawAmounts } from '../support/events.ts';
import { aggregateAt, expectedStatuses, normStatus, payments, stateAt } from '../support/payments.ts';
import { offReason } from '../support/profile.ts';
import { byTime, describe, outcomeOf, referenceOf } from '../support/traffic.ts';
import { deliveries, eventNameOf, isDropped, isForged, payloadOf } from '../support/notifications.ts';

export const webhookDuplicates: Rule = {
  notApplicable: (profile) => offReason(profile, 'webhooks'),
  judge: (input, { item }) =>
    judgeEachFlow(item, input, (flowInput) => {
      const sent = deliveries(flowInput.traffic)
        .filter((e) => !isDropped(e) && !isForged(e) && e.response !== undefined)
        .sort(byTime);
      const groups = new Map<string, Exchange[]>();
      for (const e of sent) {
        const key = `${referenceOf(e)}\u0000${eventNameOf(e)}\u0000${payloadOf(e).pspReference ?? ''}`;
        groups.set(key, [...(groups.get(key) ?? []), e]);
      }
      const dups = [...groups.values()].filter((g) => g.length >= 2);
      if (dups.length === 0) return noEvidence(item, flowInput, 'No webhook event reached the merchant more than once in this flow (inject webhook-duplicate).');
      const pics = payments(flowInput);
      const t = new Tally();
      for (const group of dups) {
        const ref = referenceOf(group[0]) ?? '?';
        const name = eventNameOf(group[0]) ?? '?';
        const label = `${ref} ${name} delivered ${group.length}× (${group.map((e) => `#${e.seq}`).join(', ')})`;
        const refused = group.filter((e) => !(e.response!.status >= 200 && e.response!.status < 300));
        // A copy refused while the first was accepted is the duplicate-handling bug (a retry of a refused first attempt is normal).
        const firstOk = group.findIndex((e) => e.response!.status >= 200 && e.response!.status < 300);
        for (const e of refused) if (firstOk >= 0 && group.indexOf(e) > firstOk) t.add('WARNING', `${label}: copy ${describe(e)} ${outcomeOf(e)} — answer duplicates with 2xx`, e);
        const p = pics.get(ref);
        const last = group[group.length - 1];
        const after = p?.orders.find((o) => o.at >= last.startedAt);
        if (!p || !after) {
          t.add('WARNING', `${label}: no merchant order status observed after the copies`, last);
          continue;
        }
        const agg = aggregateAt(p, after.at);
        const state = stateAt(p, after.at);
        const expected = expectedStatuses(state, agg);
        if (expected.length > 0 && !expected.includes(normStatus(after.status) as never)) {
          t.add('FAILED', `${label}: order then shows "${after.status}", but the payment is ${state}${agg ? ` (captured ${agg.captured}, refunded ${agg.refunded}, cancelled ${agg.cancelled} of ${agg.authorized})` : ''} — expected ${expected.join(' or ')}`, ...group);
          continue;
        }
        const raw = rawAmounts(after.raw);
        const wrong = agg ? (['captured', 'refunded', 'cancelled'] as const).filter((k) => raw[k] !== undefined && raw[k] !== agg[k]) : [];
        if (wrong.length > 0) {
          t.add('FAILED', `${label}: order books ${wrong.map((k) => `${k} ${raw[k]} (API: ${agg![k]})`).join(', ')} — double-booked`, ...group);
          continue;
        }
        t.cite(...group).note(`${label}: booked once, order "${after.status}"`);
      }
      if (t.problems === 0) return t.finding(item, flowInput, `${plural(dups.length, 'duplicated event')} acknowledged and booked once.`);
      return t.finding(item, flowInput, `Duplicate webhooks not tolerated: ${t.summary()}.`);
    }),
};
