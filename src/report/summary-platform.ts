import type { RunSummary } from './run-summary.ts';

/**
 * What the printable summaries show of a platform's run (summary-model.ts): each installation —
 * its sales unit, counts and orders by ending (the review asks for references by MSN) — and one
 * table of every item's verdict per installation, with the platform's (the worst) first.
 */
export interface PlatformModel {
  installations: {
    id: string;
    msn: string;
    title: string;
    counts: Record<string, number>;
    flows: number;
    flowsFailed: number;
    references: { state: string; reference: string; flows: string[] }[];
    missingEndings: string[];
  }[];
  /** Item × installation verdicts; `cells` in the order of `installations`. */
  rows: { id: string; title: string; severity: string; verdict: string; cells: string[]; failedBy: string[] }[];
}

export function platformModel(summary: RunSummary, endings: { state: keyof RunSummary['evidenceReferences']; label: string; required: boolean }[]): PlatformModel | undefined {
  const list = summary.installations;
  if (!list?.length) return undefined;
  const installations = list.map((i) => {
    const flows = summary.flows.filter((f) => f.installation === i.id);
    const references = endings.flatMap(({ state, label }) =>
      (i.evidenceReferences[state] ?? []).map((reference) => ({ state: label, reference, flows: flows.filter((f) => f.references.includes(reference)).map((f) => f.title) })),
    );
    const missingEndings = endings.filter((e) => e.required && !i.evidenceReferences[e.state]?.length).map((e) => e.label);
    return { id: i.id, msn: i.msn, title: i.title, counts: i.counts, flows: i.flows, flowsFailed: i.flowsFailed, references, missingEndings };
  });
  const rows = summary.items.map((item) => {
    const by = new Map((item.installations ?? []).map((c) => [c.id, c.verdict]));
    const cells = list.map((i) => by.get(i.id) ?? 'NOT_RUN');
    return { id: item.id, title: item.title, severity: item.severity, verdict: item.verdict, cells, failedBy: list.filter((_, k) => cells[k] === 'FAILED').map((i) => i.id) };
  });
  return { installations, rows };
}
