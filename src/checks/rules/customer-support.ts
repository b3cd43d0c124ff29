/**
 * Customer support — "Educate customer support: make sure your customer service, etc. has all the tools
 * and information they need available in your system, through the APIs listed in the first item
 * in this checklist, and that they do not need to visit portal.vipps.no for normal work" (ePayment
 * checklist, Avoid integration pitfalls; vipps-facts §8.3 #32).
 * https://developer.vippsmobilepay.com/docs/APIs/epayment-api/checklist/
 *
 * Rule: staff can see, per payment, its state, amounts and history in the merchant's own system.
 *
 * Evidence (whole run): admin/support page observations (name like admin, support, backoffice,
 * order) — whether they show a payment's reference with its state/amounts — and event-log calls
 * (GET …/events) that back a history view. Only a person can judge the tooling: always REVIEW,
 * listing what was seen for the reviewer.
 */
import type { Rule } from '../types.ts';
import { finding, plural } from '../support/findings.ts';
import { observationsOf, payments } from '../support/payments.ts';
import { excerpt } from '../support/text.ts';
import { apiOps, describe, isOk, OP } from '../support/traffic.ts';

const ADMIN = /admin|support|back-?office|staff|order/i;
const STATE_WORDS = /\b(authori[sz]ed|captured|refunded|cancell?ed|reserved|aborted|expired|terminated|created|paid|pending)\b/i;

export const customerSupport: Rule = {
  judge(input, { item }) {
    const refs = [...payments(input).keys()];
    const admin = observationsOf(input, 'page').filter((p) => ADMIN.test(p.name));
    const eventLog = apiOps(input.traffic, OP.events).filter(isOk);
    const details: string[] = [];
    for (const p of admin) {
      const shown = refs.filter((r) => p.text.includes(r));
      const state = STATE_WORDS.exec(p.text)?.[0];
      const amounts = /\d[\d ., ]*\s?(kr|NOK|DKK|EUR|€)/i.test(p.text);
      details.push(
        `${p.name} (${p.url})${p.screenshot ? ` screenshot ${p.screenshot}` : ''}: ${shown.length ? `shows ${shown.slice(0, 3).join(', ')}` : 'shows no payment reference'}, ${state ? `state "${state}"` : 'no state'}, ${amounts ? 'amounts' : 'no amounts'} — "${excerpt(p.text, 80)}"`,
      );
    }
    if (eventLog.length > 0) details.push(`event log read ${plural(eventLog.length, 'time')} (e.g. ${describe(eventLog[0])}) — a history view can be built on it`);
    if (admin.length === 0)
      return finding(item, input, 'REVIEW', 'Manual: no admin/support page was observed; the reviewer must see how staff look up a payment’s state, amounts and history without the business portal.', {
        cites: eventLog.slice(0, 3),
        details,
      });
    return finding(item, input, 'REVIEW', `Manual: judge whether staff can work from the merchant’s own system — ${plural(admin.length, 'admin/support page')} observed.`, { cites: eventLog.slice(0, 3), details });
  },
};
