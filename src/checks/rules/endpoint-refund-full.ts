/**
 * Endpoint refund full — "Full and partial refund payment:
 * POST:/epayment/v1/payments/{reference}/refund", the full case (ePayment checklist, Endpoints to
 * integrate; vipps-facts §8.1 #7, §2.9).
 * https://developer.vippsmobilepay.com/docs/APIs/epayment-api/api-guide/operations/refund/
 *
 * Rule: the integration refunds the whole captured amount (refund allowed while refunded + new ≤
 * captured).
 *
 * Evidence (whole run): refundPayment exchanges answered 2xx. PASSED when one refund's
 * modificationAmount equals the captured amount and leaves refundedAmount = capturedAmount;
 * FAILED otherwise. Not applicable with `capabilities.refund: false`.
 */
import type { Rule } from '../types.ts';
import { finding, list, noEvidence, plural } from '../support/findings.ts';
import { offReason } from '../support/profile.ts';
import { aggregateOf, apiOps, describe, isOk, modificationAmountOf, OP, outcomeOf, referenceOf, responseBodyOf } from '../support/traffic.ts';

export const endpointRefundFull: Rule = {
  notApplicable: (profile) => offReason(profile, 'refund'),
  judge(input, { item }) {
    const calls = apiOps(input.traffic, OP.refund);
    const full = calls.filter(isOk).filter((e) => {
      const m = modificationAmountOf(e);
      const agg = aggregateOf(responseBodyOf(e));
      return m !== undefined && agg !== undefined && agg.captured > 0 && m.value === agg.captured && agg.refunded === agg.captured;
    });
    if (full.length > 0) {
      const refs = [...new Set(full.map((e) => `${referenceOf(e)} (${modificationAmountOf(e)!.value})`))];
      return finding(item, input, 'PASSED', `Full refund of the captured amount: ${list(refs)}.`, { cites: full });
    }
    if (calls.length === 0) return noEvidence(item, input, 'POST …/refund was never called (drive a refund after a capture).');
    return noEvidence(item, input, `No refund returned the whole captured amount at once (${plural(calls.length, 'refund attempt')}).`, {
      cites: calls,
      details: calls.map((e) => {
        const agg = aggregateOf(responseBodyOf(e));
        return `${describe(e)} ${outcomeOf(e)}: modificationAmount ${modificationAmountOf(e)?.value ?? '?'}${agg ? `, captured ${agg.captured}, refunded ${agg.refunded}` : ''}`;
      }),
    });
  },
};
