import type { RunSummary, SummaryItem } from './run-summary.ts';
import { evidenceFreshness, formatUtc, type Freshness } from './manifest.ts';
import { GO_LIVE_ENDINGS } from '../contract/epayment.ts';
import { platformModel, type PlatformModel } from './summary-platform.ts';

/**
 * What the printable evidence summaries (summary.html, summary.md) show, computed once from
 * summary.json so both say the same: the run and its date, the freshness warning, the headline,
 * the orders by final state (the table for the checklist submission), every checklist item with
 * its verdict and the flows that prove it, and the flows.
 */
export const EVIDENCE_STATES = GO_LIVE_ENDINGS;
type Ending = (typeof EVIDENCE_STATES)[number];

/**
 * The go-live endings an integration's API asks evidence for, in its own words: ePayment's four
 * states; eCom's orders ending in CAPTURE, REFUND and VOID/CANCEL (a reserved order is shown as RESERVE
 * but not asked for). golive's neutral endings are ePayment's names.
 */
export function evidenceEndingsOf(api: string | undefined): { state: Ending; label: string; required: boolean }[] {
  if (api === 'ecom-v2')
    return [
      { state: 'AUTHORIZED', label: 'RESERVE', required: false },
      { state: 'CAPTURED', label: 'CAPTURE', required: true },
      { state: 'REFUNDED', label: 'REFUND', required: true },
      { state: 'CANCELLED', label: 'VOID/CANCEL', required: true },
    ];
  if (api === 'psp-v2')
    return [
      { state: 'AUTHORIZED', label: 'RESERVED', required: false },
      { state: 'CAPTURED', label: 'CAPTURED', required: true },
      { state: 'REFUNDED', label: 'REFUNDED', required: true },
      { state: 'CANCELLED', label: 'CANCELLED', required: true },
    ];
  return EVIDENCE_STATES.map((state) => ({ state, label: state, required: true }));
}

export const VERDICT_LABEL: Record<string, string> = {
  PASSED: 'Passed',
  FAILED: 'Failed',
  WARNING: 'Warning',
  REVIEW: 'Review',
  NOT_APPLICABLE: 'Not applicable',
  NOT_RUN: 'Not run',
};

/** Worst first: the order of counts and findings everywhere in the report. */
export const VERDICT_ORDER = ['FAILED', 'WARNING', 'REVIEW', 'PASSED', 'NOT_APPLICABLE', 'NOT_RUN'] as const;
const verdictRank = (v: string) => (VERDICT_ORDER as readonly string[]).indexOf(v) + 1 || 99;

export const OUTCOME_LABEL: Record<string, string> = {
  completed: 'completed',
  'step-failed': 'could not complete',
  'not-applicable': 'not applicable',
};

export interface SummaryOptions {
  /** When the summary is rendered (freshness is judged against it). */
  now?: Date;
  goliveVersion?: string;
}

export interface SummaryModel {
  summary: RunSummary;
  title: string;
  runDate: string;
  finishedAt: string;
  durationSeconds: number;
  freshness: Freshness;
  goliveVersion?: string;
  /** One line: is the integration ready as far as this run can tell. */
  headline: string;
  ready: boolean;
  counts: { verdict: string; label: string; count: number }[];
  /** Orders by the state they ended in (the API's word), each with the flows that made them. */
  references: { state: string; reference: string; flows: string[]; environment: 'test-api' | 'sandbox' }[];
  /** Where the run's references live, in words a reviewer reads: can they look them up? */
  environmentNote: string;
  /** Per item, say whether it was proven against the test API or only the sandbox (a test-API or combined run). */
  showsProof: boolean;
  /** The API's words for the endings the submission asks for, and those no order of the run reached. */
  endingLabels: string[];
  missingEndings: string[];
  areas: { area: string; items: (SummaryItem & { flowTitles: string[] })[] }[];
  reviewItems: SummaryItem[];
  failedItems: SummaryItem[];
  failedFlows: RunSummary['flows'];
  /** A platform's run: per installation, and the installation × item table. */
  platform?: PlatformModel;
}

export function summaryModel(summary: RunSummary, options: SummaryOptions = {}): SummaryModel {
  const started = new Date(summary.startedAt);
  const finished = new Date(summary.finishedAt);
  const flowTitle = new Map(summary.flows.map((f) => [`${f.suite}/${f.id}`, f.title]));
  const references: SummaryModel['references'] = [];
  const endings = evidenceEndingsOf(summary.profile.api);
  for (const { state, label } of endings) {
    for (const reference of summary.evidenceReferences?.[state] ?? []) {
      const environment = summary.referenceEnvironments?.[reference] ?? summary.environment ?? 'sandbox';
      references.push({ state: label, reference, flows: summary.flows.filter((f) => f.references.includes(reference)).map((f) => f.title), environment });
    }
  }
  const endingLabels = endings.map((e) => e.label);
  const missingEndings = endings.filter((e) => e.required && !summary.evidenceReferences?.[e.state]?.length).map((e) => e.label);
  const areas: SummaryModel['areas'] = [];
  for (const item of summary.items) {
    let area = areas.find((a) => a.area === item.area);
    if (!area) areas.push((area = { area: item.area, items: [] }));
    area.items.push({ ...item, flowTitles: item.flows.map((f) => flowTitle.get(f) ?? f) });
  }
  const failedItems = summary.items.filter((i) => i.verdict === 'FAILED');
  const failedFlows = summary.flows.filter((f) => f.outcome === 'step-failed');
  const reviewItems = summary.items.filter((i) => i.verdict === 'REVIEW');
  const nothingFailed = failedItems.length === 0 && failedFlows.length === 0;
  // A partial run proves nothing about the items it did not run: never "ready".
  const ready = nothingFailed && !summary.partial;
  const requiredFailed = failedItems.filter((i) => i.severity === 'required').length;
  const partial = summary.partial ? ` Partial run — not evidence for the checklist submission: ${summary.partial.reasons.join('; ')}.` : '';
  const headline = (nothingFailed
    ? `${summary.partial ? 'Every item this run exercised' : 'All checklist items'} passed or need${summary.partial ? 's' : ''} no action${reviewItems.length ? `; ${reviewItems.length} need${reviewItems.length === 1 ? 's' : ''} a person's review` : ''}.`
    : [
        failedItems.length ? `${failedItems.length} checklist item${failedItems.length === 1 ? '' : 's'} failed${requiredFailed ? ` (${requiredFailed} required)` : ''}` : '',
        failedFlows.length ? `${failedFlows.length} flow${failedFlows.length === 1 ? '' : 's'} could not complete` : '',
      ]
        .filter(Boolean)
        .join('; ') + ': not ready for go-live.') + partial;
  const counts = Object.entries(summary.counts ?? {})
    .sort(([a], [b]) => verdictRank(a) - verdictRank(b))
    .map(([verdict, count]) => ({ verdict, label: VERDICT_LABEL[verdict] ?? verdict, count }));
  const platform = platformModel(summary, endings);
  return {
    environmentNote: environmentNoteOf(summary),
    showsProof: summary.environment === 'test-api' || summary.combinedFrom !== undefined,
    ...(platform ? { platform } : {}),
    endingLabels,
    missingEndings,
    summary,
    title: `Go-live checklist evidence — ${summary.profile.name ?? summary.profile.id}`,
    runDate: formatUtc(started),
    finishedAt: formatUtc(finished),
    durationSeconds: Math.max(0, Math.round((finished.getTime() - started.getTime()) / 1000)),
    freshness: evidenceFreshness(started, options.now),
    goliveVersion: options.goliveVersion,
    headline,
    ready,
    counts,
    references,
    areas,
    reviewItems,
    failedItems,
    failedFlows,
  };
}

export interface FindingLine {
  verdict: string;
  message: string;
  details: string[];
}

const DETAIL_LINES = 5;

/**
 * An item's findings for the report: repeats folded (several flows often say the same), the
 * worst first, at most a few detail lines each.
 */
export function findingLines(item: SummaryItem): FindingLine[] {
  const rank = verdictRank;
  const seen = new Map<string, FindingLine>();
  for (const f of item.findings) {
    const message = f.internalError ? `golive error: ${f.message}` : f.message;
    const key = `${f.verdict}\u0000${message}`;
    if (seen.has(key)) continue;
    const details = f.details ?? [];
    seen.set(key, {
      verdict: f.verdict,
      message,
      details: details.length > DETAIL_LINES ? [...details.slice(0, DETAIL_LINES), `… (+${details.length - DETAIL_LINES} more in summary.json)`] : details,
    });
  }
  return [...seen.values()].sort((a, b) => rank(a.verdict) - rank(b.verdict));
}

/** Where the references live: test-environment references a reviewer can look up, or sandbox-only ones. */
export function environmentNoteOf(s: Pick<RunSummary, 'environment' | 'combinedFrom' | 'target'>): string {
  if (s.combinedFrom) return `combined: ${s.combinedFrom.map((r) => `${r.environment === 'test-api' ? 'test environment' : 'sandbox'} run ${r.runId}`).join(' + ')} — per item the test-API proof where there is one, else the sandbox's verdict (sandbox only)`;
  if (s.environment === 'test-api') return `${s.target} — the references exist in the Vipps MobilePay test environment, where a reviewer can look them up`;
  return `${s.target} — the references exist only in golive's sandbox, not in the Vipps MobilePay test environment`;
}

/** An item's proof in words: "test API", "sandbox only", or undefined when it proves nothing. */
export const proofLabel = (item: Pick<SummaryItem, 'environment'>): string | undefined =>
  item.environment === 'test-api' ? 'proven against the test API' : item.environment === 'sandbox' ? 'sandbox only' : undefined;
