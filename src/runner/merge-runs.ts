import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { RunSummary } from '../report/run-summary.ts';
import type { Exchange } from '../traffic/types.ts';
import { judgeRun, readFlowEvidence, RUN_FACTS_FILE, type RunFacts } from './finish.ts';

/** Shard k's sequence numbers move by k × this, so exchanges of different sandboxes never share one. */
const SEQ_STRIDE = 10_000_000_000;

export class MergeError extends Error {
  override name = 'MergeError';
}

/**
 * Judge several run folders (the shards of one CI run) again as ONE run: their traffic and flow
 * evidence together, so run-scoped items see every shard's exchanges and an item exercised by
 * any shard is judged — the same verdicts as one unsharded run. Each shard had its own sandbox,
 * so sequence numbers are made distinct per shard.
 */
export function mergeRuns(runDirs: string[]): RunSummary {
  const shards = runDirs.map((dir) => {
    const factsFile = join(dir, RUN_FACTS_FILE);
    if (!existsSync(factsFile)) throw new MergeError(`${dir} has no ${RUN_FACTS_FILE} (not a golive run folder, or from a golive before 0.2)`);
    const facts = JSON.parse(readFileSync(factsFile, 'utf8')) as RunFacts;
    const traffic = existsSync(join(dir, 'traffic.json')) ? (JSON.parse(readFileSync(join(dir, 'traffic.json'), 'utf8')) as Exchange[]) : [];
    return { dir, facts, traffic, evidence: readFlowEvidence(dir) };
  });
  const first = shards[0].facts;
  for (const s of shards) {
    if (s.facts.profile.id !== first.profile.id || s.facts.profile.msn !== first.profile.msn)
      throw new MergeError(`${s.dir} is a run of profile ${s.facts.profile.id} (MSN ${s.facts.profile.msn}), not ${first.profile.id} (MSN ${first.profile.msn}): only shards of one run merge`);
  }
  const union = <T extends { suite: string; id: string }>(lists: T[][]) => [...new Map(lists.flat().map((f) => [`${f.suite}/${f.id}`, f])).values()];
  const interrupted = shards.find((s) => s.facts.interruption)?.facts.interruption;
  const run: RunFacts = {
    ...first,
    runId: `merged-${shards.map((s) => basename(s.dir)).join('+')}`,
    startedAt: shards.map((s) => s.facts.startedAt).sort()[0],
    target: [...new Set(shards.map((s) => s.facts.target))].join('; '),
    suiteFlows: union(shards.map((s) => s.facts.suiteFlows)),
    planned: union(shards.map((s) => s.facts.planned)),
    interruption: interrupted,
    trafficDropped: shards.reduce((n, s) => n + s.facts.trafficDropped, 0),
  };
  const traffic = shards
    .flatMap((s, k) => (k === 0 ? s.traffic : s.traffic.map((e) => ({ ...e, seq: e.seq + k * SEQ_STRIDE }))))
    .sort((a, b) => a.startedAt - b.startedAt || a.seq - b.seq);
  return judgeRun(run, traffic, shards.flatMap((s) => s.evidence));
}
