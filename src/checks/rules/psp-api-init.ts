/**
 * PSP API initiate — "Initiate payments" (PSP API checklist; vipps-facts §5.2, §8.7).
 * https://developer.vippsmobilepay.com/docs/APIs/psp-api/
 *
 * Rule: the PSP initiates with POST /psp/v3/psppayments/init (v2: /psp/v2/…): a pspTransactionId
 * of [a-z0-9] (≤ 36) unique per payment, a merchantOrderId, the amount in øre (≥ 100), currency
 * NOK, pspRedirectUrl and makePaymentUrl.
 *
 * Evidence (whole run): the PSP's init requests. FAILED when none was accepted, an accepted body
 * breaks the rules, a pspTransactionId is used twice, or the API refused one (400/409) that no
 * sandbox fault caused.
 */
import type { Rule } from '../types.ts';
import { finding, noEvidence, plural, Tally } from '../support/findings.ts';
import { isPspApiExchange } from '../support/make-payments.ts';
import { apiOps, bodyOf, describe, errorCodeOf, isOk, OP, outcomeOf, responseBodyOf, statusOf } from '../support/traffic.ts';

function problemsOf(body: Record<string, any> | undefined): string[] {
  if (!body) return ['no JSON body'];
  const out: string[] = [];
  if (typeof body.pspTransactionId !== 'string' || !/^[a-z0-9-]{1,36}$/.test(body.pspTransactionId)) out.push(`pspTransactionId ${JSON.stringify(body.pspTransactionId)}: [a-z0-9], at most 36`);
  if (typeof body.merchantOrderId !== 'string' || body.merchantOrderId === '') out.push('no merchantOrderId');
  if (!Number.isInteger(body.amount) || body.amount < 100) out.push(`amount ${JSON.stringify(body.amount)}: whole øre, at least 100`);
  if (body.currency !== undefined && body.currency !== 'NOK') out.push(`currency ${JSON.stringify(body.currency)}: only NOK`);
  for (const f of ['pspRedirectUrl', 'makePaymentUrl']) if (typeof body[f] !== 'string' || body[f] === '') out.push(`no ${f}`);
  return out;
}

export const pspApiInit: Rule = {
  judge(input, { item }) {
    const inits = apiOps(input.traffic, OP.create).filter(isPspApiExchange);
    if (inits.length === 0) return noEvidence(item, input, 'No PSP API init request (POST /psp/v2|v3/psppayments/init) was observed.');
    const t = new Tally();
    const accepted = inits.filter(isOk);
    const seen = new Map<string, number>();
    for (const e of accepted) {
      const body = bodyOf(e);
      const problems = problemsOf(body);
      const id = body?.pspTransactionId;
      if (typeof id === 'string') {
        if (seen.has(id)) problems.push(`pspTransactionId ${id} already used by init #${seen.get(id)}`);
        else seen.set(id, e.seq);
      }
      if (problems.length > 0) t.add('FAILED', `${describe(e)}: ${problems.join('; ')}`, e);
      else t.cite(e);
    }
    for (const e of inits) {
      const s = statusOf(e);
      if (e.fault || isOk(e) || s === undefined || s >= 500) continue;
      const body = responseBodyOf(e);
      const first = Array.isArray(body) ? body[0] : body;
      t.add('FAILED', `${describe(e)} ${outcomeOf(e)}: refused by the API (${[errorCodeOf(body) ?? first?.errorCode, first?.errorMessage].filter(Boolean).join(' — ')})`, e);
    }
    if (accepted.length === 0) return t.finding(item, input, `No init request succeeded (${plural(inits.length, 'attempt')}).`, 'FAILED');
    if (t.problems > 0) return t.finding(item, input, `${t.summary()}.`);
    return finding(item, input, 'PASSED', `${plural(accepted.length, 'payment')} initiated with valid requests and a pspTransactionId each.`, { cites: accepted });
  },
};
