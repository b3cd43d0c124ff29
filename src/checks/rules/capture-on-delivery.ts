/**
 * Capture on delivery — capture only when the goods are delivered (knowledge base "Capture";
 * vipps-facts §8.3 #27, §7.8).
 * https://developer.vippsmobilepay.com/docs/knowledge-base/reserve-and-capture/
 *
 * Rule: "you cannot capture before the product or service is provided": capture after delivery or
 * shipping, not automatically when the payment is authorized — unless delivery is instant
 * (digital goods), which the profile declares with `capabilities.instantDelivery: true`.
 *
 * Evidence (whole run): each capture (retries of a failed capture and idempotent replays are not
 * judged again), the payment's authorization time (customer approve, authorized webhook, GET), and
 * golive's merchant actions — non-GET kind:'merchant' exchanges about the same payment (its
 * reference; or, without one, of the same flow) between authorization and capture (ship, deliver,
 * capture in the admin). Recommended row: WARNING for a capture
 * no merchant action preceded, or when no capture was made at all. Not applicable with
 * `capabilities.capture: false`.
 */
import type { Exchange } from '../../traffic/types.ts';
import type { Rule } from '../types.ts';
import { noEvidence, plural, seconds, Tally } from '../support/findings.ts';
import { declaredOn, offReason } from '../support/profile.ts';
import { finalStateOf, payments } from '../support/payments.ts';
import { byTime, describe, idempotencyKeyOf, isTransientFailure } from '../support/traffic.ts';

/**
 * Is merchant action `m` about the payment captured by `c`? By the reference the action names;
 * without one, only when both are attributed to the same flow. (Any action of any flow in the
 * time window would let an automatic capture pass whenever flows overlap.)
 */
function aboutPayment(m: Exchange, c: Exchange, reference: string): boolean {
  if (m.reference !== undefined) return m.reference === reference;
  return m.flowId !== undefined && c.flowId !== undefined && m.flowId === c.flowId;
}

export const captureOnDelivery: Rule = {
  notApplicable: (profile) => offReason(profile, 'capture'),
  judge(input, { item }) {
    const instant = declaredOn(input.profile, 'instantDelivery');
    const t = new Tally();
    let judged = 0;
    const merchantActions = input.traffic.filter((e) => e.kind === 'merchant' && e.request.method.toUpperCase() !== 'GET');
    for (const p of payments(input).values()) {
      const fin = finalStateOf(p);
      if (!fin || fin.state !== 'AUTHORIZED') continue;
      const captures = [...p.captures].sort(byTime);
      const seenKeys = new Set<string>();
      let prev: Exchange | undefined;
      for (const c of captures) {
        const key = idempotencyKeyOf(c);
        const replay = key !== undefined && seenKeys.has(key);
        if (key) seenKeys.add(key);
        const retry = prev !== undefined && isTransientFailure(prev) && c.startedAt - prev.startedAt < 120_000;
        prev = c;
        if (replay || retry) continue;
        judged++;
        const trigger = merchantActions.find((m) => m.startedAt >= fin.at - 1 && m.startedAt <= c.startedAt && aboutPayment(m, c, p.reference));
        if (trigger) t.cite(trigger, c).note(`${p.reference}: ${describe(c)} after the merchant action ${describe(trigger)}`);
        else if (instant) t.cite(c).note(`${p.reference}: ${describe(c)} ${seconds(c.startedAt - fin.at)} after authorization (instant delivery declared)`);
        else t.add('WARNING', `${p.reference}: ${describe(c)} captured ${seconds(c.startedAt - fin.at)} after authorization (${fin.source}) with no delivery/ship action in between`, c);
      }
    }
    if (judged === 0) return noEvidence(item, input, 'No capture of an authorized payment was observed, so capture timing could not be judged.');
    if (t.problems === 0) return t.finding(item, input, `${plural(judged, 'capture')} followed a delivery action${instant ? ' or instant delivery' : ''}.`);
    return t.finding(item, input, `${plural(t.problems, 'capture')} made automatically on authorization: ${t.summary()}.`);
  },
};
