import type { ItemResult } from '../checks/index.ts';
import type { InstallationFacts } from '../checks/types.ts';
import { installationFindingPrefix, type InstallationSummary } from '../report/run-summary.ts';
import type { PlannedFlow } from './live-reporter.ts';

/**
 * A platform's run judged per installation, then over all of them (src/runner/finish.ts). Each
 * flow runs once per installation as `<flow>@<installation>` (src/runner/flows.spec.ts).
 */

/** Every flow of the suites once per installation, by the ids the flows run under. */
export function flowsPerInstallation(flows: PlannedFlow[], installations: readonly InstallationFacts[] | undefined): PlannedFlow[] {
  if (!installations?.length) return flows;
  return installations.flatMap((i) => flows.map((f) => ({ ...f, id: `${f.id}@${i.id}` })));
}

/**
 * Worst first. An item one installation did not run is not proven for the platform, so NOT_RUN
 * outranks PASSED; NOT_APPLICABLE only when it is so everywhere.
 */
const OVERALL_ORDER = ['FAILED', 'WARNING', 'REVIEW', 'NOT_RUN', 'PASSED', 'NOT_APPLICABLE'];
const rank = (v: string) => {
  const i = OVERALL_ORDER.indexOf(v);
  return i < 0 ? OVERALL_ORDER.length : i;
};

/**
 * One result per item over all installations: the worst installation's verdict, every
 * installation's findings (each message naming its installation), and each installation's verdict.
 */
export function foldInstallations(per: { installation: InstallationFacts; results: ItemResult[] }[]): (ItemResult & { installations: { id: string; verdict: string }[] })[] {
  const byItem = new Map<string, { findings: ItemResult['findings']; installations: { id: string; verdict: string }[] }>();
  for (const { installation, results } of per) {
    for (const r of results) {
      const entry = byItem.get(r.item) ?? { findings: [], installations: [] };
      entry.installations.push({ id: installation.id, verdict: r.verdict });
      entry.findings.push(...r.findings.map((f) => ({ ...f, message: `${installationFindingPrefix(installation)}${f.message}` })));
      byItem.set(r.item, entry);
    }
  }
  const order = per[0]?.results.map((r) => r.item) ?? [];
  const ids = [...order, ...[...byItem.keys()].filter((id) => !order.includes(id))];
  return ids.map((item) => {
    const { findings, installations } = byItem.get(item)!;
    const verdict = installations.map((i) => i.verdict).sort((a, b) => rank(a) - rank(b))[0];
    return { item, verdict: verdict as ItemResult['verdict'], findings, installations };
  });
}

/** An installation's part of the summary: its counts, its flows, its orders by ending. */
export function installationSummary(
  installation: InstallationFacts,
  results: ItemResult[],
  flows: { outcome: string }[],
  evidenceReferences: InstallationSummary['evidenceReferences'],
): InstallationSummary {
  const counts: Record<string, number> = {};
  for (const r of results) counts[r.verdict] = (counts[r.verdict] ?? 0) + 1;
  return { ...installation, counts, flows: flows.length, flowsFailed: flows.filter((f) => f.outcome === 'step-failed').length, evidenceReferences };
}
