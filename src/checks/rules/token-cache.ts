/**
 * Token cache — reuse the access token for its lifetime (knowledge base / toolkit; vipps-facts
 * §8.2 #21, §1.1, §1.3).
 * https://developer.vippsmobilepay.com/docs/APIs/access-token-api/
 *
 * Rule: a token from POST /accesstoken/get is valid 1 h in test and 24 h in production; clients
 * cache it for its lifetime (several valid tokens at once are fine) — fetching a token per request
 * is an anti-pattern. When a call is answered 401, fetch a new token and retry once.
 *
 * Evidence (whole run): fetchAuthorizationTokenUsingPost exchanges and every other API call. The
 * Bearer token is compared by its redaction fingerprint (`Bearer [REDACTED:1a2b3c4d]`; equal
 * tokens ⇒ equal fingerprints; the token response's `access_token` has the same fingerprint).
 * - FAILED: a new token for (nearly) every request — fewer than 2 API calls per token fetched or
 *   per distinct token used, with ≥3 calls (a derived row, but an anti-pattern the docs name);
 * - WARNING: ≥2 refreshes while the previous token still had more than half its lifetime and no
 *   401 had happened; a 401 not followed by a new token and a retry; no API call at all.
 * - REVIEW (not exercised): a flow listing the item injected a 401 that never fired, and no call
 *   was answered 401 at all.
 */
import type { Exchange } from '../../traffic/types.ts';
import type { Rule } from '../types.ts';
import { noEvidence, plural, seconds, Tally } from '../support/findings.ts';
import { notExercised, unmetFaults } from '../support/flows.ts';
import { apiCalls, bearerOf, byTime, describe, endOf, isOk, OP, operationOf, referenceOf, responseBodyOf } from '../support/traffic.ts';

/** Expiry (ms) and lifetime (ms) of a token response. */
function expiryOf(e: Exchange): { expiresAt: number; lifetime: number } | undefined {
  const body = responseBodyOf(e) ?? {};
  const noted = e.notes?.tokenExpiresAt;
  const expiresOn = Number(body.expires_on);
  const expiresIn = Number(body.expires_in);
  const expiresAt = typeof noted === 'number' ? noted : Number.isFinite(expiresOn) && expiresOn > 0 ? expiresOn * 1000 : Number.isFinite(expiresIn) ? endOf(e) + expiresIn * 1000 : undefined;
  if (expiresAt === undefined) return undefined;
  const lifetime = Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn * 1000 : expiresAt - e.startedAt;
  return { expiresAt, lifetime };
}

export const tokenCache: Rule = {
  judge(input, { item }) {
    const all = apiCalls(input.traffic).sort(byTime);
    const fetches = all.filter((e) => operationOf(e) === OP.token);
    const calls = all.filter((e) => operationOf(e) !== OP.token);
    if (calls.length === 0) return noEvidence(item, input, 'No API call was observed, so token reuse could not be judged.');
    const okFetches = fetches.filter(isOk);
    const bearers = new Map<string, Exchange[]>();
    for (const e of calls) {
      const b = bearerOf(e);
      if (b) bearers.set(b, [...(bearers.get(b) ?? []), e]);
    }
    const t = new Tally();
    const perFetch = okFetches.length > 0 ? calls.length / okFetches.length : Number.POSITIVE_INFINITY;
    const perToken = bearers.size > 0 ? calls.length / bearers.size : Number.POSITIVE_INFINITY;
    if (calls.length >= 3 && ((okFetches.length >= 2 && perFetch < 2) || (bearers.size >= 2 && perToken < 2))) {
      const single = [...bearers.values()].filter((uses) => uses.length === 1).length;
      t.add(
        'FAILED',
        `a new token for (nearly) every request: ${plural(okFetches.length, 'token request')} and ${plural(bearers.size, 'distinct token')} for ${plural(calls.length, 'API call')} (${single} tokens used only once)`,
        ...okFetches.slice(0, 5),
        ...calls.slice(0, 5),
      );
    }
    // Refreshes long before expiry, not caused by a 401.
    const rejected = calls.filter((e) => e.response?.status === 401);
    let premature = 0;
    for (let i = 1; i < okFetches.length; i++) {
      const prev = okFetches[i - 1];
      const cur = okFetches[i];
      const exp = expiryOf(prev);
      if (!exp) continue;
      const left = exp.expiresAt - cur.startedAt;
      const after401 = rejected.some((r) => r.startedAt >= prev.startedAt && r.startedAt <= cur.startedAt);
      if (!after401 && left > exp.lifetime / 2) {
        premature++;
        t.note(`${describe(cur)}: new token while ${describe(prev)}'s was still valid for ${seconds(left)}`);
        t.cite(prev, cur);
      }
    }
    if (premature >= 2 && t.level !== 'FAILED') t.add('WARNING', `${plural(premature, 'token refresh', 'token refreshes')} long before the previous token expired (cache the token for its lifetime)`);
    // 401 ⇒ new token and one retry.
    for (const r of rejected) {
      const ref = referenceOf(r);
      const later = calls.filter((c) => c.startedAt > r.startedAt && operationOf(c) === operationOf(r) && referenceOf(c) === ref);
      // The retry is the same call with the token fetched after the 401; a call of the same kind
      // with the old token in between can be another poll already on its way (a busy poller).
      const refetch = okFetches.find((f) => f.startedAt >= r.startedAt);
      const retry = refetch ? later.find((c) => c.startedAt >= refetch.startedAt && bearerOf(c) !== bearerOf(r)) : undefined;
      if (later.length === 0) t.add('WARNING', `${describe(r)} → 401: the call was never retried`, r);
      else if (!refetch || !retry) t.add('WARNING', `${describe(r)} → 401: retried as ${describe(later[0])} without fetching a new token`, r, later[0]);
      else t.cite(r, refetch, retry).note(`${describe(r)} → 401: new token (${describe(refetch)}) and retry ${describe(retry)}`);
    }
    // A flow injected a 401 the integration never met: the refresh-and-retry path is untested.
    const unmet = unmetFaults(input, item.id, (e) => e.type === 'status' && e.status === 401);
    if (rejected.length === 0 && unmet.length > 0 && t.level !== 'FAILED') return notExercised(item, input, unmet, 'a call answered 401');
    const summary = `${plural(calls.length, 'API call')} used ${plural(bearers.size, 'token')} (${plural(okFetches.length, 'token request')})`;
    if (t.problems === 0) return t.cite(okFetches[0], calls[0]).finding(item, input, `The access token is reused: ${summary}.`);
    return t.finding(item, input, `${summary}: ${t.summary()}.`);
  },
};
