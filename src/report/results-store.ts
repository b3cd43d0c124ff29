import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';

/**
 * The Allure results of a rendered run, stored without duplicates. allure generate copies every
 * attachment of `allure-results/` into `allure-report/data/attachments/`, and the report must
 * keep its copy (it is what a reviewer opens). So once the report is rendered (`compactResults`):
 * the results' copy of each attachment is removed and `attachments-in-report.json.gz` says where
 * it went, and the result JSONs (which the report holds again as data/test-cases) are gzipped.
 * Re-rendering — `golive report --out`, merging shards — restores both first (`withFullResults`).
 */
export const ATTACHMENT_MAP = 'attachments-in-report.json.gz';

type AttachmentMap = Record<string, string>;

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
const isAttachment = (name: string) => name.includes('-attachment');
const isResultJson = (name: string) => /-(result|container)\.json$/.test(name);

/** A file allure generate reads as a result, plain or as compactResults leaves it. */
export const isResultFile = (name: string) => /-result\.json(\.gz)?$/.test(name);

/** Results attachment name → where its one copy is (relative to the results folder). */
export function readAttachmentMap(resultsDir: string): AttachmentMap {
  const file = join(resultsDir, ATTACHMENT_MAP);
  return existsSync(file) ? (JSON.parse(gunzipSync(readFileSync(file)).toString('utf8')) as AttachmentMap) : {};
}

/**
 * Remove from `resultsDir` every attachment whose bytes `reportDir/data/attachments` holds,
 * recording where (paths relative to `resultsDir`, `/`-separated), and gzip the result JSONs.
 * Returns the bytes freed.
 */
export function compactResults(resultsDir: string, reportDir: string): number {
  const rendered = join(reportDir, 'data', 'attachments');
  if (!existsSync(resultsDir) || !existsSync(rendered)) return 0;
  const bySize = new Map<number, string[]>();
  for (const f of readdirSync(rendered)) {
    const p = join(rendered, f);
    const size = statSync(p).size;
    bySize.set(size, [...(bySize.get(size) ?? []), p]);
  }
  const digests = new Map<string, string>();
  const digestOf = (p: string) => digests.get(p) ?? (digests.set(p, sha256(p)), digests.get(p)!);
  const map = readAttachmentMap(resultsDir);
  let freed = 0;
  for (const f of readdirSync(resultsDir)) {
    const p = join(resultsDir, f);
    if (isResultJson(f)) {
      const text = readFileSync(p);
      const packed = gzipSync(text, { level: 9 });
      writeFileSync(`${p}.gz`, packed);
      unlinkSync(p);
      freed += text.length - packed.length;
      continue;
    }
    if (!isAttachment(f)) continue;
    const size = statSync(p).size;
    const own = bySize.get(size) ? sha256(p) : undefined;
    const copy = own && bySize.get(size)!.find((c) => digestOf(c) === own);
    if (!copy) continue;
    map[f] = relative(resultsDir, copy).split(sep).join('/');
    unlinkSync(p);
    freed += size;
  }
  if (Object.keys(map).length) writeFileSync(join(resultsDir, ATTACHMENT_MAP), gzipSync(JSON.stringify(map, null, 1), { level: 9 }));
  return freed;
}

/** Attachments the map names whose stored copy is gone (the report was deleted or re-rendered). */
export function missingAttachments(resultsDir: string): string[] {
  return Object.entries(readAttachmentMap(resultsDir))
    .filter(([, target]) => !existsSync(resolve(resultsDir, target)))
    .map(([name]) => name);
}

/**
 * Results as allure generate reads them. A folder compactResults did not touch is used as it is.
 * One it did is either restored in place (`inPlace`: its report is about to be replaced, and
 * --clean would delete the attachments' only copy) or copied to a temporary folder (the run
 * folder, which its manifest may seal, stays untouched). `done()` removes the temporary folder.
 */
export function withFullResults(resultsDir: string, options: { inPlace?: boolean } = {}): { dir: string; done: () => void } {
  const map = readAttachmentMap(resultsDir);
  const files = readdirSync(resultsDir).filter((f) => statSync(join(resultsDir, f)).isFile());
  if (!files.some((f) => f.endsWith('.gz'))) return { dir: resultsDir, done: () => {} };
  const dir = options.inPlace ? resultsDir : mkdtempSync(join(tmpdir(), 'golive-results-'));
  for (const f of files) {
    if (f === ATTACHMENT_MAP) continue;
    if (f.endsWith('.gz')) writeFileSync(join(dir, f.slice(0, -3)), gunzipSync(readFileSync(join(resultsDir, f))));
    else if (!options.inPlace) copyFileSync(join(resultsDir, f), join(dir, f));
    if (options.inPlace && f.endsWith('.gz')) unlinkSync(join(resultsDir, f));
  }
  for (const [name, target] of Object.entries(map)) copyFileSync(resolve(resultsDir, target), join(dir, name));
  if (options.inPlace) {
    rmSync(join(resultsDir, ATTACHMENT_MAP), { force: true });
    return { dir, done: () => {} };
  }
  return { dir, done: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The result JSONs of a results folder, plain or gzipped by compactResults (for checks and tests). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Allure result JSON, read by checks that know its shape
export function readResults(resultsDir: string): any[] {
  return readdirSync(resultsDir)
    .filter(isResultFile)
    .map((f) => {
      const bytes = readFileSync(join(resultsDir, f));
      return JSON.parse((f.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8'));
    });
}
