/**
 * `awaitFaultsMet` (src/runner/fault-wait.ts): before a completed flow's faults are cleared, each
 * fault stays until the integration met it and had time to react, or until the polling window of
 * the profile's pace passed without it being met; then every fault observation records `fired`
 * (and `firedAt`). Driven by a fake clock: `sleep` advances it, the fake control API answers the
 * fault's state at that moment.
 */
import { describe, expect, it } from 'vitest';
import { awaitFaultsMet } from '../../src/runner/fault-wait.ts';
import { GUIDELINE_POLLING, pollingBoundMs, reactionMs, type PollingPace } from '../../src/contract/polling.ts';
import type { Fault } from '../../src/contract/faults.ts';
import type { Observation } from '../../src/checks/types.ts';

type FaultObs = Extract<Observation, { type: 'fault' }>;

const T0 = 1_000_000;

/** When (clock time) each hit of a fault happens; `gone` = a step removed it at that time. */
interface Script {
  hitsAt: number[];
  gone?: number;
  retireAfter?: number;
}

function harness(scripts: Record<string, Script>, start = T0) {
  let t = start;
  let sleeps = 0;
  const lookups: string[] = [];
  const control = {
    fault: async (id: string): Promise<Fault | undefined> => {
      lookups.push(id);
      const s = scripts[id];
      if (!s || (s.gone !== undefined && t >= s.gone)) return undefined;
      const fired = s.hitsAt.filter((h) => h <= t);
      return {
        id,
        effect: { type: 'stale-read' },
        hits: fired.length,
        ...(fired.length ? { firstFiredAt: fired[0], lastFiredAt: fired[fired.length - 1] } : {}),
        ...(s.retireAfter !== undefined && fired.length >= s.retireAfter ? { retired: true } : {}),
      } as Fault;
    },
  };
  const sleep = async (ms: number) => {
    if (++sleeps > 10_000) throw new Error('awaitFaultsMet did not stop');
    t += ms;
  };
  return { control, sleep, now: () => t, lookups, elapsed: () => t - start };
}

const obs = (id: string, at = T0): FaultObs => ({ type: 'fault', at, description: `fault ${id}`, spec: { id, effect: { type: 'stale-read' } } as never });

const run = (h: ReturnType<typeof harness>, observations: Observation[], pace?: PollingPace) => awaitFaultsMet(h.control, observations, pace, h.now, h.sleep);

describe('awaitFaultsMet', () => {
  it('the guideline bounds: polling window 5 s + 3 × 2 s, reaction one interval + 1 s', () => {
    expect(pollingBoundMs()).toBe(11_000);
    expect(pollingBoundMs(GUIDELINE_POLLING)).toBe(11_000);
    expect(reactionMs()).toBe(3_000);
    expect(pollingBoundMs({ firstAfterMs: 1_000, intervalMs: 500 })).toBe(2_500);
  });

  it('returns at once without fault observations (nothing to ask the sandbox)', async () => {
    const h = harness({});
    await run(h, [{ type: 'clock', at: T0, advancedMs: 5 } as Observation]);
    expect(h.lookups).toEqual([]);
    expect(h.elapsed()).toBe(0);
  });

  it('ignores fault observations without a sandbox id', async () => {
    const h = harness({});
    await run(h, [{ type: 'fault', at: T0, description: 'x', spec: { effect: { type: 'webhook-drop' } } } as FaultObs]);
    expect(h.lookups).toEqual([]);
  });

  it('a fault never met is kept for the whole polling window from when it was added, then recorded fired: 0', async () => {
    const h = harness({ a: { hitsAt: [] } });
    const o = obs('a');
    await run(h, [o]);
    expect(h.now()).toBeGreaterThanOrEqual(T0 + 11_000);
    expect(h.now()).toBeLessThan(T0 + 11_000 + 250); // one round of slack, not more
    expect(o.fired).toBe(0);
    expect(o.firedAt).toBeUndefined();
  });

  it('boundary: a fault first met just before the window closes is still waited for (and its reaction)', async () => {
    const h = harness({ a: { hitsAt: [T0 + 10_900] } });
    const o = obs('a');
    await run(h, [o]);
    expect(o.fired).toBe(1);
    expect(o.firedAt).toBe(T0 + 10_900);
    expect(h.now()).toBeGreaterThanOrEqual(T0 + 10_900 + 3_000);
  });

  it('a fault first met just after the window closed is not waited for: recorded as not fired', async () => {
    const h = harness({ a: { hitsAt: [T0 + 11_100] } });
    const o = obs('a');
    await run(h, [o]);
    expect(o.fired).toBe(0);
    expect(h.now()).toBeLessThan(T0 + 11_100);
  });

  it('the window counts from the fault observation, not from the wait: a fault added long ago is not waited for', async () => {
    const h = harness({ a: { hitsAt: [] } }, T0 + 30_000);
    const o = obs('a', T0);
    await run(h, [o]);
    expect(h.elapsed()).toBe(0);
    expect(o.fired).toBe(0);
  });

  it('a met fault is kept until the integration had its reaction time after the last hit', async () => {
    const h = harness({ a: { hitsAt: [T0 + 5_000, T0 + 6_000], retireAfter: 2 } });
    const o = obs('a');
    await run(h, [o]);
    expect(o.fired).toBe(2);
    expect(o.firedAt).toBe(T0 + 5_000);
    expect(h.now()).toBeGreaterThanOrEqual(T0 + 6_000 + 3_000);
    expect(h.now()).toBeLessThan(T0 + 6_000 + 3_000 + 250);
  });

  it('a fault met and reacted to before the flow ended costs no wait', async () => {
    const h = harness({ a: { hitsAt: [T0 + 1_000] } }, T0 + 4_000);
    const o = obs('a');
    await run(h, [o]);
    expect(h.elapsed()).toBe(0);
    expect(o.fired).toBe(1);
  });

  it('a fault the integration keeps meeting (polling past a final state) ends the wait one window after its first hit', async () => {
    const hits = Array.from({ length: 200 }, (_, i) => T0 + 5_000 + i * 1_000); // every second, faster than the reaction time
    const h = harness({ a: { hitsAt: hits } });
    const o = obs('a');
    await run(h, [o]);
    expect(h.now()).toBeGreaterThanOrEqual(T0 + 5_000 + 11_000);
    expect(h.now()).toBeLessThan(T0 + 5_000 + 11_000 + 250);
    expect(o.fired).toBeGreaterThan(10);
  });

  it('a fault a step already removed ends its wait at once and keeps the observation untouched', async () => {
    const h = harness({ a: { hitsAt: [T0 + 100], gone: T0 } });
    const o = obs('a');
    await run(h, [o]);
    expect(h.elapsed()).toBe(0);
    expect(o.fired).toBeUndefined();
  });

  it('each fault is judged on its own: the wait lasts as long as the slowest, and stops asking about the finished ones', async () => {
    const h = harness({ quick: { hitsAt: [T0 + 500] }, late: { hitsAt: [T0 + 8_000] }, never: { hitsAt: [] } });
    const quick = obs('quick');
    const late = obs('late');
    const never = obs('never');
    await run(h, [quick, late, never]);
    expect(h.now()).toBeGreaterThanOrEqual(T0 + 11_000);
    expect([quick.fired, late.fired, never.fired]).toEqual([1, 1, 0]);
    const quickAsks = h.lookups.filter((id) => id === 'quick').length;
    expect(quickAsks).toBeLessThan(h.lookups.filter((id) => id === 'never').length);
    expect(quick.firedAt).toBe(T0 + 500);
  });

  it("the profile's declared pace sets the bounds", async () => {
    const pace = { firstAfterMs: 20_000, intervalMs: 5_000 }; // window 35 s, reaction 6 s
    const h = harness({ a: { hitsAt: [T0 + 30_000] } });
    const o = obs('a');
    await run(h, [o], pace);
    expect(o.fired).toBe(1);
    expect(h.now()).toBeGreaterThanOrEqual(T0 + 30_000 + 6_000);
    const fast = harness({ a: { hitsAt: [] } });
    await run(fast, [obs('a')], { firstAfterMs: 1_000, intervalMs: 500 });
    expect(fast.now()).toBeGreaterThanOrEqual(T0 + 2_500);
    expect(fast.now()).toBeLessThan(T0 + 2_500 + 250);
  });
});
