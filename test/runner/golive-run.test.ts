import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { RunSummary } from '../../src/report/run-summary.ts';

const root = resolve(import.meta.dirname, '../..');

/**
 * The README's main job, as a user runs it: `golive run` with no arguments verifies the bundled
 * reference merchant on the embedded sandbox, and every required checklist item passes.
 */
describe('golive run (the main job)', () => {
  it('passes every checklist item against the reference merchant and exits 0', async () => {
    const out = mkdtempSync(join(tmpdir(), 'golive-main-'));
    const { stdout } = await promisify(execFile)(process.execPath, ['bin/golive.mjs', 'run', '--out', out], { cwd: root, timeout: 240_000, maxBuffer: 32 * 2 ** 20 }).catch((err) => {
      throw new Error(`golive run exited ${err.code}:\n${String(err.stdout).slice(-4000)}\n${String(err.stderr).slice(-2000)}`);
    });
    expect(stdout).toMatch(/Checklist verdicts — profile reference-merchant/);
    const runDir = join(out, readlinkSync(join(out, 'latest')));
    const summary = JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8')) as RunSummary;
    expect(summary.flows.length).toBeGreaterThanOrEqual(18);
    expect(summary.flows.filter((f) => f.outcome !== 'completed')).toEqual([]);
    expect(summary.items.filter((i) => i.verdict === 'FAILED').map((i) => `${i.id}: ${i.findings.map((f) => f.message).join(' | ')}`)).toEqual([]);
    // Every item of the ePayment catalogue has a verdict, and the core ones are proven automatically.
    const verdict = (id: string) => summary.items.find((i) => i.id === id)?.verdict;
    for (const id of ['EP-ORDER-CAPTURED', 'EP-ORDER-REFUNDED', 'EP-ORDER-CANCELLED', 'EP-HEADERS', 'EP-IDEMPOTENCY', 'EP-POLLING', 'EP-REDIRECT', 'WH-VERIFY-HMAC']) {
      expect(verdict(id), id).toBe('PASSED');
    }
    for (const state of ['AUTHORIZED', 'CAPTURED', 'REFUNDED', 'CANCELLED'] as const) expect(summary.evidenceReferences[state].length, state).toBeGreaterThan(0);
  }, 300_000);
});
