import type { Exchange } from '../../traffic/types.ts';
import { ENDED_PAYMENT_STATES, isSettled } from '../../contract/epayment.ts';
import { GUIDELINE_POLLING } from '../../contract/polling.ts';
import type { CheckInput } from '../types.ts';
import type { PaymentPicture } from './payments.ts';
import { aggregateOf, byTime, endOf, isOk, responseBodyOf } from './traffic.ts';
import { isDropped } from './notifications.ts';

/** More GETs than this after a payment ended, for longer than this many intervals, is polling on. */
const MAX_LATE_GETS = 3;
const MAX_LATE_INTERVALS = 5;
const ENDED = new Set<string>(ENDED_PAYMENT_STATES);

export interface PollingAfterEnd {
  reference: string;
  /** What the integration was told, and when: the first API answer showing the payment ended. */
  ended: { how: string; at: number; seq: number };
  late: Exchange[];
}

/** The first API answer to the integration saying the payment can no longer change (not a stale read). */
function endOfPayment(p: PaymentPicture): PollingAfterEnd['ended'] | undefined {
  const answers = [...p.gets, ...p.captures, ...p.refunds, ...p.cancels].filter(isOk).sort((a, b) => endOf(a) - endOf(b));
  for (const e of answers) {
    const body = responseBodyOf(e);
    const agg = aggregateOf(body);
    if (ENDED.has(body?.state)) return { how: String(body.state), at: endOf(e), seq: e.seq };
    if (agg && isSettled(agg)) return { how: 'settled (nothing left to capture, cancel or refund)', at: endOf(e), seq: e.seq };
  }
  return undefined;
}

/**
 * Run-scoped: GETs of a payment after the integration was told it ended, that no webhook, page
 * view or merchant action explains — flagged only past both thresholds, relative to the polling
 * interval (a poll in flight or a confirming read is fine; polling on for minutes is not).
 */
export function pollingAfterEnd(input: CheckInput, pictures: Iterable<PaymentPicture>): PollingAfterEnd[] {
  const interval = input.profile.polling?.intervalMs ?? GUIDELINE_POLLING.intervalMs;
  // golive's own actions on the merchant explain a read only of the payment they name (parallel
  // flows check their orders all the time).
  const merchantActs = input.traffic.filter((e) => e.kind === 'merchant');
  const out: PollingAfterEnd[] = [];
  for (const p of pictures) {
    const ended = endOfPayment(p);
    if (!ended) continue;
    const acts = merchantActs.filter((e) => e.request.path.includes(p.reference) && e.request.method !== 'GET').map((e) => e.startedAt);
    const triggers = [...p.webhooks.filter((w) => !isDropped(w)).map((w) => w.startedAt), ...p.pages.map((pg) => pg.at), ...acts];
    const late = [...p.gets]
      .sort(byTime)
      .filter((g) => g.startedAt > ended.at + interval && !triggers.some((t) => t <= g.startedAt && g.startedAt - t <= interval + 3000));
    if (late.length > MAX_LATE_GETS && late[late.length - 1].startedAt - ended.at > MAX_LATE_INTERVALS * interval) out.push({ reference: p.reference, ended, late });
  }
  return out;
}
