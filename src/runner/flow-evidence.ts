import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ItemResult } from '../checks/index.ts';
import type { FlowRecord } from '../checks/types.ts';
import type { FlowEvidence } from '../report/run-summary.ts';
import type { Flow, Suite } from '../suite/index.ts';
import type { Redactor } from '../traffic/redact.ts';

/** `flows/<suite>__<flow>.json` in the run folder: the one writer of a flow's evidence. */
export function writeFlowEvidence(runDir: string, evidence: FlowEvidence, redactor?: Redactor): void {
  const dir = join(runDir, 'flows');
  mkdirSync(dir, { recursive: true });
  // Observations hold page text and error messages: they pass the Redactor like everything written.
  const written = redactor
    ? { record: redactor.value(evidence.record), results: redactor.value(evidence.results), merchantTraffic: evidence.merchantTraffic.map((e) => redactor.exchange(e)) }
    : evidence;
  // Compact: read by programs (summary.html and the Allure report show it to people).
  writeFileSync(join(dir, `${evidence.record.suite}__${evidence.record.id}.json`), JSON.stringify(written));
}

export function readFlowEvidence(runDir: string): FlowEvidence[] {
  const dir = join(runDir, 'flows');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as FlowEvidence);
}

/** The evidence of a flow that does not apply to the profile: every item it lists NOT_APPLICABLE, no check run. */
export function notApplicableEvidence(suite: Suite, flow: Flow, reasons: string[], installation?: { id: string; msn: string }): FlowEvidence {
  const why = reasons.join('; ');
  const now = Date.now();
  const id = installation ? `${flow.id}@${installation.id}` : flow.id;
  const record: FlowRecord = {
    suite: suite.suite,
    id,
    title: flow.title,
    checklist: flow.checklist,
    references: [],
    observations: [],
    startedAt: now,
    endedAt: now,
    outcome: 'not-applicable',
    error: why,
    ...(installation ? { installation: installation.id, msn: installation.msn } : {}),
  };
  const results: ItemResult[] = flow.checklist.map((item) => ({ item, verdict: 'NOT_APPLICABLE', findings: [{ item, verdict: 'NOT_APPLICABLE', message: `Not applicable: ${why}.`, flowId: id }] }));
  return { record, results, merchantTraffic: [] };
}
