/**
 * In-person pages: the bill a scanned merchant-redirect QR opens (taxi, table) and the
 * customer-facing POS screen with its one-time payment QR.
 */
import { STATUS_TEXT, type Order } from '../orders.ts';
import { formatMoney } from '../shop.ts';
import { html, layout } from './html.ts';

const errorBox = (error?: string) => (error ? html`<div class="alert error" role="alert" data-testid="in-person-error">${error}</div>` : '');

export function billPage(opts: { shopName: string; qrId: string; action: string; amount?: string; description?: string; phoneNumber?: string; error?: string }): string {
  const body = html`
<h1>Pay your bill</h1>
<p class="lead">The payment request goes to your phone: approve it in the Vipps or MobilePay app. We ask to keep your phone number, so next time you need not type it.</p>
<div class="card">
  ${errorBox(opts.error)}
  <form method="post" action="${opts.action}" data-testid="bill-form">
    <div class="row">
      <div><label for="amount">Amount (kr)</label>
        <input id="amount" name="amount" type="text" inputmode="decimal" autocomplete="off" required value="${opts.amount ?? ''}" data-testid="bill-amount-input"></div>
      <div><label for="description">What for</label>
        <input id="description" name="description" type="text" maxlength="80" value="${opts.description ?? ''}" data-testid="bill-description-input"></div>
    </div>
    <div class="row">
      <div><label for="phone">Your phone number</label>
        <input id="phone" name="phoneNumber" type="text" inputmode="tel" autocomplete="tel" required value="${opts.phoneNumber ?? ''}" data-testid="phone-input"></div>
      <div></div>
    </div>
    <button class="btn btn-vipps" type="submit" data-testid="push-pay">Send to my phone</button>
  </form>
  <p class="muted small">Code ${opts.qrId}</p>
</div>`;
  return layout({ title: 'Pay your bill', shopName: opts.shopName, body, testid: 'bill-page' });
}

export function posPage(opts: { shopName: string; amount?: string; description?: string; error?: string }): string {
  const body = html`
<h1>Till</h1>
<p class="lead">Type the amount; the customer scans the QR code on this screen with the Vipps or MobilePay app.</p>
<div class="card">
  ${errorBox(opts.error)}
  <form method="post" action="/pos" data-testid="pos-form">
    <div class="row">
      <div><label for="amount">Amount (kr)</label>
        <input id="amount" name="amount" type="text" inputmode="decimal" autocomplete="off" required value="${opts.amount ?? ''}" data-testid="pos-amount-input"></div>
      <div><label for="description">What for</label>
        <input id="description" name="description" type="text" maxlength="80" value="${opts.description ?? ''}" data-testid="pos-description-input"></div>
    </div>
    <button class="btn btn-vipps" type="submit" data-testid="show-qr">Show QR code</button>
  </form>
</div>`;
  return layout({ title: 'Till', shopName: opts.shopName, body, testid: 'pos-page' });
}

/** The QR on the customer-facing screen, and the order's status as the server knows it (reloads while pending). */
export function posPaymentPage(opts: { shopName: string; order: Order; refreshSeconds: number }): string {
  const { order } = opts;
  const pending = order.status === 'pending';
  const words = STATUS_TEXT[order.status];
  const body = html`
<div class="card big-status" data-testid="order-status" data-status="${order.status}">
  ${pending && order.redirectUrl ? html`<img data-testid="payment-qr" src="${order.redirectUrl}" alt="Payment QR code" width="280" height="280">` : ''}
  <h1 data-testid="status-title">${pending ? 'Scan to pay' : words.title}</h1>
  <p class="lead">${formatMoney(order.amount.value, order.amount.currency)} · ${order.description}</p>
  <p class="muted mono" data-testid="pos-reference">${order.reference}</p>
  <p><a class="btn btn-plain" href="/pos" data-testid="pos-new">New payment</a> <a href="/orders/${encodeURIComponent(order.reference)}" data-testid="order-link">Order</a></p>
</div>`;
  return layout({ title: 'Scan to pay', shopName: opts.shopName, body, testid: 'pos-payment-page', refreshSeconds: pending ? opts.refreshSeconds : undefined });
}

/** The back office's answer after creating or updating a printed QR: the image to print and where it points. */
export function qrCodePage(opts: { shopName: string; qrId: string; url?: string; redirectUrl?: string; error?: string }): string {
  const body = html`
<h1>QR code ${opts.qrId}</h1>
<div class="card">
  ${errorBox(opts.error)}
  ${opts.url
    ? html`<img data-testid="merchant-qr" src="${opts.url}" alt="QR code ${opts.qrId}" width="240" height="240">
  <p>Opens <a class="mono" href="${opts.redirectUrl}" data-testid="qr-redirect-url">${opts.redirectUrl}</a></p>`
    : ''}
  <p><a class="btn btn-plain" href="/admin">Back office</a></p>
</div>`;
  return layout({ title: `QR ${opts.qrId}`, shopName: opts.shopName, body, testid: 'qr-code-page' });
}
