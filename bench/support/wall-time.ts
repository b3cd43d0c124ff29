/**
 * The wall-time bench's arithmetic (pure, unit-tested in test/bench/wall-time.test.ts): from a
 * run folder's timings.jsonl (src/runner/timings.ts) and the bench's own wall clock, each flow's
 * own time, their sum and longest, and where the run's time went.
 */
import type { PhaseRecord } from '../../src/runner/timings.ts';

export interface Breakdown {
  wallMs: number;
  flows: number;
  /** A flow's own time: its test's duration without the browser launch its fixtures waited for. */
  sumMs: number;
  longestMs: number;
  longestFlow?: string;
  wallPerLongest: number;
  wallPerSum: number;
  /** ms per phase; sequential phases of the run plus the flows' window (first start → last end). */
  phases: {
    goliveStart?: number;
    /** Playwright's own start-up: spawn → global setup (config, test collection). */
    playwrightStart?: number;
    sandbox?: number;
    integration?: number;
    setup?: number;
    /** Global setup's end → the first flow's start (worker processes loading the spec). */
    workersStart?: number;
    /** Browser launches: how many, the longest, and their total (they overlap across workers). */
    browserLaunches: number;
    browserMaxMs?: number;
    browserTotalMs?: number;
    flowsWindow?: number;
    /** The last flow's end → teardown (Playwright closing workers and browsers). */
    workersStop?: number;
    firstPolls?: number;
    judging?: number;
    teardown?: number;
    /** Playwright's exit → golive's reports (its process, stopGroup). */
    afterPlaywright?: number;
    reports?: number;
    allure?: number;
    /** What no phase covers: the manifest (written last), process exit, gaps. */
    unaccounted: number;
  };
  allureShare: number;
}

const span = (r?: PhaseRecord) => (r ? r.end - r.start : undefined);

export function breakdown(records: PhaseRecord[], wall: { start: number; end: number }): Breakdown {
  const one = (phase: PhaseRecord['phase']) => records.find((r) => r.phase === phase);
  const flows = records.filter((r) => r.phase === 'flow');
  const launches = records.filter((r) => r.phase === 'browser-launch');
  const own = flows.map((f) => ({ id: f.flow, ms: Math.max(0, f.end - f.start - (f.browserMs ?? 0)) }));
  const longest = own.reduce<{ id?: string; ms: number }>((a, b) => (b.ms > a.ms ? b : a), { ms: 0 });
  const sumMs = own.reduce((a, b) => a + b.ms, 0);
  const wallMs = wall.end - wall.start;
  const firstFlow = flows.length ? Math.min(...flows.map((f) => f.start)) : undefined;
  const lastFlow = flows.length ? Math.max(...flows.map((f) => f.end)) : undefined;
  const [golive, playwright, setup, teardown, reports, allure] = (['golive-start', 'playwright', 'setup', 'teardown', 'reports', 'allure'] as const).map(one);
  const diff = (a?: number, b?: number) => (a !== undefined && b !== undefined ? Math.max(0, b - a) : undefined);
  const phases: Breakdown['phases'] = {
    // golive's process may start before the bench's clock sees the spawn return: clamp to the wall.
    goliveStart: golive ? golive.end - Math.max(golive.start, wall.start) : undefined,
    playwrightStart: diff(playwright?.start, setup?.start),
    sandbox: span(one('sandbox')),
    integration: span(one('integration')),
    setup: span(setup),
    workersStart: diff(setup?.end, firstFlow),
    browserLaunches: launches.length,
    browserMaxMs: launches.length ? Math.max(...launches.map((l) => l.end - l.start)) : undefined,
    browserTotalMs: launches.length ? launches.reduce((a, l) => a + l.end - l.start, 0) : undefined,
    flowsWindow: diff(firstFlow, lastFlow),
    workersStop: diff(lastFlow, teardown?.start),
    firstPolls: span(one('first-polls')),
    judging: span(one('judging')),
    teardown: span(teardown),
    afterPlaywright: diff(playwright?.end, reports?.start),
    reports: span(reports),
    allure: span(allure),
    unaccounted: 0,
  };
  // The run's sequential line: golive start, Playwright (setup … teardown inside it), after it, reports, Allure.
  const covered = (phases.goliveStart ?? 0) + (span(playwright) ?? 0) + (phases.afterPlaywright ?? 0) + (phases.reports ?? 0) + (phases.allure ?? 0);
  phases.unaccounted = Math.max(0, wallMs - covered);
  return {
    wallMs,
    flows: flows.length,
    sumMs,
    longestMs: longest.ms,
    longestFlow: longest.id,
    wallPerLongest: longest.ms ? wallMs / longest.ms : NaN,
    wallPerSum: sumMs ? wallMs / sumMs : NaN,
    phases,
    allureShare: (phases.allure ?? 0) / wallMs,
  };
}

/** `--workers 1,2,4` → [1, 2, 4] (whole numbers ≥ 1, as golive takes them). */
export function parseWorkers(arg: string | undefined): number[] {
  const list = (arg ?? '1,2,4').split(',').map((w) => w.trim()).filter(Boolean);
  const workers = list.map(Number);
  if (workers.length === 0 || workers.some((w) => !Number.isInteger(w) || w < 1)) throw new Error(`--workers ${JSON.stringify(arg)}: expected whole numbers ≥ 1, comma-separated`);
  return workers;
}
