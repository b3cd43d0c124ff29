/**
 * Customer present — in-store payments send customerInteraction CUSTOMER_PRESENT (ePayment API
 * guide, create; vipps-facts §8.3 #29, §2.5, §2.13).
 * https://developer.vippsmobilepay.com/docs/APIs/epayment-api/api-guide/operations/create/
 *
 * Rule: `customerInteraction` must be "CUSTOMER_PRESENT" when the customer pays at a physical point
 * of sale (the default is CUSTOMER_NOT_PRESENT).
 *
 * Evidence (whole run): createPayment bodies. Applies only when the profile declares
 * `capabilities.inStore` — `true` (every create is in-store) or a list of userFlows that are
 * in-store (e.g. ["QR", "PUSH_MESSAGE"]). Recommended row: WARNING for an in-store create without
 * it, or when no in-store create was observed.
 */
import type { Rule } from '../types.ts';
import { noEvidence, plural, Tally } from '../support/findings.ts';
import { capabilityList, declaredOn } from '../support/profile.ts';
import { apiOps, bodyOf, describe, OP } from '../support/traffic.ts';

export const customerPresent: Rule = {
  notApplicable: (profile) => (declaredOn(profile, 'inStore') ? undefined : 'the profile declares no in-store (point of sale) payments (capabilities.inStore)'),
  judge(input, { item }) {
    const flows = capabilityList(input.profile, 'inStore');
    const creates = apiOps(input.traffic, OP.create).filter((e) => !flows || flows.includes(bodyOf(e)?.userFlow));
    if (creates.length === 0) return noEvidence(item, input, `No in-store create was observed${flows ? ` (userFlow ${flows.join('/')})` : ''}.`);
    const t = new Tally();
    for (const e of creates) {
      const v = bodyOf(e)?.customerInteraction;
      if (v !== 'CUSTOMER_PRESENT') t.add('WARNING', `${describe(e)}: customerInteraction ${v === undefined ? 'missing' : `"${v}"`} on an in-store payment`, e);
      else t.cite(e);
    }
    if (t.problems === 0) return t.finding(item, input, `All ${plural(creates.length, 'in-store create')} send customerInteraction: CUSTOMER_PRESENT.`);
    return t.finding(item, input, `${plural(t.problems, 'in-store create')} of ${creates.length} without CUSTOMER_PRESENT.`);
  },
};
