import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { itemById } from '../checks/index.ts';
import { escapeHtml } from '../shared/escape.ts';

/**
 * How a flow's page looks in the Allure report.
 *
 * - The description holds the flow's verdicts as a real table: one row per judged item with a
 *   coloured verdict cell, the item's id, its title, a one-line reason and its documentation link.
 *   Allure 2 cleans descriptions with jsoup's "relaxed" safelist: no `style` or `class`, no
 *   relative links. The verdict cell is therefore marked with the one attribute it keeps that can
 *   carry a word, `axis` (`<td axis="verdict-FAILED">`), and `golive.css`, linked into the
 *   rendered report's index.html (`styleAllureReport`), colours it. Without the stylesheet the
 *   table still reads: the verdict is the cell's text.
 * - The breadcrumb (the result's fullName) and Packages tree name the flow the way golive does,
 *   `suite/flow`, not by the spec file that runs every flow (`flows.spec.ts`); Playwright's tags
 *   (`@suite @flow @ITEM-ID…`, kept for `--grep`) are not repeated as Allure tags: the items are
 *   the table's rows and the flow's Behaviors features (`tidyFlowResult`).
 */

/** The label that marks a flow's result (set by flowAllureMetadata): `suite/flow`. */
export const FLOW_LABEL = 'goliveFlow';

export const VERDICT_COLOURS: Record<string, string> = {
  PASSED: '#1f7a4a',
  FAILED: '#b3261e',
  WARNING: '#a15c00',
  REVIEW: '#6b4fbb',
  NOT_APPLICABLE: '#6b6b72',
  NOT_RUN: '#6b6b72',
};

interface JudgedItem {
  item: string;
  verdict: string;
  findings: readonly { verdict: string; message: string }[];
}

/** The reason of an item's verdict in one line: its first finding of that verdict (cut at `max`). */
export function oneLineReason(r: JudgedItem, max = 220): string {
  const own = r.findings.find((f) => f.verdict === r.verdict) ?? r.findings[0];
  const text = (own?.message ?? '').replace(/\s+/g, ' ').trim();
  const cut = [...text].length > max ? `${[...text].slice(0, max - 1).join('')}…` : text;
  const more = r.findings.length > 1 ? ` (+${r.findings.length - 1} more in findings.json)` : '';
  return cut + more;
}

/** The flow's verdicts as the HTML table of its Allure description (see the module comment). */
export function verdictsHtml(results: readonly JudgedItem[], runScoped: readonly string[] = []): string {
  const esc = escapeHtml;
  const rows = results.map((r) => {
    const item = itemById(r.item);
    const title = item ? `${esc(item.title)} <small>(${esc(item.severity)})</small>` : '<em>custom item</em>';
    const docs = item?.docs ? `<a href="${esc(item.docs)}" title="${esc(`${r.item} in the Vipps MobilePay documentation`)}">docs</a>` : '';
    return `<tr><td axis="verdict-${esc(r.verdict)}">${esc(r.verdict.replace('_', ' '))}</td><td><code>${esc(r.item)}</code></td><td>${title}</td><td>${esc(oneLineReason(r))}</td><td>${docs}</td></tr>`;
  });
  const head = '<thead><tr><th>Verdict</th><th>Item</th><th>Title</th><th>Reason</th><th>Docs</th></tr></thead>';
  const table = `<table>${head}<tbody>${rows.join('')}</tbody></table>`;
  const note = runScoped.length
    ? `<p>Judged over the whole run, with this flow's evidence (their verdicts: the golive checklist suite, and summary.html): ${runScoped
        .map((id) => {
          const docs = itemById(id)?.docs;
          return docs ? `<code>${esc(id)}</code> (<a href="${esc(docs)}">docs</a>)` : `<code>${esc(id)}</code>`;
        })
        .join(', ')}.</p>`
    : '';
  return table + note;
}

/** golive.css: the verdict tables in descriptions, and lists (Allure's own CSS removes their bullets); light and dark theme. */
export function allureStylesheet(): string {
  const cells = Object.entries(VERDICT_COLOURS)
    .map(([v, c]) => `.description__text td[axis="verdict-${v}"] { background: ${c}; color: #fff; }`)
    .join('\n');
  return `/* golive: verdict tables in Allure descriptions (src/report/allure-flow-page.ts) */
.description__text table { border-collapse: collapse; margin: 4px 0 10px; font-size: 13px; line-height: 1.35; }
.description__text th, .description__text td { border-bottom: 1px solid rgba(127, 127, 127, 0.35); padding: 5px 8px; text-align: left; vertical-align: top; }
.description__text th { font-weight: 600; }
.description__text td[axis^="verdict-"] { font-weight: 700; white-space: nowrap; letter-spacing: 0.02em; }
.description__text td code { white-space: nowrap; font-family: ui-monospace, monospace; }
.description__text ul { list-style: disc; padding-left: 1.4em; margin: 2px 0 6px; }
.description__text p { margin: 4px 0; }
${cells}
`;
}

export const STYLESHEET_FILE = 'golive.css';

/** Link golive.css into a rendered report's index.html (idempotent); false when there is no report. */
export function styleAllureReport(reportDir: string): boolean {
  const index = join(reportDir, 'index.html');
  if (!existsSync(index)) return false;
  writeFileSync(join(reportDir, STYLESHEET_FILE), allureStylesheet());
  const html = readFileSync(index, 'utf8');
  const link = `<link rel="stylesheet" href="${STYLESHEET_FILE}">`;
  if (html.includes(link)) return true;
  const at = html.indexOf('</head>');
  if (at < 0) return false;
  writeFileSync(index, `${html.slice(0, at)}    ${link}\n${html.slice(at)}`);
  return true;
}

interface ResultLike {
  fullName?: string;
  titlePath?: string[];
  labels?: { name: string; value: string }[];
}

/**
 * A flow's result as golive names it (see the module comment): fullName `suite/flow`, titlePath
 * the Suites tree's path, package `golive.<suite>`, no tag labels. Results without the flow label
 * (checklist items, anything else) are left alone.
 */
export function tidyFlowResult(result: ResultLike): void {
  const labels = result.labels ?? [];
  const flow = labels.find((l) => l.name === FLOW_LABEL)?.value;
  if (!flow) return;
  const value = (name: string) => labels.find((l) => l.name === name)?.value;
  result.fullName = flow;
  result.titlePath = ['parentSuite', 'suite', 'subSuite'].map(value).filter((v): v is string => Boolean(v));
  const suite = flow.split('/')[0];
  result.labels = labels
    .filter((l) => l.name !== 'tag' && l.name !== 'titlePath')
    .map((l) => (l.name === 'package' ? { name: 'package', value: `golive.${suite}` } : l));
}
