/**
 * Webhook signature — verify the webhook's x-ms-content-sha256 and HMAC Authorization (Webhooks API
 * "Request authentication"; vipps-facts §8.5 #39, §3.4).
 * https://developer.vippsmobilepay.com/docs/APIs/webhooks-api/request-authentication/
 *
 * Rule: every delivery is signed: x-ms-content-sha256 = base64(SHA-256(raw body)) and Authorization
 * = "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=…" over
 * "POST\n<pathAndQuery>\n<x-ms-date>;<host>;<contentHash>" with the registration's secret. A
 * receiver acts on nothing that fails the check (ideally answering 400/401).
 *
 * Evidence (flow): `webhook-forgery` observations (tamper mode, the merchant's answer, the order
 * status before and after) and forged deliveries in the traffic (fault `webhook-tamper-<mode>`:
 * signature, body, date, stale-date, missing-signature) with the order observations around them.
 * - FAILED: a forged delivery changed the order's status (derived row, but the harm is real); or
 *   the receiver also rejects genuine, correctly signed deliveries with 401/403 (broken verifier).
 * - WARNING: a forged delivery answered 2xx although the status stayed (it should be refused);
 *   the status after a forgery was not observed; no forgery in the flow. Not applicable with
 *   `capabilities.webhooks: false`.
 */
import type { Rule } from '../types.ts';
import { noEvidence, plural, Tally } from '../support/findings.ts';
import { judgeEachFlow } from '../support/flows.ts';
import { observationsOf, payments } from '../support/payments.ts';
import { offReason } from '../support/profile.ts';
import { describe, outcomeOf, referenceOf } from '../support/traffic.ts';
import { deliveries, genuineDeliveries, isForged } from '../support/notifications.ts';

const ok2xx = (s: number | undefined) => s !== undefined && s >= 200 && s < 300;

export const webhookSignature: Rule = {
  notApplicable: (profile) => offReason(profile, 'webhooks'),
  judge: (input, { item }) =>
    judgeEachFlow(item, input, (flowInput) => {
      const obs = observationsOf(flowInput, 'webhook-forgery');
      const forged = deliveries(flowInput.traffic).filter(isForged);
      if (obs.length === 0 && forged.length === 0) return noEvidence(item, flowInput, 'No forged webhook delivery was sent in this flow (wrong signature, altered body, moved date).');
      const t = new Tally();
      const covered = new Set<string>();
      let judged = obs.length;
      for (const o of obs) {
        covered.add(`${o.reference}\u0000${o.tamper}`);
        const ex = forged.find((e) => referenceOf(e) === o.reference && (e.notes?.tamper === o.tamper || e.fault === `webhook-tamper-${o.tamper}`));
        const label = `${o.reference}: forged delivery (${o.tamper})${ex ? ` ${describe(ex)}` : ''} answered ${o.responseStatus ?? 'nothing'}`;
        if (o.statusBefore !== undefined && o.statusAfter !== undefined && o.statusBefore !== o.statusAfter)
          t.add('FAILED', `${label} and changed the order from "${o.statusBefore}" to "${o.statusAfter}"`, ex);
        else if (o.statusAfter === undefined) t.add('WARNING', `${label}; the order status afterwards was not observed`, ex);
        else if (ok2xx(o.responseStatus)) t.add('WARNING', `${label} (order stayed "${o.statusAfter}", but a forged delivery should be refused with 400/401)`, ex);
        else t.cite(ex).note(`${label}; order stayed "${o.statusAfter}"`);
      }
      const pics = payments(flowInput);
      for (const e of forged) {
        const ref = referenceOf(e) ?? '?';
        const tamper = String(e.notes?.tamper ?? e.fault?.replace('webhook-tamper-', '') ?? '?');
        if (covered.has(`${ref}\u0000${tamper}`)) continue;
        judged++;
        const orders = pics.get(ref)?.orders ?? [];
        const before = orders.filter((o) => o.at <= e.startedAt).pop();
        const after = orders.find((o) => o.at > e.startedAt);
        const label = `${ref}: forged delivery (${tamper}) ${describe(e)} ${outcomeOf(e)}`;
        if (before && after && before.status !== after.status) t.add('FAILED', `${label}; the order changed from "${before.status}" to "${after.status}"`, e);
        else if (ok2xx(e.response?.status)) t.add('WARNING', `${label}: accepted (should be refused with 400/401)${after ? `; order stayed "${after.status}"` : '; order status afterwards not observed'}`, e);
        else if (!after) t.add('WARNING', `${label}: refused, but the order status afterwards was not observed`, e);
        else t.cite(e).note(`${label}: refused; order stayed "${after.status}"`);
      }
      const genuine = genuineDeliveries(flowInput.traffic);
      const refusedGenuine = genuine.filter((e) => e.response?.status === 401 || e.response?.status === 403);
      if (genuine.length > 0 && refusedGenuine.length === genuine.length)
        t.add('FAILED', `all ${plural(genuine.length, 'correctly signed delivery', 'correctly signed deliveries')} were refused too (e.g. ${describe(refusedGenuine[0])} ${outcomeOf(refusedGenuine[0])}): the verification is broken`, ...refusedGenuine.slice(0, 3));
      if (t.problems === 0) return t.finding(item, flowInput, `Forged deliveries were refused and changed nothing (${plural(judged, 'forgery', 'forgeries')}).`);
      return t.finding(item, flowInput, `Webhook signatures not verified: ${t.summary()}.`);
    }),
};
