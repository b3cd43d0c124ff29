/**
 * The PSP's HTML: the customer's return page (works in a fresh browser: the payment is named in
 * the URL, its status read from the PSP's records), the 3-D Secure challenge page (softDeclineUrl)
 * and the admin page with status, amounts, card attempts and the Vipps event log.
 */
import { statusOf, type Payment, type PspStatus } from './payments.ts';
import type { VippsEvent } from './vipps/epayment.ts';

const escape = (s: unknown) => String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const kroner = (øre: number) => `${(øre / 100).toFixed(2)} kr`;

function page(title: string, body: string, refreshSeconds?: number): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
${refreshSeconds ? `<meta http-equiv="refresh" content="${refreshSeconds}">` : ''}<title>${escape(title)} · Reference PSP</title>
<style>body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem}
button{background:#1d4ed8;color:#fff;border:0;border-radius:6px;padding:.8rem 1.4rem;font-size:1.05rem;cursor:pointer}
table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #ccc;padding:.2rem .5rem;text-align:left;font-size:.9rem}</style></head>
<body><h1>${escape(title)}</h1>
${body}
</body></html>`;
}

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

export function notFoundPage(what: string): string {
  return page('Not found', `<p id="error">${escape(what)}</p>`);
}

export function threeDSecurePage(attemptId: string, p: Payment): string {
  return page(
    '3-D Secure',
    `<p>Confirm the payment of <strong>${kroner(p.amount)}</strong> with your card issuer (test challenge).</p>
<form method="post" action="/3ds/${encodeURIComponent(attemptId)}">
<button id="complete-3ds" type="submit">Complete 3-D Secure</button>
</form>`,
  );
}

function table(headers: string[], rows: unknown[][]): string {
  if (!rows.length) return '<p>(none)</p>';
  return `<table><tr>${headers.map((h) => `<th>${escape(h)}</th>`).join('')}</tr>${rows.map((r) => `<tr>${r.map((c) => `<td>${escape(c)}</td>`).join('')}</tr>`).join('')}</table>`;
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
