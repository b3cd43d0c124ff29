/**
 * Rate limit backoff — respect rate limits (ePayment API guide "Rate limiting", knowledge base;
 * vipps-facts §8.3 #30, §2.15, §7.2).
 * https://developer.vippsmobilepay.com/docs/APIs/epayment-api/api-guide/errors/
 *
 * Rule: HTTP 429 means the integration calls too often (limits are per reference: 5/min for
 * create/capture/cancel/refund, 120/min for GET payment and the event log). Back off: wait before
 * the next call for that payment — at least 1 s, and at least Retry-After when the answer has one.
 *
 * Evidence (whole run): every API call answered 429 and the integration's next call of the same
 * operation and reference (any reference for token/create calls). Recommended row: WARNING for a
 * next call sooner than allowed, or when no 429 was ever answered (inject `http-429` on GET);
 * REVIEW (not exercised) when a flow's 429 fault never fired.
 */
import type { Rule } from '../types.ts';
import { noEvidence, plural, seconds, Tally } from '../support/findings.ts';
import { notExercised, unmetFaults } from '../support/flows.ts';
import { apiCalls, byTime, describe, endOf, OP, operationOf, referenceOf, resHeader } from '../support/traffic.ts';

export const rateLimitBackoff: Rule = {
  judge(input, { item }) {
    const calls = apiCalls(input.traffic).sort(byTime);
    const limited = calls.filter((e) => e.response?.status === 429);
    const unmet = unmetFaults(input, item.id, (e) => e.type === 'status' && e.status === 429);
    if (limited.length === 0 && unmet.length > 0) return notExercised(item, input, unmet, 'a request answered 429');
    if (limited.length === 0) return noEvidence(item, input, 'No request was answered 429, so back-off could not be judged (inject http-429 on GET payment).');
    const t = new Tally();
    for (const r of limited) {
      const op = operationOf(r);
      const ref = referenceOf(r);
      const next = calls.find((c) => c.startedAt > r.startedAt && c.seq !== r.seq && operationOf(c) === op && (op === OP.token || op === OP.create || referenceOf(c) === ref));
      if (!next) {
        t.cite(r).note(`${describe(r)} → 429: no further call of it`);
        continue;
      }
      const retryAfter = Number(resHeader(r, 'retry-after'));
      const minWait = Math.max(1000, Number.isFinite(retryAfter) ? retryAfter * 1000 : 0);
      const waited = next.startedAt - endOf(r);
      if (waited < minWait) t.add('WARNING', `${describe(r)} → 429, then ${describe(next)} after only ${seconds(Math.max(0, waited))} (wait ≥ ${seconds(minWait)})`, r, next);
      else t.cite(r, next).note(`${describe(r)} → 429, next call after ${seconds(waited)}`);
    }
    if (t.problems === 0) return t.finding(item, input, `The integration backed off after ${plural(limited.length, '429 answer')}.`);
    return t.finding(item, input, `No back-off after 429: ${t.summary()}.`);
  },
};
