import type { Check, CheckInput, ChecklistItem, Finding } from '../types.ts';
import { noEvidence, plural, seconds, Tally } from './findings.ts';
import { judgeEachFlow } from './flows.ts';
import {
  acceptedModifications,
  aggregateAt,
  expectedStatuses,
  finalStateOf,
  normStatus,
  payments,
  type PaymentPicture,
  type PaymentState,
} from './payments.ts';
import { judgeOutcome, rawErrorIn, showsLoginWall, type Outcome } from './text.ts';
import { describe } from './traffic.ts';

/**
 * Shared judgement for "handle state X" items: find the flow's payments that reached X, then
 * read what the merchant showed afterwards (order status observations, pages).
 */
export interface StateJudgement {
  state: PaymentState;
  /** Page outcome the customer should see once the payment is in this state. */
  page: Outcome;
  /** Extra item-specific checks on one payment. */
  extra?: (p: PaymentPicture, t: Tally, input: CheckInput) => void;
}

export function judgeFinalState(item: ChecklistItem, input: CheckInput, j: StateJudgement): Finding {
  return judgeEachFlow(item, input, (flowInput) => judgeOneFlow(item, flowInput, j));
}

function judgeOneFlow(item: ChecklistItem, input: CheckInput, j: StateJudgement): Finding {
  const reached = [...payments(input).values()].filter((p) => finalStateOf(p)?.state === j.state);
  if (reached.length === 0) return noEvidence(item, input, `No payment in this flow reached ${j.state}, so its handling could not be judged.`);
  const t = new Tally();
  const good: string[] = [];
  for (const p of reached) {
    const fin = finalStateOf(p)!;
    t.cite(fin.seq);
    // The window in which the order should show this state: until the first modification.
    const firstMod = acceptedModifications(p).find((m) => m.startedAt >= fin.at);
    const windowEnd = j.state === 'AUTHORIZED' && firstMod ? firstMod.startedAt : Number.POSITIVE_INFINITY;
    const inWindow = p.orders.filter((o) => o.at >= fin.at && o.at <= windowEnd);
    const expected = expectedStatuses(j.state, j.state === 'AUTHORIZED' ? aggregateAt(p, fin.at) : undefined);
    const last = inWindow[inWindow.length - 1];
    if (!last) {
      const before = p.orders.filter((o) => o.at < fin.at).pop();
      t.add(
        'FAILED',
        `${p.reference}: no merchant order status observed after it became ${j.state} (${fin.source})${before ? `; last seen before: ${before.status}` : ''}`,
        fin.seq,
      );
    } else if (!expected.includes(normStatus(last.status) as never)) {
      t.add('FAILED', `${p.reference}: merchant order shows "${last.status}" ${seconds(last.at - fin.at)} after ${j.state} (${fin.source}); expected ${expected.join(' or ')}`, fin.seq);
    } else good.push(`${p.reference} → ${last.status}`);

    for (const page of p.pages.filter((pg) => pg.at >= fin.at && pg.at <= windowEnd)) {
      if (page.status !== undefined && page.status >= 400) {
        t.add('FAILED', `${p.reference}: ${page.name} page answered HTTP ${page.status} (${page.url})`);
        continue;
      }
      const raw = rawErrorIn(page.text);
      if (raw) t.add('FAILED', `${p.reference}: ${page.name} page shows ${raw}`);
      if (showsLoginWall(page.text)) t.add('FAILED', `${p.reference}: ${page.name} page asks to log in / says the session expired`);
      const judged = judgeOutcome(page.text, j.page);
      if (judged.result === 'bad') t.add('FAILED', `${p.reference}: ${page.name} page ${judged.reason}`);
      else if (judged.result === 'unclear') t.add('WARNING', `${p.reference}: ${page.name} page ${judged.reason}`);
    }
    j.extra?.(p, t, input);
  }
  if (t.problems === 0) return t.finding(item, input, `${plural(reached.length, 'payment')} reached ${j.state} and the merchant followed: ${good.join(', ')}.`);
  return t.finding(item, input, `${j.state} not handled as documented: ${t.summary()}.`);
}

/** Shared "no capture of a payment that never got authorized" extra check. */
export function noCapture(p: PaymentPicture, t: Tally): void {
  for (const c of p.captures) t.add('FAILED', `${p.reference}: capture attempted on a payment that was never authorized (${describe(c)})`, c);
}

/** Shared "reference not reused after a final failure" extra check. */
export function noReuse(p: PaymentPicture, t: Tally): void {
  const fin = finalStateOf(p);
  if (!fin) return;
  for (const c of p.creates.filter((c) => c.startedAt > fin.at)) t.add('FAILED', `${p.reference}: reference reused for a new payment attempt after ${fin.state} (${describe(c)})`, c);
}

export type StateCheck = Check;
