import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Where a run's wall time goes (issue #17, `bench/suite-wall-time.ts`): each process of the run
 * (golive, Playwright's runner with global setup and the live reporter) appends the phases it
 * timed to one file of the run folder, one JSON line each, in epoch ms. Lines are appended, not
 * rewritten: several processes write, and a line is one small write. Written before the manifest,
 * so the manifest covers it.
 */
export const TIMINGS_FILE = 'timings.jsonl';

export type PhaseName =
  | 'golive-start' // golive: from its process start to Playwright's spawn (loading, validation)
  | 'playwright' // golive: Playwright's process, spawn to exit
  | 'sandbox' // global setup: the embedded sandbox listening
  | 'integration' // global setup: the integration spawned until its URL answers
  | 'setup' // global setup, all of it
  | 'browser-launch' // a worker's browser fixture (once per worker process)
  | 'flow' // one flow's test, fixtures included (see `browserMs`)
  | 'first-polls' // teardown: waiting for the integration's first reads of final payments
  | 'judging' // teardown: traffic collected, run judged, summary.json written
  | 'teardown' // teardown, all of it (judging, integration and sandbox stopped)
  | 'reports' // golive: summaries, JUnit, checklist results (before Allure)
  | 'allure'; // golive: the Allure HTML generation

export interface PhaseRecord {
  phase: PhaseName;
  start: number;
  end: number;
  /** `flow`: the flow's id; `browser-launch`: the flow whose fixture launched it. */
  flow?: string;
  /** `flow`: Playwright's parallel index of the worker. */
  worker?: number;
  /** `flow`: of its time, the browser launch its fixtures waited for. */
  browserMs?: number;
}

/** Append one phase; timing is report data and never fails a run. */
export function recordPhase(runDir: string | undefined, record: PhaseRecord): void {
  if (!runDir) return;
  try {
    appendFileSync(join(runDir, TIMINGS_FILE), `${JSON.stringify(record)}\n`);
  } catch {
    /* the run folder is gone or read-only: nothing to time */
  }
}

/** Run `body`, recording it as `phase` (also when it throws). */
export async function timed<T>(runDir: string | undefined, phase: PhaseName, body: () => Promise<T>): Promise<T> {
  const start = Date.now();
  try {
    return await body();
  } finally {
    recordPhase(runDir, { phase, start, end: Date.now() });
  }
}

export function readPhases(runDir: string): PhaseRecord[] {
  const file = join(runDir, TIMINGS_FILE);
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as PhaseRecord];
      } catch {
        return []; // a line cut by a forced stop
      }
    });
}
