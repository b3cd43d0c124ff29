import type { CheckInput } from '../types.ts';
import type { Exchange } from '../../traffic/types.ts';
import { observationsOf, payments, normStatus } from './payments.ts';
import { apiCalls, byTime, endOf, isOk, referenceOf, responseBodyOf } from './traffic.ts';

const BOOKED = new Set(['paid', 'captured', 'partially-captured', 'refunded', 'partially-refunded']);

export interface BookedBeforeRead {
  reference: string;
  status: string;
  at: number;
  /** The API answers for the reference before the order showed it (all still CREATED). */
  reads: Exchange[];
}

/**
 * In flows where the sandbox delayed a payment's new state on GET (a fired `stale-read` fault),
 * orders that showed paid (or later) before any API answer had shown the new state: the only
 * source of that status was a webhook's event name — booked without the truth.
 */
export function bookedBeforeRead(input: CheckInput): BookedBeforeRead[] {
  const staleFlows = new Set(
    observationsOf(input, 'fault')
      .filter((o) => (o.spec as { effect?: { type?: string } } | undefined)?.effect?.type === 'stale-read' && (o.fired ?? 0) > 0)
      .map((o) => o.flowId),
  );
  if (staleFlows.size === 0) return [];
  const refs = new Set(input.flows.filter((f) => staleFlows.has(f.id)).flatMap((f) => f.references ?? []));
  const calls = apiCalls(input.traffic).sort(byTime);
  const out: BookedBeforeRead[] = [];
  for (const p of payments(input).values()) {
    if (!refs.has(p.reference)) continue;
    const booked = p.orders.find((o) => BOOKED.has(normStatus(o.status)));
    if (!booked) continue;
    const reads = calls.filter((c) => referenceOf(c) === p.reference && isOk(c) && endOf(c) <= booked.at);
    const truth = reads.some((c) => {
      const state = responseBodyOf(c)?.state;
      return typeof state === 'string' && state !== 'CREATED';
    });
    if (!truth) out.push({ reference: p.reference, status: booked.status, at: booked.at, reads });
  }
  return out;
}
