/**
 * The page Vipps sends the customer back to (returnUrl). It may open in another browser than the
 * one that checked out (the phone's default browser), so it depends on nothing but the
 * reference in its URL: no cookie, no session.
 */
import { RETRYABLE, STATUS_TEXT, type Order, type OrderStatus } from '../orders.ts';
import { formatMoney } from '../shop.ts';
import { html, icon, layout } from './html.ts';

const ICONS: Record<OrderStatus, string> = {
  pending: 'clock',
  paid: 'check',
  'partially-captured': 'box',
  captured: 'box',
  'partially-refunded': 'back',
  refunded: 'back',
  cancelled: 'cross',
  failed: 'cross',
  expired: 'clock',
  terminated: 'cross',
};

export function returnPage(opts: { shopName: string; order: Order; lookupError?: string; refreshSeconds: number }): string {
  const { order } = opts;
  const words = STATUS_TEXT[order.status];
  const pending = order.status === 'pending';
  const body = html`
<div class="card big-status" data-testid="order-status" data-status="${order.status}">
  ${pending ? html`<div class="spinner" data-testid="pending-indicator"></div>` : html`<div class="icon">${icon(ICONS[order.status])}</div>`}
  <h1 data-testid="status-title">${words.title}</h1>
  <p class="muted" data-testid="status-text">${words.text}</p>
  ${opts.lookupError ? html`<div class="alert error" role="alert" data-testid="return-error">${opts.lookupError}</div>` : ''}
  <p>Order <strong data-testid="order-number">${order.orderNumber}</strong> ·
     <span data-testid="order-amount">${formatMoney(order.amount.value, order.amount.currency)}</span> ·
     <span class="status ${order.status}">${order.status}</span></p>
  <p class="muted mono" data-testid="order-reference">${order.reference}</p>
  <p>
    ${RETRYABLE.has(order.status)
      ? html`<form method="post" action="/orders/${encodeURIComponent(order.reference)}/retry" style="display:inline">
          <button class="btn btn-vipps" type="submit" data-testid="retry-button">Try again with <strong>Vipps</strong></button></form> `
      : ''}
    <a class="btn btn-plain" href="/orders/${encodeURIComponent(order.reference)}" data-testid="order-link">Order details</a>
    <a class="btn btn-plain" href="/" data-testid="back-to-shop">Back to the shop</a>
  </p>
</div>`;
  return layout({ title: words.title, shopName: opts.shopName, body, testid: 'return-page', refreshSeconds: pending ? opts.refreshSeconds : undefined });
}

export function messagePage(opts: { shopName: string; title: string; text: string; testid: string }): string {
  const body = html`<div class="card big-status" data-testid="message">
  <h1 data-testid="message-title">${opts.title}</h1><p class="muted" data-testid="message-text">${opts.text}</p>
  <p><a class="btn btn-plain" href="/">Back to the shop</a></p></div>`;
  return layout({ title: opts.title, shopName: opts.shopName, body, testid: opts.testid });
}
