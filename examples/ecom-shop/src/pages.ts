import type { ShopStatus } from './order-status.ts';
import type { Order } from './orders.ts';

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const kroner = (øre: number) => `${(øre / 100).toFixed(2)} kr`;

function page(title: string, body: string, refreshSeconds?: number): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
${refreshSeconds ? `<meta http-equiv="refresh" content="${refreshSeconds}">` : ''}<title>${escape(title)} · eCom Shop</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem}
.vipps{background:#ff5b24;color:#fff;border:0;border-radius:6px;padding:.8rem 1.4rem;font-size:1.05rem;font-weight:600;cursor:pointer}
label{display:block;margin:.6rem 0}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2rem .5rem;text-align:left}</style></head>
<body><h1>${escape(title)}</h1>
${body}
</body></html>`;
}

/** The shop: one product form, paid with the eCom API. */
export function shopPage(): string {
  return page(
    'eCom Shop',
    `<form method="post" action="/checkout">
<label>Item <input name="description" value="One pair of socks" maxlength="100" required></label>
<label>Price (øre) <input id="amount" name="amount" type="number" min="100" step="1" value="49900" required></label>
<label>Mobile number (optional, 8 digits) <input name="mobileNumber" pattern="\\d{8}"></label>
<button class="vipps" type="submit">Pay with Vipps</button>
</form>`,
  );
}

export function checkoutErrorPage(message: string): string {
  return page('Payment not started', `<p id="error" role="alert">${escape(message)}</p><p>No money was taken. <a href="/">Try again</a></p>`);
}

/** The fallBack page's wording per status: never thanks for an order that is not paid. */
const OUTCOME: Record<ShopStatus, (o: Order) => string> = {
  'awaiting-payment': () => 'We are waiting for the payment confirmation from Vipps. This page updates itself.',
  reserved: (o) => `Thank you! Your payment of ${kroner(o.amount)} is reserved. We charge it when your order ships.`,
  'part-captured': (o) => `Thank you! Your payment of ${kroner(o.amount)} is confirmed.`,
  captured: (o) => `Thank you! Your payment of ${kroner(o.amounts.captured || o.amount)} is confirmed.`,
  'part-refunded': (o) => `${kroner(o.amounts.refunded)} of your payment has been refunded to you.`,
  refunded: (o) => `Your payment of ${kroner(o.amounts.refunded)} has been refunded to you.`,
  cancelled: () => 'The payment was cancelled. No money was taken.',
  failed: () => 'The payment failed. No money was taken.',
};

export function returnPage(order: Order): string {
  const open = order.status === 'awaiting-payment';
  return page(
    `Order ${order.orderId}`,
    `<p id="outcome" data-status="${order.status}">${escape(OUTCOME[order.status](order))}</p>
<p>Order ${escape(order.orderId)}: ${escape(order.description)}, ${kroner(order.amount)}.</p>
${order.status === 'cancelled' || order.status === 'failed' ? '<p><a href="/">Back to the shop</a></p>' : ''}`,
    open ? 2 : undefined,
  );
}

/** Fault session-return-page: what a session-bound return page shows in a fresh browser. */
export function loginWallPage(): string {
  return page('Session expired', '<p>Your session has expired. Please log in to see your order.</p>');
}

export function notFoundPage(what: string): string {
  return page('Not found', `<p>${escape(what)}</p><p><a href="/">Back to the shop</a></p>`);
}

/** Customer service's view of one order: status, amounts, operations and the Vipps history. */
export function adminOrderPage(order: Order): string {
  const a = order.amounts;
  const rows = (cells: string[][]) => cells.map((c) => `<tr>${c.map((v) => `<td>${escape(v)}</td>`).join('')}</tr>`).join('\n');
  return page(
    `Order ${order.orderId} (back office)`,
    `<p>Status: <strong id="status">${escape(order.status)}</strong>. ${escape(order.description)}, ${kroner(order.amount)}.${order.lastError ? ` Last error: ${escape(order.lastError)}` : ''}</p>
<table><tr><th>reserved</th><th>captured</th><th>refunded</th><th>released</th><th>left to capture</th></tr>
${rows([[kroner(a.reserved), kroner(a.captured), kroner(a.refunded), kroner(a.cancelled), kroner(a.remainingToCapture)]])}</table>
<h2>Operations</h2><table><tr><th>when</th><th>what</th><th>amount</th><th>outcome</th><th>X-Request-Id</th></tr>
${rows(order.operations.map((o) => [o.at, o.kind, o.amount === undefined ? 'all' : kroner(o.amount), o.error ?? o.outcome, [...new Set(o.requestIds)].join(', ')]))}</table>
<h2>Vipps history (details)</h2><table><tr><th>when</th><th>operation</th><th>amount</th><th>success</th></tr>
${rows(order.history.map((h) => [h.timeStamp ?? '', h.operation, kroner(h.amount), String(h.operationSuccess)]))}</table>
<p>Callbacks received: ${order.callbacks}.</p>`,
  );
}
