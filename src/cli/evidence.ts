import { relative } from 'node:path';
import { formatUtc, ManifestError, verifyEvidence, type VerifyResult } from '../report/manifest.ts';

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

/**
 * `golive evidence verify <dir>`: compare a run folder with its manifest.json. Exit 0 when every
 * listed file is there unchanged and nothing was added (evidence older than one month only warns,
 * unless --strict), 1 when anything changed, went missing or was added, 2 when there is no
 * usable manifest.
 */
export async function runEvidenceVerifyCommand(dir: string, options: EvidenceVerifyOptions = {}, out: Out = console): Promise<0 | 1 | 2> {
  let result: VerifyResult;
  try {
    result = await verifyEvidence(dir, options.now);
  } catch (err) {
    if (err instanceof ManifestError || (err as NodeJS.ErrnoException).code === 'ENOENT') {
      out.error(`golive: ${(err as Error).message}`);
      return 2;
    }
    throw err;
  }
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
