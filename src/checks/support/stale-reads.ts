import type { CheckInput } from '../types.ts';
import type { Exchange } from '../../traffic/types.ts';
import { observationsOf, payments, normStatus } from './payments.ts';
import { apiCalls, byTime, endOf, isOk, OP, operationOf, referenceOf, responseBodyOf } from './traffic.ts';
import { eventNameOf, genuineDeliveries } from './notifications.ts';

const BOOKED = new Set(['paid', 'captured', 'partially-captured', 'refunded', 'partially-refunded']);

export interface BookedBeforeRead {
  reference: string;
  status: string;
  at: number;
  /** The API answers for the reference before the order showed it (all still CREATED). */
  reads: Exchange[];
}

/**
 * In flows where the sandbox delayed a payment's new state on GET (a `stale-read` fault),
 * orders that showed paid (or later) after a webhook announced the change, with no GET of the
 * payment since that delivery and no API answer ever showing the new state: the only source of
 * the status was the webhook's event name. A shop that did re-read, saw the stale answer and
 * still moved on (marking the order unconfirmed and polling on) is not flagged here.
 */
export function bookedBeforeRead(input: CheckInput): BookedBeforeRead[] {
  // Whether the fault fired does not matter: a shop that books from the name never reads in the
  // window. What matters is that any read there would have said CREATED.
  const staleFlows = new Set(
    observationsOf(input, 'fault')
      .filter((o) => (o.spec as { effect?: { type?: string } } | undefined)?.effect?.type === 'stale-read')
      .map((o) => o.flowId),
  );
  if (staleFlows.size === 0) return [];
  const refs = new Set(input.flows.filter((f) => staleFlows.has(f.id)).flatMap((f) => f.references ?? []));
  const calls = apiCalls(input.traffic).sort(byTime);
  const deliveries = genuineDeliveries(input.traffic).filter(isOk).sort(byTime);
  const out: BookedBeforeRead[] = [];
  for (const p of payments(input).values()) {
    if (!refs.has(p.reference)) continue;
    const booked = p.orders.find((o) => BOOKED.has(normStatus(o.status)));
    if (!booked) continue;
    const delivery = deliveries.find((d) => referenceOf(d) === p.reference && eventNameOf(d) !== 'CREATED' && d.startedAt <= booked.at);
    if (!delivery) continue;
    const reads = calls.filter((c) => referenceOf(c) === p.reference && isOk(c) && endOf(c) <= booked.at);
    const truth = reads.some((c) => {
      const state = responseBodyOf(c)?.state;
      return typeof state === 'string' && state !== 'CREATED';
    });
    const reread = calls.some((c) => referenceOf(c) === p.reference && operationOf(c) === OP.get && c.startedAt >= delivery.startedAt && c.startedAt <= booked.at);
    if (!truth && !reread) out.push({ reference: p.reference, status: booked.status, at: booked.at, reads });
  }
  return out;
}
