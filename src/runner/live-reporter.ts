import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FullConfig, FullResult, Reporter, Suite, TestCase, TestError, TestResult, TestStep } from '@playwright/test/reporter';
import { oneLine, palette } from '../report/terminal.ts';
import { readRunConfig, RUN_CONFIG_ENV } from './run-config.ts';
import { recordPhase } from './timings.ts';

/** Written at the start of a run: the flows Playwright selected (after --grep and --shard), for NOT RUN verdicts. */
export const PLANNED_FLOWS_FILE = 'planned-flows.json';

export interface PlannedFlow {
  suite: string;
  id: string;
  title: string;
}

/**
 * golive's terminal reporter (instead of Playwright's `list`): one live line per flow — verdict,
 * flow, elapsed time and the first failure reason — with everything from outside escaped and cut
 * (the full text is in the report). It also records which flows the run selected.
 */
export default class LiveReporter implements Reporter {
  private readonly colour = palette();
  private readonly runDir = process.env[RUN_CONFIG_ENV] ? readRunConfig().runDir : undefined;
  private total = 0;
  private done = 0;

  printsToStdio(): boolean {
    return true;
  }

  onBegin(_config: FullConfig, suite: Suite): void {
    const tests = suite.allTests();
    this.total = tests.length;
    const planned: PlannedFlow[] = tests.map((t) => ({ suite: tagValue(t, 0), id: tagValue(t, 1), title: t.title }));
    if (this.runDir) writeFileSync(join(this.runDir, PLANNED_FLOWS_FILE), JSON.stringify(planned, null, 2));
    if (this.total > 0) process.stdout.write(`Running ${this.total} flow${this.total === 1 ? '' : 's'}\n\n`);
  }

  onTestEnd(test: TestCase, result: TestResult): void {
    this.done++;
    this.recordTimes(test, result);
    const c = this.colour;
    const verdicts = [...test.annotations, ...(result.annotations ?? [])].filter((a) => a.type.startsWith('verdict:')).map((a) => a.type.slice('verdict:'.length));
    const mark =
      result.status === 'skipped'
        ? c.dim('N/A ')
        : result.status === 'interrupted'
          ? c.yellow('STOP')
          : result.status !== 'passed'
            ? c.red('FAIL')
            : verdicts.includes('WARNING') || verdicts.includes('REVIEW')
              ? c.yellow('PASS')
              : c.green('PASS');
    const seconds = `${(result.duration / 1000).toFixed(1)}s`;
    const counter = c.dim(`[${this.done}/${this.total}]`);
    process.stdout.write(`  ${mark}  ${counter} ${oneLine(test.title, 90)}  ${c.dim(`${tagValue(test, 1)} · ${seconds}`)}\n`);
    const reason = result.status === 'skipped' ? test.annotations.find((a) => a.type === 'skip')?.description : result.error?.message;
    if (reason && result.status !== 'passed') process.stdout.write(`        ${c.dim('→')} ${oneLine(reason, 150)}\n`);
  }

  /** The flow's time for the wall-time bench, and the browser launch its fixtures waited for (a worker's first flow). */
  private recordTimes(test: TestCase, result: TestResult): void {
    if (!this.runDir || !result.startTime) return;
    const start = result.startTime.getTime();
    const flow = tagValue(test, 1);
    const launch = findStep(result.steps, (s) => s.category === 'fixture' && s.title === 'Fixture "browser"');
    if (launch) recordPhase(this.runDir, { phase: 'browser-launch', start: launch.startTime.getTime(), end: launch.startTime.getTime() + launch.duration, flow });
    recordPhase(this.runDir, { phase: 'flow', start, end: start + result.duration, flow, worker: result.parallelIndex, ...(launch ? { browserMs: launch.duration } : {}) });
  }

  onError(error: TestError): void {
    // golive reports a --grep that selects nothing as a usage error itself.
    if (/^(?:Error: )?No tests found/.test(error.message ?? '')) return;
    process.stdout.write(`  ${this.colour.red('ERROR')} ${oneLine(error.message ?? String(error.value ?? 'unknown error'), 200)}\n`);
  }

  onEnd(result: FullResult): void {
    if (result.status === 'interrupted') process.stdout.write(`\n  ${this.colour.yellow('interrupted')}: ${this.total - this.done} of ${this.total} flows did not run to the end\n`);
  }
}

/** Flow tags are [`@suite`, `@flow-id`, `@ITEM`…] (src/runner/flows.spec.ts). */
function tagValue(test: TestCase, index: number): string {
  return (test.tags[index] ?? '').replace(/^@/, '');
}

function findStep(steps: TestStep[], match: (s: TestStep) => boolean): TestStep | undefined {
  for (const s of steps) {
    if (match(s)) return s;
    const inner = findStep(s.steps, match);
    if (inner) return inner;
  }
  return undefined;
}
