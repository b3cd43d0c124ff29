import type { Exchange } from '../../traffic/types.ts';
import type { CheckInput, Rule } from '../types.ts';
import { finding, list, noEvidence } from './findings.ts';
import { finalStateOf, payments, type PaymentPicture } from './payments.ts';
import { offReason } from './profile.ts';
import { pspApiEndings } from './make-payments.ts';
import { aggregateOf, byTime, describe, idempotencyKeyOf, isOk, OP, operationOf, responseBodyOf, type Agg } from './traffic.ts';

/** How a complete order ended, from the traffic's accepted modification answers (go-live evidence). */
export interface OrderEnding {
  reference: string;
  picture: PaymentPicture;
  /** AUTHORIZED (no modification), CAPTURED, REFUNDED or CANCELLED, from the last modification. */
  ending: 'AUTHORIZED' | 'CAPTURED' | 'REFUNDED' | 'CANCELLED' | 'TERMINATED' | 'OTHER';
  last?: Exchange;
  aggregate?: Agg;
  /** The create call is in the log (a complete order from the start). */
  complete: boolean;
}

export function orderEndings(input: CheckInput): OrderEnding[] {
  const out: OrderEnding[] = [];
  for (const p of payments(input).values()) {
    const seen = new Set<string>();
    const mods = [...p.captures, ...p.refunds, ...p.cancels].filter(isOk).sort(byTime).filter((m) => {
      const key = idempotencyKeyOf(m);
      if (key === undefined) return true;
      const id = `${operationOf(m)}:${key}`;
      if (seen.has(id)) return false; // idempotent replay
      seen.add(id);
      return true;
    });
    const last = mods[mods.length - 1];
    const fin = finalStateOf(p);
    const complete = p.created !== undefined;
    if (!last) {
      if (fin?.state === 'AUTHORIZED') out.push({ reference: p.reference, picture: p, ending: 'AUTHORIZED', complete });
      continue;
    }
    const agg = aggregateOf(responseBodyOf(last));
    const op = operationOf(last);
    const state = responseBodyOf(last)?.state;
    let ending: OrderEnding['ending'] = 'OTHER';
    if (op === OP.capture && agg && agg.captured > 0 && agg.captured === agg.authorized && agg.refunded === 0) ending = 'CAPTURED';
    else if (op === OP.refund && agg && agg.refunded > 0) ending = 'REFUNDED';
    else if (op === OP.cancel && state === 'TERMINATED') ending = 'TERMINATED';
    else if (op === OP.cancel && agg && agg.authorized > 0 && agg.cancelled === agg.authorized && agg.captured === 0) ending = 'CANCELLED';
    out.push({ reference: p.reference, picture: p, ending, last, aggregate: agg, complete });
  }
  return out;
}

/**
 * The references the checklist submission lists, by the state they ended in — the same rule
 * (`orderEndings`, complete orders only) that judges EP-ORDER-*, so the evidence table never
 * contradicts those verdicts. An order with a mixed ending (part captured, rest cancelled) is
 * no clean example of any of the four and is listed under none.
 */
export function evidenceReferencesOf(input: CheckInput): Record<'AUTHORIZED' | 'CAPTURED' | 'REFUNDED' | 'CANCELLED', string[]> {
  if (input.profile.api === 'psp-v2') return pspApiEndings(input.traffic);
  const out = { AUTHORIZED: [] as string[], CAPTURED: [] as string[], REFUNDED: [] as string[], CANCELLED: [] as string[] };
  for (const o of orderEndings(input)) {
    if (!o.complete) continue;
    if (o.ending === 'AUTHORIZED' || o.ending === 'CAPTURED' || o.ending === 'REFUNDED' || o.ending === 'CANCELLED') out[o.ending].push(o.reference);
  }
  return out;
}

/**
 * The rule "a complete test order ends in `ending`" (go-live evidence): PASSED listing the orders,
 * else no evidence. Not applicable when the profile switches `capability` off.
 */
export function completeOrderEndingIn(ending: 'CAPTURED' | 'REFUNDED' | 'CANCELLED', capability: string): Rule {
  return {
    notApplicable: (profile) => offReason(profile, capability),
    judge(input, { item }) {
      const endings = orderEndings(input);
      const hits = endings.filter((o) => o.ending === ending && o.complete);
      if (hits.length > 0)
        return finding(item, input, 'PASSED', `Complete test orders ending in ${ending}: ${list(hits.map((o) => o.reference))}.`, {
          cites: hits.flatMap((o) => [o.picture.created, o.last]),
          details: hits.map((o) => `${o.reference}: created ${describe(o.picture.created!)}, last ${describe(o.last!)} (captured ${o.aggregate?.captured ?? '?'}, refunded ${o.aggregate?.refunded ?? '?'}, cancelled ${o.aggregate?.cancelled ?? '?'} of ${o.aggregate?.authorized ?? '?'})`),
        });
      const partial = endings.filter((o) => o.ending === ending && !o.complete);
      return noEvidence(
        item,
        input,
        `No complete test order ends in ${ending} (${endings.length} orders seen: ${list(endings.map((o) => `${o.reference} → ${o.ending}`), 6) || 'none'}).`,
        { details: partial.map((o) => `${o.reference}: ends in ${ending} but its create call is not in the log`) },
      );
    },
  };
}
