/**
 * Callback answered — "The merchant answers POST {callbackPrefix}/v2/payments/{orderId} with 200
 * within 3 seconds … the callback is sent once and never retried, so an order whose callback
 * never comes is still resolved by polling details" (eCom checklist; vipps-facts §6.3, §8.7).
 * https://developer.vippsmobilepay.com/docs/APIs/ecom-api/vipps-ecom-api-checklist/
 *
 * Rule: answer each callback 200 within 3 s; resolve the order by polling when none comes.
 *
 * Evidence (flow): the flow's transaction callbacks the sandbox sent — each answered 2xx within
 * 3 s (FAILED otherwise); and, when the flow withheld them (`callback-drop`) while the customer
 * approved without a redirect, the order still became paid through GET details (the scenario
 * EP-POLLING judges, one function for both). Neither callbacks nor a withheld scenario in the
 * flow ⇒ FAILED (no evidence). Run-scoped part: every callback of the run, answered in time
 * (the webhook acknowledgement rule with eCom's 3 s limit).
 */
import type { Rule } from '../types.ts';
import { breachVerdict, noEvidence, plural, seconds, Tally } from '../support/findings.ts';
import { judgeEachFlow } from '../support/flows.ts';
import { payments } from '../support/payments.ts';
import { describe, outcomeOf } from '../support/traffic.ts';
import { deliveries, isDropped, isForged } from '../support/notifications.ts';
import { isEcomCallback } from '../support/ecom-traffic.ts';
import { ECOM_CALLBACK_TIMEOUT_MS } from '../../contract/ecom.ts';
import { resolvedWithoutNotifications } from '../support/withheld-notifications.ts';
import { webhookAckFast } from './webhook-ack-fast.ts';

export const callbackAnswered: Rule = {
  judgeRun(input, ctx) {
    return deliveries(input.traffic).some(isEcomCallback) ? webhookAckFast.judge(input, ctx) : undefined;
  },
  judge: (input, { item }) =>
    judgeEachFlow(item, input, (flowInput) => {
      const t = new Tally();
      const breach = breachVerdict(item);
      const sent = deliveries(flowInput.traffic).filter((e) => isEcomCallback(e) && !isDropped(e) && !isForged(e));
      for (const e of sent) {
        const s = e.response?.status;
        if (s === undefined) t.add(breach, `${describe(e)} ${outcomeOf(e)}: the callback was not answered (it is never retried)`, e);
        else if (s < 200 || s >= 300) t.add(breach, `${describe(e)} → ${s}: the callback was not acknowledged with 200`, e);
        else if (e.durationMs > ECOM_CALLBACK_TIMEOUT_MS) t.add(breach, `${describe(e)} → ${s} after ${seconds(e.durationMs)} (limit 3 s)`, e);
        else t.cite(e);
      }
      const created = [...payments(flowInput).values()].filter((p) => p.created);
      const scenarios = resolvedWithoutNotifications(flowInput, created, t);
      if (t.problems > 0) return t.finding(item, flowInput, `Callback problems: ${t.summary()}.`);
      if (sent.length === 0 && scenarios === 0) return noEvidence(item, flowInput, 'No callback was sent in this flow and none was withheld, so callback handling could not be judged.');
      const parts = [
        sent.length > 0 ? `${plural(sent.length, 'callback')} answered 2xx within 3 s` : '',
        scenarios > 0 ? `${plural(scenarios, 'order')} resolved by polling details with the callback withheld` : '',
      ].filter(Boolean);
      return t.finding(item, flowInput, `${parts.join('; ')}.`);
    }),
};
