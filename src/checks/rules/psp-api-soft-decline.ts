/**
 * PSP API soft decline — "Handle soft declines with 3-D Secure" (PSP API checklist; vipps-facts
 * §5.3, §8.7).
 * https://developer.vippsmobilepay.com/docs/APIs/psp-api/
 *
 * Rule: on a soft decline the PSP answers `paymentInfo.status: SOFT_DECLINE` with url3dSecure (a
 * 3-D Secure session it hosts); after the session it redirects to the makePayment's
 * operations[].url, Vipps sends makePayment again, and that answer is OK or FAIL, never
 * SOFT_DECLINE again.
 *
 * Evidence (flow): the flow's makePayment calls. FAILED when no SOFT_DECLINE with url3dSecure was
 * answered, no re-send followed it, or the re-send was not answered OK/FAIL.
 */
import type { Rule } from '../types.ts';
import { finding, noEvidence, Tally } from '../support/findings.ts';
import { describeMakePayment, genuineMakePayments, mpAnswer, mpNotes } from '../support/make-payments.ts';
import { referenceOf } from '../support/traffic.ts';

export const pspApiSoftDecline: Rule = {
  judge(input, { item }) {
    const calls = genuineMakePayments(input.traffic);
    if (calls.length === 0) return noEvidence(item, input, 'No makePayment call was sent in this flow: nothing shows a 3-D Secure step-up.');
    const t = new Tally();
    const softs = calls.filter((e) => mpNotes(e).round !== '3ds-completion' && mpAnswer(e).status === 'SOFT_DECLINE');
    if (softs.length === 0) {
      for (const e of calls) t.add('FAILED', describeMakePayment(e), e);
      return t.finding(item, input, 'The card that needs 3-D Secure was never answered SOFT_DECLINE.', 'FAILED');
    }
    for (const soft of softs) {
      if (!mpAnswer(soft).url3dSecure) {
        t.add('FAILED', `${describeMakePayment(soft)}: no url3dSecure, so the customer has no 3-D Secure page`, soft);
        continue;
      }
      const resend = calls.find((e) => e.startedAt >= soft.startedAt && mpNotes(e).round === '3ds-completion' && referenceOf(e) === referenceOf(soft));
      if (!resend) t.add('FAILED', `${describeMakePayment(soft)}: no makePayment after 3-D Secure — the PSP's page never sent the customer to the operations url`, soft);
      else if (!['OK', 'FAIL'].includes(mpAnswer(resend).status ?? '')) t.add('FAILED', `${describeMakePayment(resend)}: the makePayment after 3-D Secure must be answered OK or FAIL`, resend);
      else t.cite(soft, resend).note(describeMakePayment(soft)).note(describeMakePayment(resend));
    }
    if (t.problems > 0) return t.finding(item, input, `${t.summary()}.`);
    return finding(item, input, 'PASSED', 'The PSP answered SOFT_DECLINE with url3dSecure, sent the customer back after 3-D Secure, and answered the re-sent makePayment OK or FAIL.', { cites: t.cites, details: t.lines });
  },
};
