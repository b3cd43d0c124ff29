import { join, relative } from 'node:path';
import { runFolderSize } from '../report/run-folder.ts';
import type { RunSummary } from '../report/run-summary.ts';
import { evidenceEndingsOf } from '../report/summary-model.ts';
import { oneLine, palette, type Palette } from '../report/terminal.ts';
import { formatDuration } from '../suite/duration.ts';
import type { RunReports } from './run.ts';
import { checklistItem as itemById } from '../checklist/index.ts';

const VERDICT_MARK: Record<string, string> = { PASSED: 'PASS', FAILED: 'FAIL', WARNING: 'WARN', REVIEW: 'REVIEW', NOT_APPLICABLE: 'N/A', NOT_RUN: 'NOT RUN' };

export function formatReportLocations(r: RunReports, latest: string, summary?: RunSummary): string {
  const rel = (p: string) => relative(process.cwd(), p) || '.';
  const lines = ['', `Report ${rel(r.runDir)}  (also ${rel(latest)}; ${formatBytes(runFolderSize(r.runDir).total)} in ${r.files} files)`, `  run date   ${r.runDate}`];
  if (r.summaryHtml) lines.push(`  summary    ${rel(r.summaryHtml)}  (printable; also summary.md, summary.json)`);
  // The Allure HTML loads its data with fetch: opened as a file it shows "Failed to fetch".
  lines.push(r.allure.ok && r.allure.htmlDir ? `  allure     ${rel(r.allure.htmlDir)}/  (serve it: npx golive report --open ${rel(r.runDir)})` : `  allure     not generated: ${r.allure.message}`);
  lines.push(`  junit      ${rel(join(r.runDir, 'junit.xml'))}`);
  lines.push(`  manifest   ${rel(r.manifest)}  (sha256 ${r.manifestSha256})`);
  lines.push(`  verify     golive evidence verify ${rel(r.runDir)}`);
  if (summary) lines.push(...whatNext(summary, r));
  return lines.join('\n');
}

/**
 * The end of a run says what a person does next: the counts, the first reason of each FAILED item
 * (fix these), one line per REVIEW item on what a person must check (the check's REVIEW finding
 * says it; the item's rule when a finding is missing), and the command that opens the report.
 */
export function whatNext(summary: RunSummary, r: Pick<RunReports, 'runDir' | 'summaryHtml'>): string[] {
  const rel = (p: string) => relative(process.cwd(), p) || '.';
  const out: string[] = ['', `What next — ${countsLine(summary.counts)}`];
  const reason = (item: RunSummary['items'][number], verdict: string, max: number) =>
    oneLine((item.findings.find((f) => f.verdict === verdict)?.message ?? item.findings[0]?.message ?? itemById(item.id)?.rule ?? '').replace(/\s+/g, ' '), max);
  const failed = summary.items.filter((i) => i.verdict === 'FAILED');
  const review = summary.items.filter((i) => i.verdict === 'REVIEW');
  if (failed.length) {
    out.push('', `Fix (FAILED, ${failed.length}) — the first reason of each; the flows and exchanges behind it are in the report:`);
    for (const i of failed) out.push(`  ${i.id}: ${reason(i, 'FAILED', 150)}`);
  }
  if (review.length) {
    out.push('', `A person must check (REVIEW, ${review.length}) — the evidence is attached to each item in the report's "golive checklist" suite:`);
    for (const i of review) out.push(`  ${i.id}: ${reason(i, 'REVIEW', 200)}`);
  }
  if (!failed.length && !review.length && !summary.partial) out.push('', 'Every item that applies passed: submit summary.html (printable) with the checklist.');
  out.push('', `Open the report:   npx golive report --open ${rel(r.runDir)}`);
  if (r.summaryHtml) out.push(`Printable summary: ${rel(r.summaryHtml)}`);
  if (summary.partial) out.push('This run is partial: run the full suite for evidence the checklist review accepts.');
  return out;
}

/** `36 PASS, 1 FAIL, 6 REVIEW` */
export function countsLine(counts: RunSummary['counts']): string {
  return Object.entries(counts)
    .filter(([, n]) => n > 0)
    .map(([k, v]) => `${v} ${VERDICT_MARK[k] ?? k}`)
    .join(', ');
}

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MB`;
  if (n >= 1024) return `${Math.round(n / 1024)} KB`;
  return `${n} B`;
}

export function formatSummary(summary: RunSummary, c: Palette = palette()): string {
  const colour: Record<string, (t: string) => string> = { PASSED: c.green, FAILED: c.red, WARNING: c.yellow, REVIEW: c.yellow, NOT_APPLICABLE: c.dim, NOT_RUN: c.dim };
  const lines = [`\nChecklist verdicts — profile ${oneLine(summary.profile.id, 60)} (MSN ${oneLine(summary.profile.msn, 20)}), ${summary.target}\n`];
  const width = Math.max(...summary.items.map((i) => i.id.length));
  for (const item of summary.items) {
    const mark = (VERDICT_MARK[item.verdict] ?? item.verdict).padEnd(7);
    // A platform's item names the installations that failed it.
    const failedBy = (item.installations ?? []).filter((i) => i.verdict === 'FAILED').map((i) => i.id);
    lines.push(`  ${(colour[item.verdict] ?? ((t: string) => t))(mark)} ${item.id.padEnd(width)}  ${oneLine(item.title, 100)}${failedBy.length ? c.red(` (failed: ${failedBy.join(', ')})`) : ''}`);
  }
  lines.push('');
  lines.push(`  ${countsLine(summary.counts)}`);
  if (summary.timeouts) lines.push(`  timeouts: action ${formatDuration(summary.timeouts.action)}, status ${formatDuration(summary.timeouts.status)}`);
  const failedFlows = summary.flows.filter((f) => f.outcome === 'step-failed');
  if (failedFlows.length) {
    lines.push(`  flows that could not complete:`);
    for (const f of failedFlows) lines.push(`    ${f.suite}/${f.id}: ${oneLine(f.error ?? 'failed', 160)}`);
  }
  const refs = summary.evidenceReferences;
  const endings = evidenceEndingsOf(summary.profile.api);
  lines.push(`\n  evidence references: ${endings.map((e) => `${e.label} ${refs[e.state].length}`).join(', ')} (environment: ${summary.environment ?? 'sandbox'})`);
  for (const i of summary.installations ?? []) {
    lines.push(`  installation ${oneLine(i.id, 40)} (MSN ${oneLine(i.msn, 20)}): ${countsLine(i.counts)}; ${i.flows} flows${i.flowsFailed ? `, ${i.flowsFailed} could not complete` : ''}; references ${endings.map((e) => `${e.label} ${i.evidenceReferences[e.state].length}`).join(', ')}`);
  }
  if (summary.partial) {
    lines.push(`\n  ${c.yellow('PARTIAL RUN')} — not evidence for the checklist submission: ${summary.partial.reasons.join('; ')}.`);
    lines.push('  NOT RUN items count neither for nor against the exit code; run the full suite for the submission.');
  }
  return lines.join('\n');
}
