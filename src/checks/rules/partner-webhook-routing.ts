/**
 * Partner-wide webhook routing — a partner-wide registration gets the events of every sales unit
 * the partner acts for, "each payload with its own msn" (vipps-facts §3.1, §3.3); references are
 * unique per MSN only (§2.3), so a platform that routes a delivery by reference alone lets one
 * merchant's event change another merchant's order.
 * https://developer.vippsmobilepay.com/docs/APIs/webhooks-api/api-guide/
 *
 * Rule: a delivery is routed by its payload's msn (then reference): one for MSN A never
 * changes an order of MSN B.
 *
 * Evidence (flow): `crossed-delivery` observations — golive delivered a correctly signed event
 * with this installation's order reference but another installation's MSN, and read the order
 * before and after (sandbox.forgeWebhook { otherSalesUnit: true }).
 * - FAILED: the order's status changed.
 * - REVIEW: the status before or after could not be read; no such delivery in the flow.
 * - PASSED: every crossed delivery left the order as it was.
 * NOT APPLICABLE to profiles without installations.
 */
import type { Rule } from '../types.ts';
import { finding, plural, Tally } from '../support/findings.ts';
import { observationsOf } from '../support/payments.ts';
import { installationName, notPlatform } from '../support/platform.ts';

export const partnerWebhookRouting: Rule = {
  notApplicable: notPlatform,
  judge(input, { item }) {
    const crossed = observationsOf(input, 'crossed-delivery');
    const who = installationName(input.profile);
    if (crossed.length === 0) return finding(item, input, 'REVIEW', `No partner-wide delivery for another sales unit's MSN was sent to ${who} in this flow, so its webhook routing could not be judged.`);
    const t = new Tally();
    for (const o of crossed) {
      const what = `${o.name} for MSN ${o.msn} with reference ${o.reference} (answered ${o.responseStatus ?? 'nothing'})`;
      if (o.statusBefore === undefined || o.statusAfter === undefined) t.add('REVIEW', `${what}: the order's status ${o.statusBefore === undefined ? 'before' : 'after'} it could not be read`);
      else if (o.statusAfter !== o.statusBefore) t.add('FAILED', `${what} changed order ${o.reference} of MSN ${o.ownMsn} from ${o.statusBefore} to ${o.statusAfter}`);
      else t.note(`${what}: order ${o.reference} of MSN ${o.ownMsn} stayed ${o.statusAfter}`);
    }
    if (t.problems === 0) return finding(item, input, 'PASSED', `${plural(crossed.length, 'partner-wide delivery', 'partner-wide deliveries')} for another sales unit's MSN left ${who}'s order unchanged.`, { details: t.lines });
    return t.finding(item, input, `A partner-wide delivery for another sales unit reached ${who}'s order: ${t.summary()}.`);
  },
};
