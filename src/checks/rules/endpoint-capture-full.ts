/**
 * Endpoint capture full — "Full and partial capture payment:
 * POST:/epayment/v1/payments/{reference}/capture", the full case (ePayment checklist, Endpoints to
 * integrate; vipps-facts §8.1 #5, §2.9).
 * https://developer.vippsmobilepay.com/docs/APIs/epayment-api/api-guide/operations/capture/
 *
 * Rule: "Full capture: capture the entire authorized amount in a single operation" with
 * `modificationAmount` = authorized amount, in the payment's currency.
 *
 * Evidence (whole run): capturePayment exchanges answered 2xx and their response aggregates.
 * PASSED when one capture took the whole authorized amount at once; FAILED when none did, or when a
 * capture's currency differs from the payment's. Not applicable with `capabilities.capture: false`.
 */
import type { Rule } from '../types.ts';
import { finding, list, noEvidence, plural } from '../support/findings.ts';
import { offReason } from '../support/profile.ts';
import { aggregateOf, apiOps, describe, isOk, modificationAmountOf, OP, outcomeOf, referenceOf, responseBodyOf } from '../support/traffic.ts';

export const endpointCaptureFull: Rule = {
  notApplicable: (profile) => offReason(profile, 'capture'),
  judge(input, { item }) {
    const calls = apiOps(input.traffic, OP.capture);
    const ok = calls.filter(isOk);
    const mismatched = ok.filter((e) => {
      const m = modificationAmountOf(e);
      const agg = aggregateOf(responseBodyOf(e));
      return m?.currency && agg?.currency && m.currency !== agg.currency;
    });
    if (mismatched.length > 0)
      return finding(item, input, 'FAILED', `${plural(mismatched.length, 'capture')} in another currency than the payment.`, {
        cites: mismatched,
        details: mismatched.map((e) => `${describe(e)}: modificationAmount.currency ${modificationAmountOf(e)?.currency} ≠ payment currency ${aggregateOf(responseBodyOf(e))?.currency}`),
      });
    const full = ok.filter((e) => {
      const m = modificationAmountOf(e);
      const agg = aggregateOf(responseBodyOf(e));
      return m !== undefined && agg !== undefined && agg.authorized > 0 && m.value === agg.authorized && agg.captured === agg.authorized;
    });
    if (full.length > 0) {
      const refs = [...new Set(full.map((e) => `${referenceOf(e)} (${modificationAmountOf(e)!.value})`))];
      return finding(item, input, 'PASSED', `Full capture of the authorized amount: ${list(refs)}.`, { cites: full });
    }
    if (calls.length === 0) return noEvidence(item, input, 'POST …/capture was never called (drive the "ship order" action on an authorized payment).');
    return noEvidence(item, input, `No capture took the whole authorized amount at once (${plural(ok.length, 'successful capture')}, ${plural(calls.length, 'attempt')}).`, {
      cites: calls,
      details: calls.map((e) => {
        const agg = aggregateOf(responseBodyOf(e));
        return `${describe(e)} ${outcomeOf(e)}: modificationAmount ${modificationAmountOf(e)?.value ?? '?'}${agg ? `, authorized ${agg.authorized}, captured ${agg.captured}` : ''}`;
      }),
    });
  },
};
