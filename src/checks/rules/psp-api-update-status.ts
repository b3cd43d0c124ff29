/**
 * PSP API status updates — "Report every capture, cancel and refund with updatestatus" (PSP API
 * checklist; vipps-facts §5.5, §8.7).
 * https://developer.vippsmobilepay.com/docs/APIs/psp-api/
 *
 * Rule: besides the reservation (the makePayment answer), every capture, cancel and refund is
 * reported with POST …/psppayments/updatestatus, with its amount.
 *
 * Evidence (whole run): the updatestatus requests, and the PSP's own orders as golive read them.
 * FAILED when none was accepted, the API refused one that no sandbox fault caused, or an order
 * the PSP reserved (makePayment OK) and shows captured, refunded or cancelled was never reported so.
 */
import type { Rule } from '../types.ts';
import { finding, noEvidence, plural, Tally } from '../support/findings.ts';
import { genuineMakePayments, mpAnswer, reportedTransactions } from '../support/make-payments.ts';
import { normStatus, observationsOf } from '../support/payments.ts';
import { apiCalls, describe, isOk, outcomeOf, referenceOf, statusOf } from '../support/traffic.ts';

const UPDATE_STATUS = 'updatestatusUsingPOST';
/** What an order the PSP shows in a status must have been reported as. */
const REPORT_FOR: Record<string, string> = { captured: 'CAPTURED', 'partially-captured': 'CAPTURED', refunded: 'REFUNDED', 'partially-refunded': 'REFUNDED', cancelled: 'CANCELLED' };

export const pspApiUpdateStatus: Rule = {
  judge(input, { item }) {
    const calls = apiCalls(input.traffic).filter((e) => e.operation === UPDATE_STATUS);
    const t = new Tally();
    for (const e of calls) {
      const s = statusOf(e);
      if (!e.fault && s !== undefined && s >= 400 && s < 500) t.add('FAILED', `${describe(e)} ${outcomeOf(e)}: refused by the API`, e);
    }
    const reported = new Map<string, Set<string>>();
    for (const e of calls.filter(isOk)) {
      for (const tx of reportedTransactions(e)) {
        if (!tx.pspTransactionId || !tx.status) continue;
        reported.set(tx.pspTransactionId, new Set([...(reported.get(tx.pspTransactionId) ?? []), tx.status]));
      }
      t.cite(e);
    }
    if (calls.filter(isOk).length === 0 && t.problems === 0) return noEvidence(item, input, `No updatestatus was accepted (${plural(calls.length, 'attempt')}): captures, cancels and refunds never reach Vipps.`);
    // Only a reservation the PSP made (makePayment answered OK) is the PSP's to report on: a
    // customer's cancel or a failed makePayment ended at Vipps already.
    const reserved = new Set(genuineMakePayments(input.traffic).filter((e) => mpAnswer(e).status === 'OK').map((e) => referenceOf(e)));
    const shown = new Map<string, string>();
    for (const o of observationsOf(input, 'merchant-order')) shown.set(`${o.reference} ${normStatus(o.status)}`, o.reference);
    for (const key of shown.keys()) {
      const [reference, status] = key.split(' ');
      if (!reserved.has(reference)) continue;
      const want = REPORT_FOR[status];
      if (!want) continue;
      if (!reported.get(reference)?.has(want)) t.add('FAILED', `${reference}: the PSP shows the order ${status}, but never reported ${want} with updatestatus`);
    }
    if (t.problems > 0) return t.finding(item, input, `${t.summary()}.`);
    return finding(item, input, 'PASSED', `${plural(reported.size, 'payment')} reported with updatestatus (${[...new Set([...reported.values()].flatMap((s) => [...s]))].join(', ')}), every captured, refunded or cancelled order among them.`, { cites: t.cites });
  },
};
