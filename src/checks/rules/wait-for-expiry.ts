/**
 * Wait for expiry — do not cancel before the payment's expiry (knowledge base "Timeouts";
 * vipps-facts §8.3 #26, §2.12, §7.4).
 * https://developer.vippsmobilepay.com/docs/knowledge-base/timeouts/
 *
 * Rule: the customer has the whole window — 10 minutes by default (5 to act on the landing page +
 * 5 in the app), or until `expiresAt` — to approve. The merchant must not cancel the payment or
 * fail the order before that window ends or a final state arrives, unless the customer explicitly
 * abandoned it; a late approval (e.g. at 9 minutes) still completes the order.
 *
 * Evidence (flow): customer observations (`ignore`, late `approve` after a `clock` observation),
 * the payments' create time/`expiresAt`, cancelPayment calls on a still-CREATED payment, and
 * merchant-order observations. A cancel/failure counts as the customer's or staff's choice when
 * the customer rejected first or a golive merchant action (a non-GET kind:'merchant' exchange
 * whose path or operation names cancel/abandon/cart/void) preceded it within 30 s.
 * Recommended row: WARNING for an early cancel or failure, a late approval not completing, or a
 * flow without any ignore/late-approval scenario.
 */
import type { Rule, CheckInput } from '../types.ts';
import { noEvidence, seconds, Tally } from '../support/findings.ts';
import { judgeEachFlow } from '../support/flows.ts';
import { finalStateOf, normStatus, observationsOf, payments, stateAt, type PaymentPicture } from '../support/payments.ts';
import { bodyOf, describe, operationOf } from '../support/traffic.ts';

const DEFAULT_EXPIRY_MS = 10 * 60_000;
const FAILED_STATUSES = new Set(['failed', 'cancelled', 'expired', 'terminated']);
const PAID_OR_LATER = new Set(['paid', 'captured', 'partially-captured', 'refunded', 'partially-refunded']);
const ABANDON = /cancel|abandon|cart|void|abort/i;

function expiryOf(p: PaymentPicture): number {
  const created = p.created!;
  const at = bodyOf(created)?.expiresAt;
  const parsed = typeof at === 'string' ? Date.parse(at) : NaN;
  return Number.isFinite(parsed) ? parsed : created.startedAt + DEFAULT_EXPIRY_MS;
}

/** Was the payment given up on purpose (customer reject, or a staff/customer action) just before t? */
function chosen(input: CheckInput, p: PaymentPicture, t: number): boolean {
  if (p.customer.some((c) => c.action === 'reject' && c.at <= t)) return true;
  return input.traffic.some(
    (e) => e.kind === 'merchant' && e.request.method.toUpperCase() !== 'GET' && e.startedAt <= t && t - e.startedAt <= 30_000 && ABANDON.test(`${e.request.path} ${operationOf(e) ?? ''}`),
  );
}

export const waitForExpiry: Rule = {
  judge: (input, { item }) =>
    judgeEachFlow(item, input, (flowInput) => {
      const clockMoves = observationsOf(flowInput, 'clock');
      const pics = [...payments(flowInput).values()].filter((p) => p.created);
      const scenario = pics.filter(
        (p) =>
          p.customer.some((c) => c.action === 'ignore') ||
          finalStateOf(p)?.state === 'EXPIRED' ||
          p.customer.some((c) => c.action === 'approve' && clockMoves.some((m) => m.at <= c.at && m.at >= p.created!.startedAt)),
      );
      if (scenario.length === 0) return noEvidence(item, flowInput, 'No payment in this flow was left waiting (customer "ignore", expiry or a late approval after moving the clock).');
      const t = new Tally();
      for (const p of scenario) {
        const expiry = expiryOf(p);
        for (const c of p.cancels) {
          if (c.startedAt >= expiry || stateAt(p, c.startedAt) !== 'CREATED' || chosen(flowInput, p, c.startedAt)) continue;
          t.add('WARNING', `${p.reference}: ${describe(c)} cancelled the payment ${seconds(c.startedAt - p.created!.startedAt)} after create, before it could expire (${seconds(expiry - c.startedAt)} left)`, p.created, c);
        }
        for (const o of p.orders) {
          if (!FAILED_STATUSES.has(normStatus(o.status)) || o.at >= expiry || stateAt(p, o.at) !== 'CREATED' || chosen(flowInput, p, o.at)) continue;
          t.add('WARNING', `${p.reference}: order shown as "${o.status}" ${seconds(o.at - p.created!.startedAt)} after create while the payment was still CREATED`, p.created);
        }
        for (const a of p.customer.filter((c) => c.action === 'approve' && clockMoves.some((m) => m.at <= c.at && m.at >= p.created!.startedAt))) {
          const paid = p.orders.find((o) => o.at >= a.at && PAID_OR_LATER.has(normStatus(o.status)));
          if (!paid) t.add('WARNING', `${p.reference}: approved late (${seconds(a.at - p.created!.startedAt)} after create, before expiry) but the order never became paid`, p.created);
          else t.cite(p.created).note(`${p.reference}: late approval after ${seconds(a.at - p.created!.startedAt)} completed the order (${paid.status})`);
        }
        t.cite(p.created);
      }
      if (t.problems === 0) return t.finding(item, flowInput, `The integration waited for the customer (${scenario.map((p) => p.reference).join(', ')}): no early cancel or failure.`);
      return t.finding(item, flowInput, `Gave up before the payment expired: ${t.summary()}.`);
    }),
};
