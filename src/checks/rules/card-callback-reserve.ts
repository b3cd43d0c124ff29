/**
 * Card callback answered RESERVE — "Answer the card callback with RESERVE" (ePayment PSP
 * checklist; vipps-facts §4.3, §8.6 #49).
 * https://developer.vippsmobilepay.com/docs/APIs/psp-epayment-recurring/card-callback/
 *
 * Rule: when the PSP's acquirer authorizes the card, the PSP answers the synchronous callback
 * with HTTP 200 `{status: "RESERVE", networkTransactionReference}` within 20 s, and the payment
 * becomes AUTHORIZED.
 *
 * Evidence (flow): the flow's genuine card callbacks. FAILED when none was answered RESERVE (the
 * customer could not pay), or a RESERVE answer lacks networkTransactionReference or came too late.
 */
import type { Rule } from '../types.ts';
import { finding, noEvidence, plural, Tally } from '../support/findings.ts';
import { answerOf, answeredInTime, describeCallback, genuineCallbacks, outcomeOfCallback } from '../support/card-callbacks.ts';

export const cardCallbackReserve: Rule = {
  judge(input, { item }) {
    const callbacks = genuineCallbacks(input.traffic);
    if (callbacks.length === 0) return noEvidence(item, input, 'No card callback was sent in this flow: the customer never picked a card, so nothing shows the PSP reserving.');
    const t = new Tally();
    const reserves = callbacks.filter((e) => ['RESERVE', 'CAPTURE'].includes(answerOf(e).status ?? ''));
    for (const e of reserves) {
      const { http, body } = answerOf(e);
      if (http !== 200) t.add('FAILED', `${describeCallback(e)}: a RESERVE answer must come with HTTP 200`, e);
      else if (typeof body.networkTransactionReference !== 'string' || body.networkTransactionReference === '')
        t.add('FAILED', `${describeCallback(e)}: no networkTransactionReference in the RESERVE answer`, e);
      else if (!answeredInTime(e)) t.add('FAILED', `${describeCallback(e)}: later than Vipps waits (20 s), so the customer was told to check with the merchant`, e);
      else t.cite(e).note(describeCallback(e));
    }
    const reserved = reserves.filter((e) => outcomeOfCallback(e) === 'reserved');
    if (reserved.length === 0) {
      for (const e of callbacks.filter((c) => !reserves.includes(c))) t.add('FAILED', describeCallback(e), e);
      return t.finding(item, input, `No card callback of this flow reserved the payment (${plural(callbacks.length, 'callback')}): the PSP never answered RESERVE in a form Vipps accepts.`, 'FAILED');
    }
    if (t.problems > 0) return t.finding(item, input, `${plural(t.problems, 'RESERVE answer')} Vipps could not use.`);
    return finding(item, input, 'PASSED', `The PSP reserved with ${plural(reserved.length, 'RESERVE answer')} (HTTP 200, networkTransactionReference, within 20 s).`, { cites: reserved, details: t.lines });
  },
};
