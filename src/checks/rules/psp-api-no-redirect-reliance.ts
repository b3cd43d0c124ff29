/**
 * No reliance on the redirect — "Do not base transaction logic on the customer reaching
 * pspRedirectUrl" (PSP API checklist; vipps-facts §5.3, §8.7).
 * https://developer.vippsmobilepay.com/docs/APIs/psp-api/
 *
 * Rule: customers may close the app right after confirming; the PSP's (and merchant's) order
 * follows the makePayment call, not the customer's return to pspRedirectUrl.
 *
 * Evidence (flow): the customer confirmed in the app and never came back (customer step through
 * the control API, no redirect); the PSP's order as golive read it afterwards. FAILED when it
 * never showed the payment as paid.
 */
import type { Rule } from '../types.ts';
import { finding, noEvidence, Tally } from '../support/findings.ts';
import { normStatus, observationsOf } from '../support/payments.ts';

const PAID_OR_LATER = new Set(['paid', 'captured', 'partially-captured', 'refunded', 'partially-refunded']);

export const pspApiNoRedirectReliance: Rule = {
  judge(input, { item }) {
    const approvals = observationsOf(input, 'customer').filter((c) => c.action === 'approve' && !c.redirect);
    if (approvals.length === 0) return noEvidence(item, input, 'No customer approved in this flow without coming back, so nothing shows the order following makePayment alone.');
    const t = new Tally();
    const orders = observationsOf(input, 'merchant-order');
    for (const a of approvals) {
      const after = orders.filter((o) => o.reference === a.reference && o.at >= a.at);
      const paid = after.find((o) => PAID_OR_LATER.has(normStatus(o.status)));
      if (paid) t.note(`${a.reference}: the order became ${paid.status} though the customer never reached pspRedirectUrl`);
      else t.add('FAILED', `${a.reference}: the order stayed ${after[after.length - 1]?.status ?? 'unread'} while the customer never came back — it waits for the redirect`);
    }
    if (t.problems > 0) return t.finding(item, input, `${t.summary()}.`);
    return finding(item, input, 'PASSED', 'The order followed the makePayment call without the customer coming back to pspRedirectUrl.', { details: t.lines });
  },
};
