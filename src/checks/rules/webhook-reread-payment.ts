/**
 * Webhook reread payment — re-read the payment after a webhook (Webhooks API guide; vipps-facts §8.5 #43,
 * §3.3).
 * https://developer.vippsmobilepay.com/docs/APIs/webhooks-api/api-guide/
 *
 * Rule: receivers treat the payload as a signal and read the payment (GET payment) before acting
 * on it; the webhook itself is not the source of truth.
 *
 * Evidence (whole run): every genuine delivery the merchant acknowledged (2xx), grouped per
 * reference + event name (duplicates count once; CREATED events need no action), and the
 * integration's getPayment calls for that reference starting at or after the delivery and within
 * 60 s. Recommended row: WARNING for events never followed by a GET, or when no delivery
 * happened. FAILED (proven harm) when, in a flow where GET showed the new state only after a
 * delay (a `stale-read` fault with `ms`), the order showed paid or later after a webhook
 * with no GET since that delivery and before any API answer had said so. Not applicable with `capabilities.webhooks: false`.
 */
import type { Exchange } from '../../traffic/types.ts';
import type { Rule } from '../types.ts';
import { noEvidence, plural, Tally } from '../support/findings.ts';
import { offReason } from '../support/profile.ts';
import { bookedBeforeRead } from '../support/stale-reads.ts';
import { apiOps, byTime, describe, isOk, OP, referenceOf } from '../support/traffic.ts';
import { eventNameOf, genuineDeliveries } from '../support/notifications.ts';

const WINDOW_MS = 60_000;

export const webhookRereadPayment: Rule = {
  notApplicable: (profile) => offReason(profile, 'webhooks'),
  judge(input, { item }) {
    const acked = genuineDeliveries(input.traffic).filter(isOk).sort(byTime);
    const groups = new Map<string, Exchange[]>();
    for (const e of acked) {
      const name = eventNameOf(e);
      if (name === 'CREATED') continue;
      const key = `${referenceOf(e)}\u0000${name}`;
      groups.set(key, [...(groups.get(key) ?? []), e]);
    }
    if (groups.size === 0) return noEvidence(item, input, 'No webhook was delivered and acknowledged, so re-reading after webhooks could not be judged.');
    const gets = apiOps(input.traffic, OP.get);
    const t = new Tally();
    for (const b of bookedBeforeRead(input))
      t.add('FAILED', `${b.reference}: the order showed ${b.status} after the webhook without a GET payment since it, while GET still answered CREATED (the sandbox delayed the new state): booked from the webhook alone`, ...b.reads.slice(-3));
    for (const group of groups.values()) {
      const first = group[0];
      const ref = referenceOf(first);
      const read = gets.find((g) => referenceOf(g) === ref && group.some((d) => g.startedAt >= d.startedAt && g.startedAt - d.startedAt <= WINDOW_MS));
      if (read) t.cite(first, read);
      else t.add('WARNING', `${ref}: ${eventNameOf(first)} webhook ${describe(first)} was not followed by GET payment within 60 s`, first);
    }
    if (t.problems === 0) return t.finding(item, input, `Every webhook event (${plural(groups.size, 'event')}) was followed by GET payment.`);
    return t.finding(item, input, `Webhooks acted on without re-reading the payment: ${t.summary()}.`);
  },
};
