/**
 * Endpoint cancel — "Cancel payment: POST:/epayment/v1/payments/{reference}/cancel"
 * (ePayment checklist, Endpoints to integrate; vipps-facts §8.1 #4, §2.9).
 * https://developer.vippsmobilepay.com/docs/APIs/epayment-api/api-guide/operations/cancel/
 *
 * Rule: the integration cancels payments; on an AUTHORIZED payment a cancel releases the whole
 * uncaptured remainder (cancelledAmount = authorized − captured), before approval it terminates
 * the payment. The spec requires an Idempotency-Key on cancel (the toolkit calls it recommended).
 *
 * Evidence (whole run): cancelPayment exchanges answered 2xx, with their aggregates. FAILED when
 * none succeeded; WARNING when the successful cancels carry no Idempotency-Key (the full key
 * judgement is EP-IDEMPOTENCY's). Not applicable with `capabilities.cancel: false`.
 */
import type { Rule } from '../types.ts';
import { finding, list, noEvidence, plural, Tally } from '../support/findings.ts';
import { offReason } from '../support/profile.ts';
import { aggregateOf, apiOps, describe, idempotencyHeaderOf, idempotencyKeyOf, isOk, needsIdempotencyKey, OP, outcomeOf, referenceOf, responseBodyOf } from '../support/traffic.ts';

export const endpointCancel: Rule = {
  notApplicable: (profile) => offReason(profile, 'cancel'),
  judge(input, { item }) {
    const calls = apiOps(input.traffic, OP.cancel);
    const ok = calls.filter(isOk);
    if (ok.length === 0) {
      return noEvidence(
        item,
        input,
        calls.length === 0 ? 'Cancel (ePayment POST …/cancel, eCom PUT …/cancel) was never called (drive an "order cancelled" admin action on an authorized payment).' : `Cancel was called ${plural(calls.length, 'time')} but never succeeded.`,
        { cites: calls, details: calls.map((e) => `${describe(e)} ${outcomeOf(e)}`) },
      );
    }
    const t = new Tally();
    const described: string[] = [];
    for (const e of ok) {
      const body = responseBodyOf(e);
      const agg = aggregateOf(body);
      described.push(`${referenceOf(e)} (${body?.state ?? body?.transactionInfo?.status ?? '?'}${agg ? `, cancelled ${agg.cancelled} of authorized ${agg.authorized}` : ''})`);
      if (needsIdempotencyKey(e) && !idempotencyKeyOf(e)) t.add('WARNING', `${describe(e)}: no ${idempotencyHeaderOf(e)}`, e);
      else t.cite(e);
    }
    if (t.problems > 0) return t.finding(item, input, `Cancel works (${list(described)}), but ${plural(t.problems, 'cancel')} carried no ${idempotencyHeaderOf(ok[0])}.`);
    return finding(item, input, 'PASSED', `${plural(ok.length, 'cancel')} succeeded: ${list(described)}.`, { cites: ok });
  },
};
