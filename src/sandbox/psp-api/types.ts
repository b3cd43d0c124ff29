import type {
  MakePaymentConfirmed,
  MakePaymentOutcome,
  PspApiVersion,
  PspPaymentState,
  PspStatusUpdate,
} from '../../contract/psp-api.ts';

/** A PSP API payment as the machine keeps it. Views (details, the control record) are built from it. */

/** One `transactionLogHistory` entry, kept oldest first. */
export interface PspLogEntry {
  operation: PspStatusUpdate;
  amount: number;
  operationSuccess: boolean;
  paymentText?: string;
  /** Sandbox clock, ms. */
  at: number;
  /** Who wrote it: the makePayment answer / the customer (`vipps`), or an `updatestatus` (`psp`). */
  by: 'vipps' | 'psp';
}

/** The card the customer paid with: a generated test card (v2 cardData) and its network token (v3). */
export interface PspCard {
  number: string;
  /** MMYY, as cardData carries it. */
  expiry: string;
  /** The `{SessionId}` of v2 cardData (1–32 characters). */
  sessionId: string;
  tokenType: 'VISA' | 'MASTERCARD';
  tokenNumber: string;
  tokenExpiryMonth: string;
  tokenExpiryYear: string;
}

/** One makePayment call and how its answer was read. */
export interface MakePaymentAttempt {
  /** `mp-<pspTransactionId>-<n>`: names the 3-D Secure round trip in operations[].url. */
  attemptId: string;
  round: 'first' | '3ds-completion';
  confirmed: MakePaymentConfirmed;
  outcome: MakePaymentOutcome;
  httpStatus?: number;
  status?: string;
  errorId?: string | number;
  errorText?: string;
  url3dSecure?: string;
  problem?: string;
  answerMs?: number;
  /** The traffic-log exchange of the call. */
  exchangeId?: string;
  /** Sandbox clock, ms. */
  at: number;
}

export interface InitiateInput {
  pspTransactionId: string;
  merchantOrderId: string;
  customerMobileNumber?: string;
  amount: number;
  currency: 'NOK';
  pspRedirectUrl: string;
  makePaymentUrl: string;
  makePaymentToken?: string;
  paymentText?: string;
  isApp: boolean;
  skipLandingPage: boolean;
  merchantAgreementUrl?: string;
}

export interface PspPayment extends InitiateInput {
  version: PspApiVersion;
  pspId: string;
  msn: string;
  state: PspPaymentState;
  vippsRedirectUrl: string;
  landingToken: string;
  createdAt: number;
  expiresAt: number;
  changedAt: number;
  /** Reserved (U), captured (C), refunded (R), cancelled/released (X), in øre. */
  reserved: number;
  captured: number;
  refunded: number;
  cancelled: number;
  reservedAt?: number;
  /** Who cancelled a CANCELLED payment: the customer in the app, or the PSP (updatestatus). */
  cancelledBy?: 'customer' | 'psp';
  approvedPhoneNumber?: string;
  sub?: string;
  card?: PspCard;
  makePayments: MakePaymentAttempt[];
  /** A makePayment answer is awaited: the customer cannot act meanwhile. */
  inFlight: boolean;
  /** SOFT_DECLINE answered: the customer goes to url3dSecure; the PSP sends them back to operations[].url. */
  pending3ds?: { attemptId: string; url3dSecure: string };
  /** Why a FAILED payment failed (and the PSP's errorId, if it gave one). */
  failure?: { reason: string; errorId?: string | number };
  /** Customer attempts the app refused before any makePayment (v3 magic amount 3100). */
  failedAttempts: { at: number; reason: string }[];
  log: PspLogEntry[];
}
