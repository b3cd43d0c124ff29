import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { evaluateFlow } from '../../src/checks/index.ts';
import { renderSummaryHtml } from '../../src/report/summary-html.ts';
import { judgeRun, type RunFacts } from '../../src/runner/finish.ts';
import { flowTraffic, readRecordedRun } from '../checks/recorded-fixture.ts';

const RECORDED = resolve(import.meta.dirname, '../checks/fixtures/recorded/baseline.json.gz');

/** The summary of a full recorded run of the ePayment suite (the reference merchant, no fault). */
function fullRunSummary() {
  const run = readRecordedRun(RECORDED);
  const evidence = run.flows.map((f) => ({
    record: f.record,
    merchantTraffic: f.merchantTraffic,
    results: f.record.outcome === 'not-applicable' ? [] : evaluateFlow(f.record.checklist, { traffic: flowTraffic(run, f), flows: [f.record], profile: run.profile }),
  }));
  const flows = run.flows.map((f) => ({ suite: f.record.suite, id: f.record.id, title: f.record.title }));
  const facts: RunFacts = {
    runId: run.runId,
    startedAt: run.recordedAt,
    profile: { id: run.profile.id, kind: run.profile.kind, msn: run.profile.msn, name: 'Reference merchant' },
    facts: run.profile,
    target: 'embedded sandbox (http://127.0.0.1:1)',
    timeouts: { action: 15_000, status: 15_000 },
    suiteFlows: flows,
    planned: flows,
    trafficDropped: 0,
  };
  const traffic = [...run.traffic, ...run.flows.flatMap((f) => f.merchantTraffic)].sort((a, b) => a.startedAt - b.startedAt || a.seq - b.seq);
  return judgeRun(facts, traffic, evidence);
}

describe('summary.html in print', () => {
  it('prints a full ePayment run on at most 8 A4 pages, every item on it', async () => {
    const summary = fullRunSummary();
    expect(summary.items.length).toBeGreaterThanOrEqual(45);
    const file = join(mkdtempSync(join(tmpdir(), 'golive-print-')), 'summary.html');
    writeFileSync(file, renderSummaryHtml(summary));
    const browser = await chromium.launch({ executablePath: process.env.GOLIVE_CHROMIUM ?? '/usr/bin/chromium', args: ['--disable-gpu', '--no-first-run'] });
    try {
      const page = await browser.newPage();
      await page.goto(pathToFileURL(file).href);
      const pdf = await page.pdf({ format: 'A4' });
      const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? []).length;
      expect(pages).toBeGreaterThan(1);
      expect(pages).toBeLessThanOrEqual(8);
      // In print every item keeps its row with a one-line reason; the long findings are screen-only.
      await page.emulateMedia({ media: 'print' });
      const rows = await page.locator('table.items tbody tr').count();
      expect(rows).toBe(summary.items.length);
      expect(await page.locator('.reason').first().isVisible()).toBe(true);
      expect(await page.locator('ul.findings').first().isVisible()).toBe(false);
    } finally {
      await browser.close();
    }
  }, 60_000);
});
