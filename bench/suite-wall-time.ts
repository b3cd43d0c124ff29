/**
 * Suite wall time (issue #17 item 4): the full default run (reference merchant, the ePayment
 * suites) with 1, 2 and 4 workers, one `golive run` child process at a time, against the sum and
 * the longest of its flows' own times, and where the time went — from the run folder's
 * timings.jsonl (src/runner/timings.ts; arithmetic in bench/support/wall-time.ts). Targets: wall
 * time with enough workers ≤ 1.5× the longest flow; Allure generation ≤ 10 % of the run.
 *
 *   node bin/run-ts.mjs bench/suite-wall-time.ts [--workers 1,2,4] [--keep]
 *
 * Ctrl+C stops the current golive run the way golive stops (again: at once). Writes
 * bench/results/suite-wall-time.json.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readPhases } from '../src/runner/timings.ts';
import { signalGroup } from '../src/runner/process-group.ts';
import { root } from './support/processes.ts';
import { breakdown, parseWorkers, type Breakdown } from './support/wall-time.ts';

const args = process.argv.slice(2);
const workerCounts = parseWorkers(args.includes('--workers') ? args[args.indexOf('--workers') + 1] : undefined);
const keep = args.includes('--keep');

let current: ChildProcess | undefined;
let signals = 0;
// golive runs in its own process group (so a terminal's Ctrl+C reaches this script only): the
// first signal is forwarded once (golive stops its flows and writes what exists), the second
// forces golive, which kills its Playwright and integration groups; a third kills its group.
const onSignal = () => {
  signals++;
  if (!current?.pid) process.exit(130);
  if (signals <= 2) signalGroup(current.pid, 'SIGINT');
  else signalGroup(current.pid, 'SIGKILL');
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
process.on('exit', () => current?.pid && current.exitCode === null && signalGroup(current.pid, 'SIGKILL'));

interface Run extends Breakdown {
  workers: number;
  exitCode: number | null;
  summary?: Record<string, number>;
  runDir?: string;
}

async function runOnce(workers: number): Promise<Run> {
  const out = mkdtempSync(join(tmpdir(), 'golive-wall-'));
  const start = Date.now();
  const child = spawn(process.execPath, ['bin/golive.mjs', 'run', '--workers', String(workers), '--out', out], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  current = child;
  let tail = '';
  const keepTail = (d: Buffer) => (tail = (tail + d.toString('utf8')).slice(-4000));
  child.stdout!.on('data', keepTail);
  child.stderr!.on('data', keepTail);
  const exitCode = await new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  const end = Date.now();
  current = undefined;
  const latest = join(out, 'latest');
  if (!existsSync(latest)) throw new Error(`golive run --workers ${workers} left no run folder (exit ${exitCode}):\n${tail}`);
  const runDir = realpathSync(latest);
  const phases = readPhases(runDir);
  const summaryFile = join(runDir, 'summary.json');
  const summary = existsSync(summaryFile) ? (JSON.parse(readFileSync(summaryFile, 'utf8')) as { counts: Record<string, number> }).counts : undefined;
  if (!keep) rmSync(out, { recursive: true, force: true });
  return { workers, exitCode, summary, ...(keep ? { runDir } : {}), ...breakdown(phases, { start, end }) };
}

const s = (ms?: number) => (ms === undefined ? '–' : (ms / 1000).toFixed(1));
const runs: Run[] = [];
for (const w of workerCounts) {
  if (signals) break;
  process.stdout.write(`golive run --workers ${w} … `);
  const r = await runOnce(w);
  runs.push(r);
  console.log(`${s(r.wallMs)} s (exit ${r.exitCode}${r.summary ? `; ${Object.entries(r.summary).map(([k, n]) => `${n} ${k}`).join(', ')}` : ''})`);
}

const columns: [string, (r: Run) => string][] = [
  ['workers', (r) => String(r.workers)],
  ['wall s', (r) => s(r.wallMs)],
  ['sum s', (r) => s(r.sumMs)],
  ['longest s', (r) => s(r.longestMs)],
  ['wall/longest', (r) => r.wallPerLongest.toFixed(2)],
  ['wall/sum', (r) => r.wallPerSum.toFixed(2)],
  ['golive start', (r) => s(r.phases.goliveStart)],
  ['pw start', (r) => s(r.phases.playwrightStart)],
  ['sandbox', (r) => s(r.phases.sandbox)],
  ['integration', (r) => s(r.phases.integration)],
  ['workers start', (r) => s(r.phases.workersStart)],
  ['browser ×n max', (r) => `${r.phases.browserLaunches}× ${s(r.phases.browserMaxMs)}`],
  ['flows', (r) => s(r.phases.flowsWindow)],
  ['workers stop', (r) => s(r.phases.workersStop)],
  ['first polls', (r) => s(r.phases.firstPolls)],
  ['judging', (r) => s(r.phases.judging)],
  ['teardown', (r) => s(r.phases.teardown)],
  ['reports', (r) => s(r.phases.reports)],
  ['allure', (r) => s(r.phases.allure)],
  ['other', (r) => s(r.phases.unaccounted)],
  ['allure %', (r) => `${(r.allureShare * 100).toFixed(1)}`],
];
if (runs.length) {
  console.log(`\nsuite wall time — reference merchant, ePayment suites, ${runs[0].flows} flows; a flow's own time excludes its browser launch; phases in s\n`);
  const widths = columns.map(([h], i) => Math.max(h.length, ...runs.map((r) => columns[i][1](r).length)));
  console.log(columns.map(([h], i) => h.padStart(widths[i])).join(' | '));
  console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  for (const r of runs) console.log(columns.map(([, f], i) => f(r).padStart(widths[i])).join(' | '));
  const best = runs.reduce((a, b) => (b.wallPerLongest < a.wallPerLongest ? b : a));
  console.log(`\nlongest flow: ${best.longestFlow} (${s(best.longestMs)} s). Best wall/longest ${best.wallPerLongest.toFixed(2)} at ${best.workers} workers: ${best.wallPerLongest <= 1.5 ? 'within' : 'OVER'} the 1.5× target; Allure share ${Math.max(...runs.map((r) => r.allureShare * 100)).toFixed(1)} % at most: ${runs.every((r) => r.allureShare <= 0.1) ? 'within' : 'OVER'} the 10 % target`);
  // An interrupted run's figures are of fewer flows: shown, but never in place of a whole run's results.
  if (signals) console.log('interrupted: bench/results/suite-wall-time.json left as it was');
  else {
    mkdirSync(resolve(root, 'bench/results'), { recursive: true });
    writeFileSync(resolve(root, 'bench/results/suite-wall-time.json'), JSON.stringify({ at: new Date().toISOString(), node: process.version, runs }, null, 2));
    console.log('results: bench/results/suite-wall-time.json');
  }
}
process.exit(signals ? 130 : 0);
