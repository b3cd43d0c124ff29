/** The shop front: a few products and the checkout form with the "Pay with Vipps" button. */
import { coffeeBag, html, layout } from './html.ts';

export const PRODUCTS = [
  { name: 'Ethiopia Yirgacheffe, 250 g', price: '149.00', bag: '#b5651d', tint: '#f6ebdf' },
  { name: 'Colombia Huila, 250 g', price: '139.00', bag: '#4f7a3a', tint: '#eaf1e4' },
  { name: 'House espresso blend, 1 kg', price: '429.00', bag: '#5b3a29', tint: '#f1e7e1' },
];

export function shopPage(opts: { shopName: string; amount?: string; description?: string; error?: string }): string {
  const amount = opts.amount ?? PRODUCTS[0].price;
  const description = opts.description ?? PRODUCTS[0].name;
  const body = html`
<h1>Freshly roasted coffee</h1>
<p class="lead">Roasted on Mondays, shipped on Tuesdays. Pay safely with Vipps MobilePay — we only charge your card when your coffee ships.</p>
<div class="grid">
  ${PRODUCTS.map(
    (p, i) => html`<div class="card product" data-testid="product-${i + 1}">
    <div class="pic" style="background:${p.tint}">${coffeeBag(p.bag)}</div>
    <div class="name">${p.name}</div><div class="price">kr ${p.price.replace('.', ',')}</div>
    <a href="/?amount=${p.price}&amp;description=${encodeURIComponent(p.name)}" data-testid="choose-product-${i + 1}">Choose →</a>
  </div>`,
  )}
</div>
<div class="card">
  <h2>Checkout</h2>
  ${opts.error ? html`<div class="alert error" role="alert" data-testid="checkout-error">${opts.error}</div>` : ''}
  <form method="post" action="/checkout" data-testid="checkout-form">
    <div class="row">
      <div><label for="amount">Amount (kr)</label>
        <input id="amount" name="amount" type="text" inputmode="decimal" autocomplete="off" required value="${amount}" data-testid="amount-input"></div>
      <div><label for="description">What you are buying</label>
        <input id="description" name="description" type="text" maxlength="80" value="${description}" data-testid="description-input"></div>
    </div>
    <button class="btn btn-vipps" type="submit" data-testid="pay-with-vipps">Pay with <strong>Vipps</strong></button>
    <span class="muted" style="margin-left:12px">You approve the payment in the Vipps or MobilePay app.</span>
  </form>
</div>`;
  return layout({ title: 'Shop', shopName: opts.shopName, body, testid: 'shop-page' });
}
