import type { RunSummary, SummaryItem } from './run-summary.ts';

/** Two runs cannot be combined (another integration, or not one test-API and one sandbox run). */
export class CombineError extends Error {
  override name = 'CombineError';
}

const judged = (i: SummaryItem | undefined) => i !== undefined && i.verdict !== 'NOT_APPLICABLE' && i.verdict !== 'NOT_RUN';

/**
 * One item's best proof: the test API's when it passed there — or failed there (a failure
 * against the real API is never hidden behind a sandbox pass) — otherwise the sandbox's verdict,
 * marked sandbox-only, with the reason the test API gave none.
 */
function bestOf(real: SummaryItem | undefined, sandbox: SummaryItem | undefined): SummaryItem {
  if (real && (real.verdict === 'PASSED' || real.verdict === 'FAILED')) return { ...real, environment: 'test-api' };
  if (sandbox && (judged(sandbox) || !real)) {
    const why = `Sandbox only — ${real ? `against the test API ${real.verdict}${real.findings[0] ? `: ${real.findings[0].message}` : ''}` : 'not judged against the test API'}`;
    return { ...sandbox, environment: judged(sandbox) ? 'sandbox' : undefined, findings: [{ item: sandbox.id, verdict: sandbox.verdict as SummaryItem['findings'][number]['verdict'], message: why }, ...sandbox.findings] };
  }
  return { ...real!, environment: judged(real) ? 'test-api' : undefined };
}

/**
 * `golive evidence combine`: a test-API run and a sandbox run of the same integration as one
 * submission summary — per item the best proof (bestOf), every reference with the environment it
 * lives in, both runs named. The result is partial when either run was.
 */
export function combineSummaries(testApi: RunSummary, sandbox: RunSummary, now = new Date()): RunSummary {
  if ((testApi.environment ?? 'sandbox') !== 'test-api') throw new CombineError(`run ${testApi.runId} is not a test-API run (${testApi.target}); pass the --target test-api run first`);
  if ((sandbox.environment ?? 'sandbox') !== 'sandbox') throw new CombineError(`run ${sandbox.runId} is not a sandbox run (${sandbox.target}); pass a sandbox run second`);
  if (testApi.profile.id !== sandbox.profile.id || testApi.profile.msn !== sandbox.profile.msn)
    throw new CombineError(`the runs test different integrations: ${testApi.profile.id} (MSN ${testApi.profile.msn}) and ${sandbox.profile.id} (MSN ${sandbox.profile.msn})`);
  const real = new Map(testApi.items.map((i) => [i.id, i]));
  const sand = new Map(sandbox.items.map((i) => [i.id, i]));
  const ids = [...new Set([...testApi.items.map((i) => i.id), ...sandbox.items.map((i) => i.id)])];
  const items = ids.map((id) => bestOf(real.get(id), sand.get(id)));
  const counts: Record<string, number> = {};
  for (const i of items) counts[i.verdict] = (counts[i.verdict] ?? 0) + 1;
  const referenceEnvironments: Record<string, 'test-api' | 'sandbox'> = {};
  const evidenceReferences = {} as RunSummary['evidenceReferences'];
  for (const state of Object.keys(testApi.evidenceReferences) as (keyof RunSummary['evidenceReferences'])[]) {
    for (const r of sandbox.evidenceReferences[state] ?? []) referenceEnvironments[r] = 'sandbox';
    for (const r of testApi.evidenceReferences[state] ?? []) referenceEnvironments[r] = 'test-api';
    // The test environment's references first: those a reviewer can look up.
    evidenceReferences[state] = [...new Set([...(testApi.evidenceReferences[state] ?? []), ...(sandbox.evidenceReferences[state] ?? [])])];
  }
  const reasons = [testApi, sandbox].flatMap((s) => (s.partial ? s.partial.reasons.map((r) => `run ${s.runId}: ${r}`) : []));
  const runs = [testApi, sandbox].map((s) => ({ runId: s.runId, environment: (s.environment ?? 'sandbox') as 'test-api' | 'sandbox', target: s.target }));
  return {
    runId: `combined-${testApi.runId}+${sandbox.runId}`,
    // The older run decides how fresh the submission is.
    startedAt: [testApi.startedAt, sandbox.startedAt].sort()[0],
    finishedAt: now.toISOString(),
    profile: testApi.profile,
    target: `combined: ${testApi.target} + ${sandbox.target}`,
    trafficDropped: testApi.trafficDropped + sandbox.trafficDropped,
    items,
    flows: [...testApi.flows, ...sandbox.flows],
    evidenceReferences,
    referenceEnvironments,
    combinedFrom: runs,
    counts,
    ...(reasons.length ? { partial: { reasons, flowsNotRun: [...(testApi.partial?.flowsNotRun ?? []), ...(sandbox.partial?.flowsNotRun ?? [])] } } : {}),
  };
}
