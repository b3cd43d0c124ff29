/**
 * The PSP API mode's HTML: the customer's return page (pspRedirectUrl; the payment is named in
 * the URL and its status read from the PSP's own records, which the makePayment call set — it
 * works in a fresh browser and is not needed for the order to be paid), the 3-D Secure page
 * (url3dSecure) and the admin page (status, makePayment calls, updatestatus reports, details).
 */
import { escape, kroner, page, table, threeDSecureForm } from '../shared/html.ts';
import type { ApiPayment, ApiStatus } from './payments.ts';

const OUTCOME: Record<ApiStatus, (p: ApiPayment) => string> = {
  initiated: () => 'We are waiting for your payment to be confirmed in the app. This page updates itself.',
  '3ds-pending': () => 'Your card issuer asks you to confirm the payment (3-D Secure).',
  authorised: (p) => `Thank you! ${kroner(p.amount)} is reserved on your card. It is charged when your order ships.`,
  'part-captured': (p) => `Thank you! ${kroner(p.ledger.captured)} of ${kroner(p.amount)} has been charged.`,
  captured: (p) => `Thank you! ${kroner(p.ledger.captured)} has been charged.`,
  'part-refunded': (p) => `${kroner(p.ledger.refunded)} has been refunded to your card.`,
  refunded: (p) => `${kroner(p.ledger.refunded)} has been refunded to your card.`,
  cancelled: () => 'The payment was cancelled. No money was taken.',
  expired: () => 'The payment was not confirmed in time. No money was taken.',
  declined: (p) => `Your card was declined${p.failure ? ` (${p.failure.errorText})` : ''}. No money was taken.`,
  failed: () => 'The payment could not be completed. No money was taken.',
};

export function returnPage(p: ApiPayment, status: ApiStatus): string {
  const open = status === 'initiated' || status === '3ds-pending';
  return page(
    open ? 'Payment in progress' : 'Payment result',
    `<p id="outcome" data-status="${status}">${escape(OUTCOME[status](p))}</p>
<p>Payment <code id="reference">${escape(p.reference)}</code> · order <code>${escape(p.merchantOrderId)}</code> · status <strong id="status">${status}</strong></p>`,
    open ? 2 : undefined,
  );
}

export function threeDSecurePage(p: ApiPayment): string {
  return threeDSecureForm(`/3ds/${encodeURIComponent(p.reference)}`, p.amount);
}

export function adminPage(p: ApiPayment, status: ApiStatus, version: string): string {
  return page(
    `Payment ${p.reference}`,
    `<p>Status <strong id="status">${status}</strong> · PSP API ${escape(version)} · order <code>${escape(p.merchantOrderId)}</code></p>
<p>Amount ${kroner(p.amount)} · captured <span id="captured">${p.ledger.captured}</span> · refunded <span id="refunded">${p.ledger.refunded}</span> · cancelled <span id="cancelled">${p.ledger.cancelled}</span> (øre)</p>
<p>Card <span id="card-type">${escape(p.card?.type ?? '-')}</span> ${escape(p.card?.maskedNumber ?? '')}</p>
${p.failure ? `<p id="failure" role="alert">errorId ${p.failure.errorId}: ${escape(p.failure.errorText)}</p>` : ''}
<h2 id="make-payment-calls">makePayment calls</h2>
${table(['time', 'round', 'confirmed / paymentState', 'card', 'outcome', 'answer', 'ms', 'delivered'], p.calls.map((c) => [c.at, c.round, c.confirmed, c.maskedCardNumber ?? '', c.outcome, `${c.httpStatus} ${JSON.stringify(c.answer)}`, c.answerMs ?? '', c.delivered ?? '']))}
<h2 id="status-reports">Reports (updatestatus)</h2>
${table(['time', 'status', 'amount', 'sent', 'ok', 'detail'], p.reports.map((r) => [r.at, r.status, r.amount, r.sent, r.ok, r.detail ?? '']))}
<h2 id="details-history">Vipps details</h2>
${table(['time', 'after', 'captured', 'to capture', 'refunded', 'to refund', 'consistent', 'log'], p.details.map((d) => {
  const s = d.details?.transactionSummary;
  const log = d.error ?? (d.details?.transactionLogHistory ?? []).map((l) => `${l.operation} ${l.amount}${l.operationSuccess === false ? ' (failed)' : ''}`).join(', ');
  return [d.at, d.after, s?.capturedAmount ?? '', s?.remainingAmountToCapture ?? '', s?.refundedAmount ?? '', s?.remainingAmountToRefund ?? '', d.consistent ?? '', log];
}))}`,
  );
}
