import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runEvidenceCombineCommand } from '../../src/cli/evidence.ts';
import { combineSummaries, CombineError } from '../../src/report/combine.ts';
import { writeManifest } from '../../src/report/manifest.ts';
import type { RunSummary, SummaryItem } from '../../src/report/run-summary.ts';

const item = (id: string, verdict: string, environment?: 'test-api' | 'sandbox', message = `${id} ${verdict}`): SummaryItem => ({
  id,
  title: id,
  area: 'Endpoints',
  severity: 'required',
  verdict,
  flows: [],
  findings: [{ item: id, verdict: verdict as SummaryItem['findings'][number]['verdict'], message }],
  ...(environment ? { environment } : {}),
});

function summary(environment: 'test-api' | 'sandbox', runId: string, items: SummaryItem[], refs: Partial<RunSummary['evidenceReferences']> = {}): RunSummary {
  return {
    runId,
    startedAt: environment === 'test-api' ? '2026-12-01T10:00:00.000Z' : '2026-11-30T10:00:00.000Z',
    finishedAt: '2026-12-01T11:00:00.000Z',
    profile: { id: 'shop', kind: 'direct', msn: '123456', api: 'epayment-v1' },
    target: environment === 'test-api' ? 'test environment via recording proxy to https://apitest.vipps.no' : 'embedded sandbox (http://127.0.0.1:1)',
    environment,
    trafficDropped: 0,
    items,
    flows: [],
    evidenceReferences: { AUTHORIZED: [], CAPTURED: [], REFUNDED: [], CANCELLED: [], ...refs },
    counts: {},
  };
}

const testApi = summary(
  'test-api',
  'run-real',
  [item('EP-A', 'PASSED', 'test-api'), item('EP-B', 'NOT_APPLICABLE', undefined, 'Not applicable against the test API: sandbox.fault'), item('EP-C', 'FAILED', 'test-api'), item('EP-D', 'WARNING', 'test-api')],
  { CAPTURED: ['real-1'] },
);
const sandbox = summary('sandbox', 'run-sandbox', [item('EP-A', 'FAILED', 'sandbox'), item('EP-B', 'PASSED', 'sandbox'), item('EP-C', 'PASSED', 'sandbox'), item('EP-D', 'PASSED', 'sandbox'), item('EP-E', 'PASSED', 'sandbox')], {
  CAPTURED: ['sand-1'],
  CANCELLED: ['sand-2'],
});

describe('combining a test-API run and a sandbox run', () => {
  it('takes per item the best proof: the test API pass (or failure), else the sandbox verdict marked sandbox-only', () => {
    const c = combineSummaries(testApi, sandbox, new Date('2026-12-01T12:00:00Z'));
    const by = new Map(c.items.map((i) => [i.id, i]));
    expect(by.get('EP-A')).toMatchObject({ verdict: 'PASSED', environment: 'test-api' });
    expect(by.get('EP-B')).toMatchObject({ verdict: 'PASSED', environment: 'sandbox' });
    expect(by.get('EP-B')!.findings[0].message).toBe('Sandbox only — against the test API NOT_APPLICABLE: Not applicable against the test API: sandbox.fault');
    // A failure against the real API is never hidden behind a sandbox pass.
    expect(by.get('EP-C')).toMatchObject({ verdict: 'FAILED', environment: 'test-api' });
    expect(by.get('EP-D')).toMatchObject({ verdict: 'PASSED', environment: 'sandbox' });
    expect(by.get('EP-E')!.findings[0].message).toBe('Sandbox only — not judged against the test API');
    expect(c.counts).toEqual({ PASSED: 4, FAILED: 1 });
    expect(c.evidenceReferences.CAPTURED).toEqual(['real-1', 'sand-1']);
    expect(c.referenceEnvironments).toEqual({ 'real-1': 'test-api', 'sand-1': 'sandbox', 'sand-2': 'sandbox' });
    expect(c.startedAt).toBe(sandbox.startedAt); // the older run decides freshness
    expect(c.combinedFrom?.map((r) => r.environment)).toEqual(['test-api', 'sandbox']);
  });

  it('refuses runs of the wrong kind or of another integration', () => {
    expect(() => combineSummaries(sandbox, testApi)).toThrow(CombineError);
    expect(() => combineSummaries(testApi, { ...sandbox, profile: { ...sandbox.profile, msn: '999999' } })).toThrow(/different integrations/);
  });

  it('golive evidence combine writes a verifiable summary from two verified run folders, and refuses changed evidence', async () => {
    const base = mkdtempSync(join(tmpdir(), 'golive-combine-'));
    const dirs = [testApi, sandbox].map((s) => {
      const dir = join(base, s.runId);
      mkdirSync(dir);
      writeFileSync(join(dir, 'summary.json'), JSON.stringify(s));
      return dir;
    });
    for (const [i, s] of [testApi, sandbox].entries()) await writeManifest(dirs[i], { runId: s.runId, runDate: s.startedAt, golive: 'test', profile: s.profile });
    const lines: string[] = [];
    const out = { log: (l: string) => lines.push(l), error: (l: string) => lines.push(l) };
    const now = new Date('2026-12-01T12:00:00Z');
    expect(await runEvidenceCombineCommand(dirs[0], dirs[1], { out: join(base, 'combined'), now }, out)).toBe(0);
    expect(lines.join('\n')).toContain('2 items proven against the test API, 3 sandbox only');
    const md = readFileSync(join(base, 'combined', 'summary.md'), 'utf8');
    expect(md).toContain('| Environment | combined: test environment run run-real + sandbox run run-sandbox');
    expect(md).toContain('| CAPTURED | `real-1` | — | `test-api` |');
    expect(md).toContain('| CAPTURED | `sand-1` | — | `sandbox` |');
    expect(md).toMatch(/Passed<br>_sandbox only_/);
    expect(md).toMatch(/Passed<br>_proven against the test API_/);
    expect(await runEvidenceCombineCommand(dirs[1], dirs[0], { out: join(base, 'c2'), now }, out)).toBe(2);
    writeFileSync(join(dirs[1], 'summary.json'), JSON.stringify({ ...sandbox, items: [] }));
    expect(await runEvidenceCombineCommand(dirs[0], dirs[1], { out: join(base, 'c3'), now }, out)).toBe(1);
    expect(lines.at(-1)).toMatch(/does not match its manifest/);
  });
});
