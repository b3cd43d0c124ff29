import { evalJsonPath } from '../../suite/index.ts';
import type { ApiName, Exchange } from '../../traffic/types.ts';
import { exchangeNumber } from '../../traffic/exchange-number.ts';
import type { PaymentView } from '../drivers/types.ts';
import { pageText } from '../../actors/page-text.ts';
import { sleep, StepFailure, type FlowContext } from '../flow-context.ts';
import { showsWanted, type OrderReading } from '../order-status.ts';
import type { StepHandlers, StepsOf } from './types.ts';

const describeReading = (r: OrderReading | undefined): string =>
  r === undefined ? 'nothing' : `${r.raw || '(no status)'}${r.statuses.join() !== r.raw ? ` (${r.statuses.join(' or ')})` : ''}`;

const listOf = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** Exchanges of `operation` (optionally of `api`, for `reference`) whose bodies match `where`. */
async function trafficMatching(ctx: FlowContext, a: { operation: string | string[]; api?: string; where?: Record<string, unknown> }, reference: string | undefined, since?: number): Promise<Exchange[]> {
  const { exchanges } = await ctx.control.traffic({ operation: listOf(a.operation), api: a.api as ApiName | undefined, reference });
  return exchanges.filter((e) => (since === undefined || e.startedAt >= since) && Object.entries(a.where ?? {}).every(([path, v]) => evalJsonPath(e.request.body, path) === v));
}

/** Expectations: the sandbox's payment, the integration's order, its page, the traffic log. */
export const EXPECT_STEPS: StepHandlers<StepsOf<'expect'>> = {
  async 'expect.payment'(ctx, a) {
    const order = ctx.order(a.reference);
    const want = ctx.driver.wantOf(a);
    const within = a.within ?? ctx.config.statusTimeoutMs;
    let last: PaymentView | undefined;
    const ok = await ctx.until(within, async () => {
      last = await ctx.driver.payment(order.reference);
      return ctx.driver.matches(last, want);
    });
    // until() returned, so its last probe read the payment.
    const seen = last as PaymentView;
    ctx.observe({ type: 'payment', at: ctx.now(), reference: order.reference, state: seen.state, aggregate: seen.aggregate });
    if (!ok) throw new StepFailure(`payment ${order.reference}: expected ${JSON.stringify(want)} within ${within} ms, but it is ${ctx.driver.describe(seen)}`);
  },
  async 'expect.merchantOrder'(ctx, a) {
    const order = ctx.order(a.reference);
    const wanted: string[] = listOf(a.status);
    const within = a.within ?? ctx.config.statusTimeoutMs;
    let seen: OrderReading | undefined;
    const ok = await ctx.until(
      within,
      async () => {
        seen = await ctx.merchantOrder(order.reference);
        return showsWanted(seen, wanted);
      },
      500,
    );
    if (!ok) throw new StepFailure(`order ${order.reference}: expected the integration to show ${wanted.join(' or ')} within ${within} ms, but it shows ${describeReading(seen)}`);
    // What the step concluded from is evidence too, even when the status did not change. The
    // step has passed: a failed re-read only means this extra observation is missing.
    await ctx.merchantStatus(order.reference, 'always').catch(() => undefined);
  },
  async 'expect.page'(ctx, a) {
    const page = ctx.lastPage;
    if (!page) {
      // Nothing of the integration's is open: judging about:blank would pass vacuously. With an
      // API checkout there is no page by design; its answer is the evidence the items judge.
      if (ctx.merchant.action('checkout').http) {
        await ctx.hooks.attach('skipped.txt', "expect.page skipped: the checkout is the integration's HTTP API and no page was opened; what the customer is told is judged from its answer", 'text/plain');
        return;
      }
      throw new StepFailure('expect.page: no page of the integration is open in this flow (open one first, e.g. merchant.returnPage)');
    }
    const texts = listOf(a.text);
    const notTexts = listOf(a.notText);
    let text = '';
    const ok = await ctx.until(a.within ?? ctx.config.statusTimeoutMs, async () => {
      text = await pageText(page, 2000);
      return texts.every((t) => text.includes(t)) && notTexts.every((t) => !text.includes(t));
    });
    ctx.observe({ type: 'page', at: ctx.now(), name: 'expect.page', url: page.url(), text });
    if (!ok) throw new StepFailure(`page ${page.url()}: expected ${texts.map((t) => `"${t}"`).join(', ')}${notTexts.length ? ` without ${notTexts.map((t) => `"${t}"`).join(', ')}` : ''}; it shows: ${text.slice(0, 300)}`);
  },
  async 'expect.traffic'(ctx, a) {
    const reference = a.reference ?? ctx.current?.reference;
    const n = (await trafficMatching(ctx, a, reference)).length;
    const { count, min, max } = a;
    const fine = (count === undefined || n === count) && (min === undefined || n >= min) && (max === undefined || n <= max) && (count !== undefined || min !== undefined || max !== undefined || n > 0);
    if (!fine) throw new StepFailure(`expected ${count ?? `${min ?? 1}..${max ?? '∞'}`} ${listOf(a.operation).join('/')} call(s)${reference ? ` for ${reference}` : ''}, saw ${n}`);
  },
  async 'expect.noTraffic'(ctx, a) {
    const startedAt = ctx.now();
    if (a.during) await sleep(a.during);
    const matching = await trafficMatching(ctx, a, ctx.current?.reference, startedAt);
    if (matching.length > 0) throw new StepFailure(`expected no ${listOf(a.operation).join('/')} calls, saw ${matching.length}: ${matching.map((e) => exchangeNumber(e)).join(', ')}`);
  },
};
