/**
 * PSP create — "Initiate payment with CARD_PASSTHROUGH + cardPassthrough + Psp-Id" (ePayment PSP
 * checklist; vipps-facts §4.1, §8.6 #46).
 * https://developer.vippsmobilepay.com/docs/APIs/psp-epayment-api/epayment-psp-api-guide/
 *
 * Rule: the PSP creates payments with paymentMethod.type CARD_PASSTHROUGH and a cardPassthrough
 * object — its own pspReference, unique per payment, and the cardCallbackUrl — with the Psp-Id
 * header; and the body's other rules are ePayment's (the create rule, combined here).
 *
 * Evidence (whole run): the accepted creates. FAILED when one is not CARD_PASSTHROUGH, lacks
 * pspReference or cardCallbackUrl, was sent without Psp-Id, or reuses another payment's pspReference.
 */
import type { Rule } from '../types.ts';
import { finding, noEvidence, plural, Tally } from '../support/findings.ts';
import { allOf } from '../support/combine.ts';
import { endpointCreate } from './endpoint-create.ts';
import { apiOps, bodyOf, describe, isOk, OP, reqHeader } from '../support/traffic.ts';

const cardPassthroughCreate: Rule = {
  judge(input, { item }) {
    const accepted = apiOps(input.traffic, OP.create).filter(isOk);
    if (accepted.length === 0) return noEvidence(item, input, 'No create request was accepted, so no card-passthrough payment was created.');
    const t = new Tally();
    const firstOf = new Map<string, number>();
    for (const e of accepted) {
      const body = bodyOf(e) ?? {};
      const c = body.cardPassthrough ?? {};
      const problems: string[] = [];
      if (body.paymentMethod?.type !== 'CARD_PASSTHROUGH') problems.push(`paymentMethod.type is ${JSON.stringify(body.paymentMethod?.type)}, not CARD_PASSTHROUGH`);
      if (typeof c.pspReference !== 'string' || c.pspReference === '') problems.push('no cardPassthrough.pspReference');
      if (typeof c.cardCallbackUrl !== 'string' || c.cardCallbackUrl === '') problems.push('no cardPassthrough.cardCallbackUrl');
      if (!reqHeader(e, 'psp-id')) problems.push('no Psp-Id header');
      if (typeof c.pspReference === 'string' && c.pspReference !== '') {
        const earlier = firstOf.get(c.pspReference);
        if (earlier !== undefined) problems.push(`pspReference ${c.pspReference} was already used by create #${earlier}`);
        else firstOf.set(c.pspReference, e.seq);
      }
      if (problems.length > 0) t.add('FAILED', `${describe(e)}: ${problems.join('; ')}`, e);
      else t.cite(e);
    }
    if (t.problems > 0) return t.finding(item, input, `${plural(t.problems, 'create')} not as a PSP's card-passthrough create must be: ${t.summary()}.`);
    return finding(item, input, 'PASSED', `${plural(accepted.length, 'card-passthrough payment')} created with Psp-Id, a cardCallbackUrl and a pspReference of its own each.`, { cites: accepted });
  },
};

export const pspCreate = allOf({ 'ePayment create': endpointCreate, 'card passthrough': cardPassthroughCreate });
