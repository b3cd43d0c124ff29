import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { runFolderBudgetBytes, runFolderSize } from '../../src/report/run-folder.ts';
import type { RunSummary } from '../../src/report/run-summary.ts';
import { RUN_MARKER_ENV } from '../../src/runner/run-config.ts';
import { settle } from '../helpers/processes.ts';
import { MAIN_RUN, sharedRun } from '../helpers/shared-run.ts';

const root = resolve(import.meta.dirname, '../..');

/**
 * The README's main job, as a user runs it: `golive run` with no arguments verifies the bundled
 * reference merchant on the embedded sandbox, and every required checklist item passes.
 */
describe('golive run (the main job)', () => {
  let fullRun: RunSummary | undefined;

  it('passes every checklist item against the reference merchant and exits 0', async () => {
    // The main job as the README runs it; shared with the other files judging this run (test-api-run).
    const { code, stdout, runDir } = await sharedRun(MAIN_RUN.key, MAIN_RUN.args);
    expect(code, stdout.slice(-4000)).toBe(0);
    expect(stdout).toMatch(/Checklist verdicts — profile reference-merchant/);
    const summary = JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8')) as RunSummary;
    fullRun = summary;
    expect(summary.flows.length).toBeGreaterThanOrEqual(18);
    // Every flow ran, except the platform's (the reference merchant is one sales unit).
    expect(summary.flows.filter((f) => f.outcome !== 'completed' && !(f.outcome === 'not-applicable' && f.suite === 'partner-platform'))).toEqual([]);
    expect(summary.items.filter((i) => i.verdict === 'FAILED').map((i) => `${i.id}: ${i.findings.map((f) => f.message).join(' | ')}`)).toEqual([]);
    // Every item of the ePayment catalogue has a verdict, and the core ones are proven automatically.
    const verdict = (id: string) => summary.items.find((i) => i.id === id)?.verdict;
    for (const id of ['EP-ORDER-CAPTURED', 'EP-ORDER-REFUNDED', 'EP-ORDER-CANCELLED', 'EP-HEADERS', 'EP-IDEMPOTENCY', 'EP-POLLING', 'EP-REDIRECT', 'WH-VERIFY-HMAC']) {
      expect(verdict(id), id).toBe('PASSED');
    }
    for (const state of ['AUTHORIZED', 'CAPTURED', 'REFUNDED', 'CANCELLED'] as const) expect(summary.evidenceReferences[state].length, state).toBeGreaterThan(0);
    // A full run is evidence: nothing NOT RUN, not partial.
    expect(summary.partial).toBeUndefined();
    expect(summary.items.filter((i) => i.verdict === 'NOT_RUN')).toEqual([]);
    // Nothing the run started is left behind (integration, Playwright, browsers, ffmpeg).
    expect(await settle(RUN_MARKER_ENV, summary.runId)).toEqual([]);
    // The default run folder keeps to its size budget (one copy of each attachment; see docs/allure.md).
    const size = runFolderSize(runDir);
    expect(size.total, `run folder ${runDir}: ${JSON.stringify(size.byEntry)}`).toBeLessThanOrEqual(runFolderBudgetBytes(summary.flows.length));
  }, 300_000);

  it('a --grep run of one passing flow exits 0: unexercised items are NOT RUN (JUnit skipped), and the run says it is partial', async () => {
    const out = mkdtempSync(join(tmpdir(), 'golive-grep-'));
    const { stdout } = await promisify(execFile)(process.execPath, ['bin/golive.mjs', 'run', '--out', out, '--grep', '@order-captured'], { cwd: root, timeout: 120_000, maxBuffer: 32 * 2 ** 20 }).catch((err) => {
      throw new Error(`golive run exited ${err.code}:\n${String(err.stdout).slice(-4000)}\n${String(err.stderr).slice(-2000)}`);
    });
    expect(stdout).toMatch(/PARTIAL RUN — not evidence for the checklist submission: the run selected 1 of the suites' \d+ flows/);
    const runDir = join(out, readlinkSync(join(out, 'latest')));
    const summary = JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8')) as RunSummary;
    expect(summary.flows.map((f) => f.id)).toEqual(['order-captured']);
    expect(summary.items.find((i) => i.id === 'EP-ORDER-CAPTURED')?.verdict).toBe('PASSED');
    expect(summary.items.find((i) => i.id === 'EP-ORDER-REFUNDED')?.verdict).toBe('NOT_RUN');
    expect(summary.items.filter((i) => i.verdict === 'FAILED')).toEqual([]);
    const junit = readFileSync(join(runDir, 'junit.xml'), 'utf8');
    expect(junit).not.toContain('<failure');
    expect(/<testsuites[^>]*failures="(\d+)"/.exec(junit)?.[1]).toBe('0');
    const checklist = /<testsuite name="golive checklist"[^>]*skipped="(\d+)"/.exec(junit);
    expect(Number(checklist?.[1])).toBe(summary.items.filter((i) => i.verdict === 'NOT_RUN' || i.verdict === 'NOT_APPLICABLE').length);
  }, 180_000);

  it('two shards merged with `golive report` give the same verdicts as one full run', async () => {
    expect(fullRun, 'the full run above must have passed').toBeDefined();
    const run = promisify(execFile);
    const shardDirs: string[] = [];
    for (const shard of ['1/2', '2/2']) {
      const out = mkdtempSync(join(tmpdir(), 'golive-shard-'));
      // A shard alone is partial: it exits 0 as long as what it ran passed.
      await run(process.execPath, ['bin/golive.mjs', 'run', '--out', out, '--workers', '2', '--shard', shard], { cwd: root, timeout: 240_000, maxBuffer: 32 * 2 ** 20 }).catch((err) => {
        throw new Error(`shard ${shard} exited ${err.code}:\n${String(err.stdout).slice(-4000)}`);
      });
      shardDirs.push(join(out, readlinkSync(join(out, 'latest'))));
    }
    const shardFlows = shardDirs.map((d) => (JSON.parse(readFileSync(join(d, 'summary.json'), 'utf8')) as RunSummary).flows.map((f) => f.id));
    expect(shardFlows[0].length).toBeGreaterThan(0);
    expect(shardFlows[1].length).toBeGreaterThan(0);
    const merged = join(mkdtempSync(join(tmpdir(), 'golive-merged-')), 'merged');
    const { stdout } = await run(process.execPath, ['bin/golive.mjs', 'report', ...shardDirs, '--out', merged], { cwd: root, timeout: 120_000, maxBuffer: 32 * 2 ** 20 }).catch((err) => {
      throw new Error(`golive report exited ${err.code}:\n${String(err.stdout).slice(-4000)}\n${String(err.stderr).slice(-2000)}`);
    });
    expect(stdout).toMatch(/Checklist verdicts/);
    const summary = JSON.parse(readFileSync(join(merged, 'summary.json'), 'utf8')) as RunSummary;
    // Every flow exactly once, and the verdict of every item as in the unsharded run.
    expect(summary.flows.map((f) => f.id).sort()).toEqual(fullRun!.flows.map((f) => f.id).sort());
    expect([...shardFlows[0], ...shardFlows[1]].sort()).toEqual(fullRun!.flows.map((f) => f.id).sort());
    const verdicts = (s: RunSummary) => Object.fromEntries(s.items.map((i) => [i.id, i.verdict]));
    expect(verdicts(summary)).toEqual(verdicts(fullRun!));
    expect(summary.partial).toBeUndefined();
    expect(readFileSync(join(merged, 'junit.xml'), 'utf8')).toContain('<testsuite name="golive checklist"');
  }, 600_000);
});
