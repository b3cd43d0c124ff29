import { escapeHtml as esc } from '../shared/escape.ts';
import type { PlatformModel } from './summary-platform.ts';
import { VERDICT_ORDER } from './summary-model.ts';

/** summary.html's platform section: each installation's counts and orders by MSN, then items × installations. */
export function platformHtml(p: PlatformModel, verdict: (v: string) => string): string {
  const counts = (c: Record<string, number>) => VERDICT_ORDER.filter((v) => c[v]).map((v) => `${verdict(v)} ${c[v]}`).join(' ');
  const overview = p.installations
    .map((i) => `<tr><td>${esc(i.title)} <code>${esc(i.id)}</code></td><td><code>${esc(i.msn)}</code></td><td>${i.flows}${i.flowsFailed ? ` <span class="warn">(${i.flowsFailed} could not complete)</span>` : ''}</td><td>${counts(i.counts)}</td></tr>`)
    .join('\n');
  const orders = p.installations
    .map((i) => {
      const rows = i.references.map((r) => `<tr><td><span class="state">${esc(r.state)}</span></td><td><code>${esc(r.reference)}</code></td><td>${esc(r.flows.join('; ') || '—')}</td></tr>`).join('\n');
      const table = rows ? `<table class="refs"><thead><tr><th>Ended in</th><th>Reference</th><th>Flow</th></tr></thead><tbody>\n${rows}\n</tbody></table>` : '';
      const missing = i.missingEndings.length ? `<p class="warn">No payment of MSN ${esc(i.msn)} ended in ${esc(i.missingEndings.join(', '))}.</p>` : '';
      return `<h3>Orders of MSN <code>${esc(i.msn)}</code> (${esc(i.title)})</h3>\n${table}\n${missing}`;
    })
    .join('\n');
  const head = p.installations.map((i) => `<th>${esc(i.title)}<br><code>${esc(i.msn)}</code></th>`).join('');
  const items = p.rows
    .map((r) => `<tr><td><code>${esc(r.id)}</code> ${esc(r.title)}</td><td>${verdict(r.verdict)}${r.failedBy.length ? ` <span class="muted">(${esc(r.failedBy.join(', '))})</span>` : ''}</td>${r.cells.map((c) => `<td>${verdict(c)}</td>`).join('')}</tr>`)
    .join('\n');
  return `<section>
<h2>Installations</h2>
<p class="muted">The platform's sales units: every flow ran once per installation, judged with its MSN; an item's platform verdict is its worst installation's.</p>
<table class="items"><thead><tr><th>Installation</th><th>MSN</th><th>Flows</th><th>Verdicts</th></tr></thead><tbody>
${overview}
</tbody></table>
${orders}
<h3>Items by installation</h3>
<table class="items"><thead><tr><th>Item</th><th>Platform</th>${head}</tr></thead><tbody>
${items}
</tbody></table>
</section>
`;
}

