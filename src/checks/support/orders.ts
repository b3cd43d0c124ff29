import type { Exchange } from '../../traffic/types.ts';
import type { CheckInput } from '../types.ts';
import { finalStateOf, payments, type PaymentPicture } from './payments.ts';
import { aggregateOf, byTime, idempotencyKeyOf, isOk, OP, operationOf, responseBodyOf, type Agg } from './traffic.ts';

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
