/**
 * Endpoint get — "Get payment: GET:/epayment/v1/payments/{reference}" (ePayment checklist,
 * Endpoints to integrate; vipps-facts §8.1 #2, §2.8).
 * https://developer.vippsmobilepay.com/docs/APIs/epayment-api/api-guide/operations/get_info/
 *
 * Rule: GET payment is the recommended way to learn a payment's current state; the integration
 * reads every payment it creates. (The 2023 checklist's "POST" for this endpoint is a
 * documentation error; GET is correct.)
 *
 * Evidence (whole run): accepted createPayment exchanges and getPayment exchanges per reference.
 * FAILED when a payment that reached a final state (webhook, customer action, modification,
 * observation) was never fetched; WARNING when a payment with no final-state evidence was never
 * fetched; FAILED when no payment was created at all.
 */
import type { Rule } from '../types.ts';
import { finding, list, noEvidence, plural, Tally } from '../support/findings.ts';
import { finalStateOf, payments } from '../support/payments.ts';
import { describe } from '../support/traffic.ts';

export const endpointGet: Rule = {
  judge(input, { item }) {
    const created = [...payments(input).values()].filter((p) => p.created);
    if (created.length === 0) return noEvidence(item, input, 'No payment was created, so no GET payment could be judged.');
    const t = new Tally();
    const fetched: string[] = [];
    for (const p of created) {
      if (p.gets.length > 0) {
        fetched.push(p.reference);
        t.cite(p.gets[0]);
        continue;
      }
      const fin = finalStateOf(p);
      if (fin) t.add('FAILED', `${p.reference}: reached ${fin.state} (${fin.source}) but was never fetched with GET (created ${describe(p.created!)})`, p.created, fin.seq);
      else t.add('WARNING', `${p.reference}: never fetched with GET (created ${describe(p.created!)}; no final state seen)`, p.created);
    }
    if (t.problems === 0) return finding(item, input, 'PASSED', `All ${plural(created.length, 'created payment')} were read with GET payment: ${list(fetched)}.`, { cites: t.cites });
    return t.finding(item, input, `${plural(t.problems, 'payment')} of ${created.length} never read with GET (ePayment GET …/payments/{reference}, eCom GET …/payments/{orderId}/details).`);
  },
};
