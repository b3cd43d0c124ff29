/**
 * Endpoint capture partial — "Full and partial capture payment", the partial case (ePayment
 * checklist, Endpoints to integrate; vipps-facts §8.1 #6, §2.9).
 * https://developer.vippsmobilepay.com/docs/APIs/epayment-api/api-guide/operations/capture/
 *
 * Rule: "Partial capture: capture the total in multiple operations" — a capture of less than the
 * authorized amount, repeatable, with the rest captured later or cancelled (EP-CANCEL-REMAINDER).
 *
 * Evidence (whole run): capturePayment exchanges answered 2xx. PASSED when a capture below the
 * authorized amount is followed by another capture or a cancel of the same payment; WARNING when
 * the partial capture has no follow-up; FAILED when no partial capture succeeded. Idempotent
 * replays (same key as an earlier accepted capture) are not counted as second captures.
 * Not applicable with `capabilities.capture: false` or `capabilities.partialCapture: false`.
 */
import type { Exchange } from '../../traffic/types.ts';
import type { Rule } from '../types.ts';
import { finding, list, noEvidence, plural } from '../support/findings.ts';
import { offReason } from '../support/profile.ts';
import { aggregateOf, apiOps, byTime, describe, idempotencyKeyOf, isOk, modificationAmountOf, OP, operationOf, referenceOf, responseBodyOf } from '../support/traffic.ts';

/** Accepted captures that are not replays of an earlier accepted capture of the same payment. */
export function distinctCaptures(traffic: readonly Exchange[]): Exchange[] {
  const seen = new Set<string>();
  const out: Exchange[] = [];
  for (const e of apiOps(traffic, OP.capture).filter(isOk).sort(byTime)) {
    const key = idempotencyKeyOf(e);
    const id = `${referenceOf(e)}\u0000${key ?? `#${e.seq}`}`;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push(e);
  }
  return out;
}

export const endpointCapturePartial: Rule = {
  notApplicable: (profile) => offReason(profile, 'capture', 'partialCapture'),
  judge(input, { item }) {
    const captures = distinctCaptures(input.traffic);
    const partial = captures.filter((e) => {
      const m = modificationAmountOf(e);
      const agg = aggregateOf(responseBodyOf(e));
      return m !== undefined && agg !== undefined && m.value > 0 && m.value < agg.authorized;
    });
    if (partial.length === 0)
      return noEvidence(item, input, `No capture of less than the authorized amount succeeded (${plural(captures.length, 'successful capture')} seen); drive a partial shipment.`, {
        cites: captures,
      });
    const cancels = apiOps(input.traffic, OP.cancel).filter(isOk);
    const withFollowUp: string[] = [];
    const cites: Exchange[] = [];
    const lonely: Exchange[] = [];
    for (const e of partial) {
      const ref = referenceOf(e);
      const next = [...captures, ...cancels].filter((x) => x !== e && referenceOf(x) === ref && x.startedAt >= e.startedAt).sort(byTime)[0];
      if (next) {
        withFollowUp.push(`${ref}: ${modificationAmountOf(e)!.value} of ${aggregateOf(responseBodyOf(e))!.authorized}, then ${operationOf(next) === OP.cancel ? 'cancel' : 'capture'} ${describe(next)}`);
        cites.push(e, next);
      } else lonely.push(e);
    }
    if (withFollowUp.length > 0) return finding(item, input, 'PASSED', `Partial capture followed by a further capture or cancel: ${list(withFollowUp, 3)}.`, { cites });
    return finding(item, input, 'WARNING', `Partial capture works (${plural(lonely.length, 'payment')}) but no payment got a second capture or a cancel of the rest afterwards.`, {
      cites: lonely,
      details: lonely.map((e) => `${describe(e)}: captured ${modificationAmountOf(e)!.value} of ${aggregateOf(responseBodyOf(e))!.authorized}; nothing followed`),
    });
  },
};
