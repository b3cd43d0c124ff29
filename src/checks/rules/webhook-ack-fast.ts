/**
 * Webhook ack fast — answer webhooks with 2xx within 10 s (Webhooks API guide / toolkit; vipps-facts
 * §8.5 #40, §3.5).
 * https://developer.vippsmobilepay.com/docs/APIs/webhooks-api/api-guide/
 *
 * Rule: the receiver answers each valid delivery with 2xx quickly — within 10 seconds (store, then
 * process). Anything else (4xx/5xx/timeout) is a failed delivery: it is retried with back-off for up
 * to 7 days, and because ordering is guaranteed per registration it holds back the payment's later
 * events.
 *
 * Evidence (whole run): every correctly signed delivery that was sent (kind:'webhook', operation
 * deliverWebhook — sandbox events, retries, duplicate copies and golive-injected valid events;
 * dropped and forged ones excluded): response status and durationMs. Recommended row: WARNING for a delivery answered non-2xx, not answered, or slower
 * than 10 s, and when no delivery happened. Not applicable with `capabilities.webhooks: false`.
 *
 * eCom v2 (the callback row's run-wide part): the same for transaction callbacks, which must be answered
 * within 3 s (sent once, never retried; vipps-facts §6.3), a required row (FAILED); an eCom
 * integration always gets callbacks (callbackPrefix is required), so it always applies.
 */
import type { Exchange } from '../../traffic/types.ts';
import type { Rule } from '../types.ts';
import { breachVerdict, noEvidence, plural, seconds, Tally } from '../support/findings.ts';
import { offReason } from '../support/profile.ts';
import { describe, outcomeOf, referenceOf } from '../support/traffic.ts';
import { deliveries, eventNameOf, isDropped, isForged } from '../support/notifications.ts';
import { isEcomCallback } from '../support/ecom-traffic.ts';
import { ECOM_CALLBACK_TIMEOUT_MS } from '../../contract/ecom.ts';

const WEBHOOK_LIMIT_MS = 10_000;
const limitOf = (e: Exchange): number => (isEcomCallback(e) ? ECOM_CALLBACK_TIMEOUT_MS : WEBHOOK_LIMIT_MS);

export const webhookAckFast: Rule = {
  notApplicable: (profile) => (profile.api === 'ecom-v2' ? undefined : offReason(profile, 'webhooks')),
  judge(input, { item }) {
    const breach = breachVerdict(item);
    // Every correctly signed delivery that was sent: sandbox events, retries, copies, golive's injected valid events.
    const sent = deliveries(input.traffic).filter((e) => !isDropped(e) && !isForged(e));
    if (sent.length === 0) return noEvidence(item, input, 'No webhook or callback was delivered to the merchant, so acknowledgement could not be judged.');
    const t = new Tally();
    let slowest = 0;
    for (const e of sent) {
      const label = `${describe(e)} ${eventNameOf(e) ?? ''} ${referenceOf(e) ?? ''}`.replace(/\s+/g, ' ').trim();
      const s = e.response?.status;
      const limit = limitOf(e);
      const consequence = isEcomCallback(e) ? 'a callback is never retried: the order must come from polling' : 'it will be retried and holds back later events';
      if (s === undefined) t.add(breach, `${label} ${outcomeOf(e)}: not answered within ${limit / 1000} s (${consequence})`, e);
      else if (s < 200 || s >= 300) t.add(breach, `${label} → ${s}: a valid delivery was not acknowledged (${consequence})`, e);
      else if (e.durationMs > limit) t.add(breach, `${label} → ${s} after ${seconds(e.durationMs)} (limit ${limit / 1000} s)`, e);
      else t.cite(e);
      if (s !== undefined) slowest = Math.max(slowest, e.durationMs);
    }
    if (t.problems === 0) return t.finding(item, input, `All ${plural(sent.length, 'delivery', 'deliveries')} answered 2xx, the slowest in ${seconds(slowest)}.`);
    return t.finding(item, input, `${plural(t.problems, 'delivery', 'deliveries')} of ${sent.length} not acknowledged with 2xx within ${Math.min(...sent.map(limitOf)) / 1000} s.`);
  },
};
