import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { flowAllureMetadata, allureListeners } from '../../src/report/allure.ts';
import { allureStylesheet, oneLineReason, styleAllureReport, tidyFlowResult, verdictsHtml } from '../../src/report/allure-flow-page.ts';

const results = [
  { item: 'EP-STATES-ABORTED', verdict: 'PASSED', findings: [{ verdict: 'PASSED', message: '1 payment reached ABORTED\n and the merchant followed.' }] },
  { item: 'EP-REDIRECT', verdict: 'FAILED', findings: [{ verdict: 'PASSED', message: 'fine' }, { verdict: 'FAILED', message: 'the return page showed "Thank you" for an aborted payment' }] },
  { item: 'x-custom', verdict: 'REVIEW', findings: [] },
];

describe('the verdict table of a flow page', () => {
  const html = verdictsHtml(results, ['EP-ORDER-PROD']);
  const rows = [...html.matchAll(/<tr>(.*?)<\/tr>/g)].map((m) => [...m[1].matchAll(/<t[dh][^>]*>(.*?)<\/t[dh]>/g)].map((c) => c[1]));

  it('is a table with one row per item: verdict, id, title, one-line reason, docs — each in its own cell', () => {
    expect(html.startsWith('<table>')).toBe(true);
    expect(rows[0]).toEqual(['Verdict', 'Item', 'Title', 'Reason', 'Docs']);
    expect(rows).toHaveLength(4);
    expect(rows[1][0]).toBe('PASSED');
    expect(rows[1][1]).toBe('<code>EP-STATES-ABORTED</code>');
    expect(rows[1][2]).toBe('Handle ABORTED <small>(required)</small>');
    expect(rows[1][3]).toBe('1 payment reached ABORTED and the merchant followed.');
    expect(rows[1][4]).toMatch(/^<a href="https:\/\/developer\.vippsmobilepay\.com\/docs\/[^"]+" title="[^"]+">docs<\/a>$/);
    // The reason is the finding of the item's own verdict, and says when there are more.
    expect(rows[2][3]).toBe('the return page showed &quot;Thank you&quot; for an aborted payment (+1 more in findings.json)');
    expect(rows[3][2]).toBe('<em>custom item</em>');
    expect(rows[3][4]).toBe('');
    expect(html).toContain('<code>EP-ORDER-PROD</code> (<a href="https://developer.vippsmobilepay.com/');
  });

  it('marks each verdict cell with the one attribute Allure\'s cleaner keeps, and the stylesheet colours it', () => {
    expect(html).toContain('<td axis="verdict-PASSED">PASSED</td>');
    expect(html).toContain('<td axis="verdict-FAILED">FAILED</td>');
    expect(html).not.toMatch(/ (style|class|target)=/);
    const css = allureStylesheet();
    for (const v of ['PASSED', 'FAILED', 'WARNING', 'REVIEW', 'NOT_APPLICABLE', 'NOT_RUN']) expect(css).toMatch(new RegExp(`td\\[axis="verdict-${v}"\\] \\{ background: #[0-9a-f]{6}; color: #fff; \\}`));
    expect(oneLineReason({ item: 'a', verdict: 'FAILED', findings: [{ verdict: 'FAILED', message: 'x'.repeat(300) }] }, 50)).toHaveLength(50);
  });

  it('links golive.css into a rendered report once', () => {
    const dir = mkdtempSync(join(tmpdir(), 'golive-flow-page-'));
    writeFileSync(join(dir, 'index.html'), '<html><head><title>Allure Report</title></head><body></body></html>');
    expect(styleAllureReport(dir)).toBe(true);
    expect(styleAllureReport(dir)).toBe(true);
    const index = readFileSync(join(dir, 'index.html'), 'utf8');
    expect(index.match(/golive\.css/g)).toHaveLength(1);
    expect(index.indexOf('golive.css')).toBeLessThan(index.indexOf('</head>'));
    expect(readFileSync(join(dir, 'golive.css'), 'utf8')).toContain('verdict-FAILED');
    expect(styleAllureReport(join(dir, 'nope'))).toBe(false);
  });
});

describe('a flow result as golive names it', () => {
  const meta = flowAllureMetadata({
    suite: { suite: 'epayment-checklist', title: 'ePayment API go-live checklist' },
    flow: { id: 'order-captured', title: 'A complete order ending in CAPTURED', checklist: ['EP-ORDER-CAPTURED'] },
    profile: { profile: 'reference-merchant', name: 'Acme', msn: '123456' },
    browser: true,
  });
  /** What allure-playwright hands the listener: its own labels (file, tags), then the flow's. */
  const playwrightResult = () => ({
    name: 'A complete order ending in CAPTURED',
    fullName: 'flows.spec.ts › ePayment API go-live checklist › A complete order ending in CAPTURED',
    titlePath: ['golive', 'flows.spec.ts', 'ePayment API go-live checklist'],
    labels: [
      { name: 'package', value: 'golive.flows.spec.ts' },
      { name: 'titlePath', value: ' >  > flows.spec.ts > ePayment API go-live checklist' },
      { name: 'tag', value: 'epayment-checklist' },
      { name: 'tag', value: 'order-captured' },
      { name: 'tag', value: 'EP-ORDER-CAPTURED' },
      ...meta.labels,
    ],
    steps: [],
  });

  it('has a breadcrumb and package by suite and flow, not the spec file, and no tag soup', () => {
    const result = playwrightResult();
    allureListeners()[0].beforeTestResultWrite(result);
    expect(result.fullName).toBe('epayment-checklist/order-captured');
    expect(result.titlePath).toEqual(['golive: Acme', 'ePayment API go-live checklist', 'browser-driven flows']);
    expect(JSON.stringify(result)).not.toContain('flows.spec.ts');
    expect(result.labels.filter((l) => l.name === 'tag')).toEqual([]);
    expect(result.labels.find((l) => l.name === 'package')?.value).toBe('golive.epayment-checklist');
    // The Suites tree: one parentSuite, suite and subSuite each, set by golive.
    for (const [name, value] of [['parentSuite', 'golive: Acme'], ['suite', 'ePayment API go-live checklist'], ['subSuite', 'browser-driven flows']])
      expect(result.labels.filter((l) => l.name === name).map((l) => l.value)).toEqual([value]);
  });

  it('leaves results that are not flows alone', () => {
    const item = { fullName: 'golive checklist#EP-DESIGN', labels: [{ name: 'tag', value: 'REVIEW' }] };
    tidyFlowResult(item);
    expect(item).toEqual({ fullName: 'golive checklist#EP-DESIGN', labels: [{ name: 'tag', value: 'REVIEW' }] });
  });
});
