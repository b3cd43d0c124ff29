/**
 * Optional ePayment features a PSP may offer — Express checkout, profile sharing, minimum age
 * (ePayment PSP checklist; vipps-facts §4.1, §8.6 #47).
 * https://developer.vippsmobilepay.com/docs/APIs/psp-epayment-api/epayment-psp-checklist/
 *
 * Rule: when the PSP offers one, its create requests use it as documented (Express: profile scope
 * exactly "name address email phoneNumber").
 *
 * Evidence: the card-passthrough suite does not drive these features, so always REVIEW.
 */
import type { Rule } from '../types.ts';
import { manualReview } from '../support/manual.ts';

export const pspOptionalFeatures: Rule = manualReview(
  'the card-passthrough suite does not drive Express checkout, profile sharing or minimum age; if you offer one, show the reviewer a create request using it and the flow end to end.',
);
