import type { ItemResult } from '../checks/index.ts';
import { EnvironmentProblem } from '../shared/errors.ts';
import { environmentProblemOf } from '../traffic/environment.ts';
import type { Exchange } from '../traffic/types.ts';
import type { FlowEvidence } from '../report/run-summary.ts';
import { WEBHOOK_OBSERVED_ITEMS } from '../suite/index.ts';

const WEBHOOK_REASON = "webhook deliveries are not observed in test-api mode: the test API sends them to the integration's public URL, which golive cannot see (no relay is configured)";

/**
 * Against the real test API some items cannot be judged at all: webhook items (deliveries go past
 * golive), and items whose every flow needs the sandbox (the run-scoped judgement would otherwise
 * read "no error happened" as a failure, when golive could not cause one). Those become NOT
 * APPLICABLE with the reason — never PASSED, never FAILED against the integration. Items some
 * applicable flow exercised keep their verdict: it was proven against the test API.
 */
export function testApiResults(results: readonly ItemResult[], evidence: readonly FlowEvidence[]): ItemResult[] {
  const flowsOf = (item: string) => evidence.filter((f) => f.record.checklist.includes(item));
  return results.map((r) => {
    const flows = flowsOf(r.item);
    let why: string | undefined;
    if (WEBHOOK_OBSERVED_ITEMS.has(r.item)) why = WEBHOOK_REASON;
    else if (flows.length > 0 && flows.every((f) => f.record.outcome === 'not-applicable'))
      why = [...new Set(flows.map((f) => `${f.record.id}: ${f.record.error ?? 'not applicable'}`))].join('; ');
    // A webhook item always says why webhooks are unseen, even when its flows were ruled out for other reasons.
    if (!why || (r.verdict === 'NOT_APPLICABLE' && !WEBHOOK_OBSERVED_ITEMS.has(r.item))) return r;
    return { item: r.item, verdict: 'NOT_APPLICABLE', findings: [{ item: r.item, verdict: 'NOT_APPLICABLE', message: `Not applicable against the test API: ${why}.` }] };
  });
}

/** Where an item's verdict was proven: against the test API, or only against a sandbox (NOT APPLICABLE and NOT RUN items prove nothing). */
export function provenIn(verdict: string, environment: 'test-api' | 'sandbox'): 'test-api' | 'sandbox' | undefined {
  return verdict === 'NOT_APPLICABLE' || verdict === 'NOT_RUN' ? undefined : environment;
}

/**
 * The upstream failures among a flow's exchanges (the proxy's 502/504, marked environmentProblem),
 * as one EnvironmentProblem to end the flow with (Allure: broken, not failed), or undefined.
 */
export function upstreamProblem(traffic: readonly Exchange[]): EnvironmentProblem | undefined {
  const notes = traffic.flatMap((e) => {
    const note = environmentProblemOf(e);
    return note ? [`${e.request.method} ${e.request.path ?? e.request.url}: ${note.cause} (${note.detail})`] : [];
  });
  if (notes.length === 0) return undefined;
  return new EnvironmentProblem(`the test environment failed during this flow — not the integration's fault; rerun it: ${notes.slice(0, 3).join('; ')}${notes.length > 3 ? ` (+${notes.length - 3} more)` : ''}`);
}

/** A flow the test environment broke proves nothing against the integration: its non-passing verdicts become NOT RUN with the reason. */
export function withoutEnvironmentBlame(results: readonly ItemResult[], problem: EnvironmentProblem): ItemResult[] {
  return results.map((r) =>
    r.verdict === 'PASSED' || r.verdict === 'NOT_APPLICABLE' ? r : { item: r.item, verdict: 'NOT_RUN', findings: [{ item: r.item, verdict: 'NOT_RUN', message: `Not judged: ${problem.message}.` }] },
  );
}
