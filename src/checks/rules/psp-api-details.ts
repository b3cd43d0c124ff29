/**
 * PSP API details — "Read payments with details" (PSP API checklist; vipps-facts §5.5, §8.7).
 * https://developer.vippsmobilepay.com/docs/APIs/psp-api/
 *
 * Rule: the PSP reads payments with GET …/psppayments/{pspTransactionId}/details.
 *
 * Evidence (whole run): the details requests. FAILED when none was answered 200, or the API
 * refused one (4xx) that no sandbox fault caused.
 */
import type { Rule } from '../types.ts';
import { finding, noEvidence, plural, Tally } from '../support/findings.ts';
import { isPspApiExchange } from '../support/make-payments.ts';
import { apiOps, describe, isOk, OP, outcomeOf, statusOf } from '../support/traffic.ts';

export const pspApiDetails: Rule = {
  judge(input, { item }) {
    const reads = apiOps(input.traffic, OP.get).filter(isPspApiExchange);
    const ok = reads.filter(isOk);
    if (ok.length === 0) return noEvidence(item, input, `No details read was answered 200 (${plural(reads.length, 'attempt')}).`);
    const t = new Tally();
    for (const e of reads) {
      const s = statusOf(e);
      if (!e.fault && s !== undefined && s >= 400 && s < 500) t.add('FAILED', `${describe(e)} ${outcomeOf(e)}: refused by the API`, e);
    }
    if (t.problems > 0) return t.finding(item, input, `${t.summary()}.`);
    return finding(item, input, 'PASSED', `${plural(ok.length, 'details read')} of ${plural(new Set(ok.map((e) => e.reference)).size, 'payment')}.`, { cites: ok.slice(0, 20) });
  },
};
