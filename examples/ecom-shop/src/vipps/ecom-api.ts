import type { VippsClient } from './client.ts';

/** `transactionLogHistory[]` of GET …/details (newest first). */
export interface LogEntry {
  amount: number;
  operation: string;
  operationSuccess: boolean;
  transactionText?: string;
  requestId?: string;
  timeStamp?: string;
  transactionId?: string;
}

export interface TransactionSummary {
  capturedAmount: number;
  refundedAmount: number;
  remainingAmountToCapture: number;
  remainingAmountToRefund: number;
}

export interface PaymentDetails {
  orderId: string;
  transactionSummary?: TransactionSummary;
  transactionLogHistory?: LogEntry[];
}

export interface InitiateRequest {
  orderId: string;
  amount: number;
  transactionText: string;
  /** Where Vipps sends the callback: `{callbackPrefix}/v2/payments/{orderId}`. */
  callbackPrefix: string;
  /** The shop's return page, for success and failure alike. */
  fallBack: string;
  /** Sent back as `Authorization` on the callback, so the shop knows it is from Vipps. */
  authToken: string;
  mobileNumber?: string;
}

/** The eCom v2 endpoints (POST /ecomm/v2/payments …), one method each. */
export class EcomApi {
  constructor(
    private readonly client: VippsClient,
    private readonly msn: string,
  ) {}

  initiate(r: InitiateRequest): Promise<{ orderId: string; url: string }> {
    return this.client.send({
      operation: 'initiate',
      method: 'POST',
      path: '/ecomm/v2/payments',
      body: {
        customerInfo: r.mobileNumber ? { mobileNumber: r.mobileNumber } : {},
        merchantInfo: {
          merchantSerialNumber: this.msn,
          callbackPrefix: r.callbackPrefix,
          fallBack: r.fallBack,
          authToken: r.authToken,
          paymentType: 'eComm Regular Payment',
          isApp: false,
        },
        transaction: { orderId: r.orderId, amount: r.amount, transactionText: r.transactionText },
      },
    });
  }

  details(orderId: string): Promise<PaymentDetails> {
    return this.client.send({ operation: 'details', method: 'GET', path: `/ecomm/v2/payments/${encodeURIComponent(orderId)}/details` });
  }

  /**
   * Deprecated, but the only place a timed-out (REJECTED) or failed (FAILED) order shows; read
   * only when details cannot settle an order.
   */
  status(orderId: string): Promise<{ transactionInfo?: { status?: string } }> {
    return this.client.send({ operation: 'status', method: 'GET', path: `/ecomm/v2/payments/${encodeURIComponent(orderId)}/status` });
  }

  /** `amount` undefined captures everything still reserved. */
  capture(orderId: string, amount: number | undefined, transactionText: string, requestId: string): Promise<unknown> {
    return this.client.send({
      operation: 'capture',
      method: 'POST',
      path: `/ecomm/v2/payments/${encodeURIComponent(orderId)}/capture`,
      headers: { 'X-Request-Id': requestId },
      body: { merchantInfo: { merchantSerialNumber: this.msn }, transaction: { ...(amount === undefined ? {} : { amount }), transactionText } },
    });
  }

  /** `amount` undefined refunds everything captured and not yet refunded. */
  refund(orderId: string, amount: number | undefined, transactionText: string, requestId: string): Promise<unknown> {
    return this.client.send({
      operation: 'refund',
      method: 'POST',
      path: `/ecomm/v2/payments/${encodeURIComponent(orderId)}/refund`,
      headers: { 'X-Request-Id': requestId },
      body: { merchantInfo: { merchantSerialNumber: this.msn }, transaction: { ...(amount === undefined ? {} : { amount }), transactionText } },
    });
  }

  /** PUT, as the spec says; `releaseRemaining` after a partial capture frees the rest. */
  cancel(orderId: string, transactionText: string, releaseRemaining: boolean): Promise<unknown> {
    return this.client.send({
      operation: 'cancel',
      method: 'PUT',
      path: `/ecomm/v2/payments/${encodeURIComponent(orderId)}/cancel`,
      body: {
        merchantInfo: { merchantSerialNumber: this.msn },
        transaction: { transactionText },
        ...(releaseRemaining ? { shouldReleaseRemainingFunds: true } : {}),
      },
    });
  }
}
