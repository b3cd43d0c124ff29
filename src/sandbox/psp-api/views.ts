import { PSP_API_NAME } from '../../contract/psp-api.ts';
import { maskedNumber } from './card-data.ts';
import type { PspPayment } from './types.ts';

/** Response bodies of psp-v2.yaml / psp-v3.yaml, and the control record, built from a payment. */

const iso = (ms: number) => new Date(ms).toISOString();

export const initiateView = (p: PspPayment) => ({ pspTransactionId: p.pspTransactionId, merchantOrderId: p.merchantOrderId, vippsRedirectUrl: p.vippsRedirectUrl });

export function transactionSummary(p: PspPayment) {
  return {
    capturedAmount: p.captured,
    remainingAmountToCapture: Math.max(0, p.reserved - p.captured - p.cancelled),
    refundedAmount: p.refunded,
    remainingAmountToRefund: p.captured - p.refunded,
  };
}

/** transactionLogHistory, oldest first (the spec says nothing of the order; eCom's is newest first). */
export function transactionLogHistory(p: PspPayment) {
  return p.log.map((e) => ({
    amount: e.amount,
    ...(e.paymentText !== undefined ? { paymentText: e.paymentText } : {}),
    timeStamp: iso(e.at),
    operation: e.operation,
    operationSuccess: e.operationSuccess,
  }));
}

/** `PaymentDetailsRepresentation`. */
export const detailsView = (p: PspPayment) => ({
  pspTransactionId: p.pspTransactionId,
  merchantOrderId: p.merchantOrderId,
  transactionSummary: transactionSummary(p),
  transactionLogHistory: transactionLogHistory(p),
});

export const STATUS_UPDATE_ANSWER = { responseInfo: { responseCode: '9000', responseMessage: 'SUCCESS' } } as const;

const nok = (value: number) => ({ value, currency: 'NOK' as const });

/**
 * The control API's record of a PSP payment: the common shape (api, reference, msn, state, amount,
 * aggregate) golive's step driver reads for every API, plus what details show and every
 * makePayment call with how its answer was read.
 */
export function controlRecord(p: PspPayment) {
  return {
    api: PSP_API_NAME[p.version],
    version: p.version,
    reference: p.pspTransactionId,
    pspTransactionId: p.pspTransactionId,
    merchantOrderId: p.merchantOrderId,
    msn: p.msn,
    pspId: p.pspId,
    state: p.state,
    amount: nok(p.amount),
    aggregate: {
      authorizedAmount: nok(p.reserved),
      capturedAmount: nok(p.captured),
      refundedAmount: nok(p.refunded),
      cancelledAmount: nok(p.cancelled),
    },
    paymentText: p.paymentText,
    customerMobileNumber: p.customerMobileNumber,
    pspRedirectUrl: p.pspRedirectUrl,
    makePaymentUrl: p.makePaymentUrl,
    makePaymentToken: p.makePaymentToken,
    isApp: p.isApp,
    skipLandingPage: p.skipLandingPage,
    vippsRedirectUrl: p.vippsRedirectUrl,
    transactionSummary: transactionSummary(p),
    transactionLogHistory: transactionLogHistory(p),
    makePayments: p.makePayments.map((a) => ({ ...a })),
    ...(p.pending3ds ? { pending3ds: { ...p.pending3ds } } : {}),
    ...(p.failure ? { failure: { ...p.failure } } : {}),
    ...(p.card ? { card: { maskedCardNumber: maskedNumber(p.card), tokenType: p.card.tokenType } } : {}),
    statusUpdates: p.log.filter((e) => e.by === 'psp').map((e) => ({ status: e.operation, amount: e.amount, operationSuccess: e.operationSuccess, at: e.at })),
    cancelledBy: p.cancelledBy,
    approvedPhoneNumber: p.approvedPhoneNumber,
    sub: p.sub,
    failedAttempts: p.failedAttempts.map((a) => ({ ...a })),
    createdAt: p.createdAt,
    expiresAt: p.expiresAt,
    reservedAt: p.reservedAt,
  };
}
