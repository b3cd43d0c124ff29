/**
 * Redirect url top level — open the redirectUrl unchanged and top-level (ePayment API guide / toolkit;
 * vipps-facts §8.3 #25, §2.6).
 * https://developer.vippsmobilepay.com/docs/APIs/epayment-api/api-guide/operations/create/
 *
 * Rule: the merchant opens the redirectUrl the create call returned exactly as it is, in the top
 * frame — no iframe or embedded web view, no rewriting, no app detection — or uses the Vipps
 * MobilePay widget.
 *
 * Evidence (flow): navigation observations (the redirectUrl the sandbox returned vs the URL the
 * browser opened after "Pay", and whether it was the top-level frame). Recommended row: WARNING
 * when the URL was changed or opened in a frame, or when no navigation was observed. NOT
 * APPLICABLE when the flow's checkout went through the integration's HTTP API (no browser checkout).
 */
import type { Rule } from '../types.ts';
import { finding, noEvidence, plural, Tally } from '../support/findings.ts';
import { judgeEachFlow } from '../support/flows.ts';
import { observationsOf } from '../support/payments.ts';

export const redirectUrlTopLevel: Rule = {
  judge: (input, { item }) =>
    judgeEachFlow(item, input, (flowInput) => {
      const navs = observationsOf(flowInput, 'navigation');
      const checkouts = observationsOf(flowInput, 'checkout');
      if (navs.length === 0 && checkouts.length > 0 && checkouts.every((c) => c.via === 'http'))
        return finding(item, flowInput, 'NOT_APPLICABLE', "The checkout is the integration's HTTP API, not a page: its own front end opens the redirectUrl, which golive does not see.");
      if (navs.length === 0) return noEvidence(item, flowInput, 'No navigation to the redirectUrl was observed (the browser actor records it after "Pay").');
      const t = new Tally();
      for (const n of navs) {
        if (n.actual !== n.expected) t.add('WARNING', `opened "${n.actual}" instead of the redirectUrl "${n.expected}" (must be byte-equal)`);
        if (!n.topLevel) t.add('WARNING', `the redirectUrl ${n.expected} was opened inside a frame, not top-level`);
      }
      if (t.problems === 0) return t.finding(item, flowInput, `The redirectUrl was opened unchanged and top-level (${plural(navs.length, 'navigation')}).`);
      return t.finding(item, flowInput, `redirectUrl not opened as returned: ${t.summary()}.`);
    }),
};
