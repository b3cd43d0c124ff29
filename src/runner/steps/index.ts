import type { ResolvedStep, StepName } from '../../suite/index.ts';
import { sleep, type FlowContext } from '../flow-context.ts';
import { CUSTOMER_STEPS } from './customer.ts';
import { EXPECT_STEPS } from './expect.ts';
import { MERCHANT_STEPS } from './merchant.ts';
import { SANDBOX_STEPS } from './sandbox.ts';
import type { StepHandler, StepHandlers } from './types.ts';

/** Every step kind's handler: a step kind added to the suite language without one does not compile. */
export const STEP_HANDLERS: StepHandlers<StepName> = {
  ...MERCHANT_STEPS,
  ...CUSTOMER_STEPS,
  ...SANDBOX_STEPS,
  ...EXPECT_STEPS,
  async wait(_ctx, a) {
    await sleep((a.ms ?? 0) + (a.seconds ?? 0) * 1000);
  },
  async set(ctx, a) {
    Object.assign(ctx.scope.vars as Record<string, unknown>, a);
  },
};

export function runStep(ctx: FlowContext, step: ResolvedStep): Promise<void> {
  // TypeScript cannot correlate `step.name` with `step.args` through the lookup; the table's type does.
  const handler = STEP_HANDLERS[step.name] as StepHandler<StepName>;
  return handler(ctx, step.args as never, step.name);
}
