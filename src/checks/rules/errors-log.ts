/**
 * Errors log — "Handle errors: make sure to log and handle all errors" (ePayment checklist,
 * Quality assurance; vipps-facts §8.2 #16, §2.14).
 * https://developer.vippsmobilepay.com/docs/knowledge-base/errors/
 *
 * Rule: every error the API returns is logged with what is needed to trace it: endpoint, HTTP
 * status, the ePayment error code (extraDetails ErrorCode) and the traceId.
 *
 * Evidence (whole run): the integration's API calls answered ≥ 400 or not at all (injected with
 * sandbox faults 400/409/429/500 or genuine), and the merchant's log as the runner saw it: page
 * observations named like a log (`errorLog`, `logs`, `audit`; not the payment history) or kind:'merchant' exchanges to a log
 * endpoint (path containing `log`), read as text. PASSED when every error's traceId (or error code
 * + endpoint) appears in that log; FAILED when a log is exposed but errors are missing from it, or
 * when no error happened at all (nothing to judge — inject some); REVIEW when errors happened but
 * the profile exposes no log: the details list each error for the reviewer to find in the
 * merchant's logs.
 */
import type { Rule } from '../types.ts';
import { finding, noEvidence, plural, Tally } from '../support/findings.ts';
import { observationsOf } from '../support/payments.ts';
import { apiCalls, describe, errorCodeOf, operationOf, outcomeOf, responseBodyOf } from '../support/traffic.ts';

/**
 * Pages that are the merchant's log (e.g. a profile action named errorLog or audit). Not the
 * payment history (eventLog) and not error pages shown to customers (checkout-error).
 */
const LOG_NAME = /^(errors?|error-?logs?|logs?|audit(-?logs?)?|problems?)$/i;

export function traceIdOf(body: unknown): string | undefined {
  // eCom answers an array of errors, each with its contextId.
  const b = (Array.isArray(body) ? { traceId: (body[0] as { contextId?: unknown } | undefined)?.contextId } : body) as { traceId?: unknown; trace_id?: unknown } | undefined;
  const v = b?.traceId ?? b?.trace_id;
  return typeof v === 'string' ? v : undefined;
}

export const errorsLog: Rule = {
  judge(input, { item }) {
    const errors = apiCalls(input.traffic).filter((e) => e.response === undefined || e.response.status >= 400);
    if (errors.length === 0)
      return noEvidence(item, input, 'No API error happened in this run (inject 400/409/429/500 problems), so error logging could not be judged.');
    const logTexts: { text: string; at: number; label: string; seq?: number }[] = [];
    for (const o of observationsOf(input, 'page')) if (LOG_NAME.test(o.name)) logTexts.push({ text: o.text, at: o.at, label: `${o.name} page` });
    for (const e of input.traffic)
      if (e.kind === 'merchant' && /\/(error-?)?logs?\b|audit/i.test(e.request.path) && e.response)
        logTexts.push({ text: typeof e.response.body === 'string' ? e.response.body : JSON.stringify(e.response.body ?? ''), at: e.startedAt, label: describe(e), seq: e.seq });
    const lines = errors.map((e) => {
      const body = responseBodyOf(e);
      const trace = traceIdOf(body);
      const code = errorCodeOf(body);
      return { e, trace, code, line: `${describe(e)} ${outcomeOf(e)}${code ? `, code ${code}` : ''}${trace ? `, traceId ${trace}` : ''}` };
    });
    if (logTexts.length === 0)
      return finding(
        item,
        input,
        'REVIEW',
        `${plural(errors.length, 'API error')} happened; the profile exposes no merchant log to read, so a person must confirm each is logged (endpoint, status, code, traceId).`,
        { cites: errors, details: lines.map((l) => l.line) },
      );
    const t = new Tally();
    for (const l of lines) {
      const later = logTexts.filter((x) => x.at >= l.e.startedAt);
      const path = l.e.request.path;
      const found = later.find((x) =>
        l.trace ? x.text.includes(l.trace) : (l.code ? x.text.includes(l.code) : x.text.includes(String(l.e.response?.status ?? 'timeout'))) && (x.text.includes(path) || x.text.includes(operationOf(l.e) ?? '\u0000')),
      );
      if (found) t.cite(l.e, found.seq);
      else t.add('FAILED', `${l.line}: not found in the merchant log (${later.map((x) => x.label).join(', ') || 'no log read after it'})`, l.e);
    }
    if (t.problems === 0) return t.finding(item, input, `All ${plural(errors.length, 'API error')} appear in the merchant's log with their traceId or code.`);
    return t.finding(item, input, `${plural(t.problems, 'API error')} of ${errors.length} missing from the merchant's log.`);
  },
};
