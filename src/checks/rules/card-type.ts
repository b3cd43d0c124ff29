/**
 * Use the callback's card type — "Use cardType from the callback" (ePayment PSP checklist;
 * vipps-facts §4.2, §8.6 #54).
 * https://developer.vippsmobilepay.com/docs/APIs/psp-epayment-recurring/card-callback/
 *
 * Rule: the PSP processes the payment with `cardInfo.cardType` from the callback (it matters for
 * co-branded Visa/Dankort cards), never a type inferred from allowedCardTypes or the number.
 *
 * Evidence (flow): the reserved callbacks' card types against the card type the PSP's own record
 * shows (its orderStatus action extracting `cardType`). REVIEW when the PSP shows none: only its
 * processing record can prove it, so a person must look.
 */
import type { Rule } from '../types.ts';
import { finding, noEvidence, Tally } from '../support/findings.ts';
import { answerOf, describeCallback, genuineCallbacks, sameCardType } from '../support/card-callbacks.ts';
import { observationsOf } from '../support/payments.ts';
import { bodyOf, referenceOf } from '../support/traffic.ts';

export const cardType: Rule = {
  judge(input, { item }) {
    const reserved = genuineCallbacks(input.traffic).filter((e) => ['RESERVE', 'CAPTURE'].includes(answerOf(e).status ?? ''));
    if (reserved.length === 0) return noEvidence(item, input, 'No card callback of this flow was reserved, so there is no processed card type to compare.');
    const orders = observationsOf(input, 'merchant-order');
    const t = new Tally();
    let unseen = 0;
    for (const e of reserved) {
      const sent = bodyOf(e)?.cardInfo?.cardType ?? bodyOf(e)?.cardType;
      const ref = referenceOf(e);
      const shown = [...orders].reverse().find((o) => o.reference === ref && o.cardType)?.cardType;
      if (typeof sent !== 'string') continue;
      if (!shown) unseen++;
      else if (!sameCardType(sent, shown)) t.add('FAILED', `${describeCallback(e)}: the callback said ${sent}, the PSP processed the card as ${shown}`, e);
      else t.cite(e).note(`${ref}: processed as ${shown}, as the callback said (${sent})`);
    }
    if (t.problems > 0) return t.finding(item, input, `The PSP did not process with the callback's card type: ${t.summary()}.`);
    if (unseen > 0 && t.cites.length === 0)
      return finding(item, input, 'REVIEW', 'Manual: the PSP\'s order does not show the card type it processed with (extract `cardType` in the profile\'s orderStatus action to let golive compare); a reviewer must check its processing record against the callbacks\' cardInfo.cardType.', { cites: reserved });
    return finding(item, input, 'PASSED', 'The PSP processed every reserved card with the card type the callback named.', { cites: t.cites, details: t.lines });
  },
};
