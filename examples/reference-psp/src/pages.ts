/**
 * The PSP's HTML: the customer's return page (works in a fresh browser: the payment is named in
 * the URL, its status read from the PSP's records), the 3-D Secure challenge page (softDeclineUrl)
 * and the admin page with status, amounts, card attempts and the Vipps event log.
 */
import { statusOf, type Payment, type PspStatus } from './payments.ts';
import { escape, kroner, page, table, threeDSecureForm } from './shared/html.ts';
import type { VippsEvent } from './vipps/epayment.ts';

const OUTCOME: Record<PspStatus, (p: Payment) => string> = {
  created: () => 'We are waiting for your payment to be confirmed. This page updates itself.',
  declined: () => 'Your card was declined. You can try again with another card in the app.',
  authorised: (p) => `Thank you! ${kroner(p.amount)} is reserved on your card. It is charged when your order ships.`,
  'part-captured': (p) => `Thank you! ${kroner(p.ledger.captured)} of ${kroner(p.amount)} has been charged.`,
  captured: (p) => `Thank you! ${kroner(p.ledger.captured)} has been charged.`,
  'part-refunded': (p) => `${kroner(p.ledger.refunded)} has been refunded to your card.`,
  refunded: (p) => `${kroner(p.ledger.refunded)} has been refunded to your card.`,
  cancelled: () => 'The payment was cancelled. No money was taken.',
  expired: () => 'The payment expired before it was completed. No money was taken.',
  failed: () => 'The payment could not be completed. No money was taken.',
};

export function returnPage(p: Payment): string {
  const status = statusOf(p);
  const open = status === 'created' || status === 'declined';
  return page(
    open ? 'Payment in progress' : 'Payment result',
    `<p id="outcome" data-status="${status}">${escape(OUTCOME[status](p))}</p>
<p>Payment <code id="reference">${escape(p.reference)}</code> · status <strong id="status">${status}</strong></p>`,
    open ? 2 : undefined,
  );
}

export function threeDSecurePage(attemptId: string, p: Payment): string {
  return threeDSecureForm(`/3ds/${encodeURIComponent(attemptId)}`, p.amount);
}

export function adminPage(p: Payment, events: VippsEvent[] | string): string {
  const status = statusOf(p);
  const eventRows = typeof events === 'string' ? events : table(['time', 'event', 'amount', 'success', 'idempotency key'], events.map((e) => [e.timestamp, e.name, e.amount?.value, e.success, e.idempotencyKey ?? '']));
  return page(
    `Payment ${p.reference}`,
    `<p>Status <strong id="status">${status}</strong> · Vipps state <span id="vipps-state">${escape(p.vippsState ?? '?')}</span></p>
<p>Amount ${kroner(p.amount)} · authorised ${kroner(p.reservation ? p.amount : 0)} · captured <span id="captured">${p.ledger.captured}</span> · refunded <span id="refunded">${p.ledger.refunded}</span> · cancelled <span id="cancelled">${p.ledger.cancelled}</span> (øre)</p>
<p>pspReference <code>${escape(p.pspReference)}</code> · card <span id="card-type">${escape(p.card?.type ?? '-')}</span> ${escape(p.card?.maskedNumber ?? '')}</p>
${p.failure ? `<p id="failure" role="alert">${escape(p.failure)}</p>` : ''}
<h2>Card callbacks</h2>
${table(['time', 'attempt', 'round', 'callback cardType', 'processed as', 'outcome', 'answer', 'ms', 'delivered'], p.attempts.map((a) => [a.at, a.authorizationAttemptId, a.round, a.callbackCardType, a.processedCardType, a.outcome, `${a.answer.httpStatus} ${JSON.stringify(a.answer.body)}`, a.answerMs ?? '', a.delivered ?? '']))}
<h2>Reports to ePayment</h2>
${table(['time', 'operation', 'amount', 'idempotency key', 'ok', 'detail'], p.operations.map((o) => [o.at, o.op, o.amount ?? '', o.idempotencyKey, o.ok, o.detail ?? '']))}
<h2 id="event-log">Vipps event log</h2>
${eventRows}
<h2>Webhooks received</h2>
${table(['time', 'event', 'success'], p.notifications.map((n) => [n.at, n.name, n.success]))}`,
  );
}
