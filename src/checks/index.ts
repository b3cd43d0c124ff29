/**
 * The checks: rules (src/checks/rules/) bound to checklist items (src/checks/bindings/), and how
 * to run them.
 *
 * - `evaluateFlow(itemIds, input)`: at the end of a flow, judge the flow-scoped items the flow
 *   lists, on the flow's input (its traffic and observations).
 * - `evaluateRun(input)`: once per run, judge every run-scoped item over all traffic, and report
 *   flow-scoped items that no flow of the run exercised (no evidence is never a pass).
 * - `mergeResults(...)`: fold flow and run results into one result per item.
 *
 * `notApplicable(profile)` is asked first. A check that throws does not take the run down: its item
 * gets a REVIEW finding "check crashed: …" with `internalError` set, because the crash says nothing
 * about the integration (FAILED would blame it, PASSED would hide the gap) — a person must look.
 */
import { CHECKLIST, checklistItem, itemOfId } from '../checklist/index.ts';
import { checklistsOf, type IntegrationApi, type IntegrationKind } from '../checklist/types.ts';
import { BINDINGS } from './bindings/index.ts';
import type { Binding, Check, CheckInput, ChecklistItem, Finding, Verdict } from './types.ts';
import { breachVerdict, flowIdOf } from './support/findings.ts';

export { CHECKLIST_ITEM_IDS, checklistItem as itemById } from '../checklist/index.ts';

/** The whole checklist (every API), in order. */
export const CATALOGUE: readonly ChecklistItem[] = CHECKLIST;
export type { Binding, Check, CheckInput, ChecklistItem, Finding, Rule, RuleContext, Verdict } from './types.ts';

/** A binding as a check: the rule, told which item it judges. */
function checkOf({ item: id, api, scope, rule }: Binding): Check {
  const item = itemOfId(id);
  const ctx = { item };
  return {
    item,
    api,
    scope,
    ...(rule.notApplicable ? { notApplicable: (profile) => rule.notApplicable!(profile, ctx) } : {}),
    evaluate: (input) => rule.judge(input, ctx),
    ...(rule.judgeRun ? { evaluateRun: (input: CheckInput) => rule.judgeRun!(input, ctx) } : {}),
  };
}

/** Every check, in checklist order: one per binding (src/checks/bindings/). */
export const ALL_CHECKS: readonly Check[] = BINDINGS.map(checkOf);

/**
 * The checks of an integration (checklistsOf): an ePayment merchant is judged on the ePayment and
 * Webhooks items, a PSP on ePayment on the PSP items, an eCom one on the eCom items.
 */
export function checksOfIntegration(integration: { api?: IntegrationApi; kind?: IntegrationKind } = {}): Check[] {
  const lists = checklistsOf(integration);
  return ALL_CHECKS.filter((c) => c.api === undefined || lists.includes(c.api));
}

const BY_ID = new Map(ALL_CHECKS.map((c) => [c.item.id, c]));

export function checkFor(itemId: string): Check | undefined {
  return BY_ID.get(itemId);
}

/** The verdict of one item, with the findings it rests on. */
export interface ItemResult {
  item: string;
  verdict: Verdict;
  findings: Finding[];
}

/**
 * One verdict from several findings: any FAILED → FAILED, else WARNING, else REVIEW, else PASSED,
 * else NOT_APPLICABLE, else NOT_RUN. No findings at all → REVIEW (nothing was judged, so
 * nothing may pass).
 */
export function combineFindings(findings: readonly Finding[]): Verdict {
  if (findings.length === 0) return 'REVIEW';
  const has = (v: Verdict) => findings.some((f) => f.verdict === v);
  if (has('FAILED')) return 'FAILED';
  if (has('WARNING')) return 'WARNING';
  if (has('REVIEW')) return 'REVIEW';
  if (has('PASSED')) return 'PASSED';
  if (has('NOT_APPLICABLE')) return 'NOT_APPLICABLE';
  return 'NOT_RUN';
}

/** Run one check with its applicability test, never throwing. */
export function runCheck(check: Check, input: CheckInput): Finding {
  const flowId = flowIdOf(input);
  const base = (verdict: Verdict, message: string, extra: Partial<Finding> = {}): Finding => ({
    item: check.item.id,
    verdict,
    message,
    ...(flowId !== undefined ? { flowId } : {}),
    ...extra,
  });
  try {
    const reason = check.notApplicable?.(input.profile);
    if (reason) return base('NOT_APPLICABLE', `Not applicable: ${reason}.`);
    const f = check.evaluate(input);
    if (!f || typeof f !== 'object' || !f.verdict) throw new Error('the check returned no finding');
    return f.item === check.item.id ? f : { ...f, item: check.item.id };
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    const where = e.stack?.split('\n').find((l) => l.includes('/checks/'))?.trim();
    return base('REVIEW', `check crashed: ${e.message} — golive could not judge this item; a person must review the evidence.`, {
      internalError: `${e.name}: ${e.message}${where ? ` (${where})` : ''}`,
    });
  }
}

function resultOf(itemId: string, findings: Finding[]): ItemResult {
  return { item: itemId, verdict: combineFindings(findings), findings };
}

/**
 * Judge the flow-scoped items a flow lists, on that flow's input. Run-scoped items the flow lists
 * are left to `evaluateRun` (the flow only contributes evidence to the run's traffic: judging, say,
 * EP-ERRORS-LOG on one flow would miss the errors other flows provoked). Unknown ids get a REVIEW
 * finding.
 */
export function evaluateFlow(itemIds: readonly string[], input: CheckInput): ItemResult[] {
  const out: ItemResult[] = [];
  const flow = input.flows.length === 1 ? input.flows[0] : undefined;
  for (const id of new Set(itemIds)) {
    const check = checkFor(id);
    if (!check) {
      const flowId = flowIdOf(input);
      out.push(
        resultOf(id, [
          { item: id, verdict: 'REVIEW', message: `golive has no automatic check for ${id}; a person must judge it from the flow's evidence.`, ...(flowId !== undefined ? { flowId } : {}) },
        ]),
      );
      continue;
    }
    if (check.scope === 'run') continue; // judged once over all traffic by evaluateRun
    if (flow?.outcome === 'not-applicable') {
      out.push(resultOf(id, [{ item: id, verdict: 'NOT_APPLICABLE', message: `Not applicable: the flow ${flow.id} did not apply${flow.error ? ` (${flow.error})` : ''}.`, flowId: flow.id }]));
      continue;
    }
    const finding = runCheck(check, input);
    if (flow?.outcome === 'step-failed' && finding.verdict !== 'PASSED' && finding.verdict !== 'NOT_APPLICABLE')
      finding.details = [...(finding.details ?? []), `note: the flow stopped at a failed step${flow.error ? ` (${flow.error})` : ''}, so evidence may be missing`];
    out.push(resultOf(id, [finding]));
  }
  return out;
}

/** How much of the suites a run executed (see `evaluateRun`). */
export interface RunCoverage {
  /**
   * The run executed only part of the suites' flows (--grep, --shard, an interruption): run-scoped
   * items that no executed flow lists are NOT_RUN instead of judged over partial traffic.
   */
  partial?: boolean;
}

/**
 * Judge the run: every run-scoped check over all traffic, and — for flow-scoped checks that no
 * flow of the run lists — NOT_RUN (no evidence either way; never a pass, never the integration's
 * failure), or NOT_APPLICABLE when the profile rules the item out. In a partial run, run-scoped
 * items no executed flow lists are NOT_RUN too. Flow-scoped items that some flow lists are judged
 * by `evaluateFlow`; fold both with `mergeResults`.
 */
export function evaluateRun(input: CheckInput, coverage: RunCoverage = {}): ItemResult[] {
  const listed = new Set(input.flows.flatMap((f) => f.checklist ?? []));
  const out: ItemResult[] = [];
  for (const check of checksOfIntegration(input.profile)) {
    if (check.scope === 'run' && (listed.has(check.item.id) || !coverage.partial)) {
      out.push(resultOf(check.item.id, [runCheck(check, input)]));
      continue;
    }
    if (check.scope === 'flow' && listed.has(check.item.id)) {
      const part = runPart(check, input);
      if (part) out.push(resultOf(check.item.id, [part]));
      continue;
    }
    const reason = safeNotApplicable(check, input);
    const finding: Finding = reason
      ? { item: check.item.id, verdict: 'NOT_APPLICABLE', message: `Not applicable: ${reason}.` }
      : {
          item: check.item.id,
          verdict: 'NOT_RUN',
          message: `Not run: no flow of this run lists ${check.item.id}, so there is no evidence for it either way (run the full suite, or add a flow that produces it).`,
        };
    out.push(resultOf(check.item.id, [finding]));
  }
  return out;
}

/** A flow-scoped check's run-scoped part (when it has one and the item applies), never throwing. */
function runPart(check: Check, input: CheckInput): Finding | undefined {
  if (!check.evaluateRun || safeNotApplicable(check, input)) return undefined;
  const finding = runCheck({ ...check, evaluate: (i) => check.evaluateRun!(i) ?? { item: check.item.id, verdict: 'NOT_RUN', message: '' } }, input);
  return finding.verdict === 'NOT_RUN' ? undefined : finding;
}

function safeNotApplicable(check: Check, input: CheckInput): string | undefined {
  try {
    return check.notApplicable?.(input.profile);
  } catch {
    return undefined;
  }
}

/** Fold results (from flows and the run) into one per item, in catalogue order (unknown ids last). */
export function mergeResults(...lists: readonly ItemResult[][]): ItemResult[] {
  const byItem = new Map<string, Finding[]>();
  for (const list of lists) for (const r of list) byItem.set(r.item, [...(byItem.get(r.item) ?? []), ...r.findings]);
  const order = new Map(CATALOGUE.map((i, n) => [i.id, n]));
  return [...byItem.entries()]
    .sort(([a], [b]) => (order.get(a) ?? Infinity) - (order.get(b) ?? Infinity) || a.localeCompare(b))
    .map(([id, findings]) => resultOf(id, findings));
}

/** The catalogue entry for a result's item (undefined for ids outside the catalogue). */
export const itemOf = (result: ItemResult): ChecklistItem | undefined => checklistItem(result.item);
