/**
 * Push and QR payments — with userFlow PUSH_MESSAGE "the payment request will appear in the
 * customer's app … to get confirmation that payment was approved, monitor your webhooks" (seed
 * 003); PUSH_MESSAGE and QR answer no redirectUrl the shop could send a customer back through,
 * and nothing ever returns to the shop (vipps-facts §2.6, §7.1: poll GET payment).
 * https://developer.vippsmobilepay.com/docs/knowledge-base/polling-guidelines/
 *
 * Rule: for a payment created with a userFlow in which no redirect reaches the merchant
 * (NO_REDIRECT_USER_FLOWS), the shop learns the customer's answer by polling GET payment or
 * from a webhook, and its order shows it: paid (or later) after an approval, a final unpaid
 * status (cancelled, failed, expired, terminated — whatever the profile maps its words to) after
 * a refusal.
 *
 * Evidence (flow): createPayment bodies (`userFlow`), the customer's observations, the merchant
 * order observations (canonical statuses through the profile's statusMapping), GET payment
 * calls and genuine webhook deliveries after the customer answered. Not applicable unless the
 * profile lists PUSH_MESSAGE or QR in `capabilities.userFlows`. No such payment the customer
 * answered in the flow: no evidence (WARNING, the item being recommended: never a pass).
 */
import type { Rule } from '../types.ts';
import { NO_REDIRECT_USER_FLOWS } from '../../contract/in-person.ts';
import { STATUS_CLASSES, type CanonicalStatus } from '../../suite/steps.ts';
import { breachVerdict, noEvidence, plural, seconds, Tally } from '../support/findings.ts';
import { judgeEachFlow } from '../support/flows.ts';
import { isDropped } from '../support/notifications.ts';
import { capabilityList } from '../support/profile.ts';
import { normStatus, payments } from '../support/payments.ts';
import { bodyOf, describe, isOk } from '../support/traffic.ts';

const NO_REDIRECT: readonly string[] = NO_REDIRECT_USER_FLOWS;
const classOf = (status: string): string | undefined => STATUS_CLASSES[normStatus(status) as CanonicalStatus];
const PAID_CLASSES = new Set(['paid', 'captured', 'refunded']);

export const pushOutcome: Rule = {
  notApplicable(profile) {
    const flows = capabilityList(profile, 'userFlows') ?? [];
    return flows.some((f) => NO_REDIRECT.includes(f)) ? undefined : `the profile lists neither ${NO_REDIRECT.join(' nor ')} in capabilities.userFlows`;
  },
  judge: (input, { item }) =>
    judgeEachFlow(item, input, (flowInput) => {
      const t = new Tally();
      const breach = breachVerdict(item);
      let judged = 0;
      for (const p of payments(flowInput).values()) {
        const flow = p.created ? bodyOf(p.created)?.userFlow : undefined;
        if (!p.created || !NO_REDIRECT.includes(flow)) continue;
        const answer = p.customer.find((c) => c.action === 'approve' || c.action === 'reject');
        if (!answer) continue;
        judged++;
        const approved = answer.action === 'approve';
        const wanted = approved ? 'paid' : 'unpaid (cancelled/failed)';
        const shown = p.orders.find((o) => o.at >= answer.at && (approved ? PAID_CLASSES.has(classOf(o.status) ?? '') : classOf(o.status) === 'unpaid-final'));
        const gets = p.gets.filter((g) => g.startedAt >= answer.at && isOk(g));
        const hooks = p.webhooks.filter((w) => w.startedAt >= answer.at && !isDropped(w) && w.response !== undefined);
        if (!shown) {
          const last = p.orders[p.orders.length - 1];
          const channels = `${plural(gets.length, 'GET payment')} and ${plural(hooks.length, 'delivered webhook')} after the answer`;
          t.add(breach, `${p.reference} (${flow}): the customer ${approved ? 'approved' : 'refused'} in the app, but the order never became ${wanted} (last status: ${last?.status ?? 'not observed'}; ${channels}) — no redirect comes in ${flow}: poll GET payment or handle webhooks`, p.created, ...gets.slice(0, 1));
          continue;
        }
        const by = [gets.length > 0 ? `polling (${describe(gets[0])})` : '', hooks.length > 0 ? `a webhook (${describe(hooks[0])})` : ''].filter(Boolean).join(' and ');
        if (!by) {
          t.add('REVIEW', `${p.reference} (${flow}): the order became ${shown.status}, but golive saw neither a GET payment nor a delivered webhook after the customer answered; a person must judge how the shop learned it`, p.created);
          continue;
        }
        t.cite(p.created, gets[0], hooks[0]).note(`${p.reference} (${flow}): order ${shown.status} ${seconds(shown.at - answer.at)} after the customer answered, learned by ${by}`);
      }
      if (judged === 0) return noEvidence(item, flowInput, `No ${NO_REDIRECT.join('/')} payment of this flow was answered by the customer, so how the shop learns the outcome was not seen.`);
      if (t.problems > 0) return t.finding(item, flowInput, `Outcome of push/QR payments: ${t.summary()}.`);
      return t.finding(item, flowInput, `The shop learned the outcome of all ${plural(judged, 'push/QR payment')} without a redirect.`);
    }),
};
