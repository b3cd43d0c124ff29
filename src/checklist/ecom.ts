/**
 * §8.7 Legacy eCom API v2 checklist (vipps-facts.md §6, §8.7). Rows of the official eCom
 * checklist are `required`; EC-XREQUESTID comes from the API guide (idempotent capture and
 * refund), so it is `recommended`, like EP-IDEMPOTENCY.
 */
import type { ChecklistItem } from './types.ts';
import { D, DESIGN_GUIDELINES, ENDPOINTS, KB, PITFALLS, QA } from './docs.ts';

const EC = ['ecom-v2'] as const;
const ECOM_CHECKLIST = `${D}/APIs/ecom-api/vipps-ecom-api-checklist/`;

export const ECOM_ITEMS = [
  {
    id: 'EC-ENDPOINTS',
    title: 'Uses the eCom v2 endpoints',
    area: ENDPOINTS,
    section: '8.7',
    apis: EC,
    severity: 'required',
    rule: 'The integration uses every eCom v2 endpoint: initiate (POST /ecomm/v2/payments), full and partial capture, cancel (PUT …/cancel), full and partial refund, details (GET …/details), and for Express checkout the shippingDetails and consent-removal callbacks.',
    docs: ECOM_CHECKLIST,
  },
  {
    id: 'EC-CALLBACK',
    title: 'Answers the callback within 3 s; resolves orders without it',
    area: QA,
    section: '8.7',
    apis: EC,
    severity: 'required',
    rule: 'The merchant answers POST {callbackPrefix}/v2/payments/{orderId} with 200 within 3 seconds, for successful and failed payments; the callback is sent once and never retried, so an order whose callback never comes is still resolved by polling details.',
    docs: ECOM_CHECKLIST,
  },
  {
    id: 'EC-ERRORS',
    title: 'Handles errors',
    area: QA,
    section: '8.7',
    apis: EC,
    severity: 'required',
    rule: 'Log and handle every error the API returns (errorGroup, errorCode, errorMessage, contextId), and show errors so customers and staff can see and understand them.',
    docs: `${KB}/errors/`,
  },
  {
    id: 'EC-HEADERS',
    title: 'Sends the system headers',
    area: QA,
    section: '8.7',
    apis: EC,
    severity: 'required',
    rule: 'Send Vipps-System-Name, -Version, -Plugin-Name and -Plugin-Version (≤30 characters, stable) and the merchant’s Merchant-Serial-Number on every API request; mandatory for partners and platforms.',
    docs: `${KB}/http-headers/`,
  },
  {
    id: 'EC-RECEIPT',
    title: 'Adds order information to the payment history',
    area: QA,
    section: '8.7',
    apis: EC,
    severity: 'required',
    rule: 'Use the Order Management API to add receipts and images to the payment history; recommended, mandatory under content monitoring.',
    docs: `${D}/APIs/order-management-api/`,
  },
  {
    id: 'EC-ORDERID',
    title: 'Sends a useful orderId',
    area: PITFALLS,
    section: '8.7',
    apis: EC,
    severity: 'required',
    rule: 'The orderId matches ^[a-zA-Z0-9-]{1,50}$, is readable (not digits only, no leading zero) and new for every payment attempt (initiate is not idempotent: a retry needs a new orderId).',
    docs: `${KB}/orderid/`,
  },
  {
    id: 'EC-POLLING',
    title: 'Polls payment details',
    area: PITFALLS,
    section: '8.7',
    apis: EC,
    severity: 'required',
    rule: 'Do not rely on the fallBack or the callback alone: poll GET /ecomm/v2/payments/{orderId}/details until a final outcome, then stop; back off on 429.',
    docs: `${KB}/polling-guidelines/`,
  },
  {
    id: 'EC-FALLBACK-REDIRECT',
    title: 'fallBack works in a fresh browser',
    area: PITFALLS,
    section: '8.7',
    apis: EC,
    severity: 'required',
    rule: 'The fallBack URL works when opened in another (default) browser without the checkout’s session or cookies: it finds the order from the URL and shows the right outcome, for success and failure alike.',
    docs: `${KB}/redirects/`,
  },
  {
    id: 'EC-DESIGN',
    title: 'Follows the design guidelines',
    area: PITFALLS,
    section: '8.7',
    apis: EC,
    severity: 'required',
    rule: 'Vipps branding (buttons, logos, wording) follows the design guidelines.',
    docs: DESIGN_GUIDELINES,
  },
  {
    id: 'EC-SUPPORT',
    title: 'Customer support has tools in the merchant system',
    area: PITFALLS,
    section: '8.7',
    apis: EC,
    severity: 'required',
    rule: 'Customer service has the tools and information it needs in the merchant’s own system (status, amounts, history per order), without needing the business portal.',
    docs: ECOM_CHECKLIST,
  },
  {
    id: 'EC-XREQUESTID',
    title: 'Capture/refund retries reuse X-Request-Id',
    area: QA,
    section: '8.7',
    apis: EC,
    severity: 'recommended',
    rule: 'Capture and refund carry an X-Request-Id (≤40 characters); a retry after a lost answer or a 5xx reuses it with an identical body, and a new capture or refund gets a new one.',
    docs: `${KB}/http-headers/`,
  },
] as const satisfies readonly ChecklistItem[];
