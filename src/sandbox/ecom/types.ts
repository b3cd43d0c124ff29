import type { EcomCallbackStatus, EcomLogOperation, EcomState } from '../../contract/ecom.ts';

/** The eCom order as the machine keeps it. Views (details, status, the control record) are built from it. */

/** One `transactionLogHistory` entry, kept oldest first (details answers newest first). */
export interface LogEntry {
  amount: number;
  operation: EcomLogOperation;
  operationSuccess: boolean;
  transactionText: string;
  requestId?: string;
  /** Sandbox clock, ms. */
  at: number;
}

/** `merchantInfo` of the initiate request, as sent (the control view redacts `authToken`). */
export interface EcomMerchantInfo {
  merchantSerialNumber: string;
  callbackPrefix: string;
  fallBack: string;
  authToken?: string;
  isApp: boolean;
  paymentType: 'eComm Regular Payment' | 'eComm Express Payment';
  consentRemovalPrefix?: string;
  shippingDetailsPrefix?: string;
  staticShippingDetails?: unknown[];
}

/** The shipping option of an Express order. `shippingCost` in NOK (not øre), as the spec has it. */
export interface ShippingChoice {
  shippingCost: number;
  shippingMethod: string;
  shippingMethodId: string;
}

export interface Order {
  msn: string;
  orderId: string;
  state: EcomState;
  /** Minor units (øre); eCom is NOK only. */
  amount: number;
  transactionText: string;
  /** One id for every operation of the order (TransactionInfo pattern `^\d{10,}$`). */
  transactionId: string;
  merchantInfo: EcomMerchantInfo;
  /** `customerInfo.mobileNumber` (8 digits), when the merchant prefilled it. */
  mobileNumber?: string;
  skipLandingPage: boolean;
  scope?: string;
  useExplicitCheckoutFlow: boolean;
  /** The initiate answer's `url` (the sandbox landing page). */
  url: string;
  landingToken: string;
  createdAt: number;
  expiresAt: number;
  /** Reserved (U), captured (C), refunded (R), cancelled (X), in øre. */
  reserved: number;
  captured: number;
  refunded: number;
  cancelled: number;
  reservedAt?: number;
  /** Set once the customer approved, declined a card or cancelled: details show transactionSummary from then on. */
  customerActed: boolean;
  /** Who cancelled a CANCEL order: the customer in the app, or the merchant before approval. */
  cancelledBy?: 'customer' | 'merchant';
  approvedPhoneNumber?: string;
  sub?: string;
  failedAttempts: { at: number; reason: string }[];
  /** Express checkout: the chosen shipping option (static default, or fetched after approval). */
  shipping?: ShippingChoice;
  log: LogEntry[];
  /** Changes to `state`, for `stale-read` windows. */
  changedAt: number;
}

/** What the machine hands the callback sender after a customer-side outcome. */
export interface CallbackEvent {
  order: Order;
  status: EcomCallbackStatus;
  /** Sandbox clock, ms: the callback's `timeStamp`. */
  at: number;
  errorInfo?: { errorGroup: string; errorCode: string; errorMessage: string };
}
