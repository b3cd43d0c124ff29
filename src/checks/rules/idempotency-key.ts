/**
 * Idempotency key — unique Idempotency-Key per operation, the same key on retry (derived from the
 * ePayment spec and knowledge base; vipps-facts §8.2 #20, §2.2).
 * https://developer.vippsmobilepay.com/docs/knowledge-base/http-headers/
 *
 * Rule: create, capture, refund and cancel carry an Idempotency-Key (≤50 characters); for eCom v2
 * capture and refund carry an X-Request-Id (≤40), with the same retry rules. A retry after
 * a lost answer, a 5xx or a 429 repeats the request with the same key and an identical body, so the
 * API replays the original outcome instead of acting twice; a different operation gets a new key
 * (same key + different body ⇒ 409 conflict, key reuse for a new operation ⇒ 4020).
 *
 * Evidence (whole run): createPayment/capturePayment/refundPayment/cancelPayment exchanges. A
 * retry = same operation + reference + identical body after an exchange that got no answer, 5xx,
 * 423 or 429.
 * - FAILED (spec violations with real harm, though the row is derived): a missing or over-long key;
 *   a retry with a new key; a capture/refund whose answer was lost after it took effect
 *   (`drop-response`) repeated with a new key — applied twice; one key for a different operation,
 *   reference or body.
 * - WARNING: a key re-sent after the operation had already succeeded (harmless replay if a retry,
 *   a lost operation if a new one was meant); a lost answer (any operation) or a 5xx on a
 *   capture/refund/cancel never resolved (no retry, no GET);
 *   no retry exercised at all (inject `drop-response` on capture), or no such call at all.
 */
import type { Exchange } from '../../traffic/types.ts';
import type { Rule } from '../types.ts';
import { noEvidence, plural, Tally } from '../support/findings.ts';
import {
  apiOps,
  bodyOf,
  byTime,
  canonicalJson,
  describe,
  idempotencyHeaderOf,
  idempotencyKeyMaxOf,
  idempotencyKeyOf,
  IDEMPOTENT_OPS,
  needsIdempotencyKey,
  isOk,
  isTransientFailure,
  OP,
  operationOf,
  outcomeOf,
  referenceOf,
  tookEffectUnseen,
} from '../support/traffic.ts';

const signature = (e: Exchange): string => `${operationOf(e)}\u0000${referenceOf(e) ?? ''}\u0000${canonicalJson(bodyOf(e) ?? e.request.body)}`;
const what = (e: Exchange): string => `${operationOf(e)} ${referenceOf(e) ?? '?'}`;

export const idempotencyKey: Rule = {
  judge(input, { item }) {
    const posts = apiOps(input.traffic, ...IDEMPOTENT_OPS).filter(needsIdempotencyKey).sort(byTime);
    const header = posts[0] ? idempotencyHeaderOf(posts[0]) : 'Idempotency-Key';
    if (posts.length === 0) return noEvidence(item, input, 'No call that takes an idempotency key (ePayment create, capture, refund, cancel; eCom capture, refund) was observed, so idempotency could not be judged.');
    const t = new Tally();
    // 1. Every call carries a usable key.
    for (const e of posts) {
      const key = idempotencyKeyOf(e);
      if (!key) t.add('FAILED', `${describe(e)}: no ${idempotencyHeaderOf(e)}`, e);
      else if (key.length > idempotencyKeyMaxOf(e)) t.add('FAILED', `${describe(e)}: ${idempotencyHeaderOf(e)} is ${key.length} characters (max ${idempotencyKeyMaxOf(e)})`, e);
    }
    // 2. One key, one operation.
    const byKey = new Map<string, Exchange[]>();
    for (const e of posts) {
      const key = idempotencyKeyOf(e);
      if (key) byKey.set(key, [...(byKey.get(key) ?? []), e]);
    }
    for (const [key, group] of byKey) {
      const first = group[0];
      for (const e of group.slice(1)) {
        if (signature(e) === signature(first)) {
          const earlierOk = group.find((x) => x.seq < e.seq && isOk(x));
          if (earlierOk && !isTransientFailure(group[group.indexOf(e) - 1]))
            t.add('WARNING', `${describe(e)}: key ${key} re-sent after ${describe(earlierOk)} had already succeeded (a replay — if a new ${operationOf(e)} was meant, it never happened)`, earlierOk, e);
          continue;
        }
        const how = operationOf(e) !== operationOf(first) || referenceOf(e) !== referenceOf(first) ? `for a different operation (${what(first)} vs ${what(e)})` : 'with a different body';
        t.add('FAILED', `key ${key} reused ${how}: ${describe(first)} and ${describe(e)}`, first, e);
      }
    }
    // 3. Retries keep the key.
    let retries = 0;
    const bySig = new Map<string, Exchange[]>();
    for (const e of posts) bySig.set(signature(e), [...(bySig.get(signature(e)) ?? []), e]);
    for (const group of bySig.values()) {
      for (let i = 1; i < group.length; i++) {
        const prev = group[i - 1];
        const e = group[i];
        if (!isTransientFailure(prev)) continue;
        retries++;
        const same = idempotencyKeyOf(e) !== undefined && idempotencyKeyOf(e) === idempotencyKeyOf(prev);
        if (same) {
          t.cite(prev, e).note(`${describe(e)} retried ${describe(prev)} ${outcomeOf(prev)} with the same key`);
          continue;
        }
        const op = operationOf(e);
        if (tookEffectUnseen(prev) && isOk(e) && (op === OP.capture || op === OP.refund || op === OP.create))
          t.add('FAILED', `${describe(e)}: ${op === OP.capture ? 'capture applied twice' : op === OP.refund ? 'refund applied twice' : 'payment created twice'} — ${describe(prev)} took effect (answer lost) and the retry used a new key`, prev, e);
        else t.add('FAILED', `${describe(e)}: retry of ${describe(prev)} ${outcomeOf(prev)} with a new ${idempotencyHeaderOf(e)} (${idempotencyKeyOf(prev) ?? 'none'} → ${idempotencyKeyOf(e) ?? 'none'})`, prev, e);
      }
    }
    // 4. Lost answers that were never resolved.
    const gets = apiOps(input.traffic, OP.get);
    for (const group of bySig.values()) {
      const last = group[group.length - 1];
      if (!isTransientFailure(last) || last.response?.status === 429) continue;
      // A create that failed with an answer (5xx) may simply be given up: an unpaid payment expires.
      if (last.response !== undefined && operationOf(last) === OP.create) continue;
      const ref = referenceOf(last);
      const checked = gets.find((g) => g.startedAt > last.startedAt && referenceOf(g) === ref);
      if (checked) {
        retries++;
        t.cite(last, checked).note(`${describe(last)} ${outcomeOf(last)} resolved by reading the payment (${describe(checked)})`);
      } else t.add('WARNING', `${describe(last)} ${outcomeOf(last)}: never retried and the payment was not read afterwards — outcome unknown to the integration`, last);
    }
    if (t.problems === 0 && retries === 0)
      return t.finding(item, input, `All ${plural(posts.length, 'modifying call')} carry their own ${header}, but no retry was exercised (inject drop-response or http-500 on capture).`, 'WARNING');
    if (t.problems === 0) return t.finding(item, input, `${header} on all ${plural(posts.length, 'call')}; ${plural(retries, 'lost or failed call')} retried with the same key or checked by GET.`);
    return t.finding(item, input, `Idempotency problems: ${t.summary()}.`);
  },
};
