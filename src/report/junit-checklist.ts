import { escapeXml } from '../shared/escape.ts';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { RunSummary } from './run-summary.ts';

/** A junit.xml with no suites yet (a forced stop left none; a merged report has only the checklist). */
export const EMPTY_JUNIT = '<?xml version="1.0" encoding="UTF-8"?>\n<testsuites tests="0" failures="0" skipped="0" errors="0" time="0">\n</testsuites>\n';

/**
 * Adds a `golive checklist` testsuite to the run's junit.xml: one testcase per checklist item,
 * with <failure> for FAILED items and <skipped> for NOT_APPLICABLE and NOT_RUN ones (a partial run's
 * unexercised items count neither way). Flows are Playwright's
 * testcases; run-wide items (endpoints used, headers on every request …) are not, so without
 * this a CI gate on JUnit could pass while `golive run` exits 1.
 */
export function appendChecklistSuite(junitFile: string, summary: RunSummary): boolean {
  if (!existsSync(junitFile)) return false;
  const xml = readFileSync(junitFile, 'utf8');
  const close = xml.lastIndexOf('</testsuites>');
  if (close < 0) return false;
  const failures = summary.items.filter((i) => i.verdict === 'FAILED').length;
  const isSkipped = (verdict: string) => verdict === 'NOT_APPLICABLE' || verdict === 'NOT_RUN';
  const skipped = summary.items.filter((i) => isSkipped(i.verdict)).length;
  const cases = summary.items.map((item) => {
    const name = `${item.id} ${item.title}`;
    const text = item.findings.map((f) => `${f.verdict}: ${f.message}${f.details?.length ? `\n  ${f.details.join('\n  ')}` : ''}`).join('\n');
    const body =
      item.verdict === 'FAILED'
        ? `<failure message="${escapeXml(firstLine(item.findings.find((f) => f.verdict === 'FAILED')?.message ?? 'failed'))}" type="checklist">${escapeXml(text)}</failure>`
        : isSkipped(item.verdict)
          ? `<skipped message="${escapeXml(firstLine(item.findings[0]?.message ?? 'not applicable'))}"/>`
          : `<system-out>${escapeXml(`${item.verdict}\n${text}`)}</system-out>`;
    return `    <testcase name="${escapeXml(name)}" classname="golive checklist.${escapeXml(item.area)}" time="0">\n      ${body}\n    </testcase>`;
  });
  const suite = `  <testsuite name="golive checklist" timestamp="${escapeXml(summary.startedAt)}" hostname="golive" tests="${summary.items.length}" failures="${failures}" skipped="${skipped}" time="0" errors="0">\n${cases.join('\n')}\n  </testsuite>\n`;
  let out = xml.slice(0, close) + suite + xml.slice(close);
  // Keep the root totals consistent with the suites inside.
  out = out.replace(/<testsuites([^>]*)>/, (_m, attrs: string) => {
    const bump = (name: string, by: number) => {
      const re = new RegExp(`${name}="(\\d+)"`);
      attrs = re.test(attrs) ? attrs.replace(re, (_x, n) => `${name}="${Number(n) + by}"`) : attrs;
    };
    bump('tests', summary.items.length);
    bump('failures', failures);
    bump('skipped', skipped);
    return `<testsuites${attrs}>`;
  });
  writeFileSync(junitFile, out);
  return true;
}

const firstLine = (s: string) => s.split('\n')[0].slice(0, 500);
