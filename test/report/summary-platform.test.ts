import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeChecklistResults } from '../../src/report/allure-checklist.ts';
import type { RunSummary } from '../../src/report/run-summary.ts';
import { renderSummaryHtml } from '../../src/report/summary-html.ts';
import { renderSummaryMarkdown } from '../../src/report/summary-markdown.ts';
import { summaryModel } from '../../src/report/summary-model.ts';
import { formatSummary } from '../../src/cli/run-output.ts';

/** A platform's run of two installations: beta fails the headers, alpha's orders cover two endings. */
function platformSummary(): RunSummary {
  const none = { AUTHORIZED: [], CAPTURED: [], REFUNDED: [], CANCELLED: [] };
  return {
    runId: 'run-1',
    startedAt: '2026-12-01T10:00:00.000Z',
    finishedAt: '2026-12-01T10:05:00.000Z',
    profile: { id: 'reference-platform', name: 'Acme Shops', kind: 'partner', msn: '123456', api: 'epayment-v1' },
    target: 'embedded sandbox',
    trafficDropped: 0,
    items: [
      {
        id: 'PARTNER-HEADERS',
        title: 'Partner keys: all four Vipps-System-* headers on every request',
        area: 'Quality assurance',
        severity: 'required',
        verdict: 'FAILED',
        flows: [],
        findings: [
          { item: 'PARTNER-HEADERS', verdict: 'PASSED', message: 'Alpha Coffee (MSN 123456): All 4 API requests carry the four headers.' },
          { item: 'PARTNER-HEADERS', verdict: 'FAILED', message: 'Beta Books (MSN 234567): 4 requests of 4 break mandatory HTTP headers.' },
        ],
        installations: [
          { id: 'alpha', verdict: 'PASSED' },
          { id: 'beta', verdict: 'FAILED' },
        ],
      },
      {
        id: 'PARTNER-WEBHOOK-ROUTING',
        title: "Partner-wide webhooks are routed by the payload's msn",
        area: 'Quality assurance',
        severity: 'required',
        verdict: 'PASSED',
        flows: ['partner-platform/partner-webhook-routing@alpha', 'partner-platform/partner-webhook-routing@beta'],
        findings: [
          { item: 'PARTNER-WEBHOOK-ROUTING', verdict: 'PASSED', message: 'Alpha Coffee (MSN 123456): left the order unchanged.' },
          { item: 'PARTNER-WEBHOOK-ROUTING', verdict: 'PASSED', message: 'Beta Books (MSN 234567): left the order unchanged.' },
        ],
        installations: [
          { id: 'alpha', verdict: 'PASSED' },
          { id: 'beta', verdict: 'PASSED' },
        ],
      },
    ],
    flows: [
      { suite: 'epayment-checklist', id: 'order-captured@alpha', title: 'Captured', outcome: 'completed', references: ['a-1'], checklist: [], installation: 'alpha' },
      { suite: 'epayment-checklist', id: 'order-cancelled@alpha', title: 'Cancelled', outcome: 'completed', references: ['a-2'], checklist: [], installation: 'alpha' },
      { suite: 'epayment-checklist', id: 'order-captured@beta', title: 'Captured', outcome: 'step-failed', error: 'boom', references: ['b-1'], checklist: [], installation: 'beta' },
    ],
    evidenceReferences: { AUTHORIZED: [], CAPTURED: ['a-1'], REFUNDED: [], CANCELLED: ['a-2'] },
    counts: { FAILED: 1, PASSED: 1 },
    installations: [
      { id: 'alpha', msn: '123456', title: 'Alpha Coffee', counts: { PASSED: 2 }, flows: 2, flowsFailed: 0, evidenceReferences: { ...none, CAPTURED: ['a-1'], CANCELLED: ['a-2'] } },
      { id: 'beta', msn: '234567', title: 'Beta Books', counts: { FAILED: 1, PASSED: 1 }, flows: 1, flowsFailed: 1, evidenceReferences: none },
    ],
  };
}

describe('a platform run in the summaries', () => {
  it('the model lists each installation with its orders by MSN, and the items × installations table naming who failed', () => {
    const m = summaryModel(platformSummary());
    expect(m.platform?.installations.map((i) => [i.id, i.msn, i.references.map((r) => `${r.state}:${r.reference}`), i.missingEndings])).toEqual([
      ['alpha', '123456', ['CAPTURED:a-1', 'CANCELLED:a-2'], ['AUTHORIZED', 'REFUNDED']],
      ['beta', '234567', [], ['AUTHORIZED', 'CAPTURED', 'REFUNDED', 'CANCELLED']],
    ]);
    expect(m.platform?.installations[0].references[0].flows).toEqual(['Captured']);
    expect(m.platform?.rows.map((r) => [r.id, r.verdict, r.cells, r.failedBy])).toEqual([
      ['PARTNER-HEADERS', 'FAILED', ['PASSED', 'FAILED'], ['beta']],
      ['PARTNER-WEBHOOK-ROUTING', 'PASSED', ['PASSED', 'PASSED'], []],
    ]);
    // A merchant's run has no platform part.
    expect(summaryModel({ ...platformSummary(), installations: undefined }).platform).toBeUndefined();
  });

  it('summary.md and summary.html show the installations, orders by MSN and the table', () => {
    const md = renderSummaryMarkdown(platformSummary());
    expect(md).toContain('## Installations');
    expect(md).toMatch(/\| Beta Books \(`beta`\) \| `234567` \| 1 \(\*\*1 could not complete\*\*\) \| Failed: 1, Passed: 1 \|/);
    expect(md).toContain('### Orders of MSN `123456` (Alpha Coffee)');
    expect(md).toMatch(/\| CAPTURED \| `a-1` \| Captured \|/);
    expect(md).toContain('> **No payment of MSN 234567 ended in AUTHORIZED, CAPTURED, REFUNDED, CANCELLED.**');
    expect(md).toMatch(/\| `PARTNER-HEADERS` .* \| \*\*Failed\*\* \(beta\) \| Passed \| \*\*Failed\*\* \|/);
    const html = renderSummaryHtml(platformSummary());
    expect(html).toContain('<h2>Installations</h2>');
    expect(html).toContain('Orders of MSN <code>234567</code> (Beta Books)');
    expect(html).toMatch(/<th>Beta Books<br><code>234567<\/code><\/th>/);
  });

  it('the terminal names the installations that failed an item, and each installation in one line', () => {
    const text = formatSummary(platformSummary(), { green: String, red: String, yellow: String, dim: String, bold: String } as never);
    expect(text).toMatch(/PARTNER-HEADERS .* \(failed: beta\)/);
    expect(text).toMatch(/installation beta \(MSN 234567\): .*1 flows, 1 could not complete; references AUTHORIZED 0, CAPTURED 0/);
  });

  it('Allure gets every item once more per installation, under that installation, with its own verdict and findings', () => {
    const dir = mkdtempSync(join(tmpdir(), 'golive-platform-allure-'));
    expect(writeChecklistResults(dir, platformSummary(), { now: 1 })).toBe(2 + 2 * 2);
    const results = readdirSync(dir).map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')));
    const beta = results.filter((r) => r.labels[0].value === 'golive checklist — installation Beta Books (MSN 234567)');
    expect(beta.map((r) => [r.name.split(':')[0], r.status]).sort()).toEqual([
      ['PARTNER-HEADERS', 'failed'],
      ['PARTNER-WEBHOOK-ROUTING', 'passed'],
    ]);
    const headers = beta.find((r) => r.name.startsWith('PARTNER-HEADERS'));
    expect(headers.statusDetails.message).toBe('FAILED: 4 requests of 4 break mandatory HTTP headers.');
    expect(headers.parameters).toEqual([{ name: 'MSN', value: '234567' }]);
    expect(new Set(results.map((r) => r.historyId)).size).toBe(results.length);
  });
});
