import type { ChecklistItem } from './types.ts';

/**
 * The go-live checklist items golive verifies for ePayment integrations and their webhook
 * receivers (vipps-facts.md §8.1–8.5). Ids match src/suite/checklist.ts, so suites and checks
 * speak of the same items. The combined row "EP-EVENTS-CAPTURED/REFUNDED/CANCELLED" is three
 * items there (EP-EVENTS-CAPTURED, EP-EVENTS-REFUNDED, EP-EVENTS-CANCELLED) and here.
 *
 * Severity: `required` for rows that are literally in the ePayment checklist (endpoints, both
 * webhooks and polling, handle responses/states/events, handle errors, HTTP headers, payment
 * history, the five pitfalls, the go-live orders and evidence); `recommended` for rows derived
 * from the knowledge base, API guides and the toolkit (their breaches default to WARNING).
 */

const D = 'https://developer.vippsmobilepay.com/docs';
const CHECKLIST = `${D}/APIs/epayment-api/checklist/`;
const OPS = `${D}/APIs/epayment-api/api-guide/operations`;
const KB = `${D}/knowledge-base`;
const WEBHOOKS = `${D}/APIs/webhooks-api`;

const ENDPOINTS = 'Endpoints to integrate';
const QA = 'Quality assurance';
const PITFALLS = 'Avoid integration pitfalls';
const GO_LIVE = 'Flow to go live';
const WEBHOOK_RECEIVER = 'Webhook receiver quality';

export const CATALOGUE: readonly ChecklistItem[] = [
  // --- §8.1 Endpoints to integrate -------------------------------------------------------
  {
    id: 'EP-ENDPOINT-CREATE',
    title: 'Create payment: POST /epayment/v1/payments',
    area: ENDPOINTS,
    severity: 'required',
    rule: 'The integration creates payments with POST /epayment/v1/payments, with a valid body: amount in minor units, paymentMethod, reference, userFlow, and the returnUrl/customer its userFlow needs.',
    docs: `${OPS}/create/`,
  },
  {
    id: 'EP-ENDPOINT-GET',
    title: 'Get payment: GET /epayment/v1/payments/{reference}',
    area: ENDPOINTS,
    severity: 'required',
    rule: 'The integration reads every payment it creates with GET /epayment/v1/payments/{reference}, the recommended source of the current state and aggregate.',
    docs: `${OPS}/get_info/`,
  },
  {
    id: 'EP-ENDPOINT-EVENTS',
    title: 'Get payment event log: GET /epayment/v1/payments/{reference}/events',
    area: ENDPOINTS,
    severity: 'required',
    rule: 'The integration uses GET /epayment/v1/payments/{reference}/events, the authoritative history of a payment (typically behind a support or admin view).',
    docs: `${OPS}/get_event_log/`,
  },
  {
    id: 'EP-ENDPOINT-CANCEL',
    title: 'Cancel payment: POST /epayment/v1/payments/{reference}/cancel',
    area: ENDPOINTS,
    severity: 'required',
    rule: 'The integration cancels payments with POST …/cancel; on an authorized payment this releases the whole uncaptured remainder.',
    docs: `${OPS}/cancel/`,
  },
  {
    id: 'EP-ENDPOINT-CAPTURE-FULL',
    title: 'Full capture: POST …/capture of the authorized amount',
    area: ENDPOINTS,
    severity: 'required',
    rule: 'The integration captures the full authorized amount with POST …/capture, modificationAmount equal to the authorized amount in the payment currency.',
    docs: `${OPS}/capture/`,
  },
  {
    id: 'EP-ENDPOINT-CAPTURE-PARTIAL',
    title: 'Partial capture: POST …/capture of part of the amount (repeatable)',
    area: ENDPOINTS,
    severity: 'required',
    rule: 'The integration can capture less than the authorized amount, and capture again (or cancel the rest) later.',
    docs: `${OPS}/capture/`,
  },
  {
    id: 'EP-ENDPOINT-REFUND-FULL',
    title: 'Full refund: POST …/refund of the captured amount',
    area: ENDPOINTS,
    severity: 'required',
    rule: 'The integration refunds the whole captured amount with POST …/refund.',
    docs: `${OPS}/refund/`,
  },
  {
    id: 'EP-ENDPOINT-REFUND-PARTIAL',
    title: 'Partial refund: POST …/refund of part of the captured amount (repeatable)',
    area: ENDPOINTS,
    severity: 'required',
    rule: 'The integration can refund part of the captured amount, several times, with refundedAmount adding up across refunds.',
    docs: `${OPS}/refund/`,
  },

  // --- §8.2 Quality assurance ---------------------------------------------------------------
  {
    id: 'EP-WEBHOOKS-AND-POLLING',
    title: 'Both webhooks and polling',
    area: QA,
    severity: 'required',
    rule: 'Implement both: register webhooks (Webhooks API, at least epayments.payment.authorized.v1) and poll GET payment; neither channel alone is enough.',
    docs: CHECKLIST,
  },
  {
    id: 'EP-STATES-AUTHORIZED',
    title: 'Handle AUTHORIZED',
    area: QA,
    severity: 'required',
    rule: 'When the customer approves (state AUTHORIZED) the merchant order becomes paid/reserved, and goods are not marked as captured before a capture.',
    docs: CHECKLIST,
  },
  {
    id: 'EP-STATES-ABORTED',
    title: 'Handle ABORTED',
    area: QA,
    severity: 'required',
    rule: 'When the customer rejects (state ABORTED) the order becomes cancelled/failed, the customer is told so, nothing is captured and the reference is not reused.',
    docs: CHECKLIST,
  },
  {
    id: 'EP-STATES-EXPIRED',
    title: 'Handle EXPIRED',
    area: QA,
    severity: 'required',
    rule: 'When the customer does nothing until the payment expires (state EXPIRED) the order becomes expired/failed and nothing is captured.',
    docs: CHECKLIST,
  },
  {
    id: 'EP-STATES-TERMINATED',
    title: 'Handle TERMINATED',
    area: QA,
    severity: 'required',
    rule: 'When the merchant cancels before the customer approves (state TERMINATED) the order shows it as terminated/cancelled, and later reads of the payment are handled without error.',
    docs: CHECKLIST,
  },
  {
    id: 'EP-STATES-CREATED',
    title: 'Handle CREATED (pending)',
    area: QA,
    severity: 'required',
    rule: 'While the payment is still CREATED the order and the return page show it as pending (not failed, not paid) and keep checking.',
    docs: CHECKLIST,
  },
  {
    id: 'EP-EVENTS-CAPTURED',
    title: 'Handle the CAPTURED event',
    area: QA,
    severity: 'required',
    rule: 'After a capture the merchant order shows the captured (or partially captured) amount from the payment aggregate; duplicate events do not double-book.',
    docs: CHECKLIST,
  },
  {
    id: 'EP-EVENTS-REFUNDED',
    title: 'Handle the REFUNDED event',
    area: QA,
    severity: 'required',
    rule: 'After a refund the merchant order shows the refunded (or partially refunded) amount from the payment aggregate; duplicate events do not double-book.',
    docs: CHECKLIST,
  },
  {
    id: 'EP-EVENTS-CANCELLED',
    title: 'Handle the CANCELLED event',
    area: QA,
    severity: 'required',
    rule: 'After a cancel of an authorized payment the merchant order shows it as cancelled (or, after a partial capture, as captured with the rest released).',
    docs: CHECKLIST,
  },
  {
    id: 'EP-ERRORS-LOG',
    title: 'Log all errors',
    area: QA,
    severity: 'required',
    rule: 'Log and handle every error the API returns, with enough to trace it (endpoint, HTTP status, error code, traceId).',
    docs: `${KB}/errors/`,
  },
  {
    id: 'EP-ERRORS-DISPLAY',
    title: 'Show errors understandably',
    area: QA,
    severity: 'required',
    rule: 'Errors are shown so customers and staff can see and understand them: readable text, no raw JSON or stack traces, no fake success.',
    docs: CHECKLIST,
  },
  {
    id: 'EP-HEADERS',
    title: 'HTTP headers: Vipps-System-* and Merchant-Serial-Number',
    area: QA,
    severity: 'required',
    rule: 'Send Vipps-System-Name, -Version, -Plugin-Name and -Plugin-Version (≤30 characters, stable) and the merchant’s Merchant-Serial-Number on every API request; mandatory for partners and platforms.',
    docs: `${KB}/http-headers/`,
  },
  {
    id: 'EP-RECEIPT',
    title: 'Add information to the payment history',
    area: QA,
    severity: 'required',
    rule: 'Use the Order Management API (or the receipt on create) to add receipts to the payment history; recommended, mandatory under (assisted) content monitoring.',
    docs: `${D}/APIs/order-management-api/`,
  },
  {
    id: 'EP-IDEMPOTENCY',
    title: 'Idempotency-Key: unique per operation, reused on retry',
    area: QA,
    severity: 'recommended',
    rule: 'Create, capture, refund and cancel carry an Idempotency-Key (≤50 characters); a retry after a lost answer, 5xx or 429 reuses the key with an identical body; a new operation gets a new key.',
    docs: `${KB}/http-headers/`,
  },
  {
    id: 'EP-TOKEN-CACHE',
    title: 'Reuse the access token',
    area: QA,
    severity: 'recommended',
    rule: 'Cache the access token for its lifetime (1 h in test, 24 h in production) instead of fetching one per request; after a 401 fetch a new one and retry.',
    docs: `${D}/APIs/access-token-api/`,
  },

  // --- §8.3 Avoid integration pitfalls ------------------------------------------------------
  {
    id: 'EP-REFERENCE',
    title: 'Send a useful reference',
    area: PITFALLS,
    severity: 'required',
    rule: 'The reference matches ^[a-zA-Z0-9-]{8,64}$, is readable (not digits only, no leading zero, not just a UUID) and new for every payment attempt.',
    docs: `${KB}/orderid/`,
  },
  {
    id: 'EP-POLLING',
    title: 'Poll for payment details',
    area: PITFALLS,
    severity: 'required',
    rule: 'Do not rely on the redirect or webhooks alone: poll GET payment (first ≈5 s after create, then every ≈2 s) until a final state, then stop; back off on 429.',
    docs: `${KB}/polling-guidelines/`,
  },
  {
    id: 'EP-REDIRECT',
    title: 'Handle redirects',
    area: PITFALLS,
    severity: 'required',
    rule: 'The returnUrl works when opened in another (default) browser without the checkout’s session or cookies: it finds the payment from an identifier in the URL and shows the right outcome.',
    docs: `${KB}/redirects/`,
  },
  {
    id: 'EP-NO-IFRAME',
    title: 'Open redirectUrl unchanged, top-level',
    area: PITFALLS,
    severity: 'recommended',
    rule: 'Open the redirectUrl exactly as returned, in the top-level window (no iframe, web view or rewriting), or use the Vipps MobilePay widget.',
    docs: `${OPS}/create/`,
  },
  {
    id: 'EP-TIMEOUT-WAIT',
    title: 'Do not cancel before the payment expires',
    area: PITFALLS,
    severity: 'recommended',
    rule: 'The customer has the whole window (10 minutes by default, or expiresAt) to approve: do not cancel or fail the order earlier unless the customer abandoned it.',
    docs: `${KB}/timeouts/`,
  },
  {
    id: 'EP-CAPTURE-ON-DELIVERY',
    title: 'Capture on delivery',
    area: PITFALLS,
    severity: 'recommended',
    rule: 'Capture only when the goods or services are delivered (not automatically on authorization, unless delivery is instant).',
    docs: `${KB}/reserve-and-capture/`,
  },
  {
    id: 'EP-CANCEL-REMAINDER',
    title: 'Cancel the uncaptured remainder',
    area: PITFALLS,
    severity: 'recommended',
    rule: 'After a partial capture that completes the order, cancel the rest so the customer’s funds are released (cancelledAmount = authorized − captured).',
    docs: `${KB}/cancel/`,
  },
  {
    id: 'EP-CUSTOMER-PRESENT',
    title: 'In-store payments: customerInteraction CUSTOMER_PRESENT',
    area: PITFALLS,
    severity: 'recommended',
    rule: 'Payments made at a physical point of sale send customerInteraction: "CUSTOMER_PRESENT".',
    docs: `${OPS}/create/`,
  },
  {
    id: 'EP-429-BACKOFF',
    title: 'Respect rate limits (HTTP 429)',
    area: PITFALLS,
    severity: 'recommended',
    rule: 'After HTTP 429 wait (at least 1 s, longer if Retry-After says so) before calling again; 429 means the integration is calling too often.',
    docs: `${D}/APIs/epayment-api/api-guide/errors/`,
  },
  {
    id: 'EP-DESIGN',
    title: 'Follow the design guidelines',
    area: PITFALLS,
    severity: 'required',
    rule: 'Vipps MobilePay branding (buttons, logos, wording) follows the design guidelines.',
    docs: `${D}/design-guidelines/`,
  },
  {
    id: 'EP-SUPPORT',
    title: 'Educate customer support',
    area: PITFALLS,
    severity: 'required',
    rule: 'Customer service has the tools and information it needs in the merchant’s own system (state, amounts, history per payment), without needing the business portal.',
    docs: CHECKLIST,
  },
  {
    id: 'EP-NORDIC',
    title: 'Customers from other Nordic countries',
    area: PITFALLS,
    severity: 'recommended',
    rule: 'Phone numbers are MSISDNs with country code (45, 46, 47, 358 …); do not assume Norwegian customers.',
    docs: `${OPS}/create/`,
  },

  // --- §8.4 Go-live evidence ----------------------------------------------------------------
  {
    id: 'EP-ORDER-CAPTURED',
    title: 'Test order ending in CAPTURED',
    area: GO_LIVE,
    severity: 'required',
    rule: 'In the test environment there is a complete order (create → approve → capture) whose last operation is a capture.',
    docs: CHECKLIST,
  },
  {
    id: 'EP-ORDER-REFUNDED',
    title: 'Test order ending in REFUNDED',
    area: GO_LIVE,
    severity: 'required',
    rule: 'In the test environment there is a complete order (create → approve → capture → refund) whose last operation is a refund.',
    docs: CHECKLIST,
  },
  {
    id: 'EP-ORDER-CANCELLED',
    title: 'Test order ending in CANCELLED',
    area: GO_LIVE,
    severity: 'required',
    rule: 'In the test environment there is a complete order (create → approve → cancel) whose last operation is a cancel of the authorized amount.',
    docs: CHECKLIST,
  },
  {
    id: 'EP-ORDER-PROD',
    title: 'Production orders ending in AUTHORIZED, CAPTURED, REFUNDED, CANCELLED',
    area: GO_LIVE,
    severity: 'required',
    rule: 'In production, verify (API and API Dashboard) complete orders ending in AUTHORIZED, CAPTURED, REFUNDED and CANCELLED.',
    docs: CHECKLIST,
  },
  {
    id: 'EP-EVIDENCE-FRESH',
    title: 'Fresh evidence for partner submissions',
    area: GO_LIVE,
    severity: 'required',
    rule: 'Partners submit request examples less than one month old, with a video or description of the solution.',
    docs: `${D}/partner/partner-checklist/`,
  },

  // --- §8.5 Webhook receiver quality --------------------------------------------------------
  {
    id: 'WH-VERIFY-HMAC',
    title: 'Verify the webhook signature',
    area: WEBHOOK_RECEIVER,
    severity: 'recommended',
    rule: 'Check x-ms-content-sha256 against the raw body and the HMAC-SHA256 Authorization header with the registration secret; act on nothing that fails.',
    docs: `${WEBHOOKS}/request-authentication/`,
  },
  {
    id: 'WH-ACK-FAST',
    title: 'Acknowledge webhooks within 10 s',
    area: WEBHOOK_RECEIVER,
    severity: 'recommended',
    rule: 'Answer every valid delivery with 2xx within 10 seconds (store, then process); anything else is retried and holds back later events.',
    docs: `${WEBHOOKS}/api-guide/`,
  },
  {
    id: 'WH-IDEMPOTENT',
    title: 'Tolerate duplicate webhooks',
    area: WEBHOOK_RECEIVER,
    severity: 'recommended',
    rule: 'The same event may arrive more than once; answer each with 2xx and change the order only once (key on reference + name + pspReference).',
    docs: `${WEBHOOKS}/api-guide/`,
  },
  {
    id: 'WH-SUCCESS-FLAG',
    title: 'Check the success flag',
    area: WEBHOOK_RECEIVER,
    severity: 'recommended',
    rule: 'An event with success: false did not happen: do not book it.',
    docs: `${WEBHOOKS}/events/`,
  },
  {
    id: 'WH-NOT-TRUTH',
    title: 'Re-read the payment after a webhook',
    area: WEBHOOK_RECEIVER,
    severity: 'recommended',
    rule: 'Treat a webhook as a signal: read the payment with GET payment before acting on it.',
    docs: `${WEBHOOKS}/api-guide/`,
  },
];

export const CHECKLIST_ITEM_IDS: readonly string[] = CATALOGUE.map((i) => i.id);

const BY_ID = new Map(CATALOGUE.map((i) => [i.id, i]));

export function itemById(id: string): ChecklistItem | undefined {
  return BY_ID.get(id);
}

/** The catalogue item, for check modules (throws on a typo at import time, not at judging time). */
export function catalogueItem(id: string): ChecklistItem {
  const item = BY_ID.get(id);
  if (!item) throw new Error(`no checklist item ${id} in the catalogue`);
  return item;
}
