import type { RunSummary } from './run-summary.ts';
import { findingLines, OUTCOME_LABEL, proofLabel, summaryModel, VERDICT_LABEL, VERDICT_ORDER, type SummaryModel, type SummaryOptions } from './summary-model.ts';

/**
 * summary.md: the checklist evidence summary as GitHub-flavoured Markdown, for pasting into a
 * checklist submission, a pull request or a CI job summary. Same content as summary.html.
 */
export function renderSummaryMarkdown(summary: RunSummary, options: SummaryOptions = {}): string {
  const m = summaryModel(summary, options);
  const s = m.summary;
  const out: string[] = [];
  out.push(`# ${text(m.title)}`, '');
  out.push(`**${text(m.headline)}**`, '');
  out.push(`> ${m.freshness.stale ? '**Warning: evidence too old.** ' : ''}${text(m.freshness.message)}`, '');
  out.push('| | |', '|---|---|');
  out.push(`| Integration | ${cell(s.profile.name ?? s.profile.id)} (profile \`${code(s.profile.id)}\`, ${cell(s.profile.kind)}) |`);
  out.push(`| Merchant serial number | \`${code(s.profile.msn)}\` |`);
  out.push(`| Run date | **${cell(m.runDate)}** (finished ${cell(m.finishedAt)}, ${m.durationSeconds} s) |`);
  out.push(`| Run | \`${code(s.runId)}\` |`);
  out.push(`| Verified against | ${cell(s.target)} |`);
  out.push(`| Environment | ${cell(m.environmentNote)} |`);
  if (m.goliveVersion) out.push(`| golive | ${cell(m.goliveVersion)} |`);
  out.push('');
  out.push(m.counts.map((c) => `${c.label}: **${c.count}**`).join(' · '), '');

  if (m.platform) out.push(...platformMarkdown(m.platform));
  out.push('## Orders for the checklist submission', '');
  out.push(m.platform ? `Payments of every installation by the state they ended in (${text(s.target)}); by MSN above.` : `Payments of MSN \`${code(s.profile.msn)}\` by the state they ended in (${text(s.target)}).`, '');
  if (m.references.length) {
    out.push('| Ended in | Reference | Flow | Environment |', '|---|---|---|---|');
    for (const r of m.references) out.push(`| ${r.state} | \`${code(r.reference)}\` | ${cell(r.flows.join('; ') || '—')} | \`${r.environment}\` |`);
    out.push('');
  }
  const missing = m.missingEndings;
  if (missing.length) out.push(`> **No payment ended in ${missing.join(', ')}.**`, '');

  out.push('## Checklist items', '');
  for (const area of m.areas) {
    out.push(`### ${text(area.area)}`, '');
    out.push('| Item | Verdict | Evidence | Proven by |', '|---|---|---|---|');
    for (const item of area.items) {
      const title = item.docs ? `[${cell(item.title)}](${mdUrl(item.docs)})` : cell(item.title);
      const findings = findingLines(item)
        .map((f) => `${f.verdict !== item.verdict ? `${VERDICT_LABEL[f.verdict] ?? f.verdict}: ` : ''}${cell(f.message)}${f.details.map((d) => `<br>  · ${cell(d)}`).join('')}`)
        .join('<br>');
      const flows = item.flowTitles.length ? item.flowTitles.map(cell).join('<br>') : '_whole run_';
      const proof = m.showsProof && proofLabel(item) ? `<br>_${proofLabel(item)}_` : '';
      out.push(`| \`${code(item.id)}\` (${item.severity}) | ${item.verdict === 'FAILED' ? '**Failed**' : (VERDICT_LABEL[item.verdict] ?? item.verdict)}${proof} | **${title}**<br>${findings} | ${flows} |`);
    }
    out.push('');
  }

  out.push('## Flows', '');
  out.push('| Flow | Outcome | References | Checklist items |', '|---|---|---|---|');
  for (const f of s.flows) {
    const outcome = `${OUTCOME_LABEL[f.outcome] ?? f.outcome}${f.error ? `: ${cell(f.error)}` : ''}`;
    out.push(`| ${cell(f.title)} (\`${code(`${f.suite}/${f.id}`)}\`) | ${f.outcome === 'step-failed' ? `**${outcome}**` : outcome} | ${f.references.map((r) => `\`${code(r)}\``).join('<br>') || '—'} | ${f.checklist.map((c) => `\`${code(c)}\``).join(' ')} |`);
  }
  out.push('');
  out.push(`---`, '');
  out.push(`Written by golive${m.goliveVersion ? ` ${m.goliveVersion}` : ''} from \`summary.json\` of run \`${code(s.runId)}\`. Every file of the run folder is listed with its SHA-256 in \`manifest.json\`; check it with \`golive evidence verify <run folder>\`.`, '');
  return out.join('\n');
}

/** A platform's installations: each sales unit's counts and orders by MSN, then items × installations. */
function platformMarkdown(p: NonNullable<SummaryModel['platform']>): string[] {
  const out: string[] = ['## Installations', ''];
  out.push('| Installation | MSN | Flows | Verdicts |', '|---|---|---|---|');
  for (const i of p.installations) {
    const counts = VERDICT_ORDER.filter((v) => i.counts[v]).map((v) => `${VERDICT_LABEL[v]}: ${i.counts[v]}`).join(', ');
    out.push(`| ${cell(i.title)} (\`${code(i.id)}\`) | \`${code(i.msn)}\` | ${i.flows}${i.flowsFailed ? ` (**${i.flowsFailed} could not complete**)` : ''} | ${cell(counts)} |`);
  }
  out.push('');
  for (const i of p.installations) {
    out.push(`### Orders of MSN \`${code(i.msn)}\` (${cell(i.title)})`, '');
    if (i.references.length) {
      out.push('| Ended in | Reference | Flow |', '|---|---|---|');
      for (const r of i.references) out.push(`| ${r.state} | \`${code(r.reference)}\` | ${cell(r.flows.join('; ') || '—')} |`);
      out.push('');
    }
    if (i.missingEndings.length) out.push(`> **No payment of MSN ${code(i.msn)} ended in ${i.missingEndings.join(', ')}.**`, '');
  }
  out.push('## Items by installation', '');
  out.push(`| Item | Platform | ${p.installations.map((i) => `${cell(i.title)} (\`${code(i.msn)}\`)`).join(' | ')} |`, `|---|---|${p.installations.map(() => '---|').join('')}`);
  const label = (v: string) => (v === 'FAILED' ? '**Failed**' : (VERDICT_LABEL[v] ?? v));
  for (const r of p.rows) out.push(`| \`${code(r.id)}\` ${cell(r.title)} | ${label(r.verdict)}${r.failedBy.length ? ` (${r.failedBy.map(code).join(', ')})` : ''} | ${r.cells.map(label).join(' | ')} |`);
  out.push('');
  return out;
}

/** A URL inside a Markdown link: characters that would end the link or the cell, percent-encoded. */
function mdUrl(url: string): string {
  return url.replace(/[()\s|<>]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/** Text outside tables: no raw HTML, no accidental emphasis or links. */
function text(value: unknown): string {
  return String(value ?? '')
    .replace(/\\/g, '\\\\')
    .replace(/([`*_[\]<>#|])/g, '\\$1')
    .replace(/\r?\n/g, ' ');
}

/** Text inside a table cell: also no line breaks or pipes. */
function cell(value: unknown): string {
  return text(value).trim();
}

/** Inside a code span: backticks and pipes would end it or the cell. */
function code(value: unknown): string {
  return String(value ?? '').replace(/[`|\r\n]/g, (c) => (c === '|' ? '\\|' : ' '));
}
