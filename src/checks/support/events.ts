import type { Exchange } from '../../traffic/types.ts';
import type { CheckInput, ChecklistItem, Finding } from '../types.ts';
import { noEvidence, plural, Tally } from './findings.ts';
import { judgeEachFlow } from './flows.ts';
import { acceptedModifications, aggregateAt, expectedStatuses, normStatus, payments } from './payments.ts';
import { aggregateOf, describe, endOf, idempotencyKeyOf, modificationAmountOf, OP, operationOf, responseBodyOf, type Agg } from './traffic.ts';
import { eventNameOf } from './notifications.ts';

/**
 * Shared judgement for "handle the CAPTURED / REFUNDED / CANCELLED event": after each accepted
 * modification, the next merchant-order observation (before the next modification of the same
 * payment) must show the status the new aggregate implies, and amounts the runner read from the
 * merchant (`raw`) must equal the aggregate.
 */
const NAMES: Record<string, string> = { [OP.capture]: 'CAPTURED', [OP.refund]: 'REFUNDED', [OP.cancel]: 'CANCELLED' };

/** Amounts a merchant order reports, when the runner recorded them in `raw` (minor units). */
export function rawAmounts(raw: unknown): Partial<Record<'captured' | 'refunded' | 'cancelled', number>> {
  const out: Partial<Record<'captured' | 'refunded' | 'cancelled', number>> = {};
  if (!raw || typeof raw !== 'object') return out;
  const sources = [raw as Record<string, unknown>, (raw as { aggregate?: Record<string, unknown> }).aggregate ?? {}];
  const num = (v: unknown): number | undefined =>
    typeof v === 'number' ? v : v && typeof v === 'object' && typeof (v as { value?: unknown }).value === 'number' ? (v as { value: number }).value : undefined;
  for (const k of ['captured', 'refunded', 'cancelled'] as const) {
    for (const src of sources) {
      const v = num(src[`${k}Amount`]) ?? num(src[k]);
      if (v !== undefined) {
        out[k] = v;
        break;
      }
    }
  }
  return out;
}

export function judgeEvent(item: ChecklistItem, input: CheckInput, op: typeof OP.capture | typeof OP.refund | typeof OP.cancel): Finding {
  const name = NAMES[op];
  return judgeEachFlow(item, input, (flowInput) => {
    const t = new Tally();
    let judged = 0;
    let unobserved = 0;
    for (const p of payments(flowInput).values()) {
      const mods = acceptedModifications(p);
      const seenKeys = new Set<string>();
      for (const [i, m] of mods.entries()) {
        if (operationOf(m) !== op) continue;
        const key = idempotencyKeyOf(m);
        if (key !== undefined) {
          if (seenKeys.has(key)) continue; // idempotent replay: not a new event
          seenKeys.add(key);
        }
        const agg = aggregateOf(responseBodyOf(m));
        if (op === OP.cancel && responseBodyOf(m)?.state !== 'AUTHORIZED') continue; // TERMINATED is a state, judged by EP-STATES-TERMINATED
        const next = mods.slice(i + 1).find((x) => x.startedAt > m.startedAt && idempotencyKeyOf(x) !== key);
        const windowEnd = next ? next.startedAt : Number.POSITIVE_INFINITY;
        const orders = p.orders.filter((o) => o.at >= endOf(m) && o.at < windowEnd);
        const last = orders[orders.length - 1];
        const label = `${p.reference}: ${describe(m)} (${modificationAmountOf(m)?.value ?? 'whole remainder'})`;
        if (!last) {
          unobserved++;
          t.add('WARNING', `${label}: no merchant order status observed after it${next ? ` (before ${describe(next)})` : ''}`, m);
          continue;
        }
        judged++;
        const now: Agg | undefined = aggregateAt(p, last.at) ?? agg;
        const expected = expectedStatuses('AUTHORIZED', now);
        if (!expected.includes(normStatus(last.status) as never)) {
          t.add('FAILED', `${label}: merchant order shows "${last.status}", expected ${expected.join(' or ')} (aggregate captured ${now?.captured ?? '?'}, refunded ${now?.refunded ?? '?'}, cancelled ${now?.cancelled ?? '?'} of ${now?.authorized ?? '?'})`, m);
          continue;
        }
        const raw = rawAmounts(last.raw);
        const wrong = (['captured', 'refunded', 'cancelled'] as const).filter((k) => raw[k] !== undefined && now && raw[k] !== now[k]);
        if (wrong.length > 0) {
          t.add('FAILED', `${label}: merchant order books ${wrong.map((k) => `${k} ${raw[k]} (API: ${now![k]})`).join(', ')} — double-booked or missed`, m);
          continue;
        }
        t.cite(m);
        const dups = duplicateDeliveries(p.webhooks, name, m, windowEnd);
        t.note(`${label} → order "${last.status}"${dups > 1 ? ` (event delivered ${dups} times, booked once)` : ''}`);
      }
    }
    const what = op === OP.cancel ? 'cancel of an authorized payment' : op === OP.capture ? 'capture' : 'refund';
    if (judged === 0 && unobserved === 0) return noEvidence(item, flowInput, `No ${what} was made in this flow, so the ${name} event could not be judged.`);
    if (judged === 0) return noEvidence(item, flowInput, `No merchant order status was observed after the ${plural(unobserved, what, `${what}s`)} of this flow.`, { cites: t.cites, details: t.lines });
    if (t.problems === 0) return t.finding(item, flowInput, `The merchant order followed every ${name} event (${plural(judged, 'modification')}).`);
    return t.finding(item, flowInput, `${name} not handled as documented: ${t.summary()}.`);
  });
}

/** How many genuine deliveries of the event for this modification reached the merchant. */
function duplicateDeliveries(webhooks: readonly Exchange[], name: string, m: Exchange, until: number): number {
  return webhooks.filter((w) => eventNameOf(w) === name && w.startedAt >= m.startedAt && w.startedAt < until && w.response !== undefined).length;
}
