import { join, relative } from 'node:path';
import type { RunSummary } from '../report/run-summary.ts';
import { oneLine, palette, type Palette } from '../report/terminal.ts';
import { formatDuration } from '../suite/duration.ts';
import type { RunReports } from './run.ts';

const VERDICT_MARK: Record<string, string> = { PASSED: 'PASS', FAILED: 'FAIL', WARNING: 'WARN', REVIEW: 'REVIEW', NOT_APPLICABLE: 'N/A', NOT_RUN: 'NOT RUN' };

export function formatReportLocations(r: RunReports, latest: string): string {
  const rel = (p: string) => relative(process.cwd(), p) || '.';
  const lines = ['', `Report ${rel(r.runDir)}  (also ${rel(latest)})`, `  run date   ${r.runDate}`];
  if (r.summaryHtml) lines.push(`  summary    ${rel(r.summaryHtml)}  (printable; also summary.md, summary.json)`);
  lines.push(r.allure.ok && r.allure.htmlDir ? `  allure     ${rel(join(r.allure.htmlDir, 'index.html'))}` : `  allure     not generated: ${r.allure.message}`);
  lines.push(`  junit      ${rel(join(r.runDir, 'junit.xml'))}`);
  lines.push(`  manifest   ${rel(r.manifest)}  (${r.files} files; sha256 ${r.manifestSha256})`);
  lines.push(`  verify     golive evidence verify ${rel(r.runDir)}`);
  return lines.join('\n');
}

export function formatSummary(summary: RunSummary, c: Palette = palette()): string {
  const colour: Record<string, (t: string) => string> = { PASSED: c.green, FAILED: c.red, WARNING: c.yellow, REVIEW: c.yellow, NOT_APPLICABLE: c.dim, NOT_RUN: c.dim };
  const lines = [`\nChecklist verdicts — profile ${oneLine(summary.profile.id, 60)} (MSN ${oneLine(summary.profile.msn, 20)}), ${summary.target}\n`];
  const width = Math.max(...summary.items.map((i) => i.id.length));
  for (const item of summary.items) {
    const mark = (VERDICT_MARK[item.verdict] ?? item.verdict).padEnd(7);
    lines.push(`  ${(colour[item.verdict] ?? ((t: string) => t))(mark)} ${item.id.padEnd(width)}  ${oneLine(item.title, 100)}`);
  }
  lines.push('');
  lines.push(`  ${Object.entries(summary.counts).map(([k, v]) => `${v} ${VERDICT_MARK[k] ?? k}`).join(', ')}`);
  if (summary.timeouts) lines.push(`  timeouts: action ${formatDuration(summary.timeouts.action)}, status ${formatDuration(summary.timeouts.status)}`);
  const failedFlows = summary.flows.filter((f) => f.outcome === 'step-failed');
  if (failedFlows.length) {
    lines.push(`  flows that could not complete:`);
    for (const f of failedFlows) lines.push(`    ${f.suite}/${f.id}: ${oneLine(f.error ?? 'failed', 160)}`);
  }
  const refs = summary.evidenceReferences;
  lines.push(`\n  evidence references: AUTHORIZED ${refs.AUTHORIZED.length}, CAPTURED ${refs.CAPTURED.length}, REFUNDED ${refs.REFUNDED.length}, CANCELLED ${refs.CANCELLED.length}`);
  if (summary.partial) {
    lines.push(`\n  ${c.yellow('PARTIAL RUN')} — not evidence for the checklist submission: ${summary.partial.reasons.join('; ')}.`);
    lines.push('  NOT RUN items count neither for nor against the exit code; run the full suite for the submission.');
  }
  return lines.join('\n');
}
