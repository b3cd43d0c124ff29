import { escapeHtml } from '../shared/escape.ts';
import type { RunSummary } from './run-summary.ts';
import { findingLines, OUTCOME_LABEL, proofLabel, summaryModel, VERDICT_LABEL, type SummaryOptions } from './summary-model.ts';
import { oneLine } from './terminal.ts';
import { platformHtml } from './summary-platform-html.ts';

/**
 * summary.html: the checklist evidence summary as one self-contained, printable page (inline
 * CSS, no scripts, no external resources): the run and its date with the freshness notice, the
 * orders by final state for the checklist submission, every item with its verdict and the flows
 * that prove it, and the flows. Every value from the run is HTML-escaped.
 */
export function renderSummaryHtml(summary: RunSummary, options: SummaryOptions = {}): string {
  const m = summaryModel(summary, options);
  const s = m.summary;
  const verdict = (v: string) => `<span class="v v-${esc(v.toLowerCase())}">${esc(VERDICT_LABEL[v] ?? v)}</span>`;
  const rows = (pairs: [string, string][]) => pairs.map(([k, v]) => `<tr><th scope="row">${esc(k)}</th><td>${v}</td></tr>`).join('\n');

  const facts = rows([
    ['Integration', `${esc(s.profile.name ?? s.profile.id)} <span class="muted">(profile ${esc(s.profile.id)}, ${esc(s.profile.kind)})</span>`],
    ['Merchant serial number', `<code>${esc(s.profile.msn)}</code>`],
    ['Run date', `<strong>${esc(m.runDate)}</strong> <span class="muted">(finished ${esc(m.finishedAt)}, ${m.durationSeconds} s)</span>`],
    ['Run', `<code>${esc(s.runId)}</code>`],
    ['Verified against', esc(s.target)],
    ['Environment', esc(m.environmentNote)],
    ...(m.goliveVersion ? ([['golive', esc(m.goliveVersion)]] as [string, string][]) : []),
  ]);

  const references = m.references.length
    ? `<table class="refs">
<thead><tr><th>Ended in</th><th>Reference</th><th>Flow</th><th>Environment</th></tr></thead>
<tbody>
${m.references.map((r) => `<tr><td><span class="state">${esc(r.state)}</span></td><td><code>${esc(r.reference)}</code></td><td>${esc(r.flows.join('; ') || '—')}</td><td><code>${esc(r.environment)}</code></td></tr>`).join('\n')}
</tbody>
</table>`
    : `<p class="warn">No payment of this merchant ended in ${esc(m.endingLabels.join(', '))} in this run.</p>`;
  const missingStates = m.missingEndings;

  const areas = m.areas
    .map(
      (area) => `<h3>${esc(area.area)}</h3>
<table class="items">
<thead><tr><th class="c-id">Item</th><th class="c-verdict">Verdict</th><th>Evidence</th><th class="c-flows">Proven by</th></tr></thead>
<tbody>
${area.items
  .map((item) => {
    const findings = findingLines(item)
      .map(
        (f) =>
          `<li>${f.verdict !== item.verdict ? `${verdict(f.verdict)} ` : ''}${esc(f.message)}${f.details.length ? `<ul class="details">${f.details.map((d) => `<li>${esc(d)}</li>`).join('')}</ul>` : ''}</li>`,
      )
      .join('');
    const title = item.docs ? `<a href="${esc(item.docs)}">${esc(item.title)}</a>` : esc(item.title);
    // Print: one line of reason and the flow ids; the findings in full are on screen, in summary.md and Allure.
    const reason = findingLines(item).find((f) => f.verdict === item.verdict)?.message ?? '';
    const ids = item.flows.map((f) => f.split('/').pop()!);
    const shortFlows = ids.length > 3 ? `${ids.slice(0, 3).join(', ')} +${ids.length - 3}` : ids.join(', ');
    return `<tr class="row-${esc(item.verdict.toLowerCase())}">
<td class="c-id"><code>${esc(item.id)}</code><div class="muted small">${esc(item.severity)}</div></td>
<td class="c-verdict">${verdict(item.verdict)}${m.showsProof && proofLabel(item) ? `<br><span class="muted">${esc(proofLabel(item)!)}</span>` : ''}</td>
<td><div class="item-title">${title}</div><ul class="findings screen-only">${findings}</ul><div class="reason print-only">${esc(oneLine(reason, 170))}</div></td>
<td class="c-flows">${item.flowTitles.length ? `<ul class="plain screen-only">${item.flowTitles.map((t) => `<li>${esc(t)}</li>`).join('')}</ul><span class="print-only">${esc(shortFlows)}</span>` : '<span class="muted">whole run</span>'}</td>
</tr>`;
  })
  .join('\n')}
</tbody>
</table>`,
    )
    .join('\n');

  const flows = `<table class="flows">
<thead><tr><th>Flow</th><th>Outcome</th><th>References</th><th>Checklist items</th></tr></thead>
<tbody>
${s.flows
  .map(
    (f) => `<tr class="outcome-${esc(f.outcome)}">
<td>${esc(f.title)}<div class="muted small"><code>${esc(`${f.suite}/${f.id}`)}</code></div></td>
<td>${esc(OUTCOME_LABEL[f.outcome] ?? f.outcome)}${f.error ? `<div class="small err">${esc(f.error)}</div>` : ''}</td>
<td>${f.references.map((r) => `<code>${esc(r)}</code>`).join('<br>') || '<span class="muted">—</span>'}</td>
<td class="small">${f.checklist.map((c) => `<code>${esc(c)}</code>`).join(' ')}</td>
</tr>`,
  )
  .join('\n')}
</tbody>
</table>`;

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="golive${m.goliveVersion ? ` ${esc(m.goliveVersion)}` : ''}">
<title>${esc(m.title)} — ${esc(m.runDate)}</title>
<style>
${CSS}
</style>
</head>
<body>
<header>
<h1>${esc(m.title)}</h1>
<p class="headline ${m.ready ? 'ok' : 'bad'}">${esc(m.headline)}</p>
<div class="freshness ${m.freshness.stale ? 'stale' : 'fresh'}" role="note">${m.freshness.stale ? '<strong>Evidence too old.</strong> ' : ''}${esc(m.freshness.message)}</div>
<table class="facts">
${facts}
</table>
<p class="counts">${m.counts.map((c) => `${verdict(c.verdict)} ${c.count}`).join(' ')}</p>
</header>

${m.platform ? platformHtml(m.platform, verdict) : ''}
<section>
<h2>Orders for the checklist submission</h2>
<p class="muted">${m.platform ? 'Payments of every installation' : `Payments of MSN <code>${esc(s.profile.msn)}</code>`} by the state they ended in (${esc(s.target)}).</p>
${references}
${missingStates.length && m.references.length ? `<p class="warn">No payment ended in ${esc(missingStates.join(', '))}.</p>` : ''}
</section>

<section>
<h2>Checklist items</h2>
<p class="muted print-only">One line per item; every finding in full is in the on-screen page, summary.md and the Allure report.</p>
${areas}
</section>

<section class="flows-section">
<h2>Flows</h2>
${flows}
</section>

<footer>
<p>Written by golive${m.goliveVersion ? ` ${esc(m.goliveVersion)}` : ''} from <code>summary.json</code> of run <code>${esc(s.runId)}</code>. Every file of the run folder is listed with its SHA-256 in <code>manifest.json</code>; check it with <code>golive evidence verify &lt;run folder&gt;</code>.</p>
</footer>
</body>
</html>
`;
}

/** HTML escaping (the shared escaper, under the short name this template uses). */
export const esc = escapeHtml;

const CSS = `
:root { --fg: #1d1d1f; --muted: #6b6b73; --line: #d9d9de; --bg-soft: #f5f5f7;
  --pass: #17713a; --pass-bg: #e3f4e8; --fail: #b3261e; --fail-bg: #fbe4e2; --warn: #8a5a00; --warn-bg: #fdf1d6;
  --review: #1e4fa3; --review-bg: #e3ecfa; --na: #55555c; --na-bg: #ececef; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0 auto; max-width: 1120px; padding: 24px 28px 48px; color: var(--fg); background: #fff;
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
h1 { font-size: 24px; margin: 0 0 8px; }
h2 { font-size: 19px; margin: 32px 0 8px; padding-bottom: 4px; border-bottom: 2px solid var(--fg); }
h3 { font-size: 15px; margin: 22px 0 6px; }
code { font: 12.5px/1.3 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; overflow-wrap: anywhere; }
a { color: inherit; text-decoration-color: var(--muted); }
table { width: 100%; border-collapse: collapse; margin: 6px 0 10px; }
th, td { text-align: left; vertical-align: top; padding: 6px 8px; border-bottom: 1px solid var(--line); }
thead th { font-size: 12px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); border-bottom: 1px solid var(--fg); }
tr { break-inside: avoid; page-break-inside: avoid; }
table.facts { width: auto; margin: 12px 0; }
table.items { table-layout: fixed; }
table.facts th { font-weight: 600; padding-right: 18px; white-space: nowrap; }
.muted { color: var(--muted); }
.small { font-size: 12px; }
.headline { font-size: 16px; font-weight: 600; margin: 4px 0 10px; }
.headline.ok { color: var(--pass); }
.headline.bad { color: var(--fail); }
.freshness { padding: 8px 12px; border-left: 4px solid var(--pass); background: var(--pass-bg); margin: 8px 0; }
.freshness.stale { border-color: var(--fail); background: var(--fail-bg); }
.warn { padding: 6px 10px; background: var(--warn-bg); border-left: 4px solid var(--warn); }
.err { color: var(--fail); margin-top: 2px; }
.counts .v { margin-right: 2px; }
.v { display: inline-block; min-width: 64px; text-align: center; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600; white-space: nowrap; }
.v-passed { color: var(--pass); background: var(--pass-bg); }
.v-failed { color: var(--fail); background: var(--fail-bg); }
.v-warning { color: var(--warn); background: var(--warn-bg); }
.v-review { color: var(--review); background: var(--review-bg); }
.v-not_applicable { color: var(--na); background: var(--na-bg); }
.state { font-weight: 600; font-size: 12px; letter-spacing: .03em; }
table.refs td:first-child { width: 130px; }
.c-id { width: 215px; }
.c-id code { white-space: nowrap; }
.c-verdict { width: 110px; }
.c-flows { width: 250px; font-size: 12.5px; }
.item-title { font-weight: 600; margin-bottom: 2px; }
ul.findings { margin: 2px 0 0; padding-left: 18px; }
ul.findings > li { margin: 2px 0; }
ul.details { margin: 2px 0; padding-left: 16px; font-size: 12px; color: var(--muted); }
ul.plain { list-style: none; margin: 0; padding: 0; }
ul.plain li + li { margin-top: 3px; }
tr.row-failed td:first-child { box-shadow: inset 3px 0 0 var(--fail); }
tr.outcome-step-failed td:first-child { box-shadow: inset 3px 0 0 var(--fail); }
footer { margin-top: 36px; padding-top: 10px; border-top: 1px solid var(--line); color: var(--muted); font-size: 12px; }
@page { size: A4; margin: 14mm 12mm; }
.print-only { display: none; }
@media print {
  body { max-width: none; padding: 0; font-size: 9pt; line-height: 1.3; }
  .screen-only { display: none; }
  .print-only { display: block; }
  span.print-only { display: inline; }
  th, td { padding: 3px 5px; }
  h2 { margin: 14px 0 4px; }
  h3 { margin: 10px 0 3px; font-size: 11pt; }
  .c-id { width: 50mm; }
  .c-verdict { width: 22mm; }
  .c-flows { width: 36mm; font-size: 8pt; }
  .reason { font-size: 8.5pt; color: var(--muted); overflow-wrap: anywhere; }
  .item-title { margin-bottom: 0; }
  table.flows td:last-child, table.flows th:last-child { display: none; }
  code { font-size: 8pt; }
  h2 { break-after: avoid; page-break-after: avoid; }
  h3 { break-after: avoid; page-break-after: avoid; }
  thead { display: table-header-group; }
  .flows-section { break-before: page; page-break-before: always; }
  a { text-decoration: none; }
}
`;
