import { CARD_CALLBACK_TIMEOUT_MS, type CardCallbackForgery, type CardCallbackSummary, type CustomerCardChoice } from '../../contract/card-passthrough.ts';
import { StepFailure, type FlowContext } from '../flow-context.ts';
import type { PaymentView } from '../drivers/types.ts';

/**
 * Card passthrough, the customer's side: pay with one of the profile's test cards
 * (`cardPassthrough.cards`) through the sandbox control API, which calls the PSP's card callback
 * and says what it made of the answer. A soft decline sends the customer's browser to the PSP's
 * 3-D Secure page (softDeclineUrl), where the profile's `threeDSecure` steps complete the
 * challenge; the PSP then sends the browser back to Vipps, and the sandbox sends the attempt's
 * second callback.
 */

/** How long a card payment may take: the PSP's callback deadline plus room for the sandbox. */
const CARD_PAYMENT_TIMEOUT_MS = CARD_CALLBACK_TIMEOUT_MS + 10_000;

export interface CardPayment {
  outcome: string;
  summary?: CardCallbackSummary;
  /** The payment's state after the attempt (and after a 3-D Secure step-up). */
  state?: string;
  softDecline: boolean;
}

/** The profile card of this name, as the sandbox control API takes it. */
export function profileCard(ctx: FlowContext, name: string): CustomerCardChoice {
  const cards = testCards(ctx).cards;
  const card = cards[name];
  if (!card) {
    const known = Object.keys(cards);
    throw new StepFailure(`the profile has no card "${name}" (${testCards(ctx).where}${known.length ? `: ${known.join(', ')}` : ' is empty'}): add the test card that makes your acquirer answer as "${name}" says`);
  }
  return card;
}

/** The profile's test cards and 3-D Secure steps: card passthrough's, or the PSP API's. */
function testCards(ctx: FlowContext) {
  const p = ctx.o.profile;
  const section = p.api === 'psp-v2' ? { where: 'pspApi.cards', ...p.pspApi } : { where: 'cardPassthrough.cards', ...p.cardPassthrough };
  return { where: section.where, cards: section.cards ?? {}, threeDSecure: section.threeDSecure };
}

/** Pay the flow's order with the profile card `name`; throws only when the sandbox could not ask the PSP. */
export async function payWithCard(ctx: FlowContext, name: string, reference?: string): Promise<CardPayment> {
  const order = ctx.order(reference);
  const card = profileCard(ctx, name);
  const first = await ctx.control.payWithCard(ctx.msn, order.reference, { ...card });
  let answer: { status: number; body: any } = first;
  let softDecline = false;
  if (first.status === 202) {
    softDecline = true;
    answer = await completeSoftDecline(ctx, order.reference, first.body?.cardCallback as CardCallbackSummary | undefined, first.body?.payment?.state);
  } else if (first.status !== 200 && first.status !== 402) {
    throw new StepFailure(`the sandbox refused the card payment of ${order.reference} (${first.status}): ${first.body?.error ?? JSON.stringify(first.body)}`);
  }
  const summary = (answer.body?.cardCallback ?? first.body?.cardCallback) as CardCallbackSummary | undefined;
  const payment = answer.body?.payment ?? answer.body;
  const outcome = summary?.outcome ?? (answer.status === 200 ? 'reserved' : String(answer.body?.outcome ?? 'unknown'));
  ctx.observe({
    type: 'card-attempt',
    at: ctx.now(),
    reference: order.reference,
    card: name,
    ...(card.type ? { cardType: card.type } : {}),
    outcome,
    ...(summary?.authorizationAttemptId ? { authorizationAttemptId: summary.authorizationAttemptId } : {}),
    ...(summary?.answerMs !== undefined ? { answerMs: summary.answerMs } : {}),
    softDecline,
  });
  return { outcome, summary, state: typeof payment?.state === 'string' ? payment.state : undefined, softDecline };
}

/**
 * The PSP asked for 3-D Secure: open its page in the checkout browser, run the profile's
 * `threeDSecure` steps (if any), and wait until the browser is back at Vipps (the page after the
 * second callback). Without a browser the step-up cannot be done: the control API's completion
 * would skip the PSP's own challenge, so the step fails with that reason.
 */
async function completeSoftDecline(ctx: FlowContext, reference: string, summary: CardCallbackSummary | undefined, stateBefore: string | undefined): Promise<{ status: number; body: any }> {
  const url = summary?.softDeclineUrl;
  if (!url) throw new StepFailure(`the PSP answered SOFT_DECLINE for ${reference} without a softDeclineUrl, so the customer cannot complete 3-D Secure`);
  if (!ctx.hasBrowser) throw new StepFailure('a 3-D Secure step-up needs a browser (the PSP\'s softDeclineUrl page)');
  const page = await ctx.ensurePage();
  const timeout = ctx.config.actionTimeoutMs;
  await page.goto(url, { waitUntil: 'domcontentloaded', timeout });
  const steps = testCards(ctx).threeDSecure;
  if (steps?.length) await ctx.merchant.browserSteps('threeDSecure', steps, { ...ctx.scope, reference }, page);
  const back = summary?.softDeclineCompletedRedirectUrl;
  // The PSP ends its challenge by sending the browser to softDeclineCompletedRedirectUrl (which may
  // redirect on to the merchant's returnUrl): leaving its page is the sign; the sandbox says the rest.
  await page.waitForURL((u) => u.href.split('#')[0] !== url.split('#')[0], { timeout: CARD_PAYMENT_TIMEOUT_MS, waitUntil: 'commit' }).catch(() => {
    throw new StepFailure(`the PSP's 3-D Secure page (${new URL(url).origin}) never sent the customer back to ${back ?? 'Vipps'}`);
  });
  // Wait for the sandbox to have the second callback's result: the payment leaves the state it
  // had while 3-D Secure was pending, or its record no longer shows a pending step-up.
  const deadline = Date.now() + CARD_PAYMENT_TIMEOUT_MS;
  for (;;) {
    const payment = (await ctx.driver.payment(reference)) as PaymentView & { cardPassthrough?: { attempts?: { authorizationAttemptId?: string; outcome?: string }[] }; pending3ds?: unknown };
    const attempt = payment.cardPassthrough?.attempts?.find((a) => a.authorizationAttemptId === summary?.authorizationAttemptId);
    const stillPending = payment.state === stateBefore && (attempt ? attempt.outcome === 'soft-decline' : payment.pending3ds !== undefined);
    if (!stillPending) {
      const reserved = ['AUTHORIZED', 'RESERVED'].includes(payment.state);
      return { status: reserved ? 200 : 402, body: { payment, cardCallback: { ...summary, outcome: reserved ? 'reserved' : (attempt?.outcome ?? 'declined') } } };
    }
    if (Date.now() > deadline) throw new StepFailure(`no answer to the second card callback (after 3-D Secure) for ${reference}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Send the PSP a forged card callback and record how it answered and what its order showed before and after. */
export async function forgeCardCallback(ctx: FlowContext, forgery: string, reference?: string): Promise<void> {
  const order = ctx.order(reference);
  const before = await ctx.merchantStatus(order.reference).catch(() => undefined);
  const result = await ctx.control.forgeCardCallback(ctx.msn, order.reference, forgery as CardCallbackForgery);
  const after = await ctx.merchantStatus(order.reference, 'always').catch(() => undefined);
  if ((result.status === undefined || result.status === null) && result.error) throw new StepFailure(`the forged card callback could not be delivered to the PSP: ${result.error}`);
  ctx.observe({
    type: 'card-forgery',
    at: ctx.now(),
    reference: order.reference,
    forgery,
    ...(typeof result.status === 'number' ? { responseStatus: result.status } : {}),
    ...(result.accepted !== undefined ? { accepted: result.accepted } : {}),
    statusBefore: before,
    statusAfter: after,
  });
}
