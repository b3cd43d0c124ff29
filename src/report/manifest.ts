import { createHash } from 'node:crypto';
import { createReadStream, existsSync, lstatSync, readdirSync, readFileSync, readlinkSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { z } from 'zod';

/**
 * Evidence integrity and freshness. `manifest.json`, written last into a run folder, lists every
 * file of the run with its size and SHA-256, and states the run's date; `verifyEvidence` compares a
 * folder with its manifest (changed, missing and added files) and says how old the evidence is.
 * The checklist review accepts evidence up to one month old.
 */
export const MANIFEST_FILE = 'manifest.json';
export const MANIFEST_KIND = 'golive-evidence-manifest';

const EntrySchema = z.strictObject({
  /** Relative to the run folder, `/`-separated. */
  path: z.string().min(1),
  size: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** For a symbolic link: its target (size and sha256 are then those of the target text). */
  link: z.string().optional(),
});
export type ManifestEntry = z.output<typeof EntrySchema>;

export const ManifestSchema = z.object({
  manifest: z.literal(MANIFEST_KIND),
  version: z.literal(1),
  runId: z.string(),
  /** When the run started (ISO): the date of the evidence. */
  runDate: z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'expected an ISO date'),
  finishedAt: z.string().optional(),
  /** When this manifest was written. */
  createdAt: z.string(),
  golive: z.string(),
  profile: z.object({ id: z.string(), name: z.string().optional(), kind: z.string().optional(), msn: z.string().optional() }),
  algorithm: z.literal('sha256'),
  files: z.array(EntrySchema),
  /** SHA-256 over the file list (see `listDigest`): one value to quote for the whole evidence set. */
  digest: z.string().regex(/^[0-9a-f]{64}$/),
});
export type EvidenceManifest = z.output<typeof ManifestSchema>;

export interface ManifestMeta {
  runId: string;
  runDate: string;
  finishedAt?: string;
  golive: string;
  profile: EvidenceManifest['profile'];
}

/** A manifest is missing, unreadable or not a golive manifest (a usage problem, not tampering). */
export class ManifestError extends Error {}

// --- hashing -------------------------------------------------------------------------------

async function hashFile(file: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { sha256: hash.digest('hex'), size };
}

const toPosix = (p: string) => p.split(sep).join('/');

/** Every file under `dir` (recursively, symbolic links not followed) except the manifest, sorted. */
export function listEvidenceFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const full = join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else out.push(toPosix(relative(dir, full)));
    }
  };
  walk(dir);
  return out.filter((p) => p !== MANIFEST_FILE).sort();
}

async function entryFor(dir: string, path: string): Promise<ManifestEntry> {
  const full = join(dir, ...path.split('/'));
  if (lstatSync(full).isSymbolicLink()) {
    const link = readlinkSync(full);
    const bytes = Buffer.from(link, 'utf8');
    return { path, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex'), link };
  }
  return { path, ...(await hashFile(full)) };
}

/** The digest of a file list: SHA-256 over `<sha256> <size> <path>\n` lines in path order. */
export function listDigest(files: readonly ManifestEntry[]): string {
  const hash = createHash('sha256');
  for (const f of [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) hash.update(`${f.sha256} ${f.size} ${f.path}${f.link !== undefined ? ` -> ${f.link}` : ''}\n`);
  return hash.digest('hex');
}

// --- writing --------------------------------------------------------------------------------

export async function buildManifest(dir: string, meta: ManifestMeta, now = new Date()): Promise<EvidenceManifest> {
  const files: ManifestEntry[] = [];
  for (const path of listEvidenceFiles(dir)) files.push(await entryFor(dir, path));
  return {
    manifest: MANIFEST_KIND,
    version: 1,
    runId: meta.runId,
    runDate: meta.runDate,
    finishedAt: meta.finishedAt,
    createdAt: now.toISOString(),
    golive: meta.golive,
    profile: meta.profile,
    algorithm: 'sha256',
    files,
    digest: listDigest(files),
  };
}

/**
 * Write `manifest.json` covering every other file in `dir`. Call it last: anything written into
 * the folder afterwards shows up as an added (or changed) file in `golive evidence verify`.
 * Returns the manifest and the SHA-256 of the manifest file itself.
 */
export async function writeManifest(dir: string, meta: ManifestMeta, now = new Date()): Promise<{ manifest: EvidenceManifest; file: string; sha256: string }> {
  const manifest = await buildManifest(dir, meta, now);
  const text = manifestText(manifest);
  const file = join(dir, MANIFEST_FILE);
  writeFileSync(file, text);
  return { manifest, file, sha256: createHash('sha256').update(text).digest('hex') };
}

/** Pretty JSON with one line per file: a run lists a thousand files, and keeps to its size budget. */
export function manifestText(manifest: EvidenceManifest): string {
  const { files, ...head } = manifest;
  const lines = files.map((f) => `    ${JSON.stringify(f)}`).join(',\n');
  const headText = JSON.stringify({ ...head, files: [] }, null, 2);
  return `${headText.replace(/"files": \[\]/, files.length ? `"files": [\n${lines}\n  ]` : '"files": []')}\n`;
}

export function readManifest(dir: string): EvidenceManifest {
  const file = join(dir, MANIFEST_FILE);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new ManifestError(`${dir} is not a folder`);
  if (!existsSync(file)) throw new ManifestError(`${file} not found: not a golive run folder, or the run did not finish`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ManifestError(`${file}: not valid JSON (${(err as Error).message})`);
  }
  const parsed = ManifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ManifestError(`${file}: not a golive evidence manifest (${issue.path.join('.') || 'top level'}: ${issue.message})`);
  }
  return parsed.data;
}

// --- freshness ------------------------------------------------------------------------------

export interface Freshness {
  runDate: Date;
  /** Whole days between the run and `now` (negative when the run date lies in the future). */
  ageDays: number;
  /** The last moment the review accepts this evidence: the run date plus one calendar month. */
  acceptedUntil: Date;
  /** Older than one month. */
  stale: boolean;
  /** One sentence for summaries and `golive evidence verify`. */
  message: string;
}

/** `date` plus one calendar month (UTC); the 31st of January becomes the last day of February. */
export function addOneMonth(date: Date): Date {
  const d = new Date(date.getTime());
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() + 1);
  const lastDay = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, lastDay));
  return d;
}

/** `2026-11-21 06:06 UTC` */
export function formatUtc(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export function evidenceFreshness(runDate: Date | string, now = new Date()): Freshness {
  const date = typeof runDate === 'string' ? new Date(runDate) : runDate;
  if (Number.isNaN(date.getTime())) throw new Error(`not a date: ${String(runDate)}`);
  const acceptedUntil = addOneMonth(date);
  const ageDays = Math.floor((now.getTime() - date.getTime()) / 86_400_000);
  const stale = now.getTime() > acceptedUntil.getTime();
  const day = (d: Date) => d.toISOString().slice(0, 10);
  const age = ageDays === 0 ? 'today' : ageDays === 1 ? '1 day ago' : ageDays > 0 ? `${ageDays} days ago` : `${-ageDays} days in the future — check the clock`;
  const message = stale
    ? `The evidence was recorded on ${formatUtc(date)} (${age}) and is older than the one month the checklist review accepts (it was accepted until ${day(acceptedUntil)}): run golive again and submit the new evidence.`
    : `The evidence was recorded on ${formatUtc(date)} (${age}); the checklist review accepts it for one month, until ${day(acceptedUntil)}.`;
  return { runDate: date, ageDays, acceptedUntil, stale, message };
}

// --- verifying ------------------------------------------------------------------------------

export interface VerifyResult {
  dir: string;
  manifest: EvidenceManifest;
  /** Files listed and present whose size or SHA-256 differ. */
  changed: { path: string; expected: ManifestEntry; actual: ManifestEntry }[];
  /** Listed, not present. */
  missing: string[];
  /** Present, not listed. */
  added: string[];
  /** The manifest's file list does not match its own digest: the manifest itself was edited. */
  manifestEdited: boolean;
  freshness: Freshness;
  /** No changed, missing or added files and an unedited manifest (staleness is a warning, not a failure). */
  ok: boolean;
}

export async function verifyEvidence(dir: string, now = new Date()): Promise<VerifyResult> {
  // `reports/latest` is a symbolic link to the run folder: verify what it points at.
  if (!existsSync(dir)) throw new ManifestError(`${dir} not found`);
  const root = realpathSync(dir);
  const manifest = readManifest(root);
  const present = new Set(listEvidenceFiles(root));
  const changed: VerifyResult['changed'] = [];
  const missing: string[] = [];
  for (const expected of manifest.files) {
    if (!present.delete(expected.path)) {
      missing.push(expected.path);
      continue;
    }
    const actual = await entryFor(root, expected.path);
    if (actual.sha256 !== expected.sha256 || actual.size !== expected.size || actual.link !== expected.link) changed.push({ path: expected.path, expected, actual });
  }
  const added = [...present].sort();
  const manifestEdited = listDigest(manifest.files) !== manifest.digest;
  return {
    dir: root,
    manifest,
    changed,
    missing,
    added,
    manifestEdited,
    freshness: evidenceFreshness(manifest.runDate, now),
    ok: changed.length === 0 && missing.length === 0 && added.length === 0 && !manifestEdited,
  };
}
