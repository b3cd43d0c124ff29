import type { CustomerCard } from '../shared/card-customer.ts';
import type { CustomerPayment } from '../shared/directory.ts';
import { escapeHtml as h, formatAmount } from './format.ts';
import { layout, merchantBlock } from './render.ts';

/**
 * Card passthrough on the landing page (vipps-facts §4): the card picker of the approval form
 * (the wallet's cards the payment allows, by type name), and the pages after a callback that
 * did not end in a reservation. Plain HTML, stable `data-testid`s, like the other pages.
 */

/** Radio list of the customer's cards; the form field is `card` (the card type). */
export function cardPicker(cards: readonly CustomerCard[], selected?: string): string {
  if (cards.length === 0) return `<div class="error" role="alert" data-testid="card-none">No card in your wallet can pay this payment.</div>`;
  const chosen = cards.some((c) => c.type === selected) ? selected : cards[0].type;
  const rows = cards
    .map(
      (c) =>
        `<label class="stay" data-testid="card-option" data-card-type="${h(c.type)}"><input type="radio" name="card" value="${h(c.type)}"${c.type === chosen ? ' checked' : ''} data-testid="card-${h(c.type)}"><span><b>${h(c.typeName)}</b> · <code>${h(c.maskedCardNumber)}</code></span></label>`,
    )
    .join('\n');
  return `<fieldset class="meta" data-testid="card-picker" style="border:0;padding:11px 0;margin-top:14px"><legend class="field">Pay with card</legend>\n${rows}\n</fieldset>`;
}

export type CardPageKind = 'outcome-unknown' | 'not-retryable' | 'soft-decline-pending';

const TITLES: Record<CardPageKind, string> = {
  'outcome-unknown': 'We could not confirm the payment',
  'not-retryable': 'The card was declined',
  'soft-decline-pending': 'Verify the payment at your bank',
};

/**
 * A card-passthrough payment the customer cannot (or not yet) pay here: outcome unknown
 * ("check the payment status at <merchant>", no further attempt), a final decline (reject
 * only), or a 3-D Secure step waiting (a link to softDeclineUrl).
 */
export function cardOutcomePage(model: { payment: CustomerPayment; merchantName: string; kind: CardPageKind; message?: string }): string {
  const { payment, merchantName, kind } = model;
  const message =
    model.message ??
    (kind === 'outcome-unknown'
      ? `Something went wrong with the card payment. Please check the payment status at ${merchantName}, the merchant you came from.`
      : kind === 'not-retryable'
        ? `The card was declined. This payment cannot be completed with a card; go back to ${merchantName}.`
        : 'Your bank needs to verify this payment (3-D Secure).');
  const link = payment.card?.softDeclineUrl;
  const actions =
    kind === 'soft-decline-pending' && link
      ? `<div class="actions"><a class="button primary" href="${h(link)}" data-testid="soft-decline-link">Verify with your bank</a></div>`
      : kind === 'not-retryable'
        ? `<form method="post" action="/landing/reject"><input type="hidden" name="token" value="${h(payment.landingToken)}"><div class="actions"><button type="submit" class="secondary" data-testid="reject-button">Reject</button></div></form>`
        : '';
  const body = `<main class="card result" data-testid="card-outcome" data-kind="${h(kind)}">
<h2 data-testid="landing-headline">${h(TITLES[kind])}</h2>
<div class="error" role="alert" data-testid="landing-error">${h(message)}</div>
<div class="summary">
<div class="summary-row">${merchantBlock(merchantName, 'Merchant')}<p class="amount" data-testid="landing-amount">${h(formatAmount(payment.amount))}</p></div>
<dl class="meta"><dt>Reference</dt><dd data-testid="landing-reference">${h(payment.reference)}</dd></dl>
</div>
${actions}
</main>`;
  return layout(`${TITLES[kind]} – ${merchantName}`, body);
}
