/**
 * The PSP's reports through ePayment (capture, cancel, refund; vipps-facts §4.5): one rule shape
 * for the three PSP-UPDATE-* rules (rules/psp-update-*.ts). FAILED when none was accepted, a call
 * went without Psp-Id, the API refused one (400/409/422) no sandbox fault caused, or an answer's
 * amounts do not add up.
 */
import type { Rule } from '../types.ts';
import { finding, noEvidence, plural, Tally } from './findings.ts';
import { aggregateOf, apiOps, describe, isOk, OP, outcomeOf, reqHeader, responseBodyOf, statusOf } from './traffic.ts';

const WORD = { capture: OP.capture, cancel: OP.cancel, refund: OP.refund } as const;

export function pspReportRule(kind: keyof typeof WORD): Rule {
  return {
    judge(input, { item }) {
      const calls = apiOps(input.traffic, WORD[kind]);
      const accepted = calls.filter(isOk);
      if (accepted.length === 0) return noEvidence(item, input, `No ${kind} was reported through ePayment (${plural(calls.length, 'attempt')}).`);
      const t = new Tally();
      for (const e of calls) {
        if (!reqHeader(e, 'psp-id')) t.add('FAILED', `${describe(e)}: no Psp-Id header`, e);
        const s = statusOf(e);
        if (!e.fault && (s === 400 || s === 409 || s === 422)) t.add('FAILED', `${describe(e)} ${outcomeOf(e)}: refused by the API`, e);
      }
      for (const e of accepted) {
        const agg = aggregateOf(responseBodyOf(e));
        if (agg && (agg.captured > agg.authorized || agg.refunded > agg.captured)) t.add('FAILED', `${describe(e)}: the answer's amounts do not add up (${JSON.stringify(agg)})`, e);
        else t.cite(e);
      }
      if (t.problems > 0) return t.finding(item, input, `${t.summary()}.`);
      return finding(item, input, 'PASSED', `${plural(accepted.length, kind)} reported through ePayment with Psp-Id.`, { cites: accepted });
    },
  };
}
