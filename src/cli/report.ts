import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { writeChecklistResults } from '../report/allure-checklist.ts';
import { appendChecklistSuite, EMPTY_JUNIT } from '../report/junit-checklist.ts';
import type { RunSummary } from '../report/run-summary.ts';
import { renderSummaryHtml } from '../report/summary-html.ts';
import { renderSummaryMarkdown } from '../report/summary-markdown.ts';
import { MergeError, mergeRuns } from '../runner/merge-runs.ts';
import { formatSummary } from './run.ts';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { ALLURE_REPORT, ALLURE_RESULTS, executorInfo, generateAllureHtml } from '../report/allure.ts';
import { serveDirectory } from '../report/allure-server.ts';
import { isResultFile } from '../report/results-store.ts';

/**
 * `golive report [run-dir...]`: render the Allure HTML report from a run's `allure-results`
 * (default: reports/latest) into `<run-dir>/allure-report`, and with `--open` serve it on
 * 127.0.0.1 and print the URL (the report loads its data with fetch, so file:// does not work).
 *
 * Several run folders merge into one report — how `golive run --shard i/n` runs come together
 * in CI: each shard job keeps its `reports/<run-id>/` as an artifact, a final job downloads them
 * all and runs `golive report reports/<id-1> reports/<id-2> … --out reports/merged`. The shards'
 * verdicts are then judged again as one run (src/runner/merge-runs.ts): summary.json/html/md and a
 * checklist junit.xml land beside the merged HTML, and the exit code is 1 when an item fails.
 */

/** A merged report's summary.html lies beside its index.html (written after the HTML). */
const MERGED_SUMMARY_LINK = 'summary.html';

export interface ReportOptions {
  open?: boolean;
  port?: string;
  out?: string;
  /** `--no-generate`: serve the existing HTML as it is. */
  generate?: boolean;
  quiet?: boolean;
}

export interface ReportOutcome {
  exitCode: 0 | 1 | 2;
  htmlDir?: string;
  url?: string;
  close?: () => Promise<void>;
}

/** Where a path's Allure results are: `<dir>/allure-results`, or the dir itself when it holds results. */
export function resultsDirOf(path: string): string | undefined {
  const dir = resolve(path);
  const nested = join(dir, ALLURE_RESULTS);
  if (hasResultFiles(nested)) return nested;
  if (hasResultFiles(dir)) return dir;
  return undefined;
}

export async function runReportCommand(paths: string[], options: ReportOptions = {}): Promise<ReportOutcome> {
  const log = (s: string) => options.quiet || console.log(s);
  const runDirs = (paths.length ? paths : ['reports/latest']).map((p) => resolve(p));
  for (const dir of runDirs) {
    if (!existsSync(dir)) {
      console.error(`golive report: ${relative(process.cwd(), dir) || dir} does not exist (run \`golive run\` first, or name a run folder)`);
      return { exitCode: 2 };
    }
  }
  const merged = runDirs.length > 1;
  if (merged && !options.out) {
    console.error('golive report: several run folders merge into one report; say where with --out <dir>');
    return { exitCode: 2 };
  }
  const outDir = options.out ? resolve(options.out) : join(runDirs[0], ALLURE_REPORT);
  let exitCode: 0 | 1 = 0;
  // A run folder sealed by its manifest is evidence: re-rendering inside it would break
  // `golive evidence verify`. Serve what is there, and regenerate only into --out.
  const sealed = !options.out && existsSync(join(runDirs[0], 'manifest.json')) && existsSync(join(outDir, 'index.html'));
  if (sealed && options.generate !== false) log(`golive report: ${relative(process.cwd(), runDirs[0]) || '.'} is sealed by its manifest; using its report as it is (regenerate with --out <dir>)`);

  let mergedSummary: RunSummary | undefined;
  let mergedChecklist: string | undefined;
  let mergedExecutor: Record<string, unknown> | undefined;
  if (merged) {
    // The shards' verdicts judged again as one run: what a CI gate on the merged report reads.
    let summary: RunSummary;
    try {
      summary = mergeRuns(runDirs);
    } catch (err) {
      if (!(err instanceof MergeError)) throw err;
      console.error(`golive report: ${err.message}`);
      return { exitCode: 2 };
    }
    mergedSummary = summary;
    // The merged verdicts as Allure results, written last so they are the ones Allure shows (the
    // shards' own item results with the same history id become its retries).
    mergedChecklist = mkdtempSync(join(tmpdir(), 'golive-merged-checklist-'));
    writeChecklistResults(mergedChecklist, summary, { now: Date.now(), run: 'merged', summaryLink: MERGED_SUMMARY_LINK });
    // The launch is the merged run: its executor links the merged folder's summary, not shard 1's.
    mergedExecutor = executorInfo(summary.runId, summary.profile.id, process.env, { summaryLink: MERGED_SUMMARY_LINK, merged: runDirs.length });
    writeFileSync(join(mergedChecklist, 'executor.json'), JSON.stringify(mergedExecutor, null, 2));
    if (summary.items.some((i) => i.verdict === 'FAILED') || summary.flows.some((f) => f.outcome === 'step-failed')) exitCode = 1;
  }

  if (options.generate !== false && !sealed) {
    const resultsDirs: string[] = [];
    for (const dir of runDirs) {
      const results = resultsDirOf(dir);
      if (!results) {
        if (mergedChecklist) rmSync(mergedChecklist, { recursive: true, force: true });
        console.error(`golive report: no Allure results in ${relative(process.cwd(), dir) || dir} (expected ${ALLURE_RESULTS}/ with *-result.json files)`);
        return { exitCode: 2 };
      }
      resultsDirs.push(results);
    }
    if (mergedChecklist) resultsDirs.push(mergedChecklist);
    log(`golive report: rendering ${resultsDirs.length} result folder${merged ? 's' : ''} with the Allure CLI…`);
    const result = await generateAllureHtml(runDirs[0], { resultsDirs, outDir, keepMetadata: true, executor: mergedExecutor });
    if (result.ok) log(`  ${result.message.split(' — ')[0]}`);
    else {
      console.error(`golive report: ${result.message}`);
      exitCode = 1;
    }
  }

  if (mergedChecklist) rmSync(mergedChecklist, { recursive: true, force: true });
  if (mergedSummary) {
    // Beside the merged HTML (written after it: Allure's --clean empties its output folder).
    mkdirSync(outDir, { recursive: true });
    writeFileSync(join(outDir, 'summary.json'), JSON.stringify(mergedSummary, null, 2));
    writeFileSync(join(outDir, 'summary.html'), renderSummaryHtml(mergedSummary, {}));
    writeFileSync(join(outDir, 'summary.md'), renderSummaryMarkdown(mergedSummary, {}));
    writeFileSync(join(outDir, 'junit.xml'), EMPTY_JUNIT);
    appendChecklistSuite(join(outDir, 'junit.xml'), mergedSummary);
    log(formatSummary(mergedSummary));
    log(`\n  merged verdicts: ${relative(process.cwd(), join(outDir, 'summary.json'))} (also summary.html, summary.md, junit.xml)`);
  }

  const index = join(outDir, 'index.html');
  if (!existsSync(index)) {
    if (options.open) console.error(`golive report: no HTML report at ${relative(process.cwd(), outDir)} to open`);
    return { exitCode: exitCode || (options.generate === false ? 2 : 1) };
  }
  if (!options.open) return { exitCode, htmlDir: outDir };

  const port = options.port === undefined ? 0 : Number(options.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    console.error(`golive report: --port must be a port number, not ${options.port}`);
    return { exitCode: 2 };
  }
  // A run's own report is served from its run folder, so the report's links to ../summary.html resolve.
  const runDir = dirname(outDir);
  const fromRunFolder = basename(outDir) === ALLURE_REPORT && existsSync(join(runDir, 'summary.html'));
  const server = await serveDirectory(fromRunFolder ? runDir : outDir, { port, host: '127.0.0.1' });
  const url = fromRunFolder ? `${server.url}${ALLURE_REPORT}/` : server.url;
  log(`golive report: serving ${relative(process.cwd(), outDir)} at ${url}  (Ctrl+C to stop)`);
  return { exitCode, htmlDir: outDir, url, close: server.close };
}

function hasResultFiles(dir: string): boolean {
  try {
    return statSync(dir).isDirectory() && readdirSync(dir).some(isResultFile);
  } catch {
    return false;
  }
}
