/**
 * Whose decision a modification was. golive drives the integration through its profile's
 * actions (`kind: 'merchant'` exchanges, named by the action); a cancel the integration sent
 * while golive's own `cancel` action was the last thing golive asked of that order was golive's
 * decision, not the shop's. A cancel after another action (a back office's "complete order", a
 * capture) or on the shop's own schedule is the integration's.
 */
import type { Exchange } from '../../traffic/types.ts';

/** Actions that only read: they ask the shop to decide nothing. */
const READ_ACTIONS = new Set(['orderStatus', 'orderPage', 'eventLog', 'returnPage', 'readOrder']);

/** The last action golive asked of `reference` before `at` (reads left out), or undefined. */
export function lastDrivingAction(traffic: readonly Exchange[], reference: string, at: number): Exchange | undefined {
  let last: Exchange | undefined;
  for (const e of traffic) {
    if (e.kind !== 'merchant' || e.reference !== reference || e.startedAt > at || READ_ACTIONS.has(e.operation ?? '')) continue;
    if (!last || e.startedAt >= last.startedAt) last = e;
  }
  return last;
}

/** Whether the integration sent this cancel because golive ran the profile's `cancel` action. */
export const cancelOrderedByGolive = (traffic: readonly Exchange[], cancel: Exchange): boolean =>
  cancel.reference !== undefined && lastDrivingAction(traffic, cancel.reference, cancel.startedAt)?.operation === 'cancel';
