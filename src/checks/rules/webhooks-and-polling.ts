/**
 * Webhooks and polling — "Implement both webhooks and polling" (current ePayment checklist,
 * Quality assurance; vipps-facts §8.2 #9, §3, §7.1).
 * https://developer.vippsmobilepay.com/docs/APIs/epayment-api/checklist/
 *
 * Rule: use the Webhooks API (register at least `epayments.payment.authorized.v1`, aborted and
 * expired recommended) AND poll GET payment; neither channel alone is enough.
 *
 * Evidence (whole run):
 * - webhook channel: a 2xx registerWebhook for the profile's MSN (partners/PSPs may register
 *   partner-wide, without MSN) listing the authorized event, or a getWebhooks answer listing one,
 *   or genuine deliveries of the authorized event (a registration existed before recording);
 * - polling channel: GET payment issued while a payment was still pending for the integration
 *   (before a genuine delivery or an API answer had shown it a later state) for at least one payment;
 * - when a flow ran with the `stale-read` fault (GET keeps answering CREATED), its merchant order
 *   must still become paid — i.e. the webhook channel really works;
 * - symmetrically, when a flow ran with the `webhook-drop` fault and the customer approved without
 *   being redirected back, the merchant order must still become paid (and after a rejection,
 *   cancelled or failed) — i.e. the polling channel really works. (A GET while pending alone
 *   does not prove polling: a page view or a webhook's re-read makes one too.) A PSP's own
 *   RESERVE answer to the card callback counts as learning the payment's state, like an API answer.
 * FAILED when either channel is missing or one of these flows' orders did not follow; WARNING
 * when aborted/expired events are not registered.
 */
import { epaymentEventType } from '../../contract/epayment.ts';
import type { Exchange } from '../../traffic/types.ts';
import type { Rule, CheckInput } from '../types.ts';
import { list, Tally } from '../support/findings.ts';
import { flowsWithFault } from '../support/flows.ts';
import { normStatus, observationsOf, payments, type PaymentPicture } from '../support/payments.ts';
import { apiOps, describe, endOf, isOk, OP, referenceOf, reqHeader, responseBodyOf } from '../support/traffic.ts';
import { genuineCallbacks, outcomeOfCallback } from '../support/card-callbacks.ts';
import { deliveries, eventNameOf, genuineDeliveries, isDropped, registeredEvents } from '../support/notifications.ts';

const AUTHORIZED = epaymentEventType('AUTHORIZED');
const RECOMMENDED = ['ABORTED', 'EXPIRED'].map(epaymentEventType);
const PAID_OR_LATER = new Set(['paid', 'captured', 'partially-captured', 'refunded', 'partially-refunded']);
/** What a rejected (ABORTED) payment's order may become: no longer pending, never paid. */
const UNPAID_FINAL = new Set(['cancelled', 'failed', 'expired', 'terminated']);

export const webhooksAndPolling: Rule = {
  judge(input, { item }) {
    const t = new Tally();
    const { msn, kind } = input.profile;
    // --- webhook channel
    const registrations = apiOps(input.traffic, OP.registerWebhook, OP.listWebhooks).filter(isOk);
    const events = new Set<string>();
    const regCites: Exchange[] = [];
    for (const e of registrations) {
      const header = reqHeader(e, 'merchant-serial-number') ?? e.msn;
      const forMsn = header === msn || (header === undefined && kind !== 'direct');
      if (!forMsn) continue;
      for (const r of registeredEvents(e)) {
        r.events.forEach((ev) => events.add(ev));
        if (r.events.includes(AUTHORIZED)) regCites.push(e);
      }
    }
    const authorizedDeliveries = genuineDeliveries(input.traffic).filter((e) => eventNameOf(e) === 'AUTHORIZED');
    const webhookChannel = regCites.length > 0 || authorizedDeliveries.length > 0 || deliveries(input.traffic).some((e) => eventNameOf(e) === 'AUTHORIZED');
    if (!webhookChannel) t.add('FAILED', `no webhook registration for ${AUTHORIZED} (MSN ${msn}) and no authorized event delivered`);
    else {
      t.cite(...regCites.slice(0, 3), authorizedDeliveries[0]);
      if (regCites.length > 0) {
        const missing = RECOMMENDED.filter((ev) => !events.has(ev));
        if (missing.length > 0) t.add('WARNING', `registered events lack ${missing.join(', ')} (recommended, so abandoned payments are noticed)`, ...regCites.slice(0, 1));
      } else t.note('no registration call recorded; authorized events were delivered, so a registration existed before recording');
    }
    // --- polling channel
    const polled: string[] = [];
    for (const p of payments(input).values()) {
      // Pending as the integration saw it: until a delivery or an API answer told it otherwise (a
      // shop polling at the guideline pace often first reads an approved payment 5 s after create).
      const learned = learnedAt(p, input.traffic);
      const early = p.gets.filter((g) => learned === undefined || g.startedAt <= learned);
      if (early.length > 0) {
        polled.push(p.reference);
        t.cite(early[0]);
      }
    }
    if (polled.length === 0) t.add('FAILED', 'no GET payment was made while a payment was pending: the integration does not poll');
    // --- stale GET: the order must follow the webhook
    const stale = flowsWithFault(input, 'stale-read');
    for (const flow of input.flows.filter((f) => stale.has(f.id))) {
      const orders = observationsOf({ ...input, flows: [flow] }, 'merchant-order');
      const last = orders[orders.length - 1];
      if (!last) t.add('FAILED', `flow ${flow.id} (GET answered stale CREATED): no merchant order status was observed`);
      else if (!PAID_OR_LATER.has(last.status)) t.add('FAILED', `flow ${flow.id} (GET answered stale CREATED): the order stayed ${last.status} although the authorized webhook arrived — webhooks are not used`);
      else t.note(`flow ${flow.id}: order became ${last.status} from the webhook while GET was stale`);
    }
    // --- webhooks withheld and no redirect: the order must follow by polling
    const dropped = flowsWithFault(input, 'webhook-drop');
    for (const flow of input.flows.filter((f) => dropped.has(f.id))) {
      for (const p of payments({ ...input, flows: [flow] }).values()) {
        // The customer decided in the app and never came back: only polling can tell the integration.
        const decision = p.customer.find((c) => (c.action === 'approve' || c.action === 'reject') && c.redirect === false);
        if (!decision) continue;
        const after = p.orders.filter((o) => o.at >= decision.at);
        const followed = after.find((o) => (decision.action === 'approve' ? PAID_OR_LATER : UNPAID_FINAL).has(normStatus(o.status)));
        const what = decision.action === 'approve' ? 'approved' : 'rejected';
        if (followed) t.note(`flow ${flow.id}: ${p.reference} became ${followed.status} with webhooks withheld and no redirect after the customer ${what} — polling works`);
        else
          t.add(
            'FAILED',
            `flow ${flow.id} (webhooks withheld, no redirect): ${p.reference} stayed ${after[after.length - 1]?.status ?? 'unobserved'} after the customer ${what} — the order does not follow without webhooks, so there is no working polling`,
            p.created,
          );
      }
    }
    if (t.level === 'PASSED') {
      return t.finding(
        item,
        input,
        `Webhooks registered for ${AUTHORIZED}${regCites.length ? ` (${describe(regCites[0])})` : ''} and GET payment polled while pending (${list(polled)}).`,
      );
    }
    return t.finding(item, input, `Webhooks + polling: ${t.summary()}.`);
  },
};

/**
 * When the integration first learned a payment left CREATED: a genuine delivery, an API answer,
 * or — for a PSP — its own answer to the card callback that reserved it.
 */
function learnedAt(p: PaymentPicture, traffic: readonly Exchange[]): number | undefined {
  const times = [
    ...genuineCallbacks(traffic)
      .filter((e) => referenceOf(e) === p.reference && outcomeOfCallback(e) === 'reserved')
      .map(endOf),
    ...p.webhooks.filter((w) => !isDropped(w) && eventNameOf(w) !== 'CREATED').map((w) => w.startedAt),
    ...[...p.gets, ...p.captures, ...p.refunds, ...p.cancels]
      .filter((e) => isOk(e) && typeof responseBodyOf(e)?.state === 'string' && responseBodyOf(e)?.state !== 'CREATED')
      .map(endOf),
  ];
  return times.length > 0 ? Math.min(...times) : undefined;
}
