import type { CheckInput } from '../types.ts';
import { plural, seconds, type Tally } from './findings.ts';
import { withheldNotificationFlows } from './flows.ts';
import { normStatus, type PaymentPicture } from './payments.ts';
import { isDropped } from './notifications.ts';

const PAID_OR_LATER = new Set(['paid', 'captured', 'partially-captured', 'refunded', 'partially-refunded']);

/**
 * The scenario polling must survive: payments approved without redirect while their webhooks
 * (eCom: callbacks) were withheld. Each must still become paid, read with GET; adds to `t` and
 * returns how many payments were in that scenario. EP-POLLING, EC-POLLING and EC-CALLBACK judge it with this one function.
 */
export function resolvedWithoutNotifications(flowInput: CheckInput, all: readonly PaymentPicture[], t: Tally): number {
  const dropFlows = withheldNotificationFlows(flowInput);
  let scenarios = 0;
  for (const p of all) {
    const approvals = p.customer.filter((c) => c.action === 'approve' && c.redirect === false);
    const delivered = p.webhooks.filter((w) => !isDropped(w) && w.response !== undefined);
    const withheld = p.webhooks.some(isDropped) || dropFlows.size > 0 || delivered.length === 0;
    if (approvals.length === 0 || !withheld || !p.created) continue;
    scenarios++;
    const at = approvals[0].at;
    const paid = p.orders.find((o) => o.at >= at && PAID_OR_LATER.has(normStatus(o.status)));
    const getsAfter = p.gets.filter((g) => g.startedAt >= p.created!.startedAt);
    if (!paid) {
      const last = p.orders[p.orders.length - 1];
      t.add('FAILED', `${p.reference}: approved without redirect and without notifications (webhooks/callbacks), and the order never became paid (last status: ${last?.status ?? 'not observed'})`, p.created);
    } else if (getsAfter.length === 0) t.add('FAILED', `${p.reference}: order became ${paid.status} but the payment was never read with GET`, p.created);
    else {
      t.cite(getsAfter[0], getsAfter[getsAfter.length - 1]).note(`${p.reference}: order ${paid.status} ${seconds(paid.at - at)} after approval, via ${plural(getsAfter.length, 'GET')} (notifications withheld, no redirect)`);
      if (paid.at - at > 30_000) t.add('WARNING', `${p.reference}: order became ${paid.status} only ${seconds(paid.at - at)} after approval (expected within 30 s)`);
    }
  }
  return scenarios;
}

