/**
 * Webhook success flag — check the webhook's `success` flag (Webhooks API events; vipps-facts §8.5 #42,
 * §3.3).
 * https://developer.vippsmobilepay.com/docs/APIs/webhooks-api/events/
 *
 * Rule: every ePayment webhook carries `success`; an event with `success: false` reports an
 * operation that did not happen — it must not be booked (e.g. CAPTURED with success:false ⇒ not
 * captured).
 *
 * Evidence (flow): deliveries whose payload has `success: false` (correctly signed; usually
 * injected through the sandbox control API) and the first merchant-order observation after each:
 * it must still match the payment's real state and aggregate, not the failed event.
 * - FAILED: the order booked the failed event (derived row, but the harm is real).
 * - WARNING: the delivery was refused (a valid event; it will be retried); no observation after
 *   it; no such delivery in the flow (where observable — inject one).
 * Not applicable with `capabilities.webhooks: false`.
 */
import type { Rule } from '../types.ts';
import { noEvidence, plural, Tally } from '../support/findings.ts';
import { judgeEachFlow } from '../support/flows.ts';
import { aggregateAt, expectedStatuses, normStatus, payments, stateAt } from '../support/payments.ts';
import { offReason } from '../support/profile.ts';
import { describe, outcomeOf, referenceOf } from '../support/traffic.ts';
import { deliveries, eventNameOf, isDropped, isForged, payloadOf } from '../support/notifications.ts';

/** Order statuses that would mean the event was booked. */
const BOOKED: Record<string, string[]> = {
  AUTHORIZED: ['paid'],
  CAPTURED: ['captured', 'partially-captured'],
  REFUNDED: ['refunded', 'partially-refunded'],
  CANCELLED: ['cancelled'],
  ABORTED: ['cancelled', 'failed'],
  EXPIRED: ['expired', 'failed'],
  TERMINATED: ['terminated', 'cancelled'],
};

export const webhookSuccessFlag: Rule = {
  notApplicable: (profile) => offReason(profile, 'webhooks'),
  judge: (input, { item }) =>
    judgeEachFlow(item, input, (flowInput) => {
      const failedEvents = deliveries(flowInput.traffic).filter((e) => !isDropped(e) && !isForged(e) && payloadOf(e).success === false);
      if (failedEvents.length === 0) return noEvidence(item, flowInput, 'No webhook with success: false was delivered in this flow (inject one, e.g. CAPTURED with success: false).');
      const pics = payments(flowInput);
      const t = new Tally();
      for (const e of failedEvents) {
        const ref = referenceOf(e) ?? '?';
        const name = eventNameOf(e) ?? '?';
        const label = `${ref}: ${name} with success:false ${describe(e)} ${outcomeOf(e)}`;
        if (!(e.response && e.response.status >= 200 && e.response.status < 300)) t.add('WARNING', `${label}: refused — it is a valid delivery and will be retried`, e);
        const p = pics.get(ref);
        const before = p?.orders.filter((o) => o.at < e.startedAt).pop();
        const after = p?.orders.find((o) => o.at >= e.startedAt);
        if (!p || !after) {
          t.add('WARNING', `${label}: no merchant order status observed afterwards`, e);
          continue;
        }
        const expected: string[] = expectedStatuses(stateAt(p, after.at), aggregateAt(p, after.at));
        const status = normStatus(after.status);
        const booked = (BOOKED[name] ?? []).includes(status) && !expected.includes(status) && normStatus(before?.status ?? '') !== status;
        if (booked) t.add('FAILED', `${label}: the order then shows "${after.status}" — the failed event was booked (expected ${expected.join(' or ') || 'no change'})`, e);
        else t.cite(e).note(`${label}: order "${after.status}" — not booked`);
      }
      if (t.problems === 0) return t.finding(item, flowInput, `${plural(failedEvents.length, 'event')} with success:false ${failedEvents.length === 1 ? 'was' : 'were'} not booked.`);
      return t.finding(item, flowInput, `success flag not checked: ${t.summary()}.`);
    }),
};
