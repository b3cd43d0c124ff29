/**
 * Event cancelled — "Handle responses … the events CANCELLED, CAPTURED and REFUNDED" (ePayment
 * checklist, Quality assurance; vipps-facts §8.2 #15, §2.9–2.10a).
 * https://developer.vippsmobilepay.com/docs/APIs/epayment-api/checklist/
 *
 * Rule: CANCELLED is an event, not a state (the payment stays AUTHORIZED); what moved is read from
 * the aggregate. After each cancel the merchant's back office shows the new amounts, and a
 * duplicate delivery of the same event does not book it twice.
 *
 * Evidence (flow): accepted cancelPayment exchanges (idempotent replays skipped; cancels
 * answering TERMINATED are EP-STATES-TERMINATED's) and the last merchant-order observation after
 * each (before the next modification of the payment): its status must match the aggregate
 * (captured / partially-captured / refunded / partially-refunded / cancelled), and amounts in the
 * observation's `raw` (capturedAmount, refundedAmount, cancelledAmount) must equal the aggregate.
 * FAILED on a mismatch or when no cancel was made/observed; WARNING when only some cancels were
 * followed by an observation. Not applicable with `capabilities.cancel: false`.
 */
import type { Rule } from '../types.ts';
import { judgeEvent } from '../support/events.ts';
import { offReason } from '../support/profile.ts';
import { OP } from '../support/traffic.ts';

export const eventCancelled: Rule = {
  notApplicable: (profile) => offReason(profile, 'cancel'),
  judge: (input, { item }) => judgeEvent(item, input, OP.cancel),
};
