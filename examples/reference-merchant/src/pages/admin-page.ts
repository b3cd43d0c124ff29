/** Back office: all orders at a glance, each linking to its order page. */
import type { Order } from '../orders.ts';
import { formatMoney } from '../shop.ts';
import { html, layout } from './html.ts';

export function adminPage(opts: { shopName: string; orders: Order[]; webhookRegistered: boolean; faults: readonly string[] }): string {
  const body = html`
<h1>Back office</h1>
<p class="lead">Orders and their payments. Open an order to ship (capture), refund or cancel it.</p>
${opts.faults.length > 0 ? html`<div class="alert error" data-testid="faults-banner">Fault switches on (for testing only): ${opts.faults.join(', ')}</div>` : ''}
<div class="card">
  ${opts.orders.length === 0
    ? html`<p class="muted" data-testid="no-orders">No orders yet.</p>`
    : html`<table data-testid="orders-table">
    <tr><th>Order</th><th>What</th><th>Status</th><th class="num">Total</th><th class="num">Charged</th><th class="num">Refunded</th><th>Updated</th></tr>
    ${opts.orders.map(
      (o) => html`<tr data-testid="order-row" data-reference="${o.reference}">
      <td><a href="/orders/${encodeURIComponent(o.reference)}">${o.orderNumber}</a><div class="muted mono small">${o.reference}</div></td>
      <td>${o.description}</td>
      <td><span class="status ${o.status}">${o.status}</span></td>
      <td class="num">${formatMoney(o.amount.value, o.amount.currency)}</td>
      <td class="num">${formatMoney(o.payment?.aggregate.capturedAmount.value ?? 0, o.amount.currency)}</td>
      <td class="num">${formatMoney(o.payment?.aggregate.refundedAmount.value ?? 0, o.amount.currency)}</td>
      <td class="muted nowrap">${new Date(o.updatedAt).toLocaleTimeString('en-GB')}</td></tr>`,
    )}
  </table>`}
</div>
<div class="card">
  <h2>Printed QR codes (taxi, table)</h2>
  <form method="post" action="/admin/qr" class="actions" data-testid="qr-form">
    <div><label for="qrId">QR id</label><input id="qrId" name="qrId" type="text" maxlength="128" required placeholder="taxi-7" data-testid="qr-id-input"></div>
    <button class="btn btn-plain" type="submit" data-testid="create-qr">Create or update</button>
  </form>
  <p class="muted small">The code opens the bill page <span class="mono">/bill/&lt;id&gt;</span>. <a href="/pos" data-testid="nav-pos">Till (customer-facing QR)</a></p>
</div>
<p class="muted" data-testid="webhook-status">Webhooks: ${opts.webhookRegistered ? 'registered' : 'not registered'} · JSON API: <span class="mono">GET /api/orders</span></p>`;
  return layout({ title: 'Back office', shopName: opts.shopName, body, testid: 'admin-page' });
}
