/**
 * makePayment errors — "Answer with the right errorId" (PSP API checklist; vipps-facts §5.3,
 * §5.4, §8.7).
 * https://developer.vippsmobilepay.com/docs/APIs/psp-api/
 *
 * Rule: a failed makePayment is answered FAIL with `errorMessage: {errorId, errorText}` using the
 * documented ids (82 refused by issuer, 89 insufficient funds …); a makePayment whose confirmed is
 * not YES (TIMEOUT, CANCEL, NO; v3 paymentState not ACCEPTED) is answered FAIL with 93.
 *
 * Evidence (flow): the flow's genuine makePayment calls, and for the profile's test cards the
 * errorId the PSP says it answers (pspApi.cards[].errorId). FAILED for OK to a non-confirmed call,
 * a FAIL without a documented errorId, or an errorId other than the card's; the ids no flow
 * exercised are listed for the reviewer.
 */
import type { Rule } from '../types.ts';
import { finding, list, noEvidence, Tally } from '../support/findings.ts';
import { describeMakePayment, genuineMakePayments, isDocumentedErrorId, mpAnswer, mpNotes } from '../support/make-payments.ts';
import { observationsOf } from '../support/payments.ts';
import { referenceOf } from '../support/traffic.ts';
import { ERROR_ID_NOT_CONFIRMED, PSP_ERROR_IDS } from '../../contract/psp-api.ts';

export const pspApiErrors: Rule = {
  judge(input, { item }) {
    const calls = genuineMakePayments(input.traffic);
    const failing = calls.filter((e) => mpNotes(e).confirmed !== 'YES' || mpAnswer(e).status === 'FAIL');
    if (failing.length === 0) return noEvidence(item, input, 'No makePayment of this flow called for an error answer (a declined card, a cancel or a timeout).');
    const t = new Tally();
    const cardOf = new Map(observationsOf(input, 'card-attempt').map((o) => [o.reference, o.card]));
    const used = new Set<number>();
    for (const e of failing) {
      const a = mpAnswer(e);
      const n = mpNotes(e);
      if (n.confirmed !== 'YES') {
        if (a.status === 'OK') t.add('FAILED', `${describeMakePayment(e)}: a ${n.confirmed} makePayment must be answered FAIL with errorId 93, never OK`, e);
        else if (a.errorId !== ERROR_ID_NOT_CONFIRMED) t.add('FAILED', `${describeMakePayment(e)}: expected errorId 93 (Status from Vipps:${n.confirmed})`, e);
        else (used.add(93), t.cite(e));
        continue;
      }
      if (a.errorId === undefined || !isDocumentedErrorId(a.errorId)) {
        t.add('FAILED', `${describeMakePayment(e)}: FAIL without a documented errorId (got ${a.errorId ?? 'none'})`, e);
        continue;
      }
      if (!a.errorText) t.add('FAILED', `${describeMakePayment(e)}: FAIL without errorText`, e);
      const card = cardOf.get(referenceOf(e) ?? '');
      const expected = card ? input.profile.cardErrorIds?.[card] : undefined;
      if (expected !== undefined && a.errorId !== expected) t.add('FAILED', `${describeMakePayment(e)}: the profile says card "${card}" is declined with errorId ${expected}, the PSP answered ${a.errorId}`, e);
      else (used.add(a.errorId), t.cite(e));
    }
    const untested = Object.keys(PSP_ERROR_IDS).filter((id) => !used.has(Number(id)));
    t.note(`errorIds shown: ${list([...used].map(String)) || 'none'}; not exercised (the reviewer asks for an example or a note why it does not apply): ${list(untested, 20)}`);
    if (t.problems > 0) return t.finding(item, input, `${t.summary()}.`);
    return finding(item, input, 'PASSED', `Every failed makePayment of this flow was answered FAIL with the documented errorId (${[...used].join(', ')}).`, { cites: t.cites, details: t.lines });
  },
};
