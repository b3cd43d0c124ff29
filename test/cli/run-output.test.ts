import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatReportLocations, whatNext } from '../../src/cli/run-output.ts';
import type { RunReports } from '../../src/cli/run.ts';
import type { RunSummary, SummaryItem } from '../../src/report/run-summary.ts';

const item = (id: string, verdict: string, findings: [string, string][] = []): SummaryItem => ({
  id,
  title: id,
  area: 'Quality assurance',
  severity: 'required',
  verdict,
  flows: [],
  findings: findings.map(([v, message]) => ({ verdict: v, message })) as SummaryItem['findings'],
});

function summary(items: SummaryItem[], partial = false): RunSummary {
  const counts: Record<string, number> = {};
  for (const i of items) counts[i.verdict] = (counts[i.verdict] ?? 0) + 1;
  return {
    runId: 'r1',
    startedAt: '2026-12-01T10:00:00.000Z',
    finishedAt: '2026-12-01T10:01:00.000Z',
    profile: { id: 'reference-merchant', kind: 'partner', msn: '123456' },
    target: 'embedded sandbox',
    trafficDropped: 0,
    items,
    flows: [],
    evidenceReferences: { AUTHORIZED: [], CAPTURED: [], REFUNDED: [], CANCELLED: [] },
    counts,
    ...(partial ? { partial: { reasons: ['the run selected 2 of 19 flows'], flowsNotRun: [] } } : {}),
  };
}

function runFolder(): RunReports {
  const runDir = join(mkdtempSync(join(tmpdir(), 'golive-run-output-')), 'run-1');
  mkdirSync(runDir);
  writeFileSync(join(runDir, 'summary.html'), 'x'.repeat(3 * 1024));
  writeFileSync(join(runDir, 'traffic.json'), 'y'.repeat(2 * 1024 * 1024));
  return {
    runDir,
    summaryHtml: join(runDir, 'summary.html'),
    allure: { ok: true, htmlDir: join(runDir, 'allure-report'), message: '' },
    manifest: join(runDir, 'manifest.json'),
    manifestSha256: 'ab'.repeat(32),
    files: 2,
    runDate: '2026-12-01 10:00 UTC',
  };
}

const FIXTURE = summary([
  item('EP-ENDPOINT-CREATE', 'PASSED', [['PASSED', 'created']]),
  item('EP-HEADERS', 'FAILED', [['PASSED', 'token fine'], ['FAILED', 'Vipps-System-Name missing on 3 of 9 requests'], ['FAILED', 'second reason']]),
  item('EP-POLLING', 'FAILED', [['FAILED', 'polled every 100 ms\nafter the payment ended']]),
  item('EP-DESIGN', 'REVIEW', [['REVIEW', 'Manual: compare the Vipps MobilePay branding on 4 screenshots with the design guidelines.']]),
  item('EP-SUPPORT', 'REVIEW'),
  item('EP-NORDIC', 'WARNING', [['WARNING', 'phone prefilled as +47']]),
]);

describe('the end of a run', () => {
  it('gives the counts, the first reason of each FAILED item, one line per REVIEW item and the command that opens the report', () => {
    const reports = runFolder();
    const text = whatNext(FIXTURE, reports).join('\n');
    const rel = relative(process.cwd(), reports.runDir);
    expect(text).toContain('What next — 1 PASS, 2 FAIL, 2 REVIEW, 1 WARN');
    expect(text).toContain('Fix (FAILED, 2)');
    expect(text).toContain('  EP-HEADERS: Vipps-System-Name missing on 3 of 9 requests\n');
    expect(text).not.toContain('second reason');
    expect(text).not.toContain('token fine');
    expect(text).toContain('  EP-POLLING: polled every 100 ms after the payment ended');
    expect(text).toContain('A person must check (REVIEW, 2)');
    expect(text).toContain('  EP-DESIGN: Manual: compare the Vipps MobilePay branding on 4 screenshots with the design guidelines.');
    // Without a finding, what to check comes from the item's rule in the catalogue.
    expect(text).toMatch(/ {2}EP-SUPPORT: \S.{20,}/);
    expect(text).toContain(`Open the report:   npx golive report --open ${rel}`);
    expect(text).toContain(`Printable summary: ${join(rel, 'summary.html')}`);
    expect(text).not.toContain('partial');
  });

  it('says when everything passed, and when a run is partial', () => {
    const reports = runFolder();
    expect(whatNext(summary([item('EP-ENDPOINT-CREATE', 'PASSED')]), reports).join('\n')).toContain('Every item that applies passed');
    const partial = whatNext(summary([item('EP-ENDPOINT-CREATE', 'PASSED'), item('EP-POLLING', 'NOT_RUN')], true), reports).join('\n');
    expect(partial).toContain('What next — 1 PASS, 1 NOT RUN');
    expect(partial).not.toContain('Every item that applies passed');
    expect(partial).toContain('This run is partial');
  });

  it('ends the report block with the run folder\'s size and what next', () => {
    const reports = runFolder();
    const text = formatReportLocations(reports, join(reports.runDir, '..', 'latest'), FIXTURE);
    expect(text).toMatch(/Report .*run-1 {2}\(also .*latest; 2\.0 MB in 2 files\)/);
    expect(text).toContain(`(serve it: npx golive report --open ${relative(process.cwd(), reports.runDir)})`);
    expect(text.trimEnd().split('\n').slice(-2)[0]).toMatch(/^Open the report: {3}npx golive report --open /);
  });
});
