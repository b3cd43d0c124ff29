import { sleep, StepFailure } from '../flow-context.ts';
import type { StepHandlers, StepsOf } from './types.ts';
import { forgeCardCallback } from './cards.ts';

/** Steps that act on the simulated Vipps MobilePay side: faults, clock, forged webhooks. */
export const SANDBOX_STEPS: StepHandlers<StepsOf<'sandbox'>> = {
  'sandbox.fault': (ctx, a) => ctx.addFault(a),
  async 'sandbox.clearFaults'(ctx) {
    await ctx.control.clearFaults(ctx.label);
  },
  async 'sandbox.advanceClock'(ctx, a) {
    const ms = (a.ms ?? 0) + (a.seconds ?? 0) * 1000 + (a.minutes ?? 0) * 60_000;
    ctx.clockOffset = (await ctx.control.advanceClock(ms)).offsetMs;
    ctx.observe({ type: 'clock', at: ctx.now(), advancedMs: ms });
  },
  async 'sandbox.expire'(ctx, a) {
    await ctx.driver.decide('expire', ctx.order(a.reference).reference);
  },
  async 'sandbox.forgeWebhook'(ctx, a) {
    const order = ctx.order(a.reference);
    // An order status the integration cannot show is recorded as unknown: WH-VERIFY-HMAC judges
    // the forgery from what is known, instead of the step failing.
    const before = await ctx.merchantStatus(order.reference).catch(() => undefined);
    const delivery = await ctx.control.deliverWebhook({
      msn: ctx.msn,
      reference: order.reference,
      name: a.name,
      success: a.success,
      ...(a.amount !== undefined ? { amount: a.amount } : {}),
      tamper: a.tamper ?? 'none',
    });
    await sleep(1500); // give the integration time to (wrongly) act on it
    const after = await ctx.merchantStatus(order.reference, 'always').catch(() => undefined);
    if (!delivery || (delivery.status === undefined && !delivery.error)) throw new StepFailure('the sandbox found no registered webhook to forge a delivery to (does the integration register webhooks?)');
    ctx.observe({
      type: 'webhook-forgery',
      at: ctx.now(),
      reference: order.reference,
      tamper: a.tamper ?? 'none',
      responseStatus: delivery.status,
      statusBefore: before,
      statusAfter: after,
    });
  },
  'sandbox.forgeCardCallback': (ctx, a) => forgeCardCallback(ctx, a.forgery, a.reference),
  'sandbox.duplicateWebhooks': (ctx, a) => ctx.addFault({ effect: { type: 'webhook-duplicate', copies: a.copies } }),
};
