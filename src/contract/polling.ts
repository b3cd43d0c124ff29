/**
 * The polling pace (knowledge base, polling guidelines): first GET payment ≈5 s after create,
 * then every ≈2 s. A profile may declare its own pace; golive waits for an integration's polling
 * by it: a fault a flow is about stays until the integration met it, and the run ends only after
 * each payment's first polling window — both bounded by `pollingBoundMs`.
 * https://developer.vippsmobilepay.com/docs/knowledge-base/polling-guidelines/
 */
export interface PollingPace {
  firstAfterMs: number;
  intervalMs: number;
}

export const GUIDELINE_POLLING: PollingPace = { firstAfterMs: 5_000, intervalMs: 2_000 };

/** How many intervals after the first GET golive still waits (a 429 back-off, a retry, a slow poll). */
const SLACK_INTERVALS = 3;

/** Longest wait for an integration polling at `pace` to read a payment: first + a few intervals. */
export const pollingBoundMs = (pace: PollingPace = GUIDELINE_POLLING): number => pace.firstAfterMs + SLACK_INTERVALS * pace.intervalMs;

/** Time the integration gets to react to a fault it met (its next poll, a retry). */
export const reactionMs = (pace: PollingPace = GUIDELINE_POLLING): number => pace.intervalMs + 1_000;
