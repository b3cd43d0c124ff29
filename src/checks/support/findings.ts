import type { Exchange } from '../../traffic/types.ts';
import type { CheckInput, ChecklistItem, Finding, Verdict } from '../types.ts';

/** Longest `details` list a finding carries; the rest is summarised in one line. */
export const MAX_DETAILS = 40;
export const MAX_CITES = 200;

/** The flow a finding is about: set when the input is one flow. */
export const flowIdOf = (input: CheckInput): string | undefined => (input.flows.length === 1 ? input.flows[0].id : undefined);

/** Verdict for "the rule is broken": FAILED for required items, WARNING for recommended ones. */
export const breachVerdict = (item: ChecklistItem): Verdict => (item.severity === 'required' ? 'FAILED' : 'WARNING');

export function capLines(lines: readonly string[], max = MAX_DETAILS): string[] {
  if (lines.length <= max) return [...lines];
  return [...lines.slice(0, max), `… and ${lines.length - max} more`];
}

export function citesOf(seqs: Iterable<number | Exchange | undefined>): number[] {
  const set = new Set<number>();
  for (const s of seqs) {
    if (s === undefined) continue;
    set.add(typeof s === 'number' ? s : s.seq);
  }
  return [...set].sort((a, b) => a - b).slice(0, MAX_CITES);
}

export function finding(
  item: ChecklistItem,
  input: CheckInput,
  verdict: Verdict,
  message: string,
  extra: { cites?: Iterable<number | Exchange | undefined>; details?: readonly string[] } = {},
): Finding {
  const f: Finding = { item: item.id, verdict, message };
  const flowId = flowIdOf(input);
  if (flowId !== undefined) f.flowId = flowId;
  if (extra.cites) {
    const cites = citesOf(extra.cites);
    if (cites.length > 0) f.cites = cites;
  }
  if (extra.details && extra.details.length > 0) f.details = capLines(extra.details);
  return f;
}

/** "No evidence" is never a pass: FAILED for required items, WARNING for recommended ones. */
export function noEvidence(item: ChecklistItem, input: CheckInput, message: string, extra: { cites?: Iterable<number | Exchange>; details?: string[] } = {}): Finding {
  return finding(item, input, breachVerdict(item), message, extra);
}

// NOT_RUN is the runner's (a run that stopped early); rules never produce it.
const RANK: Record<Verdict, number> = { NOT_RUN: 0, NOT_APPLICABLE: 0, PASSED: 1, REVIEW: 2, WARNING: 3, FAILED: 4 };

export const worst = (a: Verdict, b: Verdict): Verdict => (RANK[a] >= RANK[b] ? a : b);

/**
 * Collects what a check found: problems (each with its level, a detail line and cites) and
 * supporting evidence (cites only). The verdict is the worst problem level, else PASSED.
 */
export class Tally {
  /** Problem lines, then notes (what was seen and found fine). */
  get lines(): string[] {
    return [...this.problemLines, ...this.noteLines];
  }
  /** The problem lines only (no notes), for messages. */
  readonly problemLines: string[] = [];
  private readonly noteLines: string[] = [];
  readonly cites: number[] = [];
  level: Verdict = 'PASSED';
  problems = 0;
  private readonly counts: Partial<Record<Verdict, number>> = {};

  /** A problem at `level` (FAILED / WARNING / REVIEW). */
  add(level: Verdict, line: string, ...cites: (Exchange | number | undefined)[]): this {
    this.level = worst(this.level, level);
    this.problems++;
    this.counts[level] = (this.counts[level] ?? 0) + 1;
    this.problemLines.push(line);
    for (const c of cites) if (c !== undefined) this.cites.push(typeof c === 'number' ? c : c.seq);
    return this;
  }

  /** The first problems, joined for a message. */
  summary(max = 2): string {
    const head = this.problemLines.slice(0, max).join('; ');
    return this.problemLines.length > max ? `${head}; … (${this.problemLines.length - max} more)` : head;
  }

  /** Evidence the verdict rests on (no problem). */
  cite(...cites: (Exchange | number | undefined)[]): this {
    for (const c of cites) if (c !== undefined) this.cites.push(typeof c === 'number' ? c : c.seq);
    return this;
  }

  /** A line for the report that is not a problem. */
  note(line: string): this {
    this.noteLines.push(line);
    return this;
  }

  count(level: Verdict): number {
    return this.counts[level] ?? 0;
  }

  finding(item: ChecklistItem, input: CheckInput, message: string, verdict: Verdict = this.level): Finding {
    return finding(item, input, verdict, message, { cites: this.cites, details: this.lines });
  }
}

export const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

export const list = (values: readonly string[], max = 8): string =>
  values.length <= max ? values.join(', ') : `${values.slice(0, max).join(', ')} … (+${values.length - max})`;

export const seconds = (ms: number): string => {
  const a = Math.abs(ms);
  if (a < 1000) return `${Math.round(ms)} ms`;
  if (a < 120_000) return `${(ms / 1000).toFixed(a < 60_000 ? 1 : 0)} s`;
  return `${(ms / 60_000).toFixed(1)} min`;
};
