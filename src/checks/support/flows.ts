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
