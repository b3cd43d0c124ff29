// The wall-time bench's arithmetic (bench/support/wall-time.ts) and the run's timings file it
// reads (src/runner/timings.ts), on small synthetic inputs.
import { mkdtempSync, appendFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { breakdown, parseWorkers } from '../../bench/support/wall-time.ts';
import { readPhases, recordPhase, timed, TIMINGS_FILE, type PhaseRecord } from '../../src/runner/timings.ts';

// A run of 10 s: golive 0–0.5, Playwright 0.5–8 (setup 1–2, flows 2.5–7, teardown 7.2–7.9), reports 8–8.2, Allure 8.2–9.5.
const run: PhaseRecord[] = [
  { phase: 'golive-start', start: 900, end: 1500 },
  { phase: 'playwright', start: 1500, end: 9000 },
  { phase: 'setup', start: 2000, end: 3000 },
  { phase: 'sandbox', start: 2000, end: 2100 },
  { phase: 'integration', start: 2100, end: 3000 },
  { phase: 'browser-launch', start: 3500, end: 4000, flow: 'a' },
  { phase: 'flow', start: 3500, end: 6000, flow: 'a', worker: 0, browserMs: 500 },
  { phase: 'browser-launch', start: 3600, end: 4300, flow: 'b' },
  { phase: 'flow', start: 3600, end: 8000, flow: 'b', worker: 1, browserMs: 700 },
  { phase: 'flow', start: 6000, end: 7000, flow: 'c', worker: 0 },
  { phase: 'teardown', start: 8200, end: 8900 },
  { phase: 'first-polls', start: 8200, end: 8300 },
  { phase: 'judging', start: 8300, end: 8700 },
  { phase: 'reports', start: 9000, end: 9200 },
  { phase: 'allure', start: 9200, end: 10500 },
];

describe('breakdown', () => {
  const b = breakdown(run, { start: 1000, end: 11000 });

  it("takes each flow's own time without its browser launch: sum, longest and the ratios", () => {
    expect(b.wallMs).toBe(10_000);
    expect(b.flows).toBe(3);
    expect(b.sumMs).toBe(2000 + 3700 + 1000);
    expect(b.longestMs).toBe(3700);
    expect(b.longestFlow).toBe('b');
    expect(b.wallPerLongest).toBeCloseTo(10_000 / 3700);
    expect(b.wallPerSum).toBeCloseTo(10_000 / 6700);
  });

  it('says where the time went, phase by phase, and what no phase covers', () => {
    expect(b.phases).toEqual({
      goliveStart: 500, // clamped to the bench's own start
      playwrightStart: 500,
      sandbox: 100,
      integration: 900,
      setup: 1000,
      workersStart: 500,
      browserLaunches: 2,
      browserMaxMs: 700,
      browserTotalMs: 1200,
      flowsWindow: 4500,
      workersStop: 200,
      firstPolls: 100,
      judging: 400,
      teardown: 700,
      afterPlaywright: 0,
      reports: 200,
      allure: 1300,
      unaccounted: 10_000 - (500 + 7500 + 0 + 200 + 1300),
    });
    expect(b.allureShare).toBeCloseTo(0.13);
  });

  it('leaves what a run did not record undefined instead of guessing (a run that failed in setup)', () => {
    const failed = breakdown([{ phase: 'golive-start', start: 0, end: 100 }, { phase: 'playwright', start: 100, end: 600 }], { start: 0, end: 1000 });
    expect(failed.flows).toBe(0);
    expect(failed.longestMs).toBe(0);
    expect(failed.wallPerLongest).toBeNaN();
    expect(failed.phases.flowsWindow).toBeUndefined();
    expect(failed.phases.allure).toBeUndefined();
    expect(failed.phases.unaccounted).toBe(400);
  });
});

describe('parseWorkers', () => {
  it('reads a comma-separated list, 1,2,4 by default', () => {
    expect(parseWorkers(undefined)).toEqual([1, 2, 4]);
    expect(parseWorkers('2, 3')).toEqual([2, 3]);
    expect(() => parseWorkers('0,2')).toThrow(/whole numbers/);
    expect(() => parseWorkers('50%')).toThrow(/whole numbers/);
  });
});

describe('timings.jsonl', () => {
  let dir: string | undefined;
  afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));

  it('appends phases from any process and reads them back, skipping a line cut short', async () => {
    dir = mkdtempSync(join(tmpdir(), 'golive-timings-'));
    recordPhase(dir, { phase: 'sandbox', start: 1, end: 2 });
    await expect(timed(dir, 'integration', async () => { throw new Error('no answer'); })).rejects.toThrow('no answer');
    expect(await timed(dir, 'allure', async () => 42)).toBe(42);
    appendFileSync(join(dir, TIMINGS_FILE), '{"phase":"flow","sta');
    const phases = readPhases(dir);
    expect(phases.map((p) => p.phase)).toEqual(['sandbox', 'integration', 'allure']);
    for (const p of phases) expect(p.end).toBeGreaterThanOrEqual(p.start);
  });

  it('never fails the run: no run folder, or one that is gone', () => {
    expect(() => recordPhase(undefined, { phase: 'sandbox', start: 1, end: 2 })).not.toThrow();
    expect(() => recordPhase('/nonexistent/golive-run', { phase: 'sandbox', start: 1, end: 2 })).not.toThrow();
    expect(readPhases('/nonexistent/golive-run')).toEqual([]);
  });
});
