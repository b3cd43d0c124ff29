/**
 * PSP headers — "System HTTP headers" and "Psp-Id on every ePayment and webhook request"
 * (ePayment PSP checklist; vipps-facts §1.4, §4.1, §8.6 #57).
 * https://developer.vippsmobilepay.com/docs/APIs/psp-epayment-api/epayment-psp-api-guide/
 *
 * Rule: a PSP sends the Vipps-System-* headers (ePayment's headers rule, combined here) and its
 * Psp-Id with every ePayment and Webhooks request.
 *
 * Evidence (whole run): the integration's ePayment and Webhooks calls. FAILED when any lacks Psp-Id.
 */
import type { Rule } from '../types.ts';
import { finding, noEvidence, plural, Tally } from '../support/findings.ts';
import { allOf } from '../support/combine.ts';
import { systemHeaders } from './system-headers.ts';
import { apiCalls, describe, reqHeader } from '../support/traffic.ts';

const pspIdSent: Rule = {
  judge(input, { item }) {
    const calls = apiCalls(input.traffic).filter((e) => e.api === 'epayment' || e.api === 'webhooks');
    if (calls.length === 0) return noEvidence(item, input, 'No ePayment or Webhooks call was observed.');
    const t = new Tally();
    for (const e of calls) if (!reqHeader(e, 'psp-id')) t.add('FAILED', `${describe(e)}: no Psp-Id header`, e);
    if (t.problems > 0) return t.finding(item, input, `${plural(t.problems, 'call')} of ${calls.length} without Psp-Id.`);
    return finding(item, input, 'PASSED', `All ${plural(calls.length, 'ePayment/Webhooks call')} carried Psp-Id.`, { cites: calls.slice(0, 20) });
  },
};

export const pspHeaders = allOf({ 'system headers': systemHeaders, 'Psp-Id': pspIdSent });
