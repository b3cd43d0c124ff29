/**
 * Card callback answered FAIL, and the customer's retry — "Answer with FAIL" (ePayment PSP
 * checklist; vipps-facts §4.3, §4.4, §8.6 #50).
 * https://developer.vippsmobilepay.com/docs/APIs/psp-epayment-recurring/card-callback/
 *
 * Rule: a card the acquirer declines is answered HTTP 200 `{status: "FAIL", errorCode (number),
 * errorMessage}` — never HTTP 500, which Vipps treats as non-retryable — so the customer may try
 * again, possibly with another card; the retry is a new callback with a new
 * authorizationAttemptId, which the PSP must handle on its own merits.
 *
 * Evidence (flow): the flow's genuine card callbacks in order. FAILED when no decline was answered
 * FAIL (a 5xx, a timeout or RESERVE instead), a FAIL answer lacks errorCode/errorMessage, or the
 * retry after it (a later attempt) was not answered RESERVE.
 */
import type { Rule } from '../types.ts';
import { finding, noEvidence, Tally } from '../support/findings.ts';
import { answerOf, callbacksByReference, describeCallback, notesOf } from '../support/card-callbacks.ts';

export const cardCallbackFail: Rule = {
  judge(input, { item }) {
    const byRef = callbacksByReference(input.traffic);
    if (byRef.size === 0) return noEvidence(item, input, 'No card callback was sent in this flow: there is no declined card to judge.');
    const t = new Tally();
    let proven = 0;
    for (const [reference, callbacks] of byRef) {
      const firstRounds = callbacks.filter((e) => notesOf(e).round !== 'soft-decline-completion');
      const failAt = firstRounds.findIndex((e) => answerOf(e).status === 'FAIL');
      if (failAt < 0) {
        // The first attempt is the declined card's (the flow's retry comes after it).
        const first = firstRounds[0];
        if (first) t.add('FAILED', `${reference}: the declined card was not answered FAIL — ${describeCallback(first)}${(answerOf(first).http ?? 0) >= 500 ? ' (HTTP 5xx is non-retryable: the customer cannot try another card)' : ''}`, first);
        continue;
      }
      const fail = firstRounds[failAt];
      const { http, body } = answerOf(fail);
      if (http !== 200) t.add('FAILED', `${describeCallback(fail)}: a FAIL answer must come with HTTP 200`, fail);
      else if (typeof body.errorCode !== 'number' || typeof body.errorMessage !== 'string' || body.errorMessage === '')
        t.add('FAILED', `${describeCallback(fail)}: FAIL needs a numeric errorCode and an errorMessage (got ${JSON.stringify({ errorCode: body.errorCode, errorMessage: body.errorMessage })})`, fail);
      else t.cite(fail).note(`${describeCallback(fail)} — errorCode ${body.errorCode}, "${body.errorMessage}"`);
      const retry = firstRounds.slice(failAt + 1).find((e) => notesOf(e).authorizationAttemptId !== notesOf(fail).authorizationAttemptId);
      if (!retry) {
        t.add('FAILED', `${reference}: no retry after the decline — the customer's next card was never sent to the PSP, or the flow has no retry step`);
        continue;
      }
      if (answerOf(retry).status !== 'RESERVE' && answerOf(retry).status !== 'CAPTURE') t.add('FAILED', `the customer's retry with another card was not reserved: ${describeCallback(retry)}`, retry);
      else {
        t.cite(retry).note(`retry: ${describeCallback(retry)}`);
        proven++;
      }
    }
    if (t.problems > 0) return t.finding(item, input, `The decline and retry were not handled as documented: ${t.summary()}.`);
    if (proven === 0) return noEvidence(item, input, 'No declined card followed by a retry was seen in this flow.', { details: t.lines });
    return finding(item, input, 'PASSED', 'The declined card was answered FAIL with errorCode and errorMessage, and the customer\'s retry with another card (a new attempt) was reserved.', { cites: t.cites, details: t.lines });
  },
};
