import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmdirSync, statSync, unlinkSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { ALLURE_RESULTS } from './allure.ts';

/**
 * Playwright keeps a copy of every attachment it is handed by path (videos, screenshots) in
 * `test-results/<test>/attachments/` and the raw video in `…/video/`, while allure-playwright
 * copies the same bytes into `allure-results/`, which the report and `golive report` read.
 * Remove the test-results copies whose bytes allure-results holds (traces and anything else
 * stay), so each video is stored once in the results (and once in the rendered HTML).
 * Runs before the manifest is written. Returns the bytes freed.
 */
export function dropDuplicateAttachments(runDir: string): number {
  const results = join(runDir, ALLURE_RESULTS);
  const testResults = join(runDir, 'test-results');
  if (!existsSync(results) || !existsSync(testResults)) return 0;
  const kept = new Map<number, string[]>();
  for (const f of readdirSync(results)) {
    if (!f.includes('-attachment')) continue;
    const p = join(results, f);
    const size = statSync(p).size;
    kept.set(size, [...(kept.get(size) ?? []), p]);
  }
  const digest = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');
  const keptDigests = new Map<string, string>();
  let freed = 0;
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, entry.name);
      if (entry.isDirectory()) {
        walk(p);
        if (readdirSync(p).length === 0) rmdirSync(p);
        continue;
      }
      if (!/\.(webm|png|jpe?g)$/i.test(entry.name)) continue;
      const size = statSync(p).size;
      const candidates = kept.get(size);
      if (!candidates) continue;
      const d = digest(p);
      const match = candidates.some((c) => {
        let cd = keptDigests.get(c);
        if (!cd) keptDigests.set(c, (cd = digest(c)));
        return cd === d;
      });
      if (match) {
        unlinkSync(p);
        freed += size;
      }
    }
  };
  walk(testResults);
  if (readdirSync(testResults).length === 0) rmdirSync(testResults);
  return freed;
}

/**
 * What a full default run folder may weigh (one copy of everything): issue #16 set 10 MiB for
 * the 19 flows the suite had then, so the budget is that per flow as the suite grows.
 */
export const RUN_FOLDER_BUDGET_BYTES_PER_FLOW = Math.floor((10 * 1024 * 1024) / 19);
export const runFolderBudgetBytes = (flows: number): number => Math.max(19, flows) * RUN_FOLDER_BUDGET_BYTES_PER_FLOW;

/** The bytes of every file under `dir` (symbolic links not followed), in all and per top-level entry. */
export function runFolderSize(dir: string): { total: number; files: number; byEntry: Record<string, number> } {
  const byEntry: Record<string, number> = {};
  let total = 0;
  let files = 0;
  const walk = (d: string, depth: number) => {
    if (depth > 20) return;
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, entry.name);
      if (entry.isDirectory()) walk(p, depth + 1);
      else if (entry.isFile()) {
        const size = statSync(p).size;
        const top = relative(dir, p).split(sep)[0];
        byEntry[top] = (byEntry[top] ?? 0) + size;
        total += size;
        files++;
      }
    }
  };
  try {
    walk(dir, 0);
  } catch {
    /* a folder that vanished meanwhile: report what was counted */
  }
  return { total, files, byEntry };
}
