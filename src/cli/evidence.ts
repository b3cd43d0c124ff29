import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { formatUtc, ManifestError, verifyEvidence, writeManifest, type VerifyResult } from '../report/manifest.ts';
import { combineSummaries, CombineError } from '../report/combine.ts';
import type { RunSummary } from '../report/run-summary.ts';
import { renderSummaryHtml } from '../report/summary-html.ts';
import { renderSummaryMarkdown } from '../report/summary-markdown.ts';

export interface EvidenceVerifyOptions {
  /** Evidence older than one month fails too (exit 1) instead of only warning. */
  strict?: boolean;
  /** Print the result as JSON (for CI scripts). */
  json?: boolean;
  /** For tests: the moment to judge freshness at. */
  now?: Date;
}

interface Out {
  log(line: string): void;
  error(line: string): void;
}

/** Verify a run folder; no usable manifest (or no folder) is a usage error, said in one line (2). */
async function verifyOrExplain(dir: string, now: EvidenceVerifyOptions['now'], out: Out): Promise<VerifyResult | 2> {
  try {
    return await verifyEvidence(dir, now);
  } catch (err) {
    if (err instanceof ManifestError || (err as NodeJS.ErrnoException).code === 'ENOENT') {
      out.error(`golive: ${(err as Error).message}`);
      return 2;
    }
    throw err;
  }
}

/**
 * `golive evidence verify <dir>`: compare a run folder with its manifest.json. Exit 0 when every
 * listed file is there unchanged and nothing was added (evidence older than one month only warns,
 * unless --strict), 1 when anything changed, went missing or was added, 2 when there is no
 * usable manifest.
 */
export async function runEvidenceVerifyCommand(dir: string, options: EvidenceVerifyOptions = {}, out: Out = console): Promise<0 | 1 | 2> {
  const result = await verifyOrExplain(dir, options.now, out);
  if (result === 2) return 2;
  const failStale = Boolean(options.strict) && result.freshness.stale;
  const exitCode = result.ok && !failStale ? 0 : 1;
  if (options.json) {
    out.log(
      JSON.stringify(
        {
          dir: result.dir,
          ok: result.ok,
          exitCode,
          runId: result.manifest.runId,
          runDate: result.manifest.runDate,
          ageDays: result.freshness.ageDays,
          acceptedUntil: result.freshness.acceptedUntil.toISOString(),
          stale: result.freshness.stale,
          files: result.manifest.files.length,
          changed: result.changed.map((c) => c.path),
          missing: result.missing,
          added: result.added,
          manifestEdited: result.manifestEdited,
        },
        null,
        2,
      ),
    );
    return exitCode;
  }
  out.log(formatVerifyResult(result, dir));
  if (failStale) out.error('golive: --strict: evidence older than one month fails');
  return exitCode;
}

export function formatVerifyResult(result: VerifyResult, shownDir = result.dir): string {
  const m = result.manifest;
  const lines = [
    `Evidence ${relative(process.cwd(), shownDir) || '.'}`,
    `  run        ${m.runId}, profile ${m.profile.id}${m.profile.msn ? ` (MSN ${m.profile.msn})` : ''}, golive ${m.golive}`,
    `  run date   ${formatUtc(result.freshness.runDate)}`,
    `  manifest   ${m.files.length} files, ${formatBytes(m.files.reduce((n, f) => n + f.size, 0))}, written ${formatUtc(new Date(m.createdAt))}, digest ${m.digest.slice(0, 16)}…`,
    '',
  ];
  for (const c of result.changed) {
    const what = c.expected.size !== c.actual.size ? `size ${c.expected.size} → ${c.actual.size} bytes` : `sha256 ${c.expected.sha256.slice(0, 12)}… → ${c.actual.sha256.slice(0, 12)}…`;
    lines.push(`  CHANGED  ${c.path}  (${what})`);
  }
  for (const p of result.missing) lines.push(`  MISSING  ${p}`);
  for (const p of result.added) lines.push(`  ADDED    ${p}`);
  if (result.manifestEdited) lines.push('  EDITED   manifest.json  (its file list does not match its digest)');
  if (result.ok) lines.push(`  OK       all ${m.files.length} files match the manifest; nothing missing or added`);
  else {
    const n = result.changed.length + result.missing.length + result.added.length + (result.manifestEdited ? 1 : 0);
    lines.push('', `  FAILED   ${n} problem${n === 1 ? '' : 's'}: this is not the evidence the run wrote`);
  }
  lines.push('', `  ${result.freshness.stale ? 'WARNING  ' : ''}${result.freshness.message}`);
  return lines.join('\n');
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

export interface EvidenceCombineOptions {
  /** Where the combined summary goes (default: reports/combined-<time>). */
  out?: string;
  now?: Date;
}

/**
 * `golive evidence combine <test-api-run> <sandbox-run>`: one submission summary from a test-API
 * run and a sandbox run (per item the best proof, see src/report/combine.ts). Both folders must
 * verify against their manifests first: combining changed evidence would launder it. Writes
 * summary.json/.md/.html and a manifest of its own. Exit 0 written, 1 a run does not verify, 2 usage.
 */
export async function runEvidenceCombineCommand(testApiDir: string, sandboxDir: string, options: EvidenceCombineOptions = {}, out: Out = console): Promise<0 | 1 | 2> {
  const summaries: RunSummary[] = [];
  for (const dir of [testApiDir, sandboxDir]) {
    const result = await verifyOrExplain(dir, options.now, out);
    if (result === 2) return 2;
    if (!result.ok) {
      out.error(`golive: ${dir} does not match its manifest (run \`golive evidence verify ${dir}\`): not combined`);
      return 1;
    }
    summaries.push(JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as RunSummary);
  }
  let combined: RunSummary;
  try {
    combined = combineSummaries(summaries[0], summaries[1], options.now);
  } catch (err) {
    if (err instanceof CombineError) {
      out.error(`golive: ${err.message}`);
      return 2;
    }
    throw err;
  }
  const now = options.now ?? new Date();
  const dir = resolve(options.out ?? join('reports', `combined-${now.toISOString().replace(/[:.]/g, '-')}`));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'summary.json'), JSON.stringify(combined, null, 2));
  writeFileSync(join(dir, 'summary.md'), renderSummaryMarkdown(combined, { now }));
  writeFileSync(join(dir, 'summary.html'), renderSummaryHtml(combined, { now }));
  await writeManifest(dir, { runId: combined.runId, runDate: combined.startedAt, finishedAt: combined.finishedAt, golive: 'combined', profile: combined.profile }, now);
  const proven = combined.items.filter((i) => i.environment === 'test-api').length;
  const sandboxOnly = combined.items.filter((i) => i.environment === 'sandbox').length;
  out.log(`Combined ${summaries[0].runId} (test API) + ${summaries[1].runId} (sandbox) → ${relative(process.cwd(), dir) || '.'}\n  ${proven} items proven against the test API, ${sandboxOnly} sandbox only\n  summary    ${join(relative(process.cwd(), dir), 'summary.html')}`);
  return 0;
}
