/**
 * The detection matrix: `golive run` against an example shop (the reference merchant, the SDK
 * shop, or both) once healthy (`baseline`) and once per fault switch, a few runs at a time, each
 * judged against expected-detections.ts. Used by scripts/detection-matrix.ts (a table to read) and
 * test/self-test/detection-matrix.test.ts.
 */
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { GOLIVE_ROOT, runCommand } from '../../src/cli/run.ts';
import type { Verdict } from '../../src/checks/types.ts';
import { CATALOGUE } from '../../src/checks/index.ts';
import { encodeRecordedRun, recordRun } from '../checks/recorded-fixture.ts';
import { compareDetections, expectedFor, SHOPS, type DetectionComparison, type ExpectedDetection, type Shop } from './expected-detections.ts';

export const RECORDED_FIXTURES_DIR = join(GOLIVE_ROOT, 'test/checks/fixtures/recorded');

export interface MatrixOptions {
  /** Which example shop(s) to run (default: the reference merchant). */
  shop?: Shop | 'all';
  /** Rows to run, by row name (`baseline`, a switch) or label (`sdk-shop/baseline`); default: all of the shop's. */
  only?: readonly string[];
  /** Runs at once (each run is itself a Playwright run with `workers` workers). Default 3. */
  concurrency?: number;
  /** Playwright workers per run. Default '2'. */
  workers?: string;
  /** Where run folders go; default .tmp/matrix/<timestamp>. */
  outDir?: string;
  /** Write test/checks/fixtures/recorded/<row>.json.gz for reference-merchant rows that came out as expected. */
  saveFixtures?: boolean;
  /** Keep the run folders of rows that came out as expected (mismatches are always kept). */
  keepRuns?: boolean;
  /** Progress lines (one per finished run). */
  log?: (line: string) => void;
}

export interface MatrixRow {
  /** The row within its shop: `baseline` or a fault switch. */
  name: string;
  /** Which example shop (absent: the reference merchant). */
  shop?: Shop;
  expected: ExpectedDetection;
  /** Item → verdict from the run's summary; undefined when the run produced none. */
  verdicts?: Record<string, Verdict>;
  comparison: DetectionComparison;
  /** Flows that stopped at a failed step (expected for some switches, never for the baseline). */
  stepFailed: { id: string; error?: string }[];
  exitCode: number;
  durationMs: number;
  runDir?: string;
  /** Set when the run gave no summary or the baseline could not complete a flow. */
  error?: string;
  fixture?: { file: string; bytes: number } | { problems: string[] };
  ok: boolean;
}

export interface MatrixResult {
  rows: MatrixRow[];
  wallMs: number;
  concurrency: number;
  workers: string;
  outDir: string;
  /** The signal that stopped the matrix early (the rows are those that ran). */
  interrupted?: NodeJS.Signals;
}

/** How a row is named in the table and its run folder: bare for the reference merchant (as before), `<shop>/<row>` otherwise. */
export const rowLabel = (r: { name: string; shop?: Shop }): string => (r.shop === undefined || r.shop === 'reference-merchant' ? r.name : `${r.shop}/${r.name}`);

/** The rows a selection means, in matrix order: every row of the chosen shop(s), narrowed by `only` (names or labels). */
export function matrixRows(shop: Shop | 'all' = 'reference-merchant', only: readonly string[] = []): { shop: Shop; name: string }[] {
  const shops = shop === 'all' ? (Object.keys(SHOPS) as Shop[]) : [shop];
  const all = shops.flatMap((s) => SHOPS[s].rows.map((name) => ({ shop: s, name })));
  return only.length ? all.filter((r) => only.includes(r.name) || only.includes(rowLabel(r))) : all;
}

export async function runMatrix(options: MatrixOptions = {}): Promise<MatrixResult> {
  const names = matrixRows(options.shop, options.only);
  const concurrency = Math.max(1, options.concurrency ?? 3);
  const workers = options.workers ?? '2';
  const outDir = resolve(options.outDir ?? join(GOLIVE_ROOT, '.tmp/matrix', new Date().toISOString().replace(/[:.]/g, '-')));
  mkdirSync(outDir, { recursive: true });
  // Videos cost CPU and nothing here looks at them.
  process.env.GOLIVE_VIDEO ??= 'off';
  if (options.saveFixtures) mkdirSync(RECORDED_FIXTURES_DIR, { recursive: true });

  const started = Date.now();
  const rows = new Map<string, MatrixRow>();
  const queue = [...names];
  const worker = async () => {
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      const row = await runRow(next.shop, next.name, outDir, workers, options);
      rows.set(rowLabel(next), row);
      options.log?.(`  ${row.ok ? 'ok  ' : 'FAIL'} ${rowLabel(row).padEnd(36)} ${seconds(row.durationMs).padStart(6)}  ${verdictLine(row)}`);
    }
  };
  // Ctrl-C or SIGTERM: the runs in flight stop themselves (each golive run forwards the signal to
  // its flows and integration and writes what exists); no further row starts.
  let interrupted: NodeJS.Signals | undefined;
  const stop = (signal: NodeJS.Signals) => {
    interrupted ??= signal;
    queue.length = 0;
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, names.length) }, worker));
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
  const ran = names.map((n) => rows.get(rowLabel(n))).filter((r): r is MatrixRow => r !== undefined);
  return { rows: ran, wallMs: Date.now() - started, concurrency, workers, outDir, interrupted };
}

async function runRow(shop: Shop, name: string, outDir: string, workers: string, options: MatrixOptions): Promise<MatrixRow> {
  const expected = expectedFor(name, shop);
  const t0 = Date.now();
  const out = join(outDir, rowLabel({ shop, name }));
  const { profile, faultsVariable } = SHOPS[shop];
  // The switch goes to the shop only: a clean row runs with the variable empty (not inherited).
  const integrationEnv = { [faultsVariable]: name === 'baseline' ? '' : name };
  const outcome = await runCommand({ quiet: true, workers, out, profile: join(GOLIVE_ROOT, profile), integrationEnv }).catch((err: unknown) => ({
    exitCode: 2 as const,
    runDir: undefined,
    summary: undefined,
    crash: err instanceof Error ? err.message : String(err),
  }));
  const durationMs = Date.now() - t0;
  const summary = outcome.summary;
  if (!summary) {
    const error = 'crash' in outcome ? `golive run crashed: ${outcome.crash}` : `the run produced no summary (exit ${outcome.exitCode})`;
    return { name, shop, expected, comparison: { extra: [], missing: [], ok: false }, stepFailed: [], exitCode: outcome.exitCode, durationMs, runDir: outcome.runDir, error, ok: false };
  }
  const verdicts = Object.fromEntries(summary.items.map((i) => [i.id, i.verdict as Verdict]));
  const comparison = compareDetections(expected, verdicts);
  const stepFailed = summary.flows.filter((f) => f.outcome === 'step-failed').map((f) => ({ id: f.id, error: f.error }));
  const error =
    name !== 'baseline'
      ? undefined
      : stepFailed.length > 0
        ? `the healthy ${shop === 'reference-merchant' ? 'merchant' : 'shop'} could not complete ${stepFailed.map((f) => f.id).join(', ')}`
        : outcome.exitCode !== 0
          ? `golive run exited ${outcome.exitCode} for the healthy ${shop === 'reference-merchant' ? 'merchant' : 'shop'}`
          : undefined;
  const row: MatrixRow = { name, shop, expected, verdicts, comparison, stepFailed, exitCode: outcome.exitCode, durationMs, runDir: outcome.runDir, error, ok: comparison.ok && !error };
  // The recorded fixtures (test/checks/recorded.test.ts) are the reference merchant's.
  if (options.saveFixtures && shop === 'reference-merchant' && row.ok && outcome.runDir) {
    const { run, problems } = await recordRun(outcome.runDir, name, name === 'baseline' ? [] : [name]);
    if (problems.length > 0) row.fixture = { problems };
    else {
      const file = join(RECORDED_FIXTURES_DIR, `${name}.json.gz`);
      writeFileSync(file, encodeRecordedRun(run));
      row.fixture = { file, bytes: statSync(file).size };
    }
  }
  if (row.ok && !options.keepRuns && outcome.runDir && !(row.fixture && 'problems' in row.fixture)) rmSync(out, { recursive: true, force: true });
  return row;
}

export function verdictLine(row: MatrixRow): string {
  if (row.error && row.comparison.ok) return `unexpected: ${row.error}`;
  if (row.comparison.ok) return 'as expected';
  const parts = [...row.comparison.extra.map((t) => `+${t}`), ...row.comparison.missing.map((t) => `−${t}`)];
  return `unexpected: ${[...parts, ...(row.error ? [row.error] : [])].join(' ')}`;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(0)} s`;
const minutes = (ms: number) => (ms >= 60_000 ? `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s` : seconds(ms));

/**
 * The matrix as a table: one row per run, one column per item that any row failed or warned (or
 * was expected to); cells FAIL / WARN / · — with `!` where the run did something not expected,
 * and `miss` where an expected detection did not happen. Then a legend and notes.
 */
export function formatMatrix(result: MatrixResult): string {
  const { rows } = result;
  const order = new Map(CATALOGUE.map((i, n) => [i.id, n]));
  const ids = new Set<string>();
  for (const r of rows) {
    for (const [id, v] of Object.entries(r.verdicts ?? {})) if (v === 'FAILED' || v === 'WARNING') ids.add(id);
    for (const id of [...r.expected.fail, ...(r.expected.warn ?? [])]) ids.add(id);
  }
  const columns = [...ids].sort((a, b) => (order.get(a) ?? 999) - (order.get(b) ?? 999) || a.localeCompare(b));
  const nameWidth = Math.max(8, ...rows.map((r) => rowLabel(r).length));
  const cellWidth = 5;
  const cell = (r: MatrixRow, id: string): string => {
    const v = r.verdicts?.[id];
    const wantFail = r.expected.fail.includes(id);
    const wantWarn = (r.expected.warn ?? []).includes(id);
    if (!r.verdicts) return '?';
    if (v === 'FAILED') return wantFail ? 'FAIL' : 'FAIL!';
    if (v === 'WARNING') return wantWarn ? 'WARN' : 'WARN!';
    if (wantFail || wantWarn) return 'miss';
    return '·';
  };
  const lines: string[] = [];
  const shops = [...new Set(rows.map((r) => r.shop ?? 'reference-merchant'))].map((s) => SHOPS[s].title);
  lines.push(`Detection matrix — ${rows.length} run${rows.length === 1 ? '' : 's'} of the checklist suite of each shop's API against ${shops.join(' and ') || 'the reference merchant'}`);
  // Wide matrices in blocks of at most BLOCK columns, so a line stays readable in a terminal.
  const BLOCK = 19;
  for (let from = 0; from < columns.length || from === 0; from += BLOCK) {
    const block = columns.slice(from, from + BLOCK);
    lines.push('');
    lines.push(`${''.padEnd(nameWidth)}  ${block.map((_, i) => String(from + i + 1).padEnd(cellWidth)).join(' ')}`.trimEnd());
    for (const r of rows) lines.push(`${rowLabel(r).padEnd(nameWidth)}  ${block.map((id) => cell(r, id).padEnd(cellWidth)).join(' ')}`.trimEnd());
    if (block.length === 0) break;
  }
  lines.push('');
  lines.push('Verdicts:');
  for (const r of rows) lines.push(`  ${rowLabel(r).padEnd(nameWidth)}  ${verdictLine(r)}  (exit ${r.exitCode}, ${seconds(r.durationMs)})`);
  lines.push('');
  lines.push('Columns (items that failed or warned in some run, or were expected to):');
  const half = Math.ceil(columns.length / 2);
  const colWidth = Math.max(...columns.slice(0, half).map((id, i) => `${String(i + 1).padStart(2)} ${id}`.length)) + 3;
  for (let i = 0; i < half; i++) {
    const left = `${String(i + 1).padStart(2)} ${columns[i]}`;
    const right = columns[i + half] ? `${String(i + half + 1).padStart(2)} ${columns[i + half]}` : '';
    lines.push(`  ${left.padEnd(colWidth)}${right}`);
  }
  lines.push('  FAIL/WARN = detected as expected; FAIL!/WARN! = not expected; miss = expected but not detected; · = neither');
  const notes = rows.filter((r) => r.stepFailed.length > 0 || r.error || r.fixture || !r.ok);
  if (notes.length > 0) {
    lines.push('');
    lines.push('Notes:');
    for (const r of notes) {
      const label = rowLabel(r);
      if (r.error) lines.push(`  ${label}: ${r.error}`);
      if (r.stepFailed.length > 0) lines.push(`  ${label}: flows stopped at a failed step: ${r.stepFailed.map((f) => f.id).join(', ')}`);
      if (!r.ok && r.runDir) lines.push(`  ${label}: run folder ${relative(process.cwd(), r.runDir)}`);
      if (r.fixture && 'problems' in r.fixture) lines.push(`  ${label}: fixture NOT saved — ${r.fixture.problems.join('; ')}`);
      else if (r.fixture) lines.push(`  ${label}: fixture ${relative(process.cwd(), r.fixture.file)} (${(r.fixture.bytes / 1024).toFixed(1)} KiB)`);
    }
  }
  const mismatches = rows.filter((r) => !r.ok).length;
  const cpuNote = `${result.concurrency} at a time, ${result.workers} Playwright workers each`;
  lines.push('');
  const took = rows.map((r) => r.durationMs).sort((a, b) => a - b);
  const spread = took.length > 1 ? `; one run took ${seconds(took[0])}–${seconds(took[took.length - 1])}, median ${seconds(took[Math.floor(took.length / 2)])}` : '';
  lines.push(`${mismatches === 0 ? 'All rows as expected' : `${mismatches} row${mismatches === 1 ? '' : 's'} NOT as expected`}. Wall time ${minutes(result.wallMs)} for ${rows.length} run${rows.length === 1 ? '' : 's'} (${cpuNote}${spread}).`);
  return lines.join('\n');
}
