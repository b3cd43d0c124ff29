/**
 * PSP API v2 and v3 vocabulary, declared once (shared/reference/openapi/psp-v2.yaml — Swagger
 * 2.0 —, psp-v3.yaml; vipps-facts.md §5, §8.7): the sandbox speaks it, suites write it, checks
 * read it, reports show it.
 *
 * Traffic: v2 exchanges are recorded with api `psp-v2`, v3 with api `psp-v3`. Two names rather
 * than one with the version in the notes, because the two versions share operationIds
 * (`updatestatusUsingPOST`, `getPSPPaymentDetailsUsingGET`) but not their specs, error shapes
 * or makePayment bodies: a check or the contract tests pick the version by `api` alone.
 */

export const PSP_API_VERSIONS = ['v2', 'v3'] as const;
export type PspApiVersion = (typeof PSP_API_VERSIONS)[number];

/** The traffic log's api name of each version. */
export const PSP_API_NAME = { v2: 'psp-v2', v3: 'psp-v3' } as const satisfies Record<PspApiVersion, string>;

/**
 * Spec operationIds: the traffic log's `operation` of PSP API exchanges. v3's initiate and force
 * approve carry the same ids as eCom v2's (`initiatePaymentV3UsingPOST`, `integrationTestApprovePayment`);
 * the exchange's `api` tells them apart.
 */
export const PSP_OP = {
  v2: {
    initiate: 'initiatePaymentV2UsingPOST',
    updateStatus: 'updatestatusUsingPOST',
    details: 'getPSPPaymentDetailsUsingGET',
    /** Vipps ⇒ PSP: `POST {makePaymentUrl}` (kind `callback`). */
    makePayment: 'makePaymentSwaggerUsingPOST',
  },
  v3: {
    initiate: 'initiatePaymentV3UsingPOST',
    updateStatus: 'updatestatusUsingPOST',
    details: 'getPSPPaymentDetailsUsingGET',
    forceApprove: 'integrationTestApprovePayment',
    /** Vipps ⇒ PSP: `POST {makePaymentUrl}` (kind `callback`). */
    makePayment: 'makePaymentV3UsingPOST',
  },
} as const;

/** Every makePayment operationId (kind `callback`, api `psp-v2` / `psp-v3`). */
export const PSP_MAKE_PAYMENT_OPS: readonly string[] = [PSP_OP.v2.makePayment, PSP_OP.v3.makePayment];

/**
 * A PSP payment's state as golive names it (the sandbox control record's `state`, `expect.payment`
 * in PSP suites). The API itself has no state field: details show amounts and a log.
 * - INITIATED: waiting for the customer (also while a 3-D Secure step-up is pending);
 * - RESERVED: the PSP answered makePayment `OK`;
 * - CAPTURED / REFUNDED: the newest `updatestatus` reported a capture / refund (wholly or in part);
 * - CANCELLED: the customer cancelled in the app (makePayment `CANCEL`), or the PSP reported
 *   CANCELLED for a reservation with nothing captured (a cancel after a part capture releases the
 *   rest and leaves the payment CAPTURED);
 * - EXPIRED: the customer never acted (~10 min, makePayment `TIMEOUT`);
 * - FAILED: the PSP answered makePayment `FAIL`, gave no (valid) answer within the limit, answered
 *   SOFT_DECLINE to the post-3DS re-send, or the customer could not complete (makePayment `NO`).
 */
export const PSP_PAYMENT_STATES = ['INITIATED', 'RESERVED', 'CAPTURED', 'REFUNDED', 'CANCELLED', 'EXPIRED', 'FAILED'] as const;
export type PspPaymentState = (typeof PSP_PAYMENT_STATES)[number];
/** States after which nothing can change any more. */
export const PSP_ENDED_STATES = ['CANCELLED', 'EXPIRED', 'FAILED'] as const satisfies readonly PspPaymentState[];

/** `paymentInfo.status` of the PSP's makePayment answer. */
export const MAKE_PAYMENT_STATUSES = ['OK', 'FAIL', 'SOFT_DECLINE'] as const;
export type MakePaymentStatus = (typeof MAKE_PAYMENT_STATUSES)[number];

/** v2 `confirmed`: YES = the customer confirmed; TIMEOUT = never acted; CANCEL = cancelled; NO = could not complete. */
export const MAKE_PAYMENT_CONFIRMED = ['YES', 'TIMEOUT', 'CANCEL', 'NO'] as const;
export type MakePaymentConfirmed = (typeof MAKE_PAYMENT_CONFIRMED)[number];

/** v3 `paymentState`. */
export const MAKE_PAYMENT_STATES_V3 = ['ACCEPTED', 'TIMEOUT', 'USER_CANCEL'] as const;
export type MakePaymentStateV3 = (typeof MAKE_PAYMENT_STATES_V3)[number];
/** §5.3: v2 → v3. */
export const V3_PAYMENT_STATE: Record<MakePaymentConfirmed, MakePaymentStateV3> = { YES: 'ACCEPTED', TIMEOUT: 'TIMEOUT', CANCEL: 'USER_CANCEL', NO: 'USER_CANCEL' };

/** `operations[].operation` of the makePayment body: where the PSP sends the customer after 3-D Secure. */
export const THREE_DS_OPERATIONS = ['3dssuccess', '3dscancel', '3dsfailure'] as const;

/** The PSP must answer makePayment within this (v3 guide; v2 assumed the same); then the payment is FAILED. */
export const PSPAPI_CALLBACK_TIMEOUT_MS = 15_000;
/** The customer has ~10 minutes ("5–10 minutes") to act; then makePayment is sent with TIMEOUT. */
export const PSPAPI_CUSTOMER_TIMEOUT_MS = 10 * 60_000;

/** How the sandbox read one makePayment answer (`notes.outcome` of the exchange). */
export const MAKE_PAYMENT_OUTCOMES = [
  /** 200, paymentInfo.status OK. */
  'ok',
  /** 200, FAIL (with errorMessage.errorId). */
  'fail',
  /** 200, SOFT_DECLINE with url3dSecure (first round only). */
  'soft-decline',
  /** No complete answer within the limit, or the connection failed. */
  'timeout',
  /** HTTP 5xx. */
  'server-error',
  /** Anything else: 4xx, not JSON, unknown status, SOFT_DECLINE without url3dSecure or on the re-send, another pspTransactionId. */
  'invalid',
] as const;
export type MakePaymentOutcome = (typeof MAKE_PAYMENT_OUTCOMES)[number];

/** `notes` of a recorded makePayment exchange. */
export interface MakePaymentNotes {
  version: PspApiVersion;
  /** `first` when the customer acted; `3ds-completion` for the re-send after SOFT_DECLINE. */
  round: 'first' | '3ds-completion';
  confirmed: MakePaymentConfirmed;
  /** v3 only. */
  paymentState?: MakePaymentStateV3;
  outcome: MakePaymentOutcome;
  /** `errorMessage.errorId` as the PSP sent it (string or number). */
  errorId?: string | number;
  errorText?: string;
  /** For TIMEOUT / CANCEL / NO: the errorId the guide expects (93). */
  expectedErrorId?: number;
  /** Why the answer was `invalid`. */
  problem?: string;
  /** v3: the token type the magic amount chose. */
  tokenType?: 'VISA' | 'MASTERCARD';
  answerMs?: number;
}

/** The errorIds a PSP answers in `errorMessage` (§5.4), with where each applies. */
export const PSP_ERROR_IDS = {
  71: { text: 'Invalid request', applies: 'both', when: 'the makePayment request failed the PSP’s validation' },
  72: { text: 'Different texts', applies: 'both', when: 'anything not listed; errorText describes it' },
  81: { text: 'No such issuer', applies: 'both', when: 'the issuer is unknown' },
  82: { text: 'Refused by Issuer', applies: 'both', when: 'generic issuer refusal' },
  83: { text: 'Suspected fraud', applies: 'both', when: 'fraud suspected' },
  84: { text: 'Exceeds withdrawal amount limit', applies: 'both', when: 'over the card’s limit' },
  85: { text: 'Response received too late', applies: 'both', when: 'a third party was too slow, or the PSP already cancelled the pending transaction' },
  86: { text: 'Expired card', applies: 'both', when: 'the card has expired' },
  87: { text: 'Invalid card number (no such number)', applies: 'both', when: 'no such card number' },
  88: { text: 'Merchant does not allow credit cards', applies: 'both', when: 'a credit card at a debit-only merchant' },
  89: { text: 'Not sufficient funds', applies: 'both', when: 'insufficient funds' },
  91: { text: 'Internal error', applies: 'both', when: 'the PSP’s own failure' },
  92: { text: 'Unable to decrypt', applies: 'v2', when: 'cardData could not be decrypted (v3 sends network tokens, no cardData)' },
  93: { text: 'Status from Vipps:CANCEL / :TIMEOUT / :NO', applies: 'both', when: 'the answer to a makePayment whose confirmed is not YES (v3: paymentState not ACCEPTED)' },
  94: { text: 'Unhandled soft decline', applies: 'v3', when: 'a soft decline the PSP cannot step up' },
  1036: { text: 'Soft Decline', applies: 'both', when: 'with status SOFT_DECLINE and url3dSecure' },
} as const satisfies Record<number, { text: string; applies: 'both' | PspApiVersion; when: string }>;
export type PspErrorId = keyof typeof PSP_ERROR_IDS;
/** The errorId for a non-YES makePayment. */
export const ERROR_ID_NOT_CONFIRMED = 93;

/**
 * Vipps ⇒ PSP API errors (`errorCode` of the ErrorDetails array, §5.4), as the sandbox answers
 * them: 21 (the MSN is not one of the PSP's active units), 42 (payment model: `scope:
 * psp_subscription`, PSP recurring, is not simulated), 44 (v3: pspTransactionId exists), 51
 * (invalid request / pspRedirectUrl, unknown pspTransactionId), 99 (v2: pspTransactionId exists;
 * both: merchantOrderId exists), `amount`, `currency`, `makePaymentUrl`.
 */
export const PSP_API_ERROR_CODES = {
  21: 'Merchant not available or active',
  42: 'Invalid payment model type',
  44: 'PSP Transaction ID already exists',
  51: 'Invalid request',
  99: 'PSP Transaction id already exists in Vipps',
  amount: 'amount.less.than.one',
  currency: 'transaction.currency.invalid',
  makePaymentUrl: 'Invalid makePaymentUrl',
} as const;
/** The codes as the ErrorDetails array carries them (strings: `"21"`, `"amount"`…). */
export type PspApiErrorCode = `${keyof typeof PSP_API_ERROR_CODES}`;

/** `updatestatus` transaction `status`, and `transactionLogHistory[].operation`. */
export const PSP_STATUS_UPDATES = ['RESERVED', 'CAPTURED', 'CANCELLED', 'REFUNDED'] as const;
export type PspStatusUpdate = (typeof PSP_STATUS_UPDATES)[number];
export const PSP_OPERATION_STATUSES = ['SUCCESS', 'FAILED'] as const;

/** v3 test magic amounts (§5.5): which network token makePayment carries. */
export const PSP_MAGIC_AMOUNTS = {
  /** Mastercard token. */
  mastercardToken: 2200,
  /** The card is not eligible for a network token: the customer cannot pay with it (no makePayment). */
  cardNotEligible: 3100,
} as const;
