// Issue 9, causes 2 and 4: a fault the integration never met is "not exercised" (never a pass);
// polling after a payment ended is judged over the run's traffic; WH-NOT-TRUTH is proven with
// reads that show the new state only late.
import { describe, expect, it } from 'vitest';
import { checkFor, evaluateRun, runCheck } from '../../src/checks/index.ts';
import type { Observation } from '../../src/checks/types.ts';
import { addObservation, flow, good, insertExchanges, mapExchanges, one, op, refOf, removeExchanges, runInput, webhook, type Run } from './fixture-builder.ts';

const fault = (at: number, effect: Record<string, unknown>, fired: number): Observation => ({ type: 'fault', at, description: JSON.stringify(effect), spec: { id: 'f1', effect }, fired });

/** The flow's answers of `status` become plain 200 CREATED reads: the integration never met the fault. */
function neverMet(run: Run, flowId: string, status: number, effect: Record<string, unknown>): Run {
  const ref = refOf(run, flowId);
  mapExchanges(run, (e) => op('getPayment', ref)(e) && e.response?.status === status, (e) => {
    e.response!.status = 200;
    e.response!.body = { state: 'CREATED', reference: ref };
  });
  return addObservation(run, flowId, fault(flow(run, flowId).startedAt, effect, 0));
}

describe('a fault the integration never met', () => {
  it('leaves EP-TOKEN-CACHE REVIEW "not exercised", not PASSED', () => {
    expect(runCheck(checkFor('EP-TOKEN-CACHE')!, runInput(good())).verdict).toBe('PASSED');
    const run = neverMet(good(), 'token-rejected', 401, { type: 'status', status: 401 });
    const f = runCheck(checkFor('EP-TOKEN-CACHE')!, runInput(run));
    expect(f.verdict).toBe('REVIEW');
    expect(f.message).toMatch(/Not exercised: a call answered 401 never happened.*token-rejected/);
  });

  it('leaves EP-429-BACKOFF REVIEW "not exercised" instead of warning about the integration', () => {
    const run = neverMet(good(), 'rate-limited-get', 429, { type: 'status', status: 429, retryAfter: 1 });
    const f = runCheck(checkFor('EP-429-BACKOFF')!, runInput(run));
    expect(f.verdict).toBe('REVIEW');
    expect(f.message).toMatch(/Not exercised: a request answered 429 never happened/);
  });

  it('still judges the item when the fault fired', () => {
    const run = addObservation(good(), 'token-rejected', fault(flow(good(), 'token-rejected').startedAt, { type: 'status', status: 401 }, 1));
    expect(runCheck(checkFor('EP-TOKEN-CACHE')!, runInput(run)).verdict).toBe('PASSED');
  });
});

describe('EP-POLLING: polling after a payment ended, over the run', () => {
  const pollingOf = (run: Run) => evaluateRun(runInput(run)).find((r) => r.item === 'EP-POLLING');

  /** `n` more GETs of the aborted payment, every 2 s from `after` ms after its ABORTED answer. */
  function pollOn(run: Run, n: number, after = 5_000): Run {
    const ended = one(run, (e) => op('getPayment', refOf(run, 'payment-aborted'))(e) && (e.response?.body as { state?: string })?.state === 'ABORTED');
    const extra = Array.from({ length: n }, (_, i) => ({ ...structuredClone(ended), id: `late-${i}`, startedAt: ended.startedAt + after + i * 2_000 }));
    return insertExchanges(run, extra);
  }

  it('adds nothing for a shop that stops at the end', () => {
    expect(pollingOf(good())).toBeUndefined();
  });

  it('does not flag a couple of reads after the end (a poll in flight, a confirming read)', () => {
    expect(pollingOf(pollOn(good(), 2))).toBeUndefined();
  });

  it('warns when GETs go on for many intervals after ABORTED, after the flow ended', () => {
    const r = pollingOf(pollOn(good(), 20));
    expect(r?.verdict).toBe('WARNING');
    // A few of the 20 fall within other flows' merchant actions (explained), the rest are flagged.
    expect(r?.findings[0].message).toMatch(/acme-shop-1005-a: polled 1[0-9] more times after it was ABORTED/);
  });

  it('measures against the declared polling interval', () => {
    const run = pollOn(good(), 6, 5_000);
    expect(pollingOf(run)?.verdict).toBe('WARNING'); // 6 GETs over 15 s > 5 × 2 s
    run.profile = { ...run.profile, polling: { firstAfterMs: 5_000, intervalMs: 10_000 } };
    expect(pollingOf(run)).toBeUndefined(); // within 5 × 10 s
  });
});

describe('WH-NOT-TRUTH with reads that show the new state late (stale-read)', () => {
  const notTruth = (run: Run) => runCheck(checkFor('WH-NOT-TRUTH')!, runInput(run));
  const stale = (run: Run) => addObservation(run, 'webhook-success-false', fault(flow(run, 'webhook-success-false').startedAt, { type: 'stale-read', ms: 4000 }, 3));

  it('passes a shop that booked paid only after GET said AUTHORIZED', () => {
    expect(notTruth(stale(good())).verdict).toBe('PASSED');
  });

  it('fails a shop whose order showed paid after the webhook, with no GET since, while GET still said CREATED', () => {
    const run = stale(good());
    const ref = refOf(run, 'webhook-success-false');
    const authorized = one(run, webhook(ref, 'AUTHORIZED'));
    removeExchanges(run, (e) => op('getPayment', ref)(e) && e.startedAt >= authorized.startedAt);
    mapExchanges(run, op('getPayment', ref), (e) => ((e.response!.body as { state: string }).state = 'CREATED'));
    const f = notTruth(run);
    expect(f.verdict).toBe('FAILED');
    expect(f.message).toMatch(/acme-shop-1016-a: the order showed paid after the webhook without a GET payment since it.*booked from the webhook alone/);
  });

  it('passes a shop that re-read, got the stale answer and moved the order on as unconfirmed (the reference merchant)', () => {
    const run = stale(good());
    mapExchanges(run, op('getPayment', refOf(run, 'webhook-success-false')), (e) => ((e.response!.body as { state: string }).state = 'CREATED'));
    expect(notTruth(run).verdict).toBe('PASSED');
  });

  it('says nothing about that without a fired stale-read fault', () => {
    const run = good();
    mapExchanges(run, op('getPayment', refOf(run, 'webhook-success-false')), (e) => ((e.response!.body as { state: string }).state = 'CREATED'));
    expect(notTruth(run).verdict).toBe('PASSED');
  });
});
