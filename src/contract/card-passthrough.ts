/**
 * ePayment card passthrough for PSPs, declared once (vipps-facts.md §4, §8.6): the sandbox
 * calls the PSP's `cardCallbackUrl`, suites and profiles name card outcomes, checks read the
 * recorded callbacks, reports show them. The ePayment spec in shared/reference (v1.4.1) has no
 * card passthrough, so these shapes come from the card-callback guide (current revision; the
 * early one is a sandbox option, see `CardCallbackSettings`).
 */

/** `cardPassthrough.allowedCardTypes` values (create request). */
export const CARD_TYPES = ['VISA_DEBIT', 'VISA_CREDIT', 'VISA_DANKORT', 'DANKORT', 'MC_CREDIT', 'MC_DEBIT'] as const;
export type CardType = (typeof CARD_TYPES)[number];

/**
 * `cardInfo.cardType` in the callback, as the guide's example spells it ("VISA-DEBIT"): the
 * allowed-type word with a hyphen. The PSP must process with this value (PSP-CB-CARDTYPE).
 */
export function callbackCardType(type: CardType): string {
  return type.replace('_', '-');
}

/** `status` of the PSP's synchronous answer (`CardCallbackResponse`). */
export const CARD_CALLBACK_STATUSES = ['RESERVE', 'FAIL', 'SOFT_DECLINE'] as const;
export type CardCallbackStatus = (typeof CARD_CALLBACK_STATUSES)[number];
/** The early page revision also had CAPTURE (reserved and captured at once); off unless configured. */
export const EARLY_CARD_CALLBACK_STATUSES = [...CARD_CALLBACK_STATUSES, 'CAPTURE'] as const;

/** Vipps waits at most this long for the PSP's answer (§4.4); 500 or a timeout is non-retryable. */
export const CARD_CALLBACK_TIMEOUT_MS = 20_000;

/**
 * Traffic log: every card callback is an exchange of kind `callback`, api `epayment`, operation
 * `CARD_CALLBACK_OP`, msn/reference of the payment, with `notes: CardCallbackNotes`.
 */
export const CARD_CALLBACK_OP = 'cardCallback';

/** How the sandbox read the PSP's answer to one callback. */
export const CARD_CALLBACK_OUTCOMES = [
  /** 200 with status RESERVE (or CAPTURE, early revision): the payment is AUTHORIZED. */
  'reserved',
  /** 200 with status FAIL: the customer may try again (a new attempt) unless not retryable. */
  'declined',
  /** 200 with status SOFT_DECLINE and a softDeclineUrl: 3-D Secure step-up, then a second callback. */
  'soft-decline',
  /** No answer within the deadline (or the connection failed): non-retryable, outcome unknown. */
  'timeout',
  /** HTTP 5xx: non-retryable, outcome unknown. */
  'server-error',
  /** Any other answer (4xx, not JSON, unknown status, missing fields): non-retryable, outcome unknown. */
  'invalid',
] as const;
export type CardCallbackOutcome = (typeof CARD_CALLBACK_OUTCOMES)[number];

/** Outcomes after which Vipps does not know whether the card was charged: the PSP must report it later. */
export const UNKNOWN_OUTCOMES: readonly CardCallbackOutcome[] = ['timeout', 'server-error', 'invalid'];

/**
 * Forged callbacks golive sends to prove the PSP checks authenticity (PSP-CB-AUTH, and the PSP
 * API's makePayment: PSPAPI-MAKEPAYMENT-TOKENS). `bad-card-data` is the PSP API v2's: the right
 * token with cardData that does not decrypt, which the PSP must answer errorId 92.
 */
export const CARD_CALLBACK_FORGERIES = ['wrong-auth-header', 'no-auth-header', 'bad-hmac', 'bad-card-data'] as const;
export type CardCallbackForgery = (typeof CARD_CALLBACK_FORGERIES)[number];

export interface CardCallbackNotes {
  authorizationAttemptId: string;
  /** `first` for a new attempt; `soft-decline-completion` for the second callback of the same attempt. */
  round: 'first' | 'soft-decline-completion';
  /** The allowed-type word of the card the customer picked. */
  cardType: CardType;
  /**
   * `cardInfo.cardType` as sent, when it is not simply `callbackCardType(cardType)`: a Visa/Dankort
   * card processed through its Dankort part says `DANKORT` (the sandbox always sets it).
   */
  callbackCardType?: string;
  /** How the request was authenticated: the PSP's own header value, HMAC with the PSP's secret, or both. */
  auth: 'auth-header' | 'hmac' | 'both';
  outcome: CardCallbackOutcome;
  /** For `declined`: whether the customer may try again. */
  retryable?: boolean;
  /** Set on forged callbacks: the sandbox never acts on their answers. */
  forged?: CardCallbackForgery;
  /** Real time from sending to the answer (ms); the exchange's durationMs says the same. */
  answerMs?: number;
  /** The PSP answered, but a sandbox fault (card-callback-timeout) kept the answer from Vipps. */
  answerLost?: boolean;
}

/** The callback body, current revision (`CardCallbackRequest`, §4.2). */
export interface CardCallbackRequest {
  pspReference: string;
  authorizationAttemptId: string;
  merchantSerialNumber: string;
  amount: { currency: string; value: number };
  softDeclineCompletedRedirectUrl: string;
  cardInfo: {
    maskedCardNumber: string;
    cardType: string;
    cardIssuedInCountryCode: string;
    cardDataType: 'TOKEN' | 'PAN';
    networkToken?: {
      number: string;
      cryptogram: string;
      expiryMonth: string;
      expiryYear: string;
      tokenType: 'VISA' | 'MASTERCARD';
      eci: string;
      paymentAccountReference: string;
    };
    encryptedPan?: string;
  };
}

/** The PSP's answer (`CardCallbackResponse`, §4.3). */
export type CardCallbackResponse =
  | { status: 'RESERVE' | 'CAPTURE'; networkTransactionReference: string }
  | { status: 'FAIL'; errorCode: number; errorMessage: string }
  | { status: 'SOFT_DECLINE'; softDeclineUrl: string };

/**
 * A card the simulated customer picks: its type, and optionally the card number's last four digits
 * or the whole (test) number, so the PSP's acquirer test environment gives the outcome a flow
 * needs (a profile's `cardPassthrough.cards`). Numbers are generated at run time when not given.
 */
export interface CustomerCardChoice {
  type?: CardType;
  last4?: string;
  number?: string;
}

/** The sandbox's answer to a control-API approve of a card-passthrough payment (`cardCallback` field). */
export interface CardCallbackSummary {
  authorizationAttemptId: string;
  outcome: CardCallbackOutcome;
  status?: number;
  answerMs?: number;
  retryable?: boolean;
  /** For soft-decline: where the customer's browser goes next, and where the PSP sends it back. */
  softDeclineUrl?: string;
  softDeclineCompletedRedirectUrl?: string;
  /** What the app tells the customer (declined, or "check the payment status at the merchant"). */
  customerMessage?: string;
}
