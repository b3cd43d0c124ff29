import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { escapeHtml } from '../shared/escape.ts';
import { allureSeverity, featureName, installationSuite, SUMMARY_LINK } from './allure.ts';
import { installationFindingPrefix, type RunSummary, type SummaryItem } from './run-summary.ts';
import { findingLines } from './summary-model.ts';

/**
 * Checklist items as first-class Allure results: one test per item in a "golive checklist" suite,
 * so a reviewer who opens Allure sees every verdict — run-scoped items and REVIEW ones included —
 * and the overview's percentage counts items, not only flows. Each item carries the same Behaviors
 * feature as the flows that prove it, so Behaviors shows the item beside its flows.
 *
 * Allure has five statuses; the mapping keeps every verdict that is not a pass out of green:
 * PASSED → passed, FAILED → failed, WARNING → broken (a recommendation not met), REVIEW → broken
 * too (a person must act; its message starts "REVIEW"), NOT_APPLICABLE and NOT_RUN → skipped.
 * categories.json names each of the last four by its message.
 */
export const CHECKLIST_SUITE = 'golive checklist';

const STATUS: Record<string, 'passed' | 'failed' | 'broken' | 'unknown' | 'skipped'> = {
  PASSED: 'passed',
  FAILED: 'failed',
  WARNING: 'broken',
  // Not `unknown`: Allure's overview percentage leaves unknown results out, so six REVIEW items
  // showed as 100 %. Broken counts against it; categories.json tells REVIEW from WARNING.
  REVIEW: 'broken',
  NOT_APPLICABLE: 'skipped',
  NOT_RUN: 'skipped',
};

/** The message prefix categories.json matches (Allure matches Java regexes over the message). */
export const VERDICT_PREFIX: Record<string, string> = {
  WARNING: 'WARNING (recommendation not met)',
  REVIEW: 'REVIEW (a person must judge)',
  NOT_APPLICABLE: 'NOT APPLICABLE',
  NOT_RUN: 'NOT RUN',
  FAILED: 'FAILED',
};

export interface ChecklistResultOptions {
  /** When the results are written (Allure sorts by it; a merged report's results come last). */
  now?: number;
  /** Distinguishes the results of one summary from another's (e.g. `merged`). */
  run?: string;
  /** summary.html relative to the report (a merged report keeps its summary beside index.html). */
  summaryLink?: string;
}

/** Write one Allure result per item of `summary` into `resultsDir`; returns how many. */
export function writeChecklistResults(resultsDir: string, summary: RunSummary, options: ChecklistResultOptions = {}): number {
  mkdirSync(resultsDir, { recursive: true });
  const start = Date.parse(summary.finishedAt) || options.now || Date.now();
  const stop = options.now ?? start;
  for (const item of summary.items) {
    const result = checklistResult(item, summary, { start: Math.min(start, stop), stop }, options.summaryLink ?? SUMMARY_LINK);
    const uuid = createHash('sha256').update(`${options.run ?? summary.runId}/${item.id}`).digest('hex').slice(0, 32);
    writeFileSync(join(resultsDir, `${uuid}-result.json`), JSON.stringify({ uuid, ...result }));
  }
  // A platform's run: every item once more per installation, under that installation's suite.
  let written = summary.items.length;
  for (const installation of summary.installations ?? []) {
    const suite = `${CHECKLIST_SUITE} — ${installationSuite(installation)}`;
    for (const item of summary.items) {
      const own = installationItem(item, installation);
      if (!own) continue;
      const result = checklistResult(own, { ...summary, profile: { ...summary.profile, msn: installation.msn } }, { start: Math.min(start, stop), stop }, options.summaryLink ?? SUMMARY_LINK);
      result.labels[0] = { name: 'parentSuite', value: suite };
      const key = `${options.run ?? summary.runId}/${item.id}@${installation.id}`;
      const uuid = createHash('sha256').update(key).digest('hex').slice(0, 32);
      const historyId = createHash('md5').update(`golive-checklist/${item.id}@${installation.id}`).digest('hex');
      writeFileSync(join(resultsDir, `${uuid}-result.json`), JSON.stringify({ uuid, ...result, historyId, testCaseId: historyId, fullName: `${suite}#${item.id}` }));
      written++;
    }
  }
  return written;
}

/** One installation's view of a platform item: its verdict, and the findings about it (foldInstallations names it in each). */
export function installationItem(item: SummaryItem, installation: { id: string; msn: string; title: string }): SummaryItem | undefined {
  const verdict = item.installations?.find((i) => i.id === installation.id)?.verdict;
  if (!verdict) return undefined;
  const prefix = installationFindingPrefix(installation);
  const findings = item.findings.filter((f) => f.message.startsWith(prefix)).map((f) => ({ ...f, message: f.message.slice(prefix.length) }));
  return { ...item, verdict, findings, flows: item.flows.filter((f) => f.endsWith(`@${installation.id}`)) };
}

function checklistResult(item: SummaryItem, summary: RunSummary, time: { start: number; stop: number }, summaryLink: string) {
  const lines = findingLines(item);
  const first = lines.find((l) => l.verdict === item.verdict) ?? lines[0];
  const prefix = VERDICT_PREFIX[item.verdict];
  const message = `${prefix ? `${prefix}: ` : ''}${first?.message ?? item.verdict}`;
  const historyId = createHash('md5').update(`golive-checklist/${item.id}`).digest('hex');
  const flowTitle = new Map(summary.flows.map((f) => [`${f.suite}/${f.id}`, f.title]));
  const esc = escapeHtml;
  const descriptionHtml = [
    `<p><strong>${esc(item.verdict.replace('_', ' '))}</strong> — ${esc(item.id)}: ${esc(item.title)} <em>(${esc(item.severity)})</em></p>`,
    '<ul>',
    ...lines.map((l) => `<li><strong>${esc(l.verdict.replace('_', ' '))}</strong>: ${esc(l.message)}${l.details.length ? `<ul>${l.details.map((d) => `<li>${esc(d)}</li>`).join('')}</ul>` : ''}</li>`),
    '</ul>',
    item.flows.length ? `<p>Proven by: ${item.flows.map((f) => esc(flowTitle.get(f) ?? f)).join('; ')}</p>` : '<p>No flow of this run lists this item; it is judged over the whole run.</p>',
    // Allure's description cleaner drops relative links: the summary's link is the result's Links entry.
    `<p>Full evidence: summary.html in the run folder (linked under Links)${summary.partial ? ' — this run is partial: not evidence for the checklist submission' : ''}.</p>`,
  ].join('');
  return {
    historyId,
    testCaseId: historyId,
    name: `${item.id}: ${item.title}`,
    fullName: `${CHECKLIST_SUITE}#${item.id}`,
    status: STATUS[item.verdict] ?? 'unknown',
    statusDetails: item.verdict === 'PASSED' ? {} : { message, trace: lines.map((l) => `${l.verdict}: ${l.message}${l.details.length ? `\n  ${l.details.join('\n  ')}` : ''}`).join('\n') },
    stage: 'finished',
    start: time.start,
    stop: time.stop,
    descriptionHtml,
    labels: [
      { name: 'parentSuite', value: CHECKLIST_SUITE },
      { name: 'suite', value: item.area },
      { name: 'epic', value: 'Go-live checklist items' },
      { name: 'feature', value: featureName(item.id) },
      { name: 'story', value: `verdict: ${item.verdict}` },
      { name: 'severity', value: allureSeverity(item.severity) },
      { name: 'tag', value: item.verdict },
      { name: 'framework', value: 'golive' },
    ],
    links: [...(item.docs ? [{ name: `${item.id} — docs`, url: item.docs, type: 'link' }] : []), { name: 'summary.html — every verdict, printable', url: summaryLink, type: 'link' }],
    parameters: [{ name: 'MSN', value: summary.profile.msn }, ...(item.environment ? [{ name: 'proven in', value: item.environment === 'test-api' ? 'test API' : 'sandbox only' }] : [])],
    attachments: [],
    steps: [],
  };
}
