/**
 * Errors display — "Handle errors: all integrations should display errors in a way that the
 * users (customers and merchant employees/administrators) can see and understand them" (ePayment
 * checklist, Quality assurance; vipps-facts §8.2 #17, §2.14).
 * https://developer.vippsmobilepay.com/docs/APIs/epayment-api/checklist/
 *
 * Rule: after an API error the customer (checkout) or staff member (admin) sees a human-readable
 * message: not an empty page, no raw JSON/problem details/traceId/stack trace, and no success
 * wording for something that failed.
 *
 * Evidence (flow): the flow's API calls answered 4xx/5xx (typically injected: `http-500-3010`,
 * `http-400-7010`, `http-429`, capture `http-400-6090` …). An error the integration recovered from
 * by itself (a later call of the same operation — and reference — succeeded before any page was
 * observed, e.g. token refresh after 401) needs no display. For every other error the first page
 * observation after it is judged: HTTP ≥ 500, empty text, raw error material or success wording ⇒
 * FAILED; no failure wording at all ⇒ WARNING; no page observed ⇒ FAILED. No error in the flow ⇒
 * FAILED (nothing to judge). With an API checkout the observation is the integration's HTTP
 * answer (`answer: true`): a readable error message (`error`, `error.message`, `message` …) in
 * any status is right; a 2xx answer without one is a fake success ⇒ FAILED, as is no readable
 * message or raw error material in it.
 */
import type { Rule } from '../types.ts';
import { noEvidence, plural, Tally } from '../support/findings.ts';
import { judgeEachFlow } from '../support/flows.ts';
import { observationsOf } from '../support/payments.ts';
import { judgeErrorAnswer } from '../support/answers.ts';
import { excerpt, rawErrorIn, showsFailure, showsLoginWall, showsPending, showsSuccess } from '../support/text.ts';
import { apiCalls, byTime, describe, isOk, OP, operationOf, outcomeOf, referenceOf } from '../support/traffic.ts';

export const errorsDisplay: Rule = {
  judge: (input, { item }) =>
    judgeEachFlow(item, input, (flowInput) => {
      const calls = apiCalls(flowInput.traffic).sort(byTime);
      const errors = calls.filter((e) => (e.response && e.response.status >= 400) || (e.fault ?? '').startsWith('http-'));
      if (errors.length === 0) return noEvidence(item, flowInput, 'No API error happened in this flow (inject one, e.g. http-500 on create), so error display could not be judged.');
      const pages = observationsOf(flowInput, 'page');
      const t = new Tally();
      let judged = 0;
      for (const err of errors) {
        const op = operationOf(err);
        const ref = referenceOf(err);
        const page = pages.find((p) => p.at >= err.startedAt);
        const recovery = calls.find(
          (c) => c.startedAt > err.startedAt && isOk(c) && operationOf(c) === op && (op === OP.create || op === OP.token || referenceOf(c) === ref) && (!page || c.startedAt <= page.at),
        );
        if (recovery) {
          t.cite(err, recovery).note(`${describe(err)} ${outcomeOf(err)}: recovered by ${describe(recovery)} before anything was shown`);
          continue;
        }
        if (!page) {
          t.add('FAILED', `${describe(err)} ${outcomeOf(err)}: no page was observed afterwards, so what the person saw is unknown`, err);
          continue;
        }
        judged++;
        if (page.answer) {
          // An API checkout: the shop's front end shows what its answer says, not a page of its own.
          const verdict = judgeErrorAnswer(page.status, page.text ?? '');
          const where = `the integration's ${page.name} answer after ${describe(err)} ${outcomeOf(err)}`;
          if (verdict.level === 'ok') t.cite(err).note(`${where}: ${verdict.why}`);
          else t.add(verdict.level, `${where}: ${verdict.why}`, err);
          continue;
        }
        const where = `${page.name} page after ${describe(err)} ${outcomeOf(err)}`;
        const text = page.text ?? '';
        const raw = rawErrorIn(text);
        if (page.status !== undefined && page.status >= 500) t.add('FAILED', `${where}: the page itself failed with HTTP ${page.status}`, err);
        else if (text.trim().length < 10) t.add('FAILED', `${where}: the page is (nearly) empty`, err);
        else if (raw) t.add('FAILED', `${where}: shows ${raw}: "${excerpt(text)}"`, err);
        else if (showsSuccess(text) && !showsFailure(text)) t.add('FAILED', `${where}: shows success although the call failed: "${excerpt(text)}"`, err);
        else if (showsLoginWall(text)) t.add('WARNING', `${where}: asks to log in instead of explaining the error: "${excerpt(text)}"`, err);
        else if (!showsFailure(text) && !showsPending(text)) t.add('WARNING', `${where}: does not clearly say something went wrong: "${excerpt(text)}"`, err);
        else t.cite(err).note(`${where}: "${excerpt(text)}"`);
      }
      if (t.problems === 0 && judged === 0)
        return t.finding(item, flowInput, `All ${plural(errors.length, 'API error')} of this flow were recovered from before anything was shown, so error display was not exercised (inject an error the integration cannot retry away).`, 'WARNING');
      if (t.problems === 0) return t.finding(item, flowInput, `${plural(judged, 'page')} after ${plural(errors.length, 'API error')} showed a readable message.`);
      return t.finding(item, flowInput, `Errors not shown understandably: ${t.summary()}.`);
    }),
};
