import { sleep, StepFailure } from '../flow-context.ts';
import type { StepArgs } from '../../suite/index.ts';
import type { StepHandlers, StepsOf } from './types.ts';
import type { FlowContext } from '../flow-context.ts';
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
    if (a.otherSalesUnit) return crossedDelivery(ctx, a);
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

/**
 * A platform's partner-wide webhook gets every sales unit's events, each with its `msn` (vipps-facts
 * §3.1): golive delivers one, correctly signed, with this order's reference but the next
 * installation's MSN, and reads the order before and after — routing by reference alone changes it.
 */
async function crossedDelivery(ctx: FlowContext, a: StepArgs<'sandbox.forgeWebhook'>): Promise<void> {
  const order = ctx.order(a.reference);
  const all = ctx.o.profile.installations ?? [];
  const own = all.findIndex((i) => i.msn === ctx.msn);
  const other = all.length >= 2 ? all[(own + 1) % all.length] : undefined;
  if (!other || other.msn === ctx.msn) throw new StepFailure('sandbox.forgeWebhook { otherSalesUnit } needs a platform profile with two or more installations');
  const before = await ctx.merchantStatus(order.reference).catch(() => undefined);
  const delivery = await ctx.control.deliverWebhook({ msn: other.msn, reference: order.reference, name: a.name, success: a.success, amount: a.amount ?? order.amount, tamper: 'none' });
  await sleep(1500); // give the integration time to (wrongly) act on it
  const after = await ctx.merchantStatus(order.reference, 'always').catch(() => undefined);
  if (!delivery || (delivery.status === undefined && !delivery.error))
    throw new StepFailure(`the sandbox found no webhook registered for MSN ${other.msn} (installation ${other.id}): does the platform register a partner-wide webhook (partner keys, no Merchant-Serial-Number)?`);
  ctx.observe({ type: 'crossed-delivery', at: ctx.now(), reference: order.reference, name: a.name, msn: other.msn, ownMsn: ctx.msn, responseStatus: delivery.status, statusBefore: before, statusAfter: after });
}
