/**
 * Payment history receipt — "Add information to the payment history: we recommend using the Order Management
 * API to add receipts and/or images to the payment history … It is also mandatory for merchants
 * using Vipps Assisted Content Monitoring" (ePayment checklist, Quality assurance; vipps-facts
 * §8.2 #19, §2.5 Receipt, §7.6).
 * https://developer.vippsmobilepay.com/docs/APIs/order-management-api/
 *
 * Rule: each payment gets order information in the app's payment history: a `receipt` on create
 * (orderLines + bottomLine, bottomLine.currency = amount currency, lines adding up to the amount)
 * or an Order Management receipt/category call (postReceiptV2, postReceipt, putCategoryV2,
 * putOrder) for the same reference. A receipt posted after the fact (postReceiptV2, postReceipt:
 * the body is the Receipt) is held to the same arithmetic against the payment's amount.
 *
 * Evidence (whole run): accepted createPayment bodies and 2xx Order Management calls, per payment
 * that reached AUTHORIZED (all created payments when none did). Recommended in the checklist, so
 * a payment without order information gives WARNING — FAILED when the profile declares
 * `capabilities.contentMonitored: true`. Not applicable for PSP profiles (Order Management does
 * not cover card-passthrough payments) or when the profile declares `receipts: false` and is not
 * content-monitored.
 */
import type { Rule } from '../types.ts';
import { receiptProblems } from '../../contract/receipts.ts';
import { finding, list, plural, Tally } from '../support/findings.ts';
import { declaredOn, declaredOff } from '../support/profile.ts';
import { finalStateOf, payments } from '../support/payments.ts';
import { apiCalls, bodyOf, describe, isOk, isOp, ORDER_MANAGEMENT_INFO_OPS, referenceOf } from '../support/traffic.ts';

/** Problems with a create request's `receipt` against its amount (src/contract/receipts.ts). */
export function createReceiptProblems(body: Record<string, any>): string[] {
  return receiptProblems(body.receipt, body.amount);
}

/** Order Management calls whose body is a Receipt (the write-once receipt of a payment). */
const RECEIPT_POSTS = ['postReceiptV2', 'postReceipt'];

export const paymentHistoryReceipt: Rule = {
  notApplicable(profile) {
    if (profile.kind === 'psp') return 'PSP card-passthrough payments are not covered by the Order Management API';
    if (declaredOff(profile, 'receipts') && !declaredOn(profile, 'contentMonitored'))
      return 'the profile declares capabilities.receipts: false and is not content-monitored (receipts are recommended, not mandatory)';
    return undefined;
  },
  judge(input, { item }) {
    const breach = declaredOn(input.profile, 'contentMonitored') ? 'FAILED' : 'WARNING';
    const all = [...payments(input).values()].filter((p) => p.created);
    if (all.length === 0) return finding(item, input, breach, 'No payment was created, so order information in the payment history could not be judged.');
    const authorized = all.filter((p) => finalStateOf(p)?.state === 'AUTHORIZED');
    const judged = authorized.length > 0 ? authorized : all;
    const om = apiCalls(input.traffic).filter((e) => isOp(e, ...ORDER_MANAGEMENT_INFO_OPS) && isOk(e));
    const t = new Tally();
    const covered: string[] = [];
    for (const p of judged) {
      const body = bodyOf(p.created!)!;
      const posted = om.filter((e) => referenceOf(e) === p.reference && isOp(e, ...RECEIPT_POSTS));
      const badPosts = posted.map((e) => ({ e, problems: receiptProblems(bodyOf(e), p.amount) })).filter((x) => x.problems.length > 0);
      for (const { e, problems } of badPosts) t.add(breach, `${p.reference}: receipt posted with ${describe(e)} is invalid: ${problems.join('; ')}`, e);
      if (badPosts.length > 0) continue;
      const omCall = om.find((e) => referenceOf(e) === p.reference);
      if (body.receipt !== undefined) {
        const problems = createReceiptProblems(body);
        if (problems.length > 0 && !omCall) t.add(breach, `${p.reference}: receipt on create (${describe(p.created!)}) is invalid: ${problems.join('; ')}`, p.created);
        else {
          covered.push(`${p.reference} (receipt on create)`);
          t.cite(p.created);
        }
      } else if (omCall) {
        covered.push(`${p.reference} (${describe(omCall)})`);
        t.cite(omCall);
      } else t.add(breach, `${p.reference}: no receipt on create and no Order Management receipt/category call`, p.created);
    }
    if (t.problems === 0) return t.finding(item, input, `Order information added for all ${plural(judged.length, 'payment')}: ${list(covered, 4)}.`);
    return t.finding(
      item,
      input,
      `${plural(t.problems, 'payment')} of ${judged.length} without valid order information in the payment history${breach === 'FAILED' ? ' (mandatory: the profile is content-monitored)' : ' (recommended)'}.`,
    );
  },
};
