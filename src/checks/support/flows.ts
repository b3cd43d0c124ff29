import type { CheckInput, ChecklistItem, Finding } from '../types.ts';
import { finding, worst } from './findings.ts';
import { observationsOf, perFlow } from './payments.ts';

/**
 * Flow-scoped checks judge one flow at a time. When they are handed several flows (a run-wide
 * input), each flow is judged on its own traffic and the findings are folded into one: worst
 * verdict, messages prefixed with the flow id, all cites and details.
 */
export function judgeEachFlow(item: ChecklistItem, input: CheckInput, judge: (flowInput: CheckInput) => Finding): Finding {
  const results = perFlow(input).map(judge);
  if (results.length === 1) return results[0];
  const verdict = results.reduce((v, r) => worst(v, r.verdict), results[0].verdict);
  return finding(item, input, verdict, results.map((r) => `${r.flowId ?? '?'}: ${r.message}`).join(' | '), {
    cites: results.flatMap((r) => r.cites ?? []),
    details: results.flatMap((r) => (r.details ?? []).map((d) => `${r.flowId ?? '?'}: ${d}`)),
  });
}

/** Flows that ran with a given sandbox fault type (fault observations or faulted exchanges). */
export function flowsWithFault(input: CheckInput, type: string): Set<string> {
  const out = new Set<string>();
  for (const o of observationsOf(input, 'fault')) {
    const spec = o.spec as { effect?: { type?: string } } | undefined;
    if (spec?.effect?.type === type || o.description.includes(type)) out.add(o.flowId);
  }
  for (const e of input.traffic) if (e.fault === type && e.flowId) out.add(e.flowId);
  return out;
}

/** Flows that ran with their notifications withheld: Webhooks v1 deliveries or eCom callbacks dropped. */
export function withheldNotificationFlows(input: CheckInput): Set<string> {
  return new Set([...flowsWithFault(input, 'webhook-drop'), ...flowsWithFault(input, 'callback-drop')]);
}

/**
 * Faults that flows listing `itemId` switched on for the item but the integration never met
 * (the sandbox never applied them): the item was not exercised, so it must not pass. Older
 * recordings without a fired count say nothing either way and are left out.
 */
export function unmetFaults(input: CheckInput, itemId: string, isAbout: (effect: { type?: string; status?: number }) => boolean): string[] {
  const flows = new Set(input.flows.filter((f) => (f.checklist ?? []).includes(itemId)).map((f) => f.id));
  return observationsOf(input, 'fault')
    .filter((o) => flows.has(o.flowId) && o.fired === 0 && isAbout((o.spec as { effect?: { type?: string; status?: number } } | undefined)?.effect ?? {}))
    .map((o) => `${o.flowId}: ${o.description}`);
}

/** The REVIEW for an item whose fault never fired: golive could not see the path it is about. */
export function notExercised(item: ChecklistItem, input: CheckInput, unmet: string[], what: string): Finding {
  return finding(item, input, 'REVIEW', `Not exercised: ${what} never happened — the integration never met the fault (${unmet.join('; ')}), so this path was not tested; a person must judge it.`);
}
