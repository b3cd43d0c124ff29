/**
 * Endpoint refund partial — "Full and partial refund payment", the partial case (ePayment
 * checklist, Endpoints to integrate; vipps-facts §8.1 #8, §2.9).
 * https://developer.vippsmobilepay.com/docs/APIs/epayment-api/api-guide/operations/refund/
 *
 * Rule: the integration refunds part of the captured amount, possibly several times; "multiple
 * partial refunds are allowed" and refundedAmount accumulates.
 *
 * Evidence (whole run): refundPayment exchanges answered 2xx (idempotent replays — same key as an
 * earlier accepted refund — not counted). PASSED when a payment got ≥2 partial refunds and each
 * response's refundedAmount = the previous one + modificationAmount; WARNING when only a single
 * partial refund was seen (repeatability not shown); FAILED when no partial refund succeeded or
 * refundedAmount does not add up. Not applicable with `capabilities.refund: false` or
 * `capabilities.partialRefund: false`.
 */
import type { Exchange } from '../../traffic/types.ts';
import type { Rule } from '../types.ts';
import { finding, list, noEvidence, plural, Tally } from '../support/findings.ts';
import { offReason } from '../support/profile.ts';
import { aggregateOf, apiOps, byTime, describe, idempotencyKeyOf, isOk, modificationAmountOf, OP, referenceOf, responseBodyOf, tookEffectUnseen } from '../support/traffic.ts';

export const endpointRefundPartial: Rule = {
  notApplicable: (profile) => offReason(profile, 'refund', 'partialRefund'),
  judge(input, { item }) {
    const byRef = new Map<string, Exchange[]>();
    const seen = new Set<string>();
    // Accepted refunds plus those that took effect although the answer was lost (drop-response);
    // a later request with the same key is an idempotent replay and is not a second refund.
    for (const e of apiOps(input.traffic, OP.refund).filter((x) => isOk(x) || tookEffectUnseen(x)).sort(byTime)) {
      const ref = referenceOf(e) ?? '?';
      const id = `${ref}\u0000${idempotencyKeyOf(e) ?? `#${e.seq}`}`;
      if (seen.has(id)) continue;
      seen.add(id);
      byRef.set(ref, [...(byRef.get(ref) ?? []), e]);
    }
    const t = new Tally();
    const repeated: string[] = [];
    const single: string[] = [];
    for (const [ref, refunds] of byRef) {
      const partial = refunds.filter(isOk).filter((e) => {
        const m = modificationAmountOf(e);
        const agg = aggregateOf(responseBodyOf(e));
        return m !== undefined && agg !== undefined && m.value > 0 && m.value < agg.captured;
      });
      if (partial.length === 0) continue;
      let prev = 0;
      let consistent = true;
      for (const e of refunds) {
        const m = modificationAmountOf(e)?.value ?? 0;
        const agg = aggregateOf(responseBodyOf(e));
        if (!isOk(e)) {
          prev += m; // applied, answer lost
          continue;
        }
        if (agg && agg.refunded !== prev + m) {
          consistent = false;
          t.add('FAILED', `${describe(e)}: refundedAmount ${agg.refunded} ≠ ${prev} already refunded + ${m}`, e);
        }
        if (agg) prev = agg.refunded;
      }
      t.cite(...refunds);
      if (refunds.length >= 2 && consistent) repeated.push(`${ref} (${refunds.map((e) => modificationAmountOf(e)?.value).join(' + ')} = ${prev})`);
      else if (consistent) single.push(ref);
    }
    if (t.level === 'FAILED') return t.finding(item, input, 'refundedAmount does not add up across partial refunds.');
    if (repeated.length > 0) return t.finding(item, input, `Repeated partial refunds add up: ${list(repeated, 3)}.`, 'PASSED');
    if (single.length > 0) return t.finding(item, input, `A partial refund works (${list(single)}) but no payment was refunded in ≥2 parts, so repeatability is not shown.`, 'WARNING');
    return noEvidence(item, input, `No refund of less than the captured amount succeeded (${plural(byRef.size, 'payment')} refunded).`, { cites: t.cites });
  },
};
