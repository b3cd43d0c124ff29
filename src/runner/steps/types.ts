import type { ResolvedStep, StepArgs, StepName } from '../../suite/index.ts';
import type { FlowContext } from '../flow-context.ts';

/** One step kind's interpreter: the flow's context, the step's resolved args, its name. */
export type StepHandler<N extends StepName> = (ctx: FlowContext, args: StepArgs<N>, name: N) => Promise<void>;

/** Handlers for a set of step kinds; over all of StepName, a kind without a handler does not compile. */
export type StepHandlers<K extends StepName> = { [N in K]: StepHandler<N> };

export type StepsOf<Prefix extends string> = Extract<StepName, `${Prefix}.${string}`>;

export type { ResolvedStep };
