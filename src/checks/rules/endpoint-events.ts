/**
 * Endpoint events — "Get payment event log: GET:/epayment/v1/payments/{reference}/events"
 * (ePayment checklist, Endpoints to integrate; vipps-facts §8.1 #3, §2.10).
 * https://developer.vippsmobilepay.com/docs/APIs/epayment-api/api-guide/operations/get_event_log/
 *
 * Rule: the event log is the authoritative history of a payment; integrations use it (typically
 * behind a support/admin "payment history" view).
 *
 * Evidence (whole run): getPaymentEventLog exchanges answered 2xx. Not applicable when the
 * profile declares `capabilities.eventLog: false` (the reviewer must accept that omission).
 * Never called: FAILED when the profile declares `eventLog: true`, else WARNING — facts §8.1
 * says "warn", since a suite can only drive it through an admin action the profile defines.
 */
import type { Rule } from '../types.ts';
import { finding, list, plural } from '../support/findings.ts';
import { declaredOn, offReason } from '../support/profile.ts';
import { apiOps, describe, isOk, OP, outcomeOf, referenceOf } from '../support/traffic.ts';

export const endpointEvents: Rule = {
  notApplicable: (profile) => {
    const off = offReason(profile, 'eventLog');
    return off && `${off} (the checklist lists the event log; the reviewer must accept its omission)`;
  },
  judge(input, { item }) {
    const calls = apiOps(input.traffic, OP.events);
    const ok = calls.filter(isOk);
    if (ok.length > 0) {
      const refs = [...new Set(ok.map((e) => referenceOf(e) ?? '?'))];
      return finding(item, input, 'PASSED', `The event log was read ${plural(ok.length, 'time')} (${list(refs)}).`, { cites: ok });
    }
    const verdict = declaredOn(input.profile, 'eventLog') ? 'FAILED' : 'WARNING';
    if (calls.length > 0)
      return finding(item, input, verdict, `GET …/events was called ${plural(calls.length, 'time')} but never answered 2xx.`, {
        cites: calls,
        details: calls.map((e) => `${describe(e)} ${outcomeOf(e)}`),
      });
    return finding(
      item,
      input,
      verdict,
      'GET /epayment/v1/payments/{reference}/events was never called. Drive it through the merchant’s payment-history/admin action, or declare capabilities.eventLog in the profile.',
    );
  },
};
