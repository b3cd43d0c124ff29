import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appendChecklistSuite } from '../../src/report/junit-checklist.ts';
import type { RunSummary } from '../../src/report/run-summary.ts';

const summary = {
  startedAt: '2026-11-21T06:00:00.000Z',
  items: [
    { id: 'EP-HEADERS', title: 'HTTP headers', area: 'Quality assurance', severity: 'required', verdict: 'FAILED', flows: [], findings: [{ item: 'EP-HEADERS', verdict: 'FAILED', message: '3 requests without Vipps-System-Name <&>', details: ['#4 POST /epayment/v1/payments: no Vipps-System-Name'] }] },
    { id: 'EP-POLLING', title: 'Poll for payment details', area: 'Avoid integration pitfalls', severity: 'required', verdict: 'PASSED', flows: [], findings: [{ item: 'EP-POLLING', verdict: 'PASSED', message: 'polled' }] },
    { id: 'EP-CUSTOMER-PRESENT', title: 'Customer present', area: 'Avoid integration pitfalls', severity: 'recommended', verdict: 'NOT_APPLICABLE', flows: [], findings: [{ item: 'EP-CUSTOMER-PRESENT', verdict: 'NOT_APPLICABLE', message: 'Not applicable: not in-store.' }] },
  ],
} as unknown as RunSummary;

describe('checklist verdicts in junit.xml', () => {
  it('adds one testcase per item, failures for FAILED items, and keeps the root totals right', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'junit-')), 'junit.xml');
    writeFileSync(file, `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites id="" name="" tests="2" failures="0" skipped="0" errors="0" time="1.5">\n  <testsuite name="flows" tests="2" failures="0"><testcase name="a" classname="x" time="1"/><testcase name="b" classname="x" time="0.5"/></testsuite>\n</testsuites>\n`);
    expect(appendChecklistSuite(file, summary)).toBe(true);
    const xml = readFileSync(file, 'utf8');
    expect(xml).toMatch(/<testsuites id="" name="" tests="5" failures="1" skipped="1" errors="0"/);
    expect(xml).toMatch(/<testsuite name="golive checklist"[^>]* tests="3" failures="1" skipped="1"/);
    expect(xml.match(/<testcase /g)).toHaveLength(5);
    expect(xml).toContain('<failure message="3 requests without Vipps-System-Name &lt;&amp;&gt;" type="checklist">');
    expect(xml).toContain('<skipped message="Not applicable: not in-store."/>');
    expect(xml).not.toContain('<&>');
    expect(xml.trim().endsWith('</testsuites>')).toBe(true);
  });

  it('leaves a missing or foreign file alone', () => {
    const dir = mkdtempSync(join(tmpdir(), 'junit-'));
    expect(appendChecklistSuite(join(dir, 'nope.xml'), summary)).toBe(false);
    writeFileSync(join(dir, 'other.xml'), '<root/>');
    expect(appendChecklistSuite(join(dir, 'other.xml'), summary)).toBe(false);
    expect(readFileSync(join(dir, 'other.xml'), 'utf8')).toBe('<root/>');
  });
});
