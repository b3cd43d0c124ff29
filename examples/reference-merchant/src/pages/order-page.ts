/**
 * The order page: status, amounts, the payment's history as Vipps records it (event log), any
 * problems in plain words, and the staff actions (ship = capture, refund, cancel) so customer
 * service never needs the Vipps portal. A real shop would put the staff panel behind a login.
 */
import { remaining, STATUS_TEXT, type Order } from '../orders.ts';
import { formatMoney } from '../shop.ts';
import type { PaymentEvent } from '../vipps/epayment.ts';
import { html, layout } from './html.ts';

export const EVENT_TEXT: Record<string, string> = {
  CREATED: 'Payment started',
  AUTHORIZED: 'Approved in the app — amount reserved',
  ABORTED: 'Cancelled by the customer in the app',
  EXPIRED: 'Not approved in time',
  CANCELLED: 'Reservation released',
  CAPTURED: 'Charged (shipped)',
  REFUNDED: 'Refunded',
  TERMINATED: 'Cancelled by the shop before approval',
};

export function orderPage(opts: {
  shopName: string;
  order: Order;
  events: PaymentEvent[] | undefined;
  eventsError?: string;
  eventLogDisabled?: boolean;
  lookupError?: string;
  /** Result of the last staff action, shown once. */
  notice?: { kind: 'success' | 'error'; text: string };
  /** Reload while a push/QR payment is pending (no redirect will come). */
  refreshSeconds?: number;
}): string {
  const { order } = opts;
  const cur = order.amount.currency;
  const money = (v: number | undefined) => formatMoney(v ?? 0, cur);
  const agg = order.payment?.aggregate;
  const left = remaining(order.payment);
  const ref = encodeURIComponent(order.reference);
  const notice = opts.notice;

  const body = html`
<p><a href="/admin" class="muted">← All orders</a></p>
<h1>Order ${order.orderNumber} <span class="status ${order.status}" data-testid="order-status" data-status="${order.status}">${order.status}</span></h1>
<p class="lead" data-testid="status-text">${STATUS_TEXT[order.status].text}</p>
${notice ? html`<div class="alert ${notice.kind}" role="${notice.kind === 'error' ? 'alert' : 'status'}" data-testid="${notice.kind === 'error' ? 'order-error' : 'notice'}">${notice.text}</div>` : ''}
${opts.lookupError ? html`<div class="alert error" role="alert" data-testid="lookup-error">${opts.lookupError}</div>` : ''}
<div class="cols">
  <div class="card">
    <h2>Order</h2>
    <table>
      <tr><th>What</th><td data-testid="order-description">${order.description}</td></tr>
      <tr><th>Total</th><td data-testid="order-amount">${money(order.amount.value)}</td></tr>
      <tr><th>Payment reference</th><td class="mono" data-testid="order-reference">${order.reference}</td></tr>
      <tr><th>Vipps state</th><td data-testid="vipps-state">${order.payment?.state ?? 'not known yet'}${order.unconfirmed ? ' (from a webhook, being confirmed)' : ''}</td></tr>
      <tr><th>Last updated</th><td class="muted">${new Date(order.updatedAt).toLocaleString('en-GB')}</td></tr>
    </table>
  </div>
  <div class="card">
    <h2>Money</h2>
    <table>
      <tr><th>Reserved</th><td class="num" data-testid="amount-authorized">${money(agg?.authorizedAmount.value)}</td></tr>
      <tr><th>Charged</th><td class="num" data-testid="amount-captured">${money(agg?.capturedAmount.value)}</td></tr>
      <tr><th>Refunded</th><td class="num" data-testid="amount-refunded">${money(agg?.refundedAmount.value)}</td></tr>
      <tr><th>Released</th><td class="num" data-testid="amount-cancelled">${money(agg?.cancelledAmount.value)}</td></tr>
    </table>
  </div>
</div>

<div class="card" data-testid="staff-panel">
  <h2>Shop staff</h2>
  <div class="actions">
    <form method="post" action="/orders/${ref}/capture" data-testid="capture-form">
      <div><label for="capture-amount">Ship &amp; charge (kr)</label>
      <input id="capture-amount" name="amount" type="text" inputmode="decimal" autocomplete="off" placeholder="${(left.capturable / 100).toFixed(2)}" data-testid="capture-amount-input"></div>
      <button class="btn btn-plain" type="submit" data-testid="capture-button">Capture</button>
    </form>
    <form method="post" action="/orders/${ref}/refund" data-testid="refund-form">
      <div><label for="refund-amount">Refund (kr)</label>
      <input id="refund-amount" name="amount" type="text" inputmode="decimal" autocomplete="off" placeholder="${(left.refundable / 100).toFixed(2)}" data-testid="refund-amount-input"></div>
      <button class="btn btn-plain" type="submit" data-testid="refund-button">Refund</button>
    </form>
    <form method="post" action="/orders/${ref}/cancel" data-testid="cancel-form">
      <button class="btn btn-danger" type="submit" data-testid="cancel-button">Cancel order</button>
    </form>
  </div>
  <p class="muted" style="margin:12px 0 0">Leave the amount empty to capture or refund everything that is left.</p>
</div>

<div class="card">
  <h2>Payment history (from Vipps MobilePay)</h2>
  ${opts.eventsError ? html`<div class="alert error" role="alert" data-testid="events-error">${opts.eventsError}</div>` : ''}
  ${opts.eventLogDisabled ? html`<p class="muted" data-testid="events-unavailable">The payment history is not available.</p>` : ''}
  ${opts.events && opts.events.length > 0
    ? html`<table data-testid="event-history">
      <tr><th>When</th><th>What happened</th><th class="num">Amount</th><th>Result</th></tr>
      ${opts.events.map(
        (e) => html`<tr data-testid="event-row" data-event-name="${e.name}">
          <td class="muted">${new Date(e.timestamp).toLocaleString('en-GB')}</td>
          <td>${EVENT_TEXT[e.name] ?? e.name} <span class="muted mono">${e.name}</span></td>
          <td class="num">${money(e.amount?.value)}</td>
          <td>${e.success ? 'OK' : html`<span style="color:var(--bad)">Failed</span>`}</td></tr>`,
      )}
    </table>`
    : ''}
</div>

${order.problems.length > 0
  ? html`<div class="card" data-testid="order-problems">
  <h2>Problems</h2>
  <table>
    <tr><th>When</th><th>What went wrong</th></tr>
    ${order.problems
      .slice(-10)
      .reverse()
      .map(
        (p) => html`<tr data-testid="problem"><td class="muted">${new Date(p.at).toLocaleString('en-GB')}</td>
        <td><span data-testid="problem-message">${p.message}</span></td></tr>`,
      )}
  </table>
</div>`
  : ''}

<div class="card">
  <h2>Order status changes</h2>
  <table data-testid="order-history">
    <tr><th>When</th><th>Status</th><th>Learned from</th></tr>
    ${order.history.map(
      (h) => html`<tr><td class="muted">${new Date(h.at).toLocaleString('en-GB')}</td><td><span class="status ${h.status}">${h.status}</span>${h.note ? html` <span class="muted">${h.note}</span>` : ''}</td><td>${h.source}</td></tr>`,
    )}
  </table>
</div>`;
  return layout({ title: `Order ${order.orderNumber}`, shopName: opts.shopName, body, testid: 'order-page', refreshSeconds: opts.refreshSeconds });
}
