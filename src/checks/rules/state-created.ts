/**
 * State created — "Handle responses … CREATED" (ePayment checklist, Quality assurance;
 * vipps-facts §8.2 #14, §2.9, §7.3).
 * https://developer.vippsmobilepay.com/docs/APIs/epayment-api/checklist/
 *
 * Rule: CREATED = initiated, the customer has not acted yet (not final). Seen, for example, when
 * the return page is opened before the customer approved. The order and the page show the payment
 * as pending — not failed, not paid — and the integration keeps checking until a final state.
 *
 * Evidence (flow): merchant-order and page observations taken after create and before any
 * final-state evidence for the payment (order status must be `pending`; page must use pending
 * wording, no failure/success, no HTTP ≥ 400, no raw error); then GET payment after the page
 * (keeps polling) and, when the payment later reached a final state, an order status matching it.
 * FAILED when nothing was observed while the payment was CREATED.
 */
import type { Rule } from '../types.ts';
import { noEvidence, plural, Tally } from '../support/findings.ts';
import { judgeEachFlow } from '../support/flows.ts';
import { aggregateAt, expectedStatuses, finalStateOf, normStatus, payments } from '../support/payments.ts';
import { judgeOutcome, rawErrorIn, showsLoginWall } from '../support/text.ts';

export const stateCreated: Rule = {
  judge(input, { item }) {
    return judgeEachFlow(item, input, (flowInput) => {
      const t = new Tally();
      let observed = 0;
      for (const p of payments(flowInput).values()) {
        if (!p.created) continue;
        const from = p.created.startedAt;
        const fin = finalStateOf(p);
        const until = fin?.at ?? Number.POSITIVE_INFINITY;
        const orders = p.orders.filter((o) => o.at >= from && o.at < until);
        const pages = p.pages.filter((o) => o.at >= from && o.at < until);
        if (orders.length === 0 && pages.length === 0) continue;
        observed++;
        t.cite(p.created);
        for (const o of orders)
          if (normStatus(o.status) !== 'pending') t.add('FAILED', `${p.reference}: merchant order shows "${o.status}" while the payment is still CREATED`);
        for (const page of pages) {
          if (page.status !== undefined && page.status >= 400) t.add('FAILED', `${p.reference}: ${page.name} page answered HTTP ${page.status} while the payment is CREATED`);
          const raw = rawErrorIn(page.text);
          if (raw) t.add('FAILED', `${p.reference}: ${page.name} page shows ${raw}`);
          if (showsLoginWall(page.text)) t.add('FAILED', `${p.reference}: ${page.name} page asks to log in / says the session expired`);
          const j = judgeOutcome(page.text, 'pending');
          if (j.result === 'bad') t.add('FAILED', `${p.reference}: ${page.name} page ${j.reason}`);
          else if (j.result === 'unclear') t.add('WARNING', `${p.reference}: ${page.name} page ${j.reason}`);
        }
        // Keeps checking: GETs after the first pending observation, and the order follows the final state.
        const firstSeen = Math.min(...orders.map((o) => o.at), ...pages.map((o) => o.at));
        const getsAfter = p.gets.filter((g) => g.startedAt >= firstSeen);
        if (fin) {
          const expected = expectedStatuses(fin.state, aggregateAt(p, fin.at));
          const later = p.orders.filter((o) => o.at >= fin.at);
          const last = later[later.length - 1];
          if (last && !expected.includes(normStatus(last.status) as never))
            t.add('FAILED', `${p.reference}: after the pending page the payment became ${fin.state}, but the order shows "${last.status}" (expected ${expected.join(' or ')})`);
          else if (!last && getsAfter.length === 0) t.add('WARNING', `${p.reference}: no GET payment after the pending page and no later order status — not shown to keep checking`);
          else t.cite(getsAfter[0]);
        } else if (getsAfter.length === 0) t.add('WARNING', `${p.reference}: no GET payment after the pending page — not shown to keep checking`);
        else t.cite(getsAfter[0]);
      }
      if (observed === 0)
        return noEvidence(item, flowInput, 'No page or order status was observed while a payment was still CREATED (open the return page before the customer approves).');
      if (t.problems === 0) return t.finding(item, flowInput, `${plural(observed, 'payment')} shown as pending while CREATED, and followed up afterwards.`);
      return t.finding(item, flowInput, `CREATED not handled as pending: ${t.summary()}.`);
    });
  },
};
