import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { RunSummary } from '../../src/report/run-summary.ts';
import { renderSummaryHtml } from '../../src/report/summary-html.ts';
import { renderSummaryMarkdown } from '../../src/report/summary-markdown.ts';

/** A run: one failed required item, a review item, a passed one proven by two flows, hostile text. */
function fixture(overrides: Partial<RunSummary> = {}): RunSummary {
  return {
    runId: '2026-11-21T06-06-32-238Z-0d62',
    startedAt: '2026-11-21T06:06:32.238Z',
    finishedAt: '2026-11-21T06:07:02.662Z',
    profile: { id: 'acme', name: 'Acme <Coffee> | Roasters', kind: 'partner', msn: '123456' },
    target: 'embedded sandbox (http://127.0.0.1:34731)',
    trafficDropped: 0,
    items: [
      {
        id: 'EP-ENDPOINT-CREATE',
        title: 'Create payment: POST /epayment/v1/payments',
        area: 'Endpoints to integrate',
        severity: 'required',
        docs: 'https://developer.vippsmobilepay.com/docs/APIs/epayment-api/api-guide/operations/create/',
        verdict: 'PASSED',
        flows: ['epayment-checklist/order-captured', 'epayment-checklist/order-cancelled'],
        findings: [
          { item: 'EP-ENDPOINT-CREATE', verdict: 'PASSED', message: '2 payments created with valid request bodies.' },
          { item: 'EP-ENDPOINT-CREATE', verdict: 'PASSED', message: '2 payments created with valid request bodies.' },
        ],
      },
      {
        id: 'EP-HEADERS',
        title: 'Send the HTTP headers',
        area: 'Quality assurance',
        severity: 'required',
        verdict: 'FAILED',
        flows: ['epayment-checklist/order-captured'],
        findings: [
          { item: 'EP-HEADERS', verdict: 'FAILED', message: 'No Vipps-System-Name on <script>alert(1)</script> | POST', details: ['#1 POST /accesstoken/get', '#2', '#3', '#4', '#5', '#6', '#7'] },
          { item: 'EP-HEADERS', verdict: 'PASSED', message: 'Merchant-Serial-Number sent.' },
        ],
      },
      {
        id: 'EP-DESIGN',
        title: 'Follow the design guidelines',
        area: 'Avoid integration pitfalls',
        severity: 'required',
        verdict: 'REVIEW',
        flows: [],
        findings: [{ item: 'EP-DESIGN', verdict: 'REVIEW', message: 'A person compares the screenshots with the guidelines.' }],
      },
    ],
    flows: [
      { suite: 'epayment-checklist', id: 'order-captured', title: 'A complete order ending in CAPTURED', outcome: 'completed', references: ['acme-1', 'acme-2'], checklist: ['EP-ENDPOINT-CREATE', 'EP-HEADERS'] },
      { suite: 'epayment-checklist', id: 'order-cancelled', title: 'A complete order ending in CANCELLED', outcome: 'step-failed', error: 'refund answered 501 & <b>boom</b>', references: ['acme-3|x'], checklist: ['EP-ENDPOINT-CREATE'] },
    ],
    evidenceReferences: { AUTHORIZED: ['acme-2'], CAPTURED: ['acme-1'], REFUNDED: [], CANCELLED: ['acme-3|x'] },
    counts: { PASSED: 1, FAILED: 1, REVIEW: 1 },
    ...overrides,
  };
}

const DAY = 86_400_000;
const at = (s: RunSummary, days: number) => new Date(Date.parse(s.startedAt) + days * DAY);

describe('summary.html', () => {
  it('is one self-contained, printable page with the run, its date, every item and the orders by state', async () => {
    const summary = fixture();
    const html = renderSummaryHtml(summary, { goliveVersion: '0.1.0', now: at(summary, 2) });
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|url\(/i);
    expect(html).toMatch(/@media print/);
    const dir = mkdtempSync(join(tmpdir(), 'golive-summary-'));
    const file = join(dir, 'summary.html');
    writeFileSync(file, html);

    const browser = await chromium.launch({ executablePath: process.env.GOLIVE_CHROMIUM ?? '/usr/bin/chromium', args: ['--disable-gpu', '--no-first-run'] });
    try {
      const page = await browser.newPage();
      const requests: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      const dialogs: string[] = [];
      page.on('dialog', (d) => void dialogs.push(d.message()));
      await page.goto(pathToFileURL(file).href);
      expect(requests).toEqual([pathToFileURL(file).href]); // nothing else is loaded
      expect(dialogs).toEqual([]); // hostile text stays text
      const body = await page.locator('body').innerText();
      expect(body).toContain('Acme <Coffee> | Roasters');
      expect(body).toContain('No Vipps-System-Name on <script>alert(1)</script> | POST');
      expect(body).toMatch(/Run date\s+2026-11-21 06:06 UTC/);
      expect(body).toMatch(/recorded on 2026-11-21 06:06 UTC \(2 days ago\); the checklist review accepts it for one month, until 2026-12-21/);
      expect(body).toMatch(/1 checklist item failed \(1 required\); 1 flow could not complete: not ready for go-live/);

      // The submission table: every reference with its final state and its flow.
      const refs = await page.locator('table.refs tbody tr').evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => (td as HTMLElement).innerText.trim())));
      expect(refs).toEqual([
        ['AUTHORIZED', 'acme-2', 'A complete order ending in CAPTURED', 'sandbox'],
        ['CAPTURED', 'acme-1', 'A complete order ending in CAPTURED', 'sandbox'],
        ['CANCELLED', 'acme-3|x', 'A complete order ending in CANCELLED', 'sandbox'],
      ]);
      expect(body).toMatch(/No payment ended in REFUNDED/);

      // Every item: id, verdict, and the flows that prove it.
      const items = await page.locator('table.items tbody tr').evaluateAll((rows) =>
        rows.map((r) => ({
          id: r.querySelector('.c-id code')!.textContent,
          verdict: r.querySelector('.c-verdict')!.textContent,
          flows: [...r.querySelectorAll('.c-flows li')].map((li) => li.textContent),
          findings: [...r.querySelectorAll('ul.findings > li')].length,
        })),
      );
      expect(items).toEqual([
        { id: 'EP-ENDPOINT-CREATE', verdict: 'Passed', flows: ['A complete order ending in CAPTURED', 'A complete order ending in CANCELLED'], findings: 1 },
        { id: 'EP-HEADERS', verdict: 'Failed', flows: ['A complete order ending in CAPTURED'], findings: 2 },
        { id: 'EP-DESIGN', verdict: 'Review', flows: [], findings: 1 },
      ]);
      expect(await page.locator('a[href^="https://developer.vippsmobilepay.com/"]').count()).toBe(1);
      expect(body).toContain('… (+2 more in summary.json)');
      expect(body).toContain('refund answered 501 & <b>boom</b>');

      // Printable: A4 pages, the flows on a page of their own.
      await page.emulateMedia({ media: 'print' });
      expect(await page.locator('.flows-section').evaluate((el) => getComputedStyle(el).breakBefore)).toBe('page');
      const pdf = await page.pdf({ format: 'A4', printBackground: true });
      expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    } finally {
      await browser.close();
    }
  }, 60_000);

  it('warns when the evidence is older than the one month the review accepts', () => {
    const summary = fixture();
    const fresh = renderSummaryHtml(summary, { now: at(summary, 29) });
    expect(fresh).not.toContain('Evidence too old');
    expect(fresh).toContain('class="freshness fresh"');
    const stale = renderSummaryHtml(summary, { now: at(summary, 45) });
    expect(stale).toContain('class="freshness stale"');
    expect(stale).toContain('<strong>Evidence too old.</strong> The evidence was recorded on 2026-11-21 06:06 UTC (45 days ago) and is older than the one month');
  });

  it('says so plainly when everything passed', () => {
    const summary = fixture({ items: fixture().items.filter((i) => i.verdict === 'PASSED'), flows: fixture().flows.slice(0, 1), counts: { PASSED: 1 } });
    expect(renderSummaryHtml(summary, { now: at(summary, 0) })).toContain('All checklist items passed or need no action.');
  });
});

describe('summary.md', () => {
  const rowsOf = (md: string, header: string) => {
    const lines = md.split('\n');
    const start = lines.indexOf(header);
    expect(start).toBeGreaterThanOrEqual(0);
    const rows: string[][] = [];
    for (const line of lines.slice(start + 2)) {
      if (!line.startsWith('|')) break;
      // Split on pipes that are not escaped.
      rows.push(line.slice(1, -1).split(/(?<!\\)\|/).map((c) => c.trim()));
    }
    return rows;
  };

  it('has the run date, freshness, the orders table and one row per item, with cells that cannot break the table', () => {
    const summary = fixture();
    const md = renderSummaryMarkdown(summary, { goliveVersion: '0.1.0', now: at(summary, 1) });
    expect(md).toMatch(/^# Go-live checklist evidence — Acme \\<Coffee\\> \\\| Roasters$/m);
    expect(md).toMatch(/^\| Run date \| \*\*2026-11-21 06:06 UTC\*\*/m);
    expect(md).toMatch(/^> The evidence was recorded on 2026-11-21 06:06 UTC \(1 day ago\); the checklist review accepts it for one month, until 2026-12-21\.$/m);
    expect(rowsOf(md, '| Ended in | Reference | Flow | Environment |')).toEqual([
      ['AUTHORIZED', '`acme-2`', 'A complete order ending in CAPTURED', '`sandbox`'],
      ['CAPTURED', '`acme-1`', 'A complete order ending in CAPTURED', '`sandbox`'],
      ['CANCELLED', '`acme-3\\|x`', 'A complete order ending in CANCELLED', '`sandbox`'],
    ]);
    // A sandbox run says its references cannot be looked up in the test environment.
    expect(md).toMatch(/^\| Environment \| .*exist only in golive's sandbox, not in the Vipps MobilePay test environment \|$/m);
    expect(md).toContain('> **No payment ended in REFUNDED.**');
    const items = [
      ...rowsOf(md, '| Item | Verdict | Evidence | Proven by |'),
      ...md
        .split('### ')
        .slice(2)
        .flatMap((section) => rowsOf(section, '| Item | Verdict | Evidence | Proven by |')),
    ];
    expect(items.map((r) => [r[0], r[1], r.length])).toEqual([
      ['`EP-ENDPOINT-CREATE` (required)', 'Passed', 4],
      ['`EP-HEADERS` (required)', '**Failed**', 4],
      ['`EP-DESIGN` (required)', 'Review', 4],
    ]);
    expect(items[0]![3]).toBe('A complete order ending in CAPTURED<br>A complete order ending in CANCELLED');
    expect(items[1]![2]).toContain('No Vipps-System-Name on \\<script\\>alert(1)\\</script\\> \\| POST');
    expect(items[1]![2]).toContain('Passed: Merchant-Serial-Number sent.');
    expect(md).toContain('(https://developer.vippsmobilepay.com/docs/APIs/epayment-api/api-guide/operations/create/)');
    const flows = rowsOf(md, '| Flow | Outcome | References | Checklist items |');
    expect(flows[1]![1]).toBe('**could not complete: refund answered 501 & \\<b\\>boom\\</b\\>**');
    expect(md).not.toMatch(/<script>/);
  });

  it('warns when the evidence is older than one month', () => {
    const summary = fixture();
    expect(renderSummaryMarkdown(summary, { now: at(summary, 10) })).not.toContain('too old');
    expect(renderSummaryMarkdown(summary, { now: at(summary, 40) })).toMatch(/^> \*\*Warning: evidence too old\.\*\* The evidence was recorded on 2026-11-21 06:06 UTC \(40 days ago\) and is older than the one month/m);
  });
});
