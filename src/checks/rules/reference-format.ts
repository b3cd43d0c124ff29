/**
 * Reference format — "Send useful reference: follow our reference recommendations" (ePayment checklist,
 * Avoid integration pitfalls; vipps-facts §8.3 #22, §2.3, §7.5).
 * https://developer.vippsmobilepay.com/docs/knowledge-base/orderid/
 *
 * Rule: the reference matches ^[a-zA-Z0-9-]{8,64}$ (50 in spec v1.4.1), is unique per MSN and
 * per payment attempt (a new attempt for the same order gets a new reference, e.g. a -1/-2
 * suffix), avoids digits-only and very short values and leading zeros, and is readable (it is
 * shown to the user — a bare UUID is allowed but not user friendly).
 *
 * Evidence (whole run): every createPayment request body's `reference`. FAILED for a pattern
 * violation, digits only, a leading zero, or a reference sent again in a new create after it was
 * accepted (a retry of a failed create with the same key and body is not reuse; a 409 "reference
 * exists" answer is). WARNING for a bare UUID. No create ⇒ FAILED (nothing to judge).
 */
import type { Exchange } from '../../traffic/types.ts';
import type { Rule } from '../types.ts';
import { list, noEvidence, plural, Tally } from '../support/findings.ts';
import { apiOps, bodyOf, byTime, requestedReferenceOf, canonicalJson, describe, errorCodeOf, idempotencyKeyOf, isOk, OP, responseBodyOf } from '../support/traffic.ts';

const PATTERN = /^[a-zA-Z0-9-]{8,64}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function referenceProblems(ref: string): { level: 'FAILED' | 'WARNING'; why: string }[] {
  const out: { level: 'FAILED' | 'WARNING'; why: string }[] = [];
  if (!PATTERN.test(ref)) out.push({ level: 'FAILED', why: `does not match ^[a-zA-Z0-9-]{8,64}$ (${ref.length} characters)` });
  if (/^\d+$/.test(ref)) out.push({ level: 'FAILED', why: 'digits only' });
  if (/^0/.test(ref)) out.push({ level: 'FAILED', why: 'leading zero' });
  if (UUID.test(ref)) out.push({ level: 'WARNING', why: 'a bare UUID (not readable for the customer; prefix it, e.g. shop-order-123-…)' });
  return out;
}

export const referenceFormat: Rule = {
  judge(input, { item }) {
    const creates = apiOps(input.traffic, OP.create).sort(byTime);
    if (creates.length === 0) return noEvidence(item, input, 'No payment was created, so references could not be judged.');
    const t = new Tally();
    const byRef = new Map<string, Exchange[]>();
    for (const e of creates) {
      const ref = requestedReferenceOf(e);
      if (typeof ref !== 'string') {
        t.add('FAILED', `${describe(e)}: no reference in the body`, e);
        continue;
      }
      byRef.set(ref, [...(byRef.get(ref) ?? []), e]);
    }
    for (const [ref, group] of byRef) {
      for (const p of referenceProblems(ref)) t.add(p.level, `"${ref}" (${describe(group[0])}): ${p.why}`, group[0]);
      const accepted = group.find(isOk);
      for (const e of group) {
        if (e === accepted) continue;
        const status = e.response?.status;
        // ePayment 409 / 4150; eCom errorCode 34 (duplicate orderId).
        const conflict = status === 409 || ['4150', '34'].includes(errorCodeOf(responseBodyOf(e)) ?? '');
        if (accepted && e.startedAt > accepted.startedAt) {
          const retry = idempotencyKeyOf(e) === idempotencyKeyOf(accepted) && canonicalJson(bodyOf(e)) === canonicalJson(bodyOf(accepted));
          if (!retry) t.add('FAILED', `"${ref}": reused for a new payment attempt ${describe(e)} after ${describe(accepted)} was accepted`, accepted, e);
        } else if (conflict && !e.fault) t.add('FAILED', `"${ref}": ${describe(e)} answered ${status} — the reference already existed`, e);
      }
    }
    if (t.problems === 0) return t.cite(...creates.slice(0, 3)).finding(item, input, `${plural(byRef.size, 'reference')} follow the recommendations: ${list([...byRef.keys()], 5)}.`);
    return t.finding(item, input, `Reference problems: ${t.summary()}.`);
  },
};
