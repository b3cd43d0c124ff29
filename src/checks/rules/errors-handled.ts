/**
 * Errors handled — "Log and handle every error the API returns (errorGroup, errorCode,
 * errorMessage, contextId), and show errors so customers and staff can see and understand them"
 * (eCom checklist; vipps-facts §6.5, §8.7).
 * https://developer.vippsmobilepay.com/docs/knowledge-base/errors/
 *
 * Rule: one row where ePayment has two: errors shown to people (the display rule, per flow that
 * met an error) and errors logged with their trace id (the log rule; eCom's is `contextId`).
 *
 * Evidence: the display rule's per flow; the log rule's over the whole run (its run-scoped part).
 */
import type { Rule } from '../types.ts';
import { errorsDisplay } from './errors-display.ts';
import { errorsLog } from './errors-log.ts';

export const errorsHandled: Rule = {
  ...errorsDisplay,
  // Judged once over the run: one flow's traffic would miss the errors other flows provoked.
  judgeRun: (input, ctx) => errorsLog.judge(input, ctx),
};
