import { mkdirSync, mkdtempSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pruneReports } from '../../src/cli/reports.ts';

describe('golive reports prune', () => {
  const runs = ['2026-11-01T10-00-00-000Z-aaaa', '2026-11-02T10-00-00-000Z-bbbb', '2026-11-03T10-00-00-000Z-cccc', '2026-11-04T10-00-00-000Z-dddd'];
  const folder = (latest: string) => {
    const dir = mkdtempSync(join(tmpdir(), 'golive-prune-'));
    for (const r of runs) {
      mkdirSync(join(dir, r));
      writeFileSync(join(dir, r, 'summary.json'), '{}');
    }
    mkdirSync(join(dir, 'merged')); // not a run folder golive named: never touched
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    symlinkSync(latest, join(dir, 'latest'));
    return dir;
  };

  it('keeps the newest N run folders and everything that is not a run folder', () => {
    const dir = folder(runs[3]);
    const { removed } = pruneReports(dir, 2);
    expect(removed.sort()).toEqual([runs[0], runs[1]]);
    expect(readdirSync(dir).sort()).toEqual([runs[2], runs[3], 'latest', 'merged', 'notes.txt'].sort());
  });

  it('never removes the run latest points at', () => {
    const dir = folder(runs[0]);
    pruneReports(dir, 1);
    expect(readdirSync(dir).sort()).toEqual([runs[0], runs[3], 'latest', 'merged', 'notes.txt'].sort());
  });
});
