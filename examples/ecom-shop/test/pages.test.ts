import { describe, expect, it } from 'vitest';
import { rawErrorIn, showsFailure, showsLoginWall, showsPending, showsSuccess } from '../../../src/checks/support/text.ts';
import { SHOP_STATUSES, type ShopStatus } from '../src/order-status.ts';
import { OrderBook } from '../src/orders.ts';
import { checkoutErrorPage, loginWallPage, returnPage } from '../src/pages.ts';

/** The pages' wording read the way golive reads pages: one outcome each, never thanks for an unpaid order. */
const text = (html: string) => html.replace(/<style>[\s\S]*?<\/style>/g, '').replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');

function pageFor(status: ShopStatus): string {
  const order = new OrderBook('ecomshop', new Set()).create(49900, 'One pair of socks');
  order.status = status;
  order.amounts = { reserved: 49900, captured: 49900, refunded: status === 'part-refunded' ? 10000 : 49900, cancelled: 0, remainingToCapture: 0 };
  return text(returnPage(order));
}

describe('return page wording', () => {
  const expected: Record<ShopStatus, 'success' | 'failure' | 'pending' | 'neutral'> = {
    'awaiting-payment': 'pending',
    reserved: 'success',
    'part-captured': 'success',
    captured: 'success',
    'part-refunded': 'neutral',
    refunded: 'neutral',
    cancelled: 'failure',
    failed: 'failure',
  };
  it.each(SHOP_STATUSES)('%s', (status) => {
    const t = pageFor(status);
    const seen = { success: showsSuccess(t), failure: showsFailure(t), pending: showsPending(t) };
    const want = expected[status];
    expect(seen).toEqual({ success: want === 'success', failure: want === 'failure', pending: want === 'pending' });
    expect(rawErrorIn(t)).toBeUndefined();
  });

  it('the checkout error page reads as a failure, never a success or raw error', () => {
    const t = text(checkoutErrorPage('The payment could not be started. Vipps MobilePay said: Invalid amount.'));
    expect(showsFailure(t)).toBe(true);
    expect(showsSuccess(t)).toBe(false);
    expect(rawErrorIn(t)).toBeUndefined();
  });

  it('the session-bound page of the session-return-page fault reads as a login wall', () => {
    expect(showsLoginWall(text(loginWallPage()))).toBe(true);
  });
});
