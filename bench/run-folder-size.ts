/**
 * Run folder size: a full default run (reference merchant, every suite flow), then the folder's
 * bytes in all and per entry, against the budget (10 MiB for 19 flows, per flow as the suite grows) (exit 1 over it). Sizes, not timings:
 * the figure is the same on a busy machine.
 *
 *   node bin/run-ts.mjs bench/run-folder-size.ts [--workers 2] [--keep]
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand } from '../src/cli/run.ts';
import { formatBytes } from '../src/cli/run-output.ts';
import { runFolderBudgetBytes, runFolderSize } from '../src/report/run-folder.ts';

const args = process.argv.slice(2);
const workers = args.includes('--workers') ? args[args.indexOf('--workers') + 1] : '2';
const out = mkdtempSync(join(tmpdir(), 'golive-size-'));
const run = await runCommand({ workers, out, quiet: true });
if (!run.runDir) {
  console.error(`golive run left no run folder (exit ${run.exitCode})`);
  process.exit(2);
}
const size = runFolderSize(run.runDir);
console.log(`run folder ${run.runDir} (golive exit ${run.exitCode})`);
for (const [entry, bytes] of Object.entries(size.byEntry).sort((a, b) => b[1] - a[1])) console.log(`  ${formatBytes(bytes).padStart(9)}  ${entry}`);
const flows = (JSON.parse(readFileSync(join(run.runDir, 'summary.json'), 'utf8')) as { flows: unknown[] }).flows.length;
const budget = runFolderBudgetBytes(flows);
const within = size.total <= budget;
console.log(`  ${formatBytes(size.total).padStart(9)}  in ${size.files} files (${size.total} bytes; budget ${formatBytes(budget)} for ${flows} flows): ${within ? 'within' : 'OVER'}`);
if (!args.includes('--keep')) rmSync(out, { recursive: true, force: true });
process.exit(within ? 0 : 1);
