/**
 * PSP reports capture — "Report capture, cancel, refund via ePayment" (ePayment PSP checklist;
 * vipps-facts §4.5, §8.6 #55).
 * https://developer.vippsmobilepay.com/docs/APIs/psp-epayment-api/epayment-psp-api-guide/
 *
 * Rule: the PSP reports a capture when it charged the card through ePayment's capture endpoint, with Psp-Id, the
 * amounts agreeing with the payment (the answer's aggregate).
 *
 * Evidence (whole run): the PSP's capture calls (support/psp-reports.ts).
 */
import type { Rule } from '../types.ts';
import { pspReportRule } from '../support/psp-reports.ts';

export const pspUpdateCapture: Rule = pspReportRule('capture');
