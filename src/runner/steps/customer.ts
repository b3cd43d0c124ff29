import { StepFailure, type FlowContext } from '../flow-context.ts';
import type { StepHandlers, StepsOf } from './types.ts';
import { payWithCard } from './cards.ts';
import { approveInApp, scanQr } from './in-person.ts';

async function decide(ctx: FlowContext, action: 'approve' | 'reject', a: { redirect: boolean; via: 'landing' | 'control'; phoneNumber?: string; reference?: string }): Promise<void> {
  const order = ctx.order(a.reference);
  // No payment of this MSN with the shop's reference: the shop made it elsewhere (with partner
  // keys, perhaps under another sales unit's MSN) — the integration's doing, not the sandbox's.
  const payment = await ctx.driver.findPayment(order.reference);
  if (!payment) throw new StepFailure(`Vipps has no payment ${order.reference} of MSN ${ctx.msn}: the integration did not create the order's payment for this sales unit (another Merchant-Serial-Number, or another reference than it showed)`);
  // Against the test API the landing page is Vipps' own: golive approves through the API instead.
  const testApi = ctx.config.target === 'test-api';
  const via = a.via === 'landing' && ctx.hasBrowser && !testApi ? 'landing' : 'control';
  const options = {
    msn: ctx.msn,
    reference: order.reference,
    landingUrl: payment.landingUrl ?? payment.redirectUrl ?? order.redirectUrl,
    returnUrl: payment.returnUrl,
    redirect: a.redirect,
    phoneNumber: a.phoneNumber,
    timeoutMs: ctx.config.actionTimeoutMs,
  };
  const outcome = via === 'landing' ? await ctx.customer.viaLanding(action, await ctx.ensurePage(), options) : await ctx.customer.viaControl(action, options);
  if (testApi && a.via === 'landing' && a.redirect && ctx.page) {
    // What Vipps' landing page does once the app approved: send the browser to the returnUrl.
    const returnUrl = (await ctx.driver.payment(order.reference)).returnUrl;
    if (!returnUrl) throw new StepFailure(`payment ${order.reference} has no returnUrl in its recorded create request to return to`);
    await ctx.page.goto(returnUrl, { waitUntil: 'domcontentloaded', timeout: ctx.config.actionTimeoutMs });
    ctx.observe({ type: 'customer', at: ctx.now(), action, reference: order.reference, redirect: true, via: 'landing' });
    await ctx.recordPage('returnPage', ctx.page, false, order.reference);
    return;
  }
  // A declined card is not an approval: the checks read `customer approve` as AUTHORIZED.
  if (outcome.declined) throw new StepFailure(`the landing page declined the payment: ${outcome.declined}`);
  ctx.observe({ type: 'customer', at: ctx.now(), action, reference: order.reference, redirect: a.redirect && via === 'landing', via });
  if (via === 'landing' && a.redirect && ctx.page) await ctx.recordPage('returnPage', ctx.page, false, order.reference);
}

/** Card passthrough: the customer pays with a profile card; the PSP must reserve (after 3-D Secure if it asks). */
async function approveWithCard(ctx: FlowContext, a: { card: string; redirect: boolean; reference?: string }): Promise<void> {
  const order = ctx.order(a.reference);
  // Against the test API the PSP API's approved card is the test user's own (applicability admits no other).
  if (ctx.config.target === 'test-api') {
    await ctx.driver.decide('approve', order.reference);
    const p = await ctx.driver.payment(order.reference);
    // Reserved in the API's own word: RESERVED (PSP API), AUTHORIZED (ePayment card passthrough).
    if (p.state !== 'RESERVED' && p.state !== 'AUTHORIZED') throw new StepFailure(`the PSP did not reserve the payment with the test user's card (the payment is ${p.state} after Vipps sent the card)`);
    ctx.observe({ type: 'customer', at: ctx.now(), action: 'approve', reference: order.reference, redirect: false, via: 'control' });
    return;
  }
  const paid = await payWithCard(ctx, a.card, order.reference);
  if (paid.outcome !== 'reserved') {
    const why = paid.summary?.customerMessage ? `: the app tells the customer "${paid.summary.customerMessage}"` : '';
    throw new StepFailure(`the PSP did not reserve the payment with card "${a.card}" (card callback outcome: ${paid.outcome})${why}`);
  }
  ctx.observe({ type: 'customer', at: ctx.now(), action: 'approve', reference: order.reference, redirect: false, via: 'control' });
}

/** Steps of the simulated app user. */
export const CUSTOMER_STEPS: StepHandlers<StepsOf<'customer'>> = {
  'customer.approve': (ctx, a) =>
    a.card ? approveWithCard(ctx, { ...a, card: a.card }) : a.via === 'app' ? approveInApp(ctx, a) : decide(ctx, 'approve', { ...a, via: a.via }),
  'customer.scanQr': scanQr,
  async 'customer.tryCard'(ctx, a) {
    await payWithCard(ctx, a.card, a.reference);
  },
  'customer.reject': (ctx, a) => decide(ctx, 'reject', a),
  async 'customer.ignore'(ctx, a) {
    const order = ctx.order(a.reference);
    ctx.observe({ type: 'customer', at: ctx.now(), action: 'ignore', reference: order.reference, redirect: false, via: 'control' });
  },
  async 'customer.openLanding'(ctx, a) {
    const order = ctx.order(a.reference);
    const page = await ctx.ensurePage();
    const payment = await ctx.driver.payment(order.reference);
    const url = payment.landingUrl ?? order.redirectUrl;
    if (!url) throw new StepFailure(`payment ${order.reference} has no landing page URL to open`);
    await page.goto(url, { waitUntil: 'domcontentloaded', timeout: ctx.config.actionTimeoutMs });
    ctx.observe({ type: 'customer', at: ctx.now(), action: 'open-landing', reference: order.reference, redirect: false, via: 'landing' });
  },
};
