/**
 * Soft decline and 3-D Secure — "Answer with SOFT_DECLINE and complete 3DS" (ePayment PSP
 * checklist; vipps-facts §4.3, §8.6 #51).
 * https://developer.vippsmobilepay.com/docs/APIs/psp-epayment-recurring/card-callback/
 *
 * Rule: when the issuer wants a step-up, the PSP answers `{status: "SOFT_DECLINE", softDeclineUrl}`;
 * the app opens that page, the PSP ends it by redirecting to softDeclineCompletedRedirectUrl, and
 * Vipps sends a second callback with the same authorizationAttemptId, which must be answered
 * RESERVE or FAIL — never SOFT_DECLINE again.
 *
 * Evidence (flow): the flow's callbacks. FAILED when no SOFT_DECLINE answer with a softDeclineUrl
 * was seen, when no second callback followed it (the PSP's page never sent the customer back),
 * or when the second was not answered RESERVE/FAIL.
 */
import type { Rule } from '../types.ts';
import { finding, noEvidence, Tally } from '../support/findings.ts';
import { answerOf, describeCallback, genuineCallbacks, notesOf } from '../support/card-callbacks.ts';

export const cardCallbackSoftDecline: Rule = {
  judge(input, { item }) {
    const callbacks = genuineCallbacks(input.traffic);
    if (callbacks.length === 0) return noEvidence(item, input, 'No card callback was sent in this flow: nothing shows a 3-D Secure step-up.');
    const t = new Tally();
    const softs = callbacks.filter((e) => notesOf(e).round !== 'soft-decline-completion' && answerOf(e).status === 'SOFT_DECLINE');
    if (softs.length === 0) {
      for (const e of callbacks) t.add('FAILED', describeCallback(e), e);
      return t.finding(item, input, 'The card that needs 3-D Secure was never answered SOFT_DECLINE, so the customer was never stepped up.', 'FAILED');
    }
    for (const soft of softs) {
      const url = answerOf(soft).body.softDeclineUrl;
      if (typeof url !== 'string' || url === '') {
        t.add('FAILED', `${describeCallback(soft)}: no softDeclineUrl, so the app has no 3-D Secure page to open`, soft);
        continue;
      }
      const id = notesOf(soft).authorizationAttemptId;
      const second = callbacks.find((e) => e.seq !== soft.seq && e.startedAt >= soft.startedAt && notesOf(e).authorizationAttemptId === id && notesOf(e).round === 'soft-decline-completion');
      if (!second) {
        t.add('FAILED', `${describeCallback(soft)}: no second callback followed — the PSP's 3-D Secure page never sent the customer to softDeclineCompletedRedirectUrl`, soft);
        continue;
      }
      const status = answerOf(second).status;
      if (status !== 'RESERVE' && status !== 'FAIL' && status !== 'CAPTURE') t.add('FAILED', `${describeCallback(second)}: the second callback of an attempt must be answered RESERVE or FAIL`, second);
      else t.cite(soft, second).note(describeCallback(soft)).note(describeCallback(second));
    }
    if (t.problems > 0) return t.finding(item, input, `The 3-D Secure step-up was not completed as documented: ${t.summary()}.`);
    return finding(item, input, 'PASSED', 'The PSP answered SOFT_DECLINE with a softDeclineUrl, sent the customer back after 3-D Secure, and answered the second callback of the same attempt with RESERVE or FAIL.', { cites: t.cites, details: t.lines });
  },
};
