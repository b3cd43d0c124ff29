/**
 * The detection matrix golive must show against the reference merchant (issue 4): for each fault
 * switch (examples/reference-merchant/src/config.ts), the checklist items the suite
 * (suites/epayment/checklist.yaml) must judge FAILED — and WARNING — with that switch on, and
 * nothing else; the healthy shop (`baseline`) gets neither.
 *
 * Most switches break exactly the item they are named for. A few cannot help breaking more,
 * because what they switch off is what later items need as evidence; those rows list the extra
 * items and say why (`cascade`). Everything else — an item failing that is not listed here, or a
 * listed one passing — is a finding: a check that cannot fail, or one that fails for the wrong
 * reason.
 */
import { FAULT_SWITCHES, PLATFORM_FAULT_SWITCHES, type FaultSwitch } from '../../examples/reference-merchant/src/config.ts';
import { FAULT_NAMES as SDK_SHOP_FAULTS, type FaultName as SdkShopFault } from '../../examples/sdk-shop/src/faults.ts';
import { FAULT_NAMES as ECOM_SHOP_FAULTS, type FaultName as EcomShopFault } from '../../examples/ecom-shop/src/config.ts';
import { FAULT_NAMES as REFERENCE_PSP_FAULTS, type FaultName as ReferencePspFault } from '../../examples/reference-psp/src/config.ts';
import { FAULT_NAMES as PSP_API_FAULTS, type FaultName as PspApiFault } from '../../examples/reference-psp/src/psp-api/config.ts';
import type { Verdict } from '../../src/checks/types.ts';

export interface ExpectedDetection {
  /** Items that must end FAILED. */
  fail: readonly string[];
  /** Items that must end WARNING (recommended rules, partial evidence). */
  warn?: readonly string[];
  /** One line: why these items and no others. */
  why: string;
  /** Items beyond the switch's own that it unavoidably takes with it, and why. */
  cascade?: string;
}

export type MatrixRowName = 'baseline' | FaultSwitch;

export const BASELINE: ExpectedDetection = {
  fail: [],
  warn: [],
  why: 'the healthy reference merchant meets every checklist item the suite exercises: no false failures, no warnings',
};

/**
 * The reference merchant's in-person switches (suites/epayment/in-person.yaml, docs/in-person.md),
 * spread into the table below. The in-person items are recommended, so
 * their breaches are WARNINGs; EP-POLLING and EP-ENDPOINT-GET are required rows.
 */
type InPersonSwitch = 'scope-without-userinfo' | 'phone-without-consent' | 'receipt-lines-mismatch' | 'push-without-polling' | 'qr-session-url';
const IN_PERSON_DETECTIONS: Record<InPersonSwitch, ExpectedDetection> = {
  'scope-without-userinfo': {
    fail: [],
    warn: ['EP-PROFILE-SHARING'],
    why: 'asks for profile.scope phoneNumber but never reads Userinfo with the payment\'s profile.sub: it asks for data it does not use (push-phone-sharing, returning-customer)',
  },
  'phone-without-consent': {
    fail: [],
    warn: ['EP-PROFILE-SHARING'],
    why: 'keeps the phone number without the customer\'s consent: after a declined consent (consent-declined) the returning customer\'s payment is pushed to it anyway — to a number no payment had the customer share',
  },
  'receipt-lines-mismatch': {
    fail: [],
    warn: ['EP-RECEIPT'],
    why: 'the push payment\'s receipt lines do not add up to its amount (src/contract/receipts.ts); the profile is not content-monitored, so a WARNING',
  },
  'push-without-polling': {
    fail: ['EP-POLLING', 'EP-ENDPOINT-GET', 'EP-WEBHOOKS-AND-POLLING'],
    warn: ['EP-PUSH-OUTCOME'],
    why: 'never polls a push payment, waiting for a webhook: with webhooks withheld (push-outcome-without-webhooks) the order stays pending though no redirect will ever come (EP-PUSH-OUTCOME), and that flow sees no GET at all (EP-POLLING), so only one of the two channels works (EP-WEBHOOKS-AND-POLLING, as webhooks-only)',
    cascade: 'EP-ENDPOINT-GET: the push payments reach AUTHORIZED (or ABORTED) and are never read with GET — "reads every payment it creates" is broken too',
  },
  'qr-session-url': {
    fail: [],
    warn: ['EP-QR-REDIRECT', 'EP-PROFILE-SHARING', 'EP-PUSH-OUTCOME'],
    why: 'the merchant-redirect QR\'s redirectUrl carries a session parameter (SESSION_PARAMETER_PATTERN): the printed code belongs to one browser session, and a fresh browser gets 410 "session expired"',
    cascade: 'push-phone-sharing starts at the scanned QR, so it stops there: its push payment is never made, and the items only it proves have no evidence (EP-PROFILE-SHARING, EP-PUSH-OUTCOME — WARNING, recommended)',
  },
};

export const EXPECTED_DETECTIONS: Record<FaultSwitch, ExpectedDetection> = {
  ...IN_PERSON_DETECTIONS,
  'no-system-headers': {
    fail: ['EP-HEADERS'],
    why: 'no Vipps-System-* headers on any request; the profile is a partner (plugin), for whom they are mandatory',
  },
  'no-idempotency-key': {
    fail: [
      'EP-ENDPOINT-CREATE',
      'EP-ENDPOINT-GET',
      'EP-ENDPOINT-EVENTS',
      'EP-ENDPOINT-CANCEL',
      'EP-ENDPOINT-CAPTURE-FULL',
      'EP-ENDPOINT-CAPTURE-PARTIAL',
      'EP-ENDPOINT-REFUND-FULL',
      'EP-ENDPOINT-REFUND-PARTIAL',
      'EP-WEBHOOKS-AND-POLLING',
      'EP-STATES-AUTHORIZED',
      'EP-STATES-ABORTED',
      'EP-STATES-EXPIRED',
      'EP-STATES-TERMINATED',
      'EP-STATES-CREATED',
      'EP-EVENTS-CAPTURED',
      'EP-EVENTS-REFUNDED',
      'EP-EVENTS-CANCELLED',
      'EP-IDEMPOTENCY',
      'EP-POLLING',
      'EP-REDIRECT',
      'EP-ORDER-CAPTURED',
      'EP-ORDER-REFUNDED',
      'EP-ORDER-CANCELLED',
      'EP-ERRORS-DISPLAY',
    ],
    warn: ['EP-RECEIPT', 'EP-NO-IFRAME', 'EP-TIMEOUT-WAIT', 'EP-CAPTURE-ON-DELIVERY', 'EP-CANCEL-REMAINDER', 'EP-429-BACKOFF', 'EP-PROFILE-SHARING', 'EP-PUSH-OUTCOME', 'WH-VERIFY-HMAC', 'WH-ACK-FAST', 'WH-IDEMPOTENT', 'WH-SUCCESS-FLAG', 'WH-NOT-TRUTH'],
    why: 'create/capture/refund/cancel go without Idempotency-Key (EP-IDEMPOTENCY)',
    cascade:
      'the API requires the key, so every create is refused (400): no payment exists in any flow, and every item that needs a payment has no evidence — FAILED for required items, WARNING for recommended ones (README: "this one cascades"), the in-person push flows included (EP-PROFILE-SHARING, EP-PUSH-OUTCOME: no push payment to approve); EP-ERRORS-DISPLAY too, because capture-refused-shown stops at its refused checkout before any page is observed',
  },
  'new-idempotency-key-on-retry': {
    fail: ['EP-IDEMPOTENCY'],
    why: 'the capture retried after its answer was lost carries a new key (lost-capture-response)',
  },
  'token-per-request': {
    fail: ['EP-TOKEN-CACHE'],
    why: 'a new access token before every API call',
  },
  'webhooks-only': {
    fail: ['EP-POLLING', 'EP-WEBHOOKS-AND-POLLING', 'EP-ENDPOINT-GET'],
    warn: ['EP-PUSH-OUTCOME'],
    why: 'never polls: with webhooks withheld and no redirect the order stays pending (EP-POLLING), so only one channel works (EP-WEBHOOKS-AND-POLLING); the push payment of push-outcome-without-webhooks is never learned either (EP-PUSH-OUTCOME)',
    cascade: 'EP-ENDPOINT-GET: that same payment is never read with GET at all — "reads every payment it creates" is broken too',
  },
  'redirect-only': {
    fail: [
      'EP-POLLING',
      'EP-WEBHOOKS-AND-POLLING',
      'EP-ENDPOINT-GET',
      'EP-ENDPOINT-EVENTS',
      'EP-ENDPOINT-CAPTURE-PARTIAL',
      'EP-ENDPOINT-REFUND-PARTIAL',
      'EP-STATES-EXPIRED',
      'EP-EVENTS-REFUNDED',
      'EP-ERRORS-DISPLAY',
    ],
    warn: ['EP-STATES-TERMINATED', 'EP-CANCEL-REMAINDER', 'EP-429-BACKOFF', 'EP-PUSH-OUTCOME', 'EP-PROFILE-SHARING', 'WH-VERIFY-HMAC', 'WH-ACK-FAST', 'WH-IDEMPOTENT', 'WH-SUCCESS-FLAG', 'WH-NOT-TRUTH'],
    why: 'no webhook registration and no polling: only a return-page visit updates an order (EP-POLLING, EP-WEBHOOKS-AND-POLLING); a push or QR payment has no return page, so none of them is ever learned (EP-PUSH-OUTCOME)',
    cascade:
      'a customer who approves in the app and does not come back leaves the order pending for good — which is the fault — and 11 of the 19 flows approve that way (or expire the payment), so each stops at "expected paid/expired" and the items only they exercise have no evidence: EP-ENDPOINT-GET (12 payments never read), -EVENTS (support-view), -CAPTURE-PARTIAL (partial-capture-then-cancel), -REFUND-PARTIAL and EP-EVENTS-REFUNDED (partial-refunds), EP-STATES-EXPIRED (the order stays pending), EP-ERRORS-DISPLAY (capture-refused-shown), and as WARNING the recommended rows EP-STATES-TERMINATED (the terminated payment is never read again), EP-CANCEL-REMAINDER, EP-429-BACKOFF, EP-PROFILE-SHARING (an approved push payment is never read, so its profile.sub never reaches the shop and Userinfo is never called); with nothing registered no webhook is ever delivered (or can be forged), so the WH-* rows have no evidence either',
  },
  'return-page-needs-session': {
    fail: ['EP-REDIRECT', 'EP-STATES-AUTHORIZED', 'EP-STATES-ABORTED', 'EP-STATES-EXPIRED', 'EP-STATES-CREATED'],
    why: 'the return page opened in a fresh browser (no session cookie) answers 403 "session expired" (EP-REDIRECT)',
    cascade:
      'the fresh browser is how the customer comes back from the app, so there the customer is never shown the state — which each EP-STATES-* item requires of the return page ("the customer is told so", "shows it as pending"); the state checks judge every page the customer sees, fresh-browser pages included, on purpose (test/checks/quality.test.ts: "CREATED … fails … on the sloppy login wall")',
  },
  'ignore-aborted-expired': {
    fail: ['EP-STATES-ABORTED', 'EP-STATES-EXPIRED'],
    warn: ['EP-POLLING', 'EP-PUSH-OUTCOME'],
    why: 'ABORTED and EXPIRED payments leave the order (and the return page) pending — the push payment whose consent was declined too (EP-PUSH-OUTCOME)',
    cascade: 'a payment the shop does not see as ended is polled on after ABORTED (EP-POLLING, judged over the whole run: GETs outlive the flow)',
  },
  'no-event-log': {
    fail: ['EP-ENDPOINT-EVENTS'],
    why: 'GET …/events is never called; the order page shows no history',
  },
  'no-refund': {
    fail: ['EP-ENDPOINT-REFUND-FULL', 'EP-ENDPOINT-REFUND-PARTIAL', 'EP-EVENTS-REFUNDED', 'EP-ORDER-REFUNDED'],
    why: 'the shop refuses to refund (501): POST …/refund is never called',
    cascade: 'with no refund ever made there is no REFUNDED event to handle (EP-EVENTS-REFUNDED) and no test order ending REFUNDED (EP-ORDER-REFUNDED)',
  },
  'weak-references': {
    fail: ['EP-REFERENCE'],
    why: 'sequential digits-only references (10000001, 10000002, …)',
  },
  'swallow-errors': {
    fail: ['EP-ERRORS-DISPLAY'],
    why: 'Vipps errors are hidden: the refused checkout says "Thank you for your order!", the refused capture reports success',
  },
  'accept-bad-webhook-signature': {
    fail: ['WH-VERIFY-HMAC'],
    why: 'forged and altered webhook deliveries get 200 and move the order to paid',
  },
  'capture-more-than-authorized': {
    fail: ['EP-ERRORS-DISPLAY'],
    why: 'the refused back-office capture (6090) is ignored: the staff member sees no error (capture-refused-shown)',
  },
  'poll-too-fast': {
    fail: [],
    warn: ['EP-POLLING'],
    why: 'polls every 100 ms from the start: against the polling guideline (5 s, then 2 s) — a timing breach, which EP-POLLING reports as WARNING',
  },
};

export const MATRIX_ROWS: readonly MatrixRowName[] = ['baseline', ...FAULT_SWITCHES];

// --- the second example shop (examples/sdk-shop, config/sdk-shop.profile.yaml) ----------------
// Written independently of golive (issue 9); its switches (SDK_SHOP_FAULTS) and the item each
// breaks are listed in examples/sdk-shop/README.md. Same rules as above: exactly these items,
// and cascades explained.

export type SdkShopRowName = 'baseline' | SdkShopFault;

export const SDK_SHOP_BASELINE: ExpectedDetection = {
  fail: [],
  warn: [],
  why: 'the clean SDK shop is correct per the documentation: no false failures, no warnings, exit 0',
};

export const SDK_SHOP_EXPECTED_DETECTIONS: Record<SdkShopFault, ExpectedDetection> = {
  'poll-after-final': {
    fail: [],
    warn: ['EP-POLLING'],
    why: 'keeps polling every 2 s after a final state: GET payment long after the payment ended (settled, ABORTED, EXPIRED, TERMINATED), judged over the run — a timing breach, which EP-POLLING reports as WARNING (as for the reference merchant\'s poll-too-fast and ignore-aborted-expired)',
  },
  'fake-success-on-create-error': {
    fail: ['EP-ERRORS-DISPLAY'],
    why: 'a refused create answers 201 with a "reserved" order: a fake success on the API checkout (EP-ERRORS-DISPLAY)',
  },
  'never-release-remainder': {
    fail: ['EP-CANCEL-REMAINDER'],
    warn: ['EP-ENDPOINT-CAPTURE-PARTIAL'],
    why: '"complete order" (role completeOrder) captures what shipped and never cancels the rest: the shop\'s own completion leaves funds reserved, proven harm (EP-CANCEL-REMAINDER FAILED)',
    cascade: 'EP-ENDPOINT-CAPTURE-PARTIAL: its rule wants a partial capture followed by a second capture or a cancel of the rest — the very cancel the switch leaves out',
  },
  'trust-webhook-name': {
    fail: ['WH-NOT-TRUTH'],
    warn: ['EP-STATES-TERMINATED'],
    why: 'books a signed webhook from its event name, without a confirming GET: while GET still answers CREATED (the stale-read flow) the order shows paid — proven harm, FAILED',
    cascade: 'EP-STATES-TERMINATED (WARNING): the clean shop reads the payment again after the TERMINATED webhook; booking from the name it never reads a terminated payment again',
  },
  'no-system-headers': {
    fail: [],
    warn: ['EP-HEADERS'],
    why: 'the Vipps-System-* headers are sent empty on every call; the profile is a direct merchant, for whom they are recommended (WARNING; FAILED only for partners/plugins, as the reference merchant\'s row shows)',
  },
  'poll-too-fast': {
    fail: [],
    warn: ['EP-POLLING', 'EP-429-BACKOFF'],
    why: 'first GET 0.2 s after create, then every 0.3 s: against the polling guideline (5 s, then 2 s), a timing breach EP-POLLING reports as WARNING',
    cascade:
      'EP-429-BACKOFF (README: "and EP-429-BACKOFF under the rate limit"): in rate-limited-polling the first poll (0.2 s) meets the 429 before the approval, and the webhook\'s confirming GET follows it well within Retry-After; at the guideline pace the first poll comes after that GET',
  },
  'ignore-aborted-expired': {
    fail: ['EP-STATES-ABORTED', 'EP-STATES-EXPIRED'],
    why: 'ABORTED and EXPIRED leave the order awaiting-payment',
  },
  'accept-bad-signature': {
    fail: [],
    warn: ['WH-VERIFY-HMAC'],
    why: 'forged and altered webhook deliveries are answered 200; the shop books only its confirming GET, so the order does not move — no proven harm, so the recommended item is a WARNING (the reference merchant, which books the forgery, FAILS it)',
  },
  'new-key-on-retry': {
    fail: ['EP-IDEMPOTENCY'],
    why: 'the capture retried after its answer was lost carries a new Idempotency-Key (lost-capture-response): a double capture',
  },
  'capture-over-authorized': {
    fail: ['EP-ENDPOINT-CAPTURE-FULL', 'EP-ORDER-CAPTURED', 'EP-ENDPOINT-REFUND-FULL', 'EP-ENDPOINT-REFUND-PARTIAL', 'EP-EVENTS-CAPTURED', 'EP-EVENTS-REFUNDED', 'EP-ORDER-REFUNDED'],
    warn: ['EP-ENDPOINT-CAPTURE-PARTIAL', 'EP-CANCEL-REMAINDER'],
    why: 'every capture adds a 100-øre fee, so a full capture asks for more than is reserved and is refused (6090): no order ends CAPTURED',
    cascade:
      'a refused capture stops every flow that captures (order-captured, order-refunded, partial-refunds, lost-capture-response, duplicate-webhooks) at its capture step, so nothing is ever refunded (EP-ENDPOINT-REFUND-*, EP-EVENTS-REFUNDED, EP-ORDER-REFUNDED) and no CAPTURED event follows a capture (EP-EVENTS-CAPTURED); the partial capture takes 20100 instead of 20000, so partial-capture-then-cancel stops before completeOrder and the rest stays reserved (EP-ENDPOINT-CAPTURE-PARTIAL, EP-CANCEL-REMAINDER as WARNING: not after the shop\'s own completion)',
  },
  'token-per-call': {
    fail: ['EP-TOKEN-CACHE'],
    why: 'a new access token for every API call',
  },
};

export const SDK_SHOP_ROWS: readonly SdkShopRowName[] = ['baseline', ...SDK_SHOP_FAULTS];

// --- the eCom v2 example (examples/ecom-shop, config/ecom-shop.profile.yaml) -------------------
// Written from the eCom guide (issue 10); its switches (ECOM_SHOP_FAULTS) and the item each breaks
// are listed in examples/ecom-shop/README.md. The profile is a direct merchant.

export type EcomShopRowName = 'baseline' | EcomShopFault;

export const ECOM_SHOP_BASELINE: ExpectedDetection = {
  fail: [],
  warn: [],
  why: 'the clean eCom shop is correct per the eCom guide: no false failures, no warnings, exit 0',
};

export const ECOM_SHOP_EXPECTED_DETECTIONS: Record<EcomShopFault, ExpectedDetection> = {
  'no-system-headers': {
    fail: [],
    warn: ['EC-HEADERS'],
    why: 'no Vipps-System-* headers on any call; a direct merchant, for whom they are recommended (WARNING, as for the SDK shop)',
  },
  'new-request-id-on-retry': {
    fail: ['EC-XREQUESTID'],
    why: 'the capture retried after its answer was lost carries a new X-Request-Id (lost-capture-response): captured twice',
  },
  'callback-only': {
    fail: ['EC-POLLING', 'EC-CALLBACK', 'EC-ENDPOINTS'],
    warn: ['EC-RECEIPT'],
    why: 'never reads details while the customer decides: with the callback withheld and no redirect the order never becomes paid (EC-POLLING, EC-CALLBACK judge that same scenario)',
    cascade:
      'EC-ENDPOINTS: its details part finds payments that ended (cancelled, timed out, reserved) without one details read — the switch\'s very breach, seen from the endpoint row; EC-RECEIPT (recommended): the order the shop never saw reserved never gets its receipt',
  },
  'slow-callback': {
    fail: ['EC-CALLBACK'],
    why: 'answers the callback after 4 s, past the 3 s limit (the callback is never retried)',
  },
  'session-return-page': {
    fail: ['EC-FALLBACK-REDIRECT'],
    why: 'the fallBack page asks a fresh browser to log in',
  },
  'success-on-error': {
    fail: ['EC-ERRORS'],
    why: 'a refused initiate answers 201 with a "reserved" order and a thank-you page',
  },
  'reuse-order-id': {
    fail: ['EC-ORDERID', 'EC-ENDPOINTS', 'EC-CALLBACK', 'EC-ERRORS', 'EC-POLLING', 'EC-FALLBACK-REDIRECT'],
    warn: ['EC-XREQUESTID'],
    why: 'the same orderId every time: the second initiate is refused (Merchant 34) and later ones are rate-limited (2 per minute per orderId)',
    cascade:
      'only the first flow ever gets a payment: every other flow stops at its checkout, so the items they were to prove have no evidence (EC-CALLBACK, EC-POLLING, EC-FALLBACK-REDIRECT; EC-XREQUESTID as WARNING: no retry exercised), the refused initiates fail EC-ENDPOINTS\' initiate part and there is no partial capture or refund, and the flow meant to show a refused capture stops at its checkout with no page shown after the error (EC-ERRORS)',
  },
  'digits-order-id': {
    fail: ['EC-ORDERID'],
    why: 'orderIds like 00000001: digits only with a leading zero, which the reference rule fails as for ePayment references (the reference merchant\'s weak-references row)',
  },
  'poll-after-final': {
    fail: [],
    warn: ['EC-POLLING'],
    why: 'keeps reading details after the payment is decided: a timing breach EC-POLLING reports as WARNING (as for the ePayment shops)',
  },
  'no-partial-capture': {
    fail: ['EC-ENDPOINTS'],
    why: 'every capture is a full one: no partial capture (EC-ENDPOINTS names the part)',
  },
};

export const ECOM_SHOP_ROWS: readonly EcomShopRowName[] = ['baseline', ...ECOM_SHOP_FAULTS];

// --- the PSP example (examples/reference-psp, config/reference-psp.profile.yaml) --------------
// An ePayment card-passthrough PSP (issue 11), judged on the PSP checklist (§8.6): kind psp. Its
// switches (REFERENCE_PSP_FAULTS) and the item each breaks are in examples/reference-psp/README.md.

export type ReferencePspRowName = 'baseline' | ReferencePspFault;

export const REFERENCE_PSP_BASELINE: ExpectedDetection = {
  fail: [],
  warn: [],
  why: 'the clean reference PSP answers every card callback as documented: no false failures, no warnings, exit 0',
};

export const REFERENCE_PSP_EXPECTED_DETECTIONS: Record<ReferencePspFault, ExpectedDetection> = {
  'slow-callback': {
    fail: ['PSP-CB-20S', 'PSP-CB-RESERVE', 'PSP-CB-FAIL', 'PSP-CB-SOFTDECLINE', 'PSP-CB-CARDTYPE', 'PSP-UPDATE-CAPTURE', 'PSP-UPDATE-REFUND', 'PSP-EVENTS', 'PSP-ERRORS'],
    why: 'every card callback is answered after 21 s, past the 20 s Vipps waits',
    cascade: 'every card the customer picks is answered late (or with an unknown word), so no payment is ever reserved: each flow that needs one stops at its approval — nothing to judge for the decline retry, the 3-D Secure second callback, the card type, captures and refunds, the support view (PSP-EVENTS) or the refused capture (PSP-ERRORS); PSP-UPDATE-CANCEL still holds, because the PSP cancels every payment whose answer Vipps did not take',
  },
  'decline-as-500': {
    fail: ['PSP-CB-FAIL', 'PSP-CB-20S'],
    why: 'the declined card is answered HTTP 500 instead of 200 FAIL: non-retryable, so the customer cannot try another card (PSP-CB-FAIL), and a 5xx for a business decline (PSP-CB-20S)',
  },
  'accept-wrong-auth': {
    fail: ['PSP-CB-AUTH'],
    why: 'the forged callbacks (wrong and missing auth header) are accepted and authorized',
  },
  'unknown-status': {
    fail: ['PSP-CB-RESERVE', 'PSP-CB-FAIL', 'PSP-CB-SOFTDECLINE', 'PSP-CB-CARDTYPE', 'PSP-UPDATE-CAPTURE', 'PSP-UPDATE-REFUND', 'PSP-EVENTS', 'PSP-ERRORS'],
    why: 'an authorized card is answered status APPROVED, which Vipps does not know: nothing is ever reserved',
    cascade: 'every card the customer picks is answered late (or with an unknown word), so no payment is ever reserved: each flow that needs one stops at its approval — nothing to judge for the decline retry, the 3-D Secure second callback, the card type, captures and refunds, the support view (PSP-EVENTS) or the refused capture (PSP-ERRORS); PSP-UPDATE-CANCEL still holds, because the PSP cancels every payment whose answer Vipps did not take',
  },
  'no-report-after-timeout': {
    fail: ['PSP-CB-20S'],
    why: 'after the answer Vipps never got (callback-answer-lost) the PSP keeps its reservation and never reports it: the payment stays CREATED',
  },
  'ignore-card-type': {
    fail: ['PSP-CB-CARDTYPE'],
    why: 'the co-branded Visa/Dankort card is processed with a type of the PSP\'s own guess instead of the callback\'s cardType',
  },
  'reuse-psp-reference': {
    fail: ['PSP-CREATE'],
    why: 'every create first reuses one pspReference, which Vipps refuses as a duplicate (409), before the PSP tries a fresh one',
  },
  'no-psp-id': {
    fail: ['PSP-CREATE', 'PSP-HEADERS', 'PSP-GET', 'PSP-EVENTS', 'PSP-CB-RESERVE', 'PSP-CB-FAIL', 'PSP-CB-SOFTDECLINE', 'PSP-CB-20S', 'PSP-CB-AUTH', 'PSP-CB-CARDTYPE', 'PSP-UPDATE-CAPTURE', 'PSP-UPDATE-CANCEL', 'PSP-UPDATE-REFUND', 'PSP-WEBHOOKS-AND-POLLING', 'PSP-ERRORS'],
    why: 'no Psp-Id header on ePayment and Webhooks calls',
    cascade: 'the API refuses every call a PSP token makes without Psp-Id (400): no payment is ever created and no webhook registered, so every item that needs a payment has no evidence — an integration that cannot create anything fails everything, as it would against Vipps',
  },
  'no-system-headers': {
    fail: ['PSP-HEADERS'],
    why: 'no Vipps-System-* headers: mandatory for PSPs',
  },
  'webhooks-only': {
    fail: ['PSP-WEBHOOKS-AND-POLLING', 'PSP-GET', 'PSP-CB-20S'],
    why: 'never polls: with the webhooks withheld the customer\'s rejection never reaches the PSP (rejection-found-by-polling)',
    cascade:
      'only a GET shows a PSP that Vipps never got its RESERVE answer (callback-answer-lost): without polling that payment is never read (PSP-GET) and never reported afterwards, so it stays CREATED (PSP-CB-20S)',
  },
};

export const REFERENCE_PSP_ROWS: readonly ReferencePspRowName[] = ['baseline', ...REFERENCE_PSP_FAULTS];

// --- the PSP API mode of the reference PSP (config/reference-psp-v2|v3.profile.yaml) -----------
// The same PSP on the PSP API (issue 12), judged on the PSPAPI- items; its switches
// (REFERENCE_PSP_API_FAULTS) are in examples/reference-psp/README.md. v3 sends network tokens, so
// the v2-only switch (ok-without-decrypt) has no row there.

export type PspApiRowName = 'baseline' | PspApiFault;

export const PSP_API_BASELINE: ExpectedDetection = {
  fail: [],
  warn: [],
  why: 'the clean PSP answers every makePayment as documented: no false failures, no warnings, exit 0',
};

const NO_RESERVATION =
  'no makePayment is answered in a form Vipps can use, so no payment is ever reserved: nothing is captured, refunded or cancelled to report (PSPAPI-UPDATESTATUS) or read back (PSPAPI-DETAILS), no order becomes paid (PSPAPI-NO-REDIRECT-RELIANCE), and the declines, the cancel and the 3-D Secure step-up get no valid answer (PSPAPI-ERRORS, PSPAPI-SOFTDECLINE)';

export const PSP_API_EXPECTED_DETECTIONS: Record<PspApiFault, ExpectedDetection> = {
  'ok-without-decrypt': {
    fail: ['PSPAPI-MAKEPAYMENT-TOKENS', 'PSPAPI-ERRORS', 'PSPAPI-SOFTDECLINE'],
    why: 'cardData it cannot decrypt is answered OK: the forged, undecryptable cardData is "reserved" (PSPAPI-MAKEPAYMENT-TOKENS)',
    cascade: 'without the card number the acquirer stub cannot decline or step up: the declined and insufficient-funds cards are answered OK (PSPAPI-ERRORS), the 3-D Secure card too (PSPAPI-SOFTDECLINE)',
  },
  'slow-make-payment': {
    fail: ['PSPAPI-MAKEPAYMENT-TOKENS', 'PSPAPI-ERRORS', 'PSPAPI-SOFTDECLINE', 'PSPAPI-UPDATESTATUS', 'PSPAPI-DETAILS', 'PSPAPI-NO-REDIRECT-RELIANCE'],
    why: 'every makePayment is answered after 16 s, past the 15 s Vipps waits: each payment FAILED',
    cascade: NO_RESERVATION,
  },
  'no-status-updates': {
    fail: ['PSPAPI-UPDATESTATUS'],
    why: 'captures, refunds and cancels are never reported with updatestatus',
  },
  'wrong-error-id': {
    fail: ['PSPAPI-ERRORS'],
    why: 'the declined cards are answered errorId 72 instead of the 82 and 89 the profile names for them',
  },
  'accept-wrong-token': {
    fail: ['PSPAPI-MAKEPAYMENT-TOKENS'],
    why: 'makePayment calls with a wrong or no makePaymentToken are processed and answered OK',
  },
  'reuse-transaction-id': {
    fail: ['PSPAPI-INIT'],
    why: 'every init first reuses one pspTransactionId, which Vipps refuses as a duplicate, before the PSP tries a fresh one',
  },
  'timeout-as-success': {
    fail: ['PSPAPI-ERRORS'],
    why: 'the customer\'s CANCEL is answered OK instead of FAIL with errorId 93',
  },
  'redirect-reliance': {
    fail: ['PSPAPI-NO-REDIRECT-RELIANCE', 'PSPAPI-UPDATESTATUS', 'PSPAPI-DETAILS'],
    why: 'the order becomes paid only when the customer reaches pspRedirectUrl, which a customer closing the app never does',
    cascade: 'in every flow the customer confirms in the app and does not come back, so no order ever shows paid and each flow stops there, before its capture, refund or cancel: nothing to report with updatestatus or read back with details',
  },
};

export const PSP_API_V2_ROWS: readonly PspApiRowName[] = ['baseline', ...PSP_API_FAULTS];
export const PSP_API_V3_ROWS: readonly PspApiRowName[] = ['baseline', ...PSP_API_FAULTS.filter((f) => f !== 'ok-without-decrypt')];

// --- the reference platform (examples/reference-merchant in platform mode, config/reference-platform.profile.yaml)
// One process, three tenants (alpha 123456, beta 234567, gamma 345678) with the test partner's
// keys; every suite runs once per installation, and an item's verdict is its worst
// installation's. Its switches are the reference merchant's platform switches (turned on with
// REFERENCE_MERCHANT_FAULTS like the others); named here until they are in FAULT_SWITCHES.

/** The reference merchant's platform-mode switches (examples/reference-merchant PLATFORM_FAULT_SWITCHES). */
export const PLATFORM_FAULTS = PLATFORM_FAULT_SWITCHES;
export type PlatformFault = (typeof PLATFORM_FAULTS)[number];
export type PlatformRowName = 'baseline' | PlatformFault;

export const PLATFORM_BASELINE: ExpectedDetection = {
  fail: [],
  warn: [],
  why: 'the healthy platform meets every item for every installation: each request names its own MSN with all four system headers, partner-wide deliveries are routed by msn',
};

export const PLATFORM_EXPECTED_DETECTIONS: Record<PlatformFault, ExpectedDetection> = {
  'foreign-msn': {
    fail: ['PARTNER-MSN', 'PARTNER-HEADERS', 'EP-HEADERS', 'EP-ENDPOINT-EVENTS', 'EP-ENDPOINT-CANCEL', 'EP-ENDPOINT-CAPTURE-FULL', 'EP-ENDPOINT-CAPTURE-PARTIAL', 'EP-ENDPOINT-REFUND-FULL', 'EP-ENDPOINT-REFUND-PARTIAL', 'EP-WEBHOOKS-AND-POLLING', 'EP-STATES-AUTHORIZED', 'EP-STATES-ABORTED', 'EP-STATES-EXPIRED', 'EP-STATES-TERMINATED', 'EP-STATES-CREATED', 'EP-EVENTS-CAPTURED', 'EP-EVENTS-REFUNDED', 'EP-EVENTS-CANCELLED', 'EP-ERRORS-LOG', 'EP-ERRORS-DISPLAY', 'EP-POLLING', 'EP-REDIRECT', 'EP-ORDER-CAPTURED', 'EP-ORDER-REFUNDED', 'EP-ORDER-CANCELLED'],
    warn: ['EP-IDEMPOTENCY', 'EP-NO-IFRAME', 'EP-TIMEOUT-WAIT', 'EP-CAPTURE-ON-DELIVERY', 'EP-CANCEL-REMAINDER', 'EP-429-BACKOFF', 'WH-VERIFY-HMAC', 'WH-IDEMPOTENT', 'WH-SUCCESS-FLAG', 'WH-NOT-TRUTH'],
    why: "tenant beta sends alpha's MSN 123456 on its requests: beta's requests name another installation's sales unit (PARTNER-MSN), which the headers rule fails too (PARTNER-HEADERS, EP-HEADERS: a foreign MSN fails for everyone)",
    cascade:
      "beta's payments are created under alpha's MSN, so Vipps has no payment of beta's: every beta flow stops at its checkout (\"no such payment for MSN 234567\") and beta's payment items beyond the create have no evidence — FAILED for required items, WARNING for recommended ones; each is beta's verdict (alpha and gamma pass), the platform's is the worst",
  },
  'webhooks-by-reference-only': {
    fail: ['PARTNER-WEBHOOK-ROUTING'],
    why: "partner-wide deliveries are routed by reference alone: the AUTHORIZED delivered for the next installation's MSN with this installation's reference pays its pending order (and the CANCELLED one cancels it)",
  },
  'tenant-without-system-headers': {
    fail: ['PARTNER-HEADERS', 'EP-HEADERS'],
    why: "tenant beta sends no Vipps-System-* headers: mandatory for platforms, so beta's PARTNER-HEADERS and EP-HEADERS fail (alpha and gamma pass); the platform's verdict is beta's",
  },
};

export const PLATFORM_ROWS: readonly PlatformRowName[] = ['baseline', ...PLATFORM_FAULTS];

/** The example integrations the matrix runs, with how golive runs each and how a switch is turned on. */
export const SHOPS = {
  'reference-merchant': { profile: 'config/reference-merchant.profile.yaml', faultsVariable: 'REFERENCE_MERCHANT_FAULTS', rows: MATRIX_ROWS as readonly string[], title: 'the reference merchant' },
  'sdk-shop': { profile: 'config/sdk-shop.profile.yaml', faultsVariable: 'SDK_SHOP_FAULTS', rows: SDK_SHOP_ROWS as readonly string[], title: 'the SDK shop' },
  'ecom-shop': { profile: 'config/ecom-shop.profile.yaml', faultsVariable: 'ECOM_SHOP_FAULTS', rows: ECOM_SHOP_ROWS as readonly string[], title: 'the eCom shop' },
  'reference-psp': { profile: 'config/reference-psp.profile.yaml', faultsVariable: 'REFERENCE_PSP_FAULTS', rows: REFERENCE_PSP_ROWS as readonly string[], title: 'the reference PSP' },
  'reference-psp-v2': { profile: 'config/reference-psp-v2.profile.yaml', faultsVariable: 'REFERENCE_PSP_API_FAULTS', rows: PSP_API_V2_ROWS as readonly string[], title: 'the reference PSP on the PSP API v2' },
  'reference-psp-v3': { profile: 'config/reference-psp-v3.profile.yaml', faultsVariable: 'REFERENCE_PSP_API_FAULTS', rows: PSP_API_V3_ROWS as readonly string[], title: 'the reference PSP on the PSP API v3' },
  'reference-platform': { profile: 'config/reference-platform.profile.yaml', faultsVariable: 'REFERENCE_MERCHANT_FAULTS', rows: PLATFORM_ROWS as readonly string[], title: 'the reference platform (three installations)' },
} as const;
export type Shop = keyof typeof SHOPS;
export const SHOP_NAMES = Object.keys(SHOPS) as Shop[];

export function expectedFor(name: MatrixRowName): ExpectedDetection;
export function expectedFor(name: string, shop: Shop): ExpectedDetection;
export function expectedFor(name: string, shop: Shop = 'reference-merchant'): ExpectedDetection {
  if (!SHOPS[shop].rows.includes(name)) throw new Error(`${shop} has no matrix row ${name}; rows are ${SHOPS[shop].rows.join(', ')}`);
  if (shop === 'sdk-shop') return name === 'baseline' ? SDK_SHOP_BASELINE : SDK_SHOP_EXPECTED_DETECTIONS[name as SdkShopFault];
  if (shop === 'ecom-shop') return name === 'baseline' ? ECOM_SHOP_BASELINE : ECOM_SHOP_EXPECTED_DETECTIONS[name as EcomShopFault];
  if (shop === 'reference-psp-v2' || shop === 'reference-psp-v3') return name === 'baseline' ? PSP_API_BASELINE : PSP_API_EXPECTED_DETECTIONS[name as PspApiFault];
  if (shop === 'reference-platform') return name === 'baseline' ? PLATFORM_BASELINE : PLATFORM_EXPECTED_DETECTIONS[name as PlatformFault];
  if (shop === 'reference-psp') return name === 'baseline' ? REFERENCE_PSP_BASELINE : REFERENCE_PSP_EXPECTED_DETECTIONS[name as ReferencePspFault];
  return name === 'baseline' ? BASELINE : EXPECTED_DETECTIONS[name as FaultSwitch];
}

export interface DetectionComparison {
  /** Observed but not expected, as `ID` (FAILED) or `ID (warn)` (WARNING). */
  extra: string[];
  /** Expected but not observed, in the same notation. */
  missing: string[];
  ok: boolean;
}

const token = (id: string, v: 'FAILED' | 'WARNING') => (v === 'FAILED' ? id : `${id} (warn)`);

/** Compare a run's verdicts (item → verdict) with what a row expects: FAILED and WARNING sets must match exactly. */
export function compareDetections(expected: ExpectedDetection, verdicts: Record<string, Verdict | string>): DetectionComparison {
  const want = new Set([...expected.fail.map((id) => token(id, 'FAILED')), ...(expected.warn ?? []).map((id) => token(id, 'WARNING'))]);
  const got = new Set(
    Object.entries(verdicts)
      .filter(([, v]) => v === 'FAILED' || v === 'WARNING')
      .map(([id, v]) => token(id, v as 'FAILED' | 'WARNING')),
  );
  const extra = [...got].filter((t) => !want.has(t));
  const missing = [...want].filter((t) => !got.has(t));
  return { extra, missing, ok: extra.length === 0 && missing.length === 0 };
}
