/**
 * Evidence fresh — partner checklist submissions carry request examples less than one month old
 * and a video or description of the solution (partner checklist; vipps-facts §8.4 #38).
 * https://developer.vippsmobilepay.com/docs/partner/partner-checklist/
 *
 * Rule: evidence handed in with a partner's checklist must be recent (< 1 month) and explained.
 *
 * Evidence (whole run): the time span of the recorded exchanges. Checks have no clock, so the age at
 * submission is for a person to judge: REVIEW with the recording period (sandbox clock, ISO) and
 * the number of exchanges. Not applicable to direct integrations (the rule is for partner
 * submissions). No traffic ⇒ FAILED (no evidence to hand in).
 */
import type { Rule } from '../types.ts';
import { finding, noEvidence, plural } from '../support/findings.ts';
import { apiCalls } from '../support/traffic.ts';

export const evidenceFresh: Rule = {
  notApplicable: (profile) => (profile.kind === 'direct' ? 'the freshness rule applies to partner checklist submissions; this is a direct integration' : undefined),
  judge(input, { item }) {
    const calls = apiCalls(input.traffic);
    if (calls.length === 0) return noEvidence(item, input, 'No API traffic was recorded, so there are no request examples to submit.');
    const first = Math.min(...calls.map((e) => e.startedAt));
    const last = Math.max(...calls.map((e) => e.startedAt));
    const iso = (t: number) => new Date(t).toISOString();
    return finding(
      item,
      input,
      'REVIEW',
      `${plural(calls.length, 'request example')} recorded between ${iso(first)} and ${iso(last)} (sandbox clock). Submit them less than one month after ${iso(last)}, with a video or description of the solution.`,
      { cites: [calls[0], calls[calls.length - 1]] },
    );
  },
};
