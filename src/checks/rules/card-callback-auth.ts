/**
 * Verify the callback's authenticity — "Verify the callback" (ePayment PSP checklist;
 * vipps-facts §4.4, §8.6 #53).
 * https://developer.vippsmobilepay.com/docs/APIs/psp-epayment-recurring/card-callback/
 *
 * Rule: the PSP authorizes a card only for a callback that carries its own cardCallbackAuthHeader
 * (or, where Vipps signs with HMAC, a valid signature keyed with the PSP's secret); anything
 * else is rejected and nothing is authorized.
 *
 * Evidence (flow): the forged callbacks golive sent (wrong or missing auth header, bad HMAC) and
 * the PSP's order before and after. FAILED when a forgery was answered 2xx or the order changed;
 * WARNING for a 5xx (not authorized, but not a clean rejection either).
 */
import type { Rule } from '../types.ts';
import { finding, noEvidence, Tally } from '../support/findings.ts';
import { answerOf, forgedCallbacks, notesOf } from '../support/card-callbacks.ts';
import { observationsOf } from '../support/payments.ts';

export const cardCallbackAuth: Rule = {
  judge(input, { item }) {
    const forged = forgedCallbacks(input.traffic);
    if (forged.length === 0) return noEvidence(item, input, 'No forged card callback was sent in this flow, so nothing shows the PSP checking who calls it.');
    const t = new Tally();
    for (const e of forged) {
      const { http, status } = answerOf(e);
      const what = `forged callback #${e.seq} (${notesOf(e).forged})`;
      if (http === undefined) t.add('WARNING', `${what}: no answer (${e.error ?? 'no response'})`, e);
      else if (http >= 200 && http < 300) t.add('FAILED', `${what}: accepted with ${http}${status ? ` ${status}` : ''} — the PSP acted on a callback that was not from Vipps`, e);
      else if (http >= 500) t.add('WARNING', `${what}: answered ${http}; a forged callback should be refused with 401/403`, e);
      else t.cite(e).note(`${what}: refused with ${http}`);
    }
    for (const o of observationsOf(input, 'card-forgery')) {
      if (o.statusBefore !== undefined && o.statusAfter !== undefined && o.statusBefore !== o.statusAfter)
        t.add('FAILED', `${o.reference}: the PSP's order went from "${o.statusBefore}" to "${o.statusAfter}" after the forged callback (${o.forgery})`);
    }
    if (t.problems > 0) return t.finding(item, input, `Forged card callbacks were not refused: ${t.summary()}.`);
    return finding(item, input, 'PASSED', 'Every forged card callback was refused and the PSP\'s order did not change.', { cites: t.cites, details: t.lines });
  },
};
