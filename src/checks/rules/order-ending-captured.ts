/**
 * Order ending captured — "The merchant verifies the integration in the test environment by checking that
 * there are test IDs (reference) in the test environment with the following states … a complete
 * order ending in CAPTURED" (ePayment checklist, Flow to go live for direct integrations; vipps-facts
 * §8.4).
 * https://developer.vippsmobilepay.com/docs/APIs/epayment-api/checklist/
 *
 * Rule: a complete test order exists whose last operation is a capture: create → approve → capture, capturedAmount = authorized amount (full capture, nothing refunded).
 *
 * Evidence (whole run): accepted createPayment calls and the last accepted modification answer of
 * each payment (idempotent replays ignored) with its aggregate. PASSED listing the references
 * (the evidence the go-live review asks for); FAILED when none exists. Not applicable with
 * `capabilities.capture: false`.
 */
import type { Rule } from '../types.ts';
import { finding, list, noEvidence } from '../support/findings.ts';
import { orderEndings } from '../support/orders.ts';
import { offReason } from '../support/profile.ts';
import { describe } from '../support/traffic.ts';

export const orderEndingCaptured: Rule = {
  notApplicable: (profile) => offReason(profile, 'capture'),
  judge(input, { item }) {
    const endings = orderEndings(input);
    const hits = endings.filter((o) => o.ending === 'CAPTURED' && o.complete);
    if (hits.length > 0)
      return finding(item, input, 'PASSED', `Complete test orders ending in CAPTURED: ${list(hits.map((o) => o.reference))}.`, {
        cites: hits.flatMap((o) => [o.picture.created, o.last]),
        details: hits.map((o) => `${o.reference}: created ${describe(o.picture.created!)}, last ${describe(o.last!)} (captured ${o.aggregate?.captured ?? '?'}, refunded ${o.aggregate?.refunded ?? '?'}, cancelled ${o.aggregate?.cancelled ?? '?'} of ${o.aggregate?.authorized ?? '?'})`),
      });
    const partial = endings.filter((o) => o.ending === 'CAPTURED' && !o.complete);
    return noEvidence(
      item,
      input,
      `No complete test order ends in CAPTURED (${endings.length} orders seen: ${list(endings.map((o) => `${o.reference} → ${o.ending}`), 6) || 'none'}).`,
      { details: partial.map((o) => `${o.reference}: ends in CAPTURED but its create call is not in the log`) },
    );
  },
};
