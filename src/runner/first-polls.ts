import { pollingBoundMs, type PollingPace } from '../contract/polling.ts';
import { PAYMENT_OPERATIONS } from '../contract/operations.ts';
import type { ControlClient } from '../sandbox/client.ts';
import { finalChangeOf } from './payment-records.ts';

/** What the wait reads from the sandbox's control API. */
export type FirstPollsControl = Pick<ControlClient, 'payments' | 'clock' | 'traffic'>;

/** The wall clock and the pause between rounds (injected by tests). */
export interface FirstPollsTime {
  wallNow: () => number;
  sleep: (ms: number) => Promise<void>;
}

const REAL_TIME: FirstPollsTime = { wallNow: () => Date.now(), sleep: (ms) => new Promise((r) => setTimeout(r, ms)) };

interface Changed {
  reference: string;
  at: number;
}

/** Payments of the run whose state changed to a final one, with when it did (the event's time). */
async function changedPayments(control: FirstPollsControl, msn: string, since: number): Promise<Changed[]> {
  const { payments } = await control.payments(msn);
  const out: Changed[] = [];
  for (const p of payments) {
    const change = finalChangeOf(p);
    if (change && change.createdAt >= since) out.push({ reference: change.reference, at: change.at });
  }
  return out;
}

/**
 * A run that stops the integration right after its last flow cuts off payments still before
 * their first poll (an integration at the guideline pace reads a payment 5 s after create), and
 * the checks would then blame it for never reading them. So before judging, wait until every
 * payment of the run that reached a final state was read with GET after that change, or its
 * polling window (first + a few intervals, by the declared pace) passed since the change.
 */
export async function awaitFirstPolls(control: FirstPollsControl, o: { msn: string; since: number; pace?: PollingPace }, time: FirstPollsTime = REAL_TIME): Promise<void> {
  return awaitReads(control, await changedPayments(control, o.msn, o.since), pollingBoundMs(o.pace), time);
}

const MODIFICATIONS: readonly string[] = [...PAYMENT_OPERATIONS.capture, ...PAYMENT_OPERATIONS.refund, ...PAYMENT_OPERATIONS.cancel];

/**
 * The same wait against the test API, where golive cannot list the MSN's payments: the changes
 * are the integration's own successful modifications in the proxied traffic (the last per payment).
 */
export async function awaitFirstPollsProxied(control: Pick<ControlClient, 'clock' | 'traffic'>, o: { msn: string; since: number; pace?: PollingPace }, time: FirstPollsTime = REAL_TIME): Promise<void> {
  const { exchanges } = await control.traffic({ operation: [...MODIFICATIONS], msn: o.msn, since: o.since, limit: 10_000 });
  const last = new Map<string, number>();
  for (const e of exchanges) {
    if (e.reference === undefined || !e.response || e.response.status >= 300) continue;
    last.set(e.reference, Math.max(last.get(e.reference) ?? 0, e.startedAt + (e.durationMs ?? 0)));
  }
  return awaitReads(control, [...last].map(([reference, at]) => ({ reference, at })), pollingBoundMs(o.pace), time);
}

async function awaitReads(control: Pick<ControlClient, 'clock' | 'traffic'>, changed: Changed[], bound: number, time: FirstPollsTime): Promise<void> {
  let waiting = changed;
  const deadline = time.wallNow() + bound + 1_000; // a frozen sandbox clock must not hold the run
  while (time.wallNow() < deadline) {
    const now = (await control.clock()).now;
    const still: Changed[] = [];
    for (const c of waiting) {
      if (now >= c.at + bound) continue;
      const read = await control.traffic({ operation: [...PAYMENT_OPERATIONS.read], reference: c.reference, since: c.at, limit: 1 });
      if (read.exchanges.length === 0) still.push(c);
    }
    waiting = still;
    if (waiting.length === 0) return;
    await time.sleep(500);
  }
}
