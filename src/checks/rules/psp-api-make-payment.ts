/**
 * makePayment received and answered — "Receive makePayment: check the makePaymentToken, process
 * the card data or network token, answer with paymentInfo.status" (PSP API checklist; vipps-facts
 * §5.3, §8.7).
 * https://developer.vippsmobilepay.com/docs/APIs/psp-api/
 *
 * Rule: Vipps POSTs makePayment with `Authorization: <makePaymentToken>`; the PSP processes only
 * calls with its token, decrypts v2 cardData (a cryptogram it cannot decrypt is errorId 92, never
 * OK) and answers HTTP 200 `{paymentInfo: {pspTransactionId, status}}` within 15 s.
 *
 * Evidence (flow): the flow's makePayment calls and golive's forgeries (wrong or missing token,
 * undecryptable cardData). FAILED when a genuine call got no valid answer in time, or a forgery
 * was answered OK; WARNING when undecryptable cardData was declined with another errorId than 92.
 */
import type { Rule } from '../types.ts';
import { finding, noEvidence, plural, Tally } from '../support/findings.ts';
import { answeredWithinLimit, describeMakePayment, forgedMakePayments, genuineMakePayments, mpAnswer, mpNotes } from '../support/make-payments.ts';

const STATUSES = ['OK', 'FAIL', 'SOFT_DECLINE'];

export const pspApiMakePayment: Rule = {
  judge(input, { item }) {
    const genuine = genuineMakePayments(input.traffic);
    const forged = forgedMakePayments(input.traffic);
    if (genuine.length + forged.length === 0) return noEvidence(item, input, 'No makePayment call was sent in this flow.');
    const t = new Tally();
    for (const e of genuine) {
      const a = mpAnswer(e);
      if (!answeredWithinLimit(e)) t.add('FAILED', `${describeMakePayment(e)}: no answer within 15 s — Vipps marks the payment FAILED`, e);
      else if (a.http !== 200 || !STATUSES.includes(a.status ?? '')) t.add('FAILED', `${describeMakePayment(e)}: expected HTTP 200 with paymentInfo.status OK, FAIL or SOFT_DECLINE`, e);
      else t.cite(e);
    }
    for (const e of forged) {
      const a = mpAnswer(e);
      const how = mpNotes(e).forged;
      const what = `forged makePayment #${e.seq} (${how})`;
      if (a.status === 'OK') t.add('FAILED', `${what}: answered OK — ${how === 'bad-card-data' ? 'the PSP reported a payment with card data it could not have decrypted' : 'the PSP processed a call without its makePaymentToken'}`, e);
      else if (how === 'bad-card-data' && a.errorId !== 92) t.add('WARNING', `${what}: declined, but with errorId ${a.errorId ?? 'none'} instead of 92 (Unable to decrypt)`, e);
      else t.cite(e).note(`${what}: refused (${a.http ?? 'no answer'}${a.status ? ` ${a.status}` : ''}${a.errorId !== undefined ? ` ${a.errorId}` : ''})`);
    }
    if (t.problems > 0) return t.finding(item, input, `${t.summary()}.`);
    return finding(item, input, 'PASSED', `${plural(genuine.length, 'makePayment call')} answered in time${forged.length ? `, ${plural(forged.length, 'forgery', 'forgeries')} refused` : ''}.`, { cites: t.cites, details: t.lines });
  },
};
