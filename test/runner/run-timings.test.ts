import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { readPhases, TIMINGS_FILE } from '../../src/runner/timings.ts';

const root = resolve(import.meta.dirname, '../..');

/**
 * A run times its phases into timings.jsonl (read by bench/suite-wall-time.ts): one cheap run of
 * one flow, and the phases nest as the run does — setup inside Playwright, the flow after setup
 * and before teardown, Allure after Playwright — and the manifest covers the file.
 */
describe('timings.jsonl of a golive run', () => {
  it('records every phase once per run, in the order the run went', async () => {
    const out = mkdtempSync(join(tmpdir(), 'golive-timings-'));
    try {
      await promisify(execFile)(process.execPath, ['bin/golive.mjs', 'run', '--out', out, '--grep', '@order-captured', '--workers', '1'], { cwd: root, timeout: 150_000, maxBuffer: 32 * 2 ** 20 }).catch((err) => {
        throw new Error(`golive run exited ${err.code}:\n${String(err.stdout).slice(-4000)}\n${String(err.stderr).slice(-2000)}`);
      });
      const runDir = join(out, readlinkSync(join(out, 'latest')));
      const phases = readPhases(runDir);
      const one = (name: string) => {
        const found = phases.filter((p) => p.phase === name);
        expect(found, name).toHaveLength(1);
        expect(found[0].end, name).toBeGreaterThanOrEqual(found[0].start);
        return found[0];
      };
      const [golive, playwright, setup, sandbox, integration, launch, flow, polls, judging, teardown, reports, allure] = ['golive-start', 'playwright', 'setup', 'sandbox', 'integration', 'browser-launch', 'flow', 'first-polls', 'judging', 'teardown', 'reports', 'allure'].map(one);
      expect(golive.end).toBeLessThanOrEqual(playwright.start);
      expect(setup.start).toBeGreaterThanOrEqual(playwright.start);
      expect(sandbox.start).toBeGreaterThanOrEqual(setup.start);
      expect(integration.start).toBeGreaterThanOrEqual(sandbox.end);
      expect(integration.end).toBeLessThanOrEqual(setup.end);
      expect(flow.flow).toBe('order-captured');
      expect(flow.start).toBeGreaterThanOrEqual(setup.end);
      expect(launch.start).toBeGreaterThanOrEqual(flow.start);
      expect(flow.browserMs).toBe(launch.end - launch.start);
      expect(teardown.start).toBeGreaterThanOrEqual(flow.end);
      expect(polls.end).toBeLessThanOrEqual(judging.start);
      expect(judging.end).toBeLessThanOrEqual(teardown.end);
      expect(teardown.end).toBeLessThanOrEqual(playwright.end);
      expect(reports.start).toBeGreaterThanOrEqual(playwright.end);
      expect(allure.start).toBeGreaterThanOrEqual(reports.end);
      // Written before the manifest: `golive evidence verify` covers it like every other file.
      const manifest = JSON.parse(readFileSync(join(runDir, 'manifest.json'), 'utf8')) as { files: { path: string }[] };
      expect(manifest.files.map((f) => f.path)).toContain(TIMINGS_FILE);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 180_000);
});
