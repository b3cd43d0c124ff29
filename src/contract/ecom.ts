/**
 * Legacy eCom API v2 vocabulary, declared once (shared/reference/openapi/ecom-v2.yaml,
 * ecom-v2-merchant-endpoints.yaml; vipps-facts.md §6): the sandbox speaks it, suites write it,
 * checks read it, reports show it.
 */

/** Spec operationIds: the traffic log's `operation` for eCom exchanges. */
export const ECOM_OP = {
  initiate: 'initiatePaymentV3UsingPOST',
  capture: 'capturePaymentUsingPOST',
  cancel: 'cancelPaymentRequestUsingPUT',
  refund: 'refundPaymentUsingPOST',
  details: 'getPaymentDetailsUsingGET',
  status: 'getOrderStatusUsingGET',
  forceApprove: 'integrationTestApprovePayment',
  /** Vipps ⇒ merchant: `POST {callbackPrefix}/v2/payments/{orderId}` (kind `callback`). */
  callback: 'transactionUpdateCallbackForRegularPaymentUsingPOST',
  /** Vipps ⇒ merchant, Express checkout only. */
  shippingDetails: 'fetchShippingCostUsingPOST',
  consentRemoval: 'removeUserConsentUsingDELETE',
} as const;

/** Operations the API guide makes idempotent with `X-Request-Id` (required for capture and refund). */
export const ECOM_REQUEST_ID_OPS: readonly string[] = [ECOM_OP.capture, ECOM_OP.refund];

/** `transactionLogHistory[].operation` (TransactionLogHistory in ecom-v2.yaml). */
export const ECOM_LOG_OPERATIONS = ['INITIATE', 'RESERVE', 'SALE', 'CAPTURE', 'REFUND', 'CANCEL', 'VOID'] as const;
export type EcomLogOperation = (typeof ECOM_LOG_OPERATIONS)[number];

/**
 * A payment's state as golive names it (the sandbox control record's `state`, `expect.payment`
 * in eCom suites): the newest successful operation of its log, as the deprecated status endpoint
 * reports it, plus the two ends the log has no word for:
 * - INITIATE: waiting for the customer; RESERVE: approved; SALE: approved and captured at once
 *   (direct capture); CAPTURE / REFUND: captured / refunded, wholly or in part;
 * - CANCEL: the customer cancelled in the app, or the merchant cancelled before approval;
 *   VOID: the merchant cancelled a reserved payment with nothing captured (releasing the rest of a
 *   part-captured one leaves it CAPTURE: its log gets the VOID, its captured part stays refundable);
 * - REJECTED: the customer never acted and the payment timed out (callback status REJECTED);
 * - FAILED: the reservation failed (callback RESERVE_FAILED).
 */
export const ECOM_STATES = ['INITIATE', 'RESERVE', 'SALE', 'CAPTURE', 'REFUND', 'CANCEL', 'VOID', 'REJECTED', 'FAILED'] as const;
export type EcomState = (typeof ECOM_STATES)[number];
/** States after which nothing about the payment can change any more (a RESERVE/CAPTURE payment still can). */
export const ECOM_ENDED_STATES = ['CANCEL', 'VOID', 'REJECTED', 'FAILED'] as const satisfies readonly EcomState[];

/** `transactionInfo.status` of a regular callback (the guide's list; the spec's enum lacks the *_FAILED). */
export const ECOM_CALLBACK_STATUSES = ['RESERVED', 'SALE', 'RESERVE_FAILED', 'SALE_FAILED', 'CANCELLED', 'REJECTED'] as const;
export type EcomCallbackStatus = (typeof ECOM_CALLBACK_STATUSES)[number];

/** The callback must be answered within this (ms); it is sent once and never retried. */
export const ECOM_CALLBACK_TIMEOUT_MS = 3_000;

/** `merchantInfo.paymentType` of an initiate request. */
export const ECOM_PAYMENT_TYPES = ['eComm Regular Payment', 'eComm Express Payment'] as const;

/** `errorGroup` of an eCom error (ErrorResponse items). */
export const ECOM_ERROR_GROUPS = ['Authentication', 'Payment', 'InvalidRequest', 'VippsError', 'User', 'Merchant'] as const;
export type EcomErrorGroup = (typeof ECOM_ERROR_GROUPS)[number];
