/**
 * §8.7 Legacy PSP API (v2/v3) checklist (vipps-facts.md §5, §8.7). Every row is in the official
 * PSP API checklist ("all actions are mandatory"), so every item is `required`.
 */
import type { ChecklistItem } from './types.ts';
import { D, DESIGN_GUIDELINES, ENDPOINTS, PITFALLS } from './docs.ts';

const PSPAPI = ['psp-v2'] as const;
const PSPAPI_CHECKLIST = `${D}/APIs/psp-api/vipps-psp-api-checklist/`;

export const PSP_API_ITEMS = [
  {
    id: 'PSPAPI-INIT',
    title: 'Initiates payments',
    area: ENDPOINTS,
    section: '8.7',
    apis: PSPAPI,
    severity: 'required',
    rule: 'The PSP initiates payments with POST /psp/v3/psppayments/init (v2: /psp/v2/…): a unique pspTransactionId and merchantOrderId, amount in øre (at least 100), pspRedirectUrl and makePaymentUrl.',
    docs: PSPAPI_CHECKLIST,
  },
  {
    id: 'PSPAPI-UPDATESTATUS',
    title: 'Reports every capture, refund and cancel',
    area: PITFALLS,
    section: '8.7',
    apis: PSPAPI,
    severity: 'required',
    rule: 'The PSP reports every capture, cancel and refund (not only the reservation) with POST …/psppayments/updatestatus, with the amount of each.',
    docs: PSPAPI_CHECKLIST,
  },
  {
    id: 'PSPAPI-DETAILS',
    title: 'Reads payment details',
    area: ENDPOINTS,
    section: '8.7',
    apis: PSPAPI,
    severity: 'required',
    rule: 'The PSP reads payments with GET …/psppayments/{pspTransactionId}/details.',
    docs: PSPAPI_CHECKLIST,
  },
  {
    id: 'PSPAPI-MAKEPAYMENT-TOKENS',
    title: 'Processes the makePayment tokens',
    area: ENDPOINTS,
    section: '8.7',
    apis: PSPAPI,
    severity: 'required',
    rule: 'The PSP receives POST {makePaymentUrl}, checks its Authorization against the makePaymentToken, processes the EMVCo network token (v3) or the encrypted card data (v2), and answers with paymentInfo.status.',
    docs: PSPAPI_CHECKLIST,
  },
  {
    id: 'PSPAPI-ERRORS',
    title: 'Handles every errorId',
    area: ENDPOINTS,
    section: '8.7',
    apis: PSPAPI,
    severity: 'required',
    rule: 'The PSP answers makePayment with the right errorId and errorText for each failure (82 refused by issuer, 93 for a non-accepted payment, …), with one test example per errorId and a note for those that do not apply (such as 85).',
    docs: PSPAPI_CHECKLIST,
  },
  {
    id: 'PSPAPI-SOFTDECLINE',
    title: 'Completes 3DS step-up',
    area: PITFALLS,
    section: '8.7',
    apis: PSPAPI,
    severity: 'required',
    rule: 'On a soft decline the PSP hosts a 3-D Secure session, answers status SOFT_DECLINE with url3dSecure, and answers the makePayment sent after the session with OK or FAIL, never SOFT_DECLINE again.',
    docs: PSPAPI_CHECKLIST,
  },
  {
    id: 'PSPAPI-NO-REDIRECT-RELIANCE',
    title: 'Does not rely on the redirect',
    area: PITFALLS,
    section: '8.7',
    apis: PSPAPI,
    severity: 'required',
    rule: 'The PSP and the merchant do not base their transaction logic on the customer reaching pspRedirectUrl: customers may close the app right after confirming.',
    docs: PSPAPI_CHECKLIST,
  },
  {
    id: 'PSPAPI-DESIGN',
    title: 'Follows the design guidelines',
    area: PITFALLS,
    section: '8.7',
    apis: PSPAPI,
    severity: 'required',
    rule: 'Vipps branding (buttons, logos, wording) follows the design guidelines.',
    docs: DESIGN_GUIDELINES,
  },
] as const satisfies readonly ChecklistItem[];
