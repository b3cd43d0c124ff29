import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runReportCommand } from '../../src/cli/report.ts';
import { findJava, writeAllureMetadata } from '../../src/report/allure.ts';
import { RUN_FACTS_FILE, type RunFacts } from '../../src/runner/finish.ts';

/** A shard's run folder as `golive run --shard k/2` leaves it: facts, traffic, one flow result, its own Allure metadata. */
function shard(k: number): string {
  const dir = join(mkdtempSync(join(tmpdir(), `golive-shard-${k}-`)), `run-shard-${k}`);
  mkdirSync(join(dir, 'allure-results'), { recursive: true });
  const flows = [{ suite: 'epayment-checklist', id: `flow-${k}`, title: `Flow ${k}` }];
  const facts: RunFacts = {
    runId: `run-shard-${k}`,
    startedAt: `2026-12-01T10:0${k}:00.000Z`,
    profile: { id: 'reference-merchant', kind: 'partner', msn: '123456', name: 'Acme' },
    facts: {} as RunFacts['facts'],
    target: 'embedded sandbox (http://127.0.0.1:1)',
    timeouts: { action: 15_000, status: 15_000 },
    suiteFlows: flows,
    planned: flows,
    trafficDropped: 0,
  };
  writeFileSync(join(dir, RUN_FACTS_FILE), JSON.stringify(facts));
  writeFileSync(join(dir, 'traffic.json'), '[]');
  writeFileSync(join(dir, 'run-config.json'), JSON.stringify({ runId: facts.runId, shard: `${k}/2`, sandbox: { mode: 'embedded' } }));
  writeFileSync(join(dir, 'summary.json'), JSON.stringify({ runId: facts.runId, profile: facts.profile }));
  const uuid = `0000000${k}`;
  writeFileSync(join(dir, 'allure-results', `${uuid}-result.json`), JSON.stringify({ uuid, name: `Flow ${k}`, fullName: `epayment-checklist/flow-${k}`, status: 'passed', stage: 'finished', start: 1, stop: 2, labels: [], steps: [], attachments: [], parameters: [], links: [] }));
  writeAllureMetadata(dir, { video: 'off' });
  return dir;
}

describe('a merged shard report', () => {
  it.skipIf(!findJava())('links the merged run folder from its launch (Executors), not shard 1', async () => {
    const shards = [shard(1), shard(2)];
    // Each shard's own executor links its own summary.
    expect(JSON.parse(readFileSync(join(shards[0], 'allure-results', 'executor.json'), 'utf8')).buildUrl).toBe('../summary.html');
    const out = join(mkdtempSync(join(tmpdir(), 'golive-merged-')), 'merged');
    const outcome = await runReportCommand(shards, { out, quiet: true });
    expect(outcome.htmlDir).toBe(out);
    const executors = JSON.parse(readFileSync(join(out, 'widgets', 'executors.json'), 'utf8')) as { buildName: string; buildUrl: string; reportName: string }[];
    expect(executors).toHaveLength(1);
    expect(executors[0].buildName).toBe('golive run merged-run-shard-1+run-shard-2 — summary.html');
    expect(executors[0].reportName).toBe('golive go-live checklist — reference-merchant (2 shards merged)');
    // Relative to the merged index.html: the merged summary beside it.
    expect(executors[0].buildUrl).toBe('summary.html');
    expect(existsSync(join(out, executors[0].buildUrl))).toBe(true);
    expect(readFileSync(join(out, 'summary.json'), 'utf8')).toContain('merged-run-shard-1+run-shard-2');
    // The shards' run folders are left as they were.
    expect(JSON.parse(readFileSync(join(shards[0], 'allure-results', 'executor.json'), 'utf8')).buildUrl).toBe('../summary.html');
  }, 120_000);
});
