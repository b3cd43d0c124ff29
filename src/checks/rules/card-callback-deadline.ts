/**
 * Answer within 20 s, never 500, and report the outcome after a timeout — "Respond within 20 s;
 * never 500 for business declines" (ePayment PSP checklist; vipps-facts §4.4, §8.6 #52).
 * https://developer.vippsmobilepay.com/docs/APIs/psp-epayment-recurring/card-callback/
 *
 * Rule: Vipps waits at most 20 s for the synchronous answer; HTTP 500 and timeouts are
 * non-retryable (the customer is told to check the payment status at the merchant), so a decline
 * must be a FAIL, not a 500; after an answer Vipps never got, the PSP reports what really
 * happened (a capture when it charged, a cancel when it released) so the payment is patched.
 *
 * Evidence (whole run): every genuine card callback with its answer time (shown), and for each
 * payment whose outcome stayed unknown — a timeout, a 5xx, an unusable answer — the PSP's later
 * capture or cancel of it. A timeout a sandbox fault forced is not the PSP's slowness, but its
 * follow-up is judged all the same.
 */
import type { Rule } from '../types.ts';
import { finding, noEvidence, plural, seconds, Tally } from '../support/findings.ts';
import { answerOf, answeredInTime, describeCallback, genuineCallbacks, isUnknownOutcome, timedOutByFault } from '../support/card-callbacks.ts';
import { apiOps, isOk, OP, referenceOf } from '../support/traffic.ts';
import { CARD_CALLBACK_TIMEOUT_MS } from '../../contract/card-passthrough.ts';

export const cardCallbackDeadline: Rule = {
  judge(input, { item }) {
    const callbacks = genuineCallbacks(input.traffic);
    if (callbacks.length === 0) return noEvidence(item, input, 'No card callback was sent: there is no answer time to judge.');
    const t = new Tally();
    const timed = callbacks.filter((e) => !timedOutByFault(e));
    for (const e of timed) {
      const http = answerOf(e).http;
      if (!answeredInTime(e)) t.add('FAILED', `${describeCallback(e)}: not answered within ${seconds(CARD_CALLBACK_TIMEOUT_MS)}`, e);
      else if (http !== undefined && http >= 500) t.add('FAILED', `${describeCallback(e)}: HTTP ${http} is non-retryable — the customer cannot try again and is sent to the merchant; a decline must be answered 200 FAIL`, e);
      else t.cite(e);
    }
    const reports = apiOps(input.traffic, OP.capture, OP.cancel).filter(isOk);
    const unknown = callbacks.filter(isUnknownOutcome);
    for (const e of unknown) {
      const ref = referenceOf(e);
      const report = reports.find((r) => referenceOf(r) === ref && r.startedAt >= e.startedAt);
      if (report) t.cite(report).note(`${ref}: outcome unknown to Vipps after ${describeCallback(e)}; the PSP reported it later with ${report.operation} #${report.seq}`);
      else t.add('FAILED', `${ref}: outcome unknown to Vipps after ${describeCallback(e)}, and the PSP never reported what happened (no capture or cancel of it)`, e);
    }
    const times = timed.filter((e) => e.response).map((e) => e.durationMs).sort((a, b) => a - b);
    const pace = times.length > 0 ? `answer times ${seconds(times[0])}–${seconds(times[times.length - 1])} (median ${seconds(times[Math.floor(times.length / 2)])})` : 'no answer received';
    t.note(`${plural(callbacks.length, 'card callback')}: ${pace}`);
    if (t.problems > 0) return t.finding(item, input, `${t.summary()}.`);
    return finding(item, input, 'PASSED', `Every card callback was answered within 20 s without a 5xx (${pace})${unknown.length ? `, and ${plural(unknown.length, 'unknown outcome')} reported afterwards` : ''}.`, { cites: t.cites, details: t.lines });
  },
};
