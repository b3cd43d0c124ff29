import { existsSync, readdirSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

/** A run folder's name: `<ISO time with - for : and .>-<4 hex>` (see runCommand). */
const RUN_DIR = /^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z-[0-9a-f]{4}$/;

/**
 * `golive reports prune --keep N`: delete all but the newest N run folders of a reports folder.
 * Only folders golive named are touched, and never the one `latest` points at.
 */
export function pruneReports(reportsDir: string, keep: number): { removed: string[]; kept: string[] } {
  const dir = resolve(reportsDir);
  if (!existsSync(dir)) return { removed: [], kept: [] };
  let latest: string | undefined;
  try {
    latest = readlinkSync(join(dir, 'latest'));
  } catch {
    latest = undefined;
  }
  const runs = readdirSync(dir)
    .filter((name) => RUN_DIR.test(name) && statSync(join(dir, name)).isDirectory())
    .sort()
    .reverse();
  const kept = runs.slice(0, keep);
  if (latest && runs.includes(latest) && !kept.includes(latest)) kept.push(latest);
  const removed = runs.filter((r) => !kept.includes(r));
  for (const r of removed) rmSync(join(dir, r), { recursive: true, force: true });
  return { removed, kept };
}

export function runPruneCommand(options: { keep: string; out: string }): number {
  if (!/^\d+$/.test(options.keep)) {
    console.error(`golive reports prune: --keep ${JSON.stringify(options.keep)}: expected a whole number ≥ 0`);
    return 2;
  }
  const { removed, kept } = pruneReports(options.out, Number(options.keep));
  console.log(`golive reports prune: removed ${removed.length} run folder${removed.length === 1 ? '' : 's'}, kept ${kept.length} in ${relative(process.cwd(), resolve(options.out)) || '.'}`);
  return 0;
}
