/**
 * PSP reports refund — "Report capture, cancel, refund via ePayment" (ePayment PSP checklist;
 * vipps-facts §4.5, §8.6 #55).
 * https://developer.vippsmobilepay.com/docs/APIs/psp-epayment-api/epayment-psp-api-guide/
 *
 * Rule: the PSP reports a refund when it paid money back through ePayment's refund endpoint, with Psp-Id, the
 * amounts agreeing with the payment (the answer's aggregate).
 *
 * Evidence (whole run): the PSP's refund calls (support/psp-reports.ts).
 */
import type { Rule } from '../types.ts';
import { pspReportRule } from '../support/psp-reports.ts';

export const pspUpdateRefund: Rule = pspReportRule('refund');
