import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A flow's "checklist verdicts" step as honest as its verdicts. Playwright ends the step when the
 * items are judged, so it is always passed; after the run the step takes the status of the worst
 * item the flow judged (FAILED → failed, WARNING → broken, REVIEW → unknown, as the checklist
 * items' own results, allure-checklist.ts) and gets one sub-step per item with its verdict.
 * The verdicts come from the flow's `findings.json` attachment, written beside the step.
 */
export const VERDICT_STEP = 'checklist verdicts';

type Status = 'passed' | 'failed' | 'broken' | 'unknown' | 'skipped';

const STATUS: Record<string, Status> = { PASSED: 'passed', FAILED: 'failed', WARNING: 'broken', REVIEW: 'unknown', NOT_APPLICABLE: 'skipped', NOT_RUN: 'skipped' };
/** Which verdict colours the step when several items differ. */
const WORST_FIRST = ['FAILED', 'WARNING', 'REVIEW'];

interface ItemResult {
  item: string;
  verdict: string;
  findings: { verdict: string; message: string }[];
}

interface AllureStep {
  name: string;
  status?: Status;
  statusDetails?: { message?: string; trace?: string };
  stage?: string;
  start?: number;
  stop?: number;
  steps?: AllureStep[];
  attachments?: { name: string; source: string }[];
  parameters?: unknown[];
}

/** allure-playwright files a test-level attachment as a step of its own: look in both. */
function attachmentNamed(node: AllureStep, name: string): { name: string; source: string } | undefined {
  return node.attachments?.find((a) => a.name === name) ?? node.steps?.map((s) => attachmentNamed(s, name)).find(Boolean);
}

/** The step's status for a flow's item results: the worst verdict's, or passed. */
export function verdictStepStatus(results: readonly ItemResult[]): Status {
  const worst = WORST_FIRST.find((v) => results.some((r) => r.verdict === v));
  return worst ? STATUS[worst] : 'passed';
}

/** Rewrite the verdict step of every flow result in `resultsDir`; returns how many changed. */
export function markVerdictSteps(resultsDir: string): number {
  if (!existsSync(resultsDir)) return 0;
  let changed = 0;
  for (const f of readdirSync(resultsDir)) {
    if (!f.endsWith('-result.json')) continue;
    const file = join(resultsDir, f);
    const result = JSON.parse(readFileSync(file, 'utf8')) as AllureStep;
    const step = result.steps?.find((s) => s.name === VERDICT_STEP);
    const findings = attachmentNamed(result, 'findings.json');
    // A step that broke itself (judging threw) keeps its own status and error.
    if (!step || !findings || step.status !== 'passed' || !existsSync(join(resultsDir, findings.source))) continue;
    const items = JSON.parse(readFileSync(join(resultsDir, findings.source), 'utf8')) as ItemResult[];
    if (step.steps?.some((s) => items.some((r) => s.name.startsWith(`${r.item}: `)))) continue; // marked already
    const status = verdictStepStatus(items);
    const time = { start: step.stop ?? step.start, stop: step.stop ?? step.start };
    step.steps = [
      ...(step.steps ?? []),
      ...items.map((r): AllureStep => {
        const own = r.findings.find((x) => x.verdict === r.verdict) ?? r.findings[0];
        return { name: `${r.item}: ${r.verdict.replace('_', ' ')}`, status: STATUS[r.verdict] ?? 'unknown', statusDetails: own && r.verdict !== 'PASSED' ? { message: own.message } : {}, stage: 'finished', ...time, steps: [], attachments: [], parameters: [] };
      }),
    ];
    if (status !== 'passed') {
      step.status = status;
      step.statusDetails = { message: items.filter((r) => STATUS[r.verdict] === status).map((r) => `${r.item} ${r.verdict}: ${r.findings.find((x) => x.verdict === r.verdict)?.message ?? ''}`).join('\n') };
    }
    writeFileSync(file, JSON.stringify(result));
    changed++;
  }
  return changed;
}
