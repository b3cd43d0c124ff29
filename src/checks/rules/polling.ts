/**
 * Polling — "Poll for payment details: the merchant must not rely on fallback or callback alone,
 * and must poll … as documented. Follow our polling recommendations" (ePayment checklist, Avoid
 * integration pitfalls; vipps-facts §8.3 #23, §7.1, §7.2, §2.15).
 * https://developer.vippsmobilepay.com/docs/knowledge-base/polling-guidelines/
 *
 * Rule: poll GET payment — start ≈5 s after create, then every ≈2 s — until a final state, then
 * stop; polling is mandatory even with webhooks; on 429 back off.
 *
 * Evidence (flow):
 * - the scenario: a customer observation `approve` with `redirect: false` while the payment's
 *   webhooks were withheld (deliveries recorded with fault `webhook-drop`, a `webhook-drop` fault
 *   observation, or no delivery at all). The merchant order must still become paid (observations;
 *   WARNING when later than 30 s) and the integration must have GET the reference — else FAILED.
 * - timing, for every payment of the flow (WARNING each): first GET < 1 s after the create answer;
 *   consecutive GETs < 1 s apart that no webhook, page view or merchant action explains; ≥2
 *   unexplained GETs more than 60 s after the final state; a GET < 1 s after a 429 on GET.
 * No GET at all ⇒ FAILED. Timing fine but no such scenario in the flow ⇒ WARNING (reliance on
 * polling not proven).
 * Run-scoped part (over every flow's traffic, since such GETs outlive the flow): WARNING for a
 * payment polled more than 3 times, for longer than 5 polling intervals, after an API answer told
 * the integration it ended (ABORTED/EXPIRED/TERMINATED, or a settled aggregate) — GETs a webhook,
 * page view or merchant action explains excepted.
 */
import type { Rule, CheckInput } from '../types.ts';
import { noEvidence, plural, seconds, Tally } from '../support/findings.ts';
import { judgeEachFlow } from '../support/flows.ts';
import { resolvedWithoutNotifications } from '../support/withheld-notifications.ts';
import { finalStateOf, payments, type PaymentPicture } from '../support/payments.ts';
import { pollingAfterEnd } from '../support/polling-after-end.ts';
import { byTime, describe, endOf } from '../support/traffic.ts';
import { isDropped } from '../support/notifications.ts';

/** Times of things that legitimately make the integration read a payment at once. */
function triggers(input: CheckInput, p: PaymentPicture): number[] {
  const out: number[] = [];
  for (const w of p.webhooks) if (!isDropped(w)) out.push(w.startedAt);
  for (const pg of p.pages) out.push(pg.at);
  for (const m of [...p.captures, ...p.refunds, ...p.cancels]) out.push(endOf(m));
  for (const e of input.traffic) if (e.kind === 'merchant') out.push(e.startedAt);
  return out;
}
const explained = (at: number, triggerTimes: number[], windowMs: number) => triggerTimes.some((x) => x <= at && at - x <= windowMs);

export function pollingTiming(input: CheckInput, p: PaymentPicture, t: Tally): void {
  const gets = [...p.gets].sort(byTime);
  if (gets.length === 0 || !p.created) return;
  const trig = triggers(input, p);
  const created = endOf(p.created);
  const first = gets[0];
  if (first.startedAt - created < 1000)
    t.add('WARNING', `${p.reference}: first GET ${describe(first)} ${seconds(first.startedAt - created)} after the create answer (guideline: start ≈5 s after create)`, p.created, first);
  const fin = finalStateOf(p);
  const polling = gets.filter((g) => !fin || g.startedAt <= fin.at);
  for (let i = 1; i < polling.length; i++) {
    const gap = polling[i].startedAt - polling[i - 1].startedAt;
    if (gap < 1000 && !explained(polling[i].startedAt, trig, 1000))
      t.add('WARNING', `${p.reference}: ${describe(polling[i])} only ${seconds(gap)} after ${describe(polling[i - 1])} (guideline: every ≈2 s)`, polling[i - 1], polling[i]);
  }
  if (fin) {
    const late = gets.filter((g) => g.startedAt > fin.at + 60_000 && !explained(g.startedAt, trig, 5000));
    if (late.length >= 2)
      t.add('WARNING', `${p.reference}: still polled ${plural(late.length, 'time')} more than 60 s after it became ${fin.state} (last ${describe(late[late.length - 1])}); stop at a final state`, late[0], late[late.length - 1]);
  }
  for (const [i, g] of gets.entries()) {
    if (g.response?.status !== 429) continue;
    const next = gets[i + 1];
    if (next && next.startedAt - endOf(g) < 1000) t.add('WARNING', `${p.reference}: ${describe(next)} ${seconds(next.startedAt - endOf(g))} after ${describe(g)} → 429 (back off)`, g, next);
  }
}

export const polling: Rule = {
  // Polling after the end is judged over the run's traffic: the GETs go on after the flow ended.
  judgeRun(input, { item }) {
    const found = pollingAfterEnd(input, payments(input).values());
    if (found.length === 0) return undefined;
    const t = new Tally();
    for (const f of found)
      t.add('WARNING', `${f.reference}: polled ${plural(f.late.length, 'more time')} after it was ${f.ended.how} (last ${describe(f.late[f.late.length - 1])}, ${seconds(f.late[f.late.length - 1].startedAt - f.ended.at)} later); stop polling once a payment has ended`, f.ended.seq, f.late[0], f.late[f.late.length - 1]);
    return t.finding(item, input, `Polling goes on after payments ended (judged over the whole run): ${t.summary()}.`);
  },
  judge: (input, { item }) =>
    judgeEachFlow(item, input, (flowInput) => {
      const all = [...payments(flowInput).values()].filter((p) => p.created);
      if (all.every((p) => p.gets.length === 0)) return noEvidence(item, flowInput, `No GET payment in this flow (${plural(all.length, 'payment')} created): the integration does not poll.`);
      const t = new Tally();
      for (const p of all) pollingTiming(flowInput, p, t);
      const scenarios = resolvedWithoutNotifications(flowInput, all, t);
      if (t.problems > 0) return t.finding(item, flowInput, `Polling problems: ${t.summary()}.`);
      if (scenarios === 0) {
        for (const p of all) t.cite(p.gets[0]);
        return t.finding(
          item,
          flowInput,
          'GET polling follows the guidelines here, but no payment in this flow was approved without redirect while its webhooks (eCom: callbacks) were withheld, so reliance on polling is not proven.',
          'WARNING',
        );
      }
      return t.finding(item, flowInput, `Orders reached paid by polling alone (${plural(scenarios, 'payment')}; no webhook or callback, no redirect), within the polling guidelines.`);
    }),
};
