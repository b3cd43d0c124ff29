/**
 * PSP merchant onboarding — "Create and delete merchants via Merchant Management" (ePayment PSP
 * checklist; vipps-facts §4.5, §8.6 #44–45).
 * https://developer.vippsmobilepay.com/docs/APIs/psp-epayment-api/epayment-psp-checklist/
 *
 * Rule: the PSP creates sales units with POST /merchant-management/psp/v1/merchants (with an
 * Idempotency-Key) and updates or deactivates them with PATCH …/merchants/{merchantSerialNumber}.
 *
 * Evidence: none the sandbox can give — it has no Merchant Management API (its body schema is
 * unconfirmed, vipps-facts §4.5) — so always REVIEW with what the reviewer needs.
 */
import type { Rule } from '../types.ts';
import { manualReview } from '../support/manual.ts';

export const pspMerchantManagement: Rule = manualReview(
  'the sandbox has no Merchant Management API for PSPs (POST/PATCH /merchant-management/psp/v1/merchants); show the reviewer your onboarding calls and their answers from the test environment.',
);
