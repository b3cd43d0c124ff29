import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';

/**
 * Scans every file under a folder for secrets: exact values (and their URL- and base64-encoded
 * forms), and patterns every value of a kind has (the sandbox's access tokens all start with the
 * same JWT header; its webhook secrets are 64 random bytes in base64; HMAC Authorization values
 * have a fixed prefix). Files are read as bytes; zip archives (Playwright traces) and gzip
 * streams are opened and their entries scanned; base64 runs (attachment bodies inlined in JSON
 * reports, data: URIs) are decoded and scanned too.
 */
export interface Needle {
  kind: string;
  /** An exact value... */
  value?: string;
  /** ...or a pattern (matched against the latin1 text of the bytes). */
  pattern?: RegExp;
}

export interface Hit {
  kind: string;
  /** `file`, `file!entry` inside an archive, `file#base64@offset` inside a decoded run. */
  where: string;
  /** The matched text, cut short (it is a secret: only enough to find it). */
  excerpt: string;
}

export interface ScanReport {
  hits: Hit[];
  files: number;
  bytes: number;
  /** Archive entries opened (trace.zip contents). */
  archiveEntries: number;
  /** Base64 runs decoded and scanned. */
  decodedRuns: number;
  /** Why archives could not be opened, when they could not. */
  notes: string[];
}

/** yauzl ships inside playwright-core (a dependency); its `utilsBundle` entry point is exported. */
const yauzl: YauzlLike | undefined = (() => {
  try {
    return createRequire(import.meta.url)('playwright-core/lib/utilsBundle').yauzl as YauzlLike;
  } catch {
    return undefined;
  }
})();

interface YauzlLike {
  fromBuffer(buf: Buffer, opts: { lazyEntries: boolean }, cb: (err: Error | null, zip: any) => void): void;
}

export const zipReaderAvailable = (): boolean => yauzl !== undefined;

/** The base64 forms a value takes inside a longer base64 text, at each of the three alignments. */
export function base64Cores(value: string): string[] {
  const out = new Set<string>();
  const bytes = Buffer.from(value, 'utf8');
  for (let pad = 0; pad < 3; pad++) {
    const b64 = Buffer.concat([Buffer.alloc(pad), bytes]).toString('base64');
    // Drop the characters that depend on neighbouring bytes: the lead (pad bytes) and the tail.
    // Character i covers bits [6i, 6i+6): it is the value's alone when that lies within its bytes.
    const start = Math.ceil((pad * 4) / 3);
    const end = Math.floor(((pad + bytes.length) * 4) / 3);
    const core = b64.slice(start, end);
    if (core.length >= 12) {
      out.add(core);
      out.add(core.replace(/\+/g, '-').replace(/\//g, '_'));
    }
  }
  return [...out];
}

/** Every concrete byte sequence to look for an exact needle as. */
function forms(needle: Needle): { kind: string; bytes: Buffer; label: string }[] {
  const v = needle.value!;
  const set = new Map<string, string>([[v, 'raw']]);
  const add = (s: string, label: string) => set.has(s) || set.set(s, label);
  add(encodeURIComponent(v), 'url-encoded');
  add(JSON.stringify(v).slice(1, -1), 'json-escaped');
  for (const core of base64Cores(v)) add(core, 'base64');
  return [...set].map(([s, label]) => ({ kind: needle.kind, bytes: Buffer.from(s, 'latin1'), label }));
}

const BASE64_RUN = /[A-Za-z0-9+/_-]{24,}={0,2}/g;
const MAX_DEPTH = 3;

export class SecretScanner {
  private readonly exact: { kind: string; bytes: Buffer; label: string }[];
  private readonly patterns: Needle[];

  constructor(needles: Needle[]) {
    this.exact = needles.filter((n) => n.value).flatMap(forms);
    this.patterns = needles.filter((n) => n.pattern);
    for (const p of this.patterns) if (!p.pattern!.global) throw new Error(`pattern for ${p.kind} must be global (/g)`);
  }

  async scanDir(dir: string): Promise<ScanReport> {
    const report: ScanReport = { hits: [], files: 0, bytes: 0, archiveEntries: 0, decodedRuns: 0, notes: [] };
    const walk = (d: string): string[] =>
      readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : e.isFile() ? [join(d, e.name)] : []));
    for (const file of walk(dir)) {
      const buf = readFileSync(file);
      report.files++;
      report.bytes += buf.length;
      await this.scanBuffer(buf, relative(dir, file), 0, report);
    }
    return report;
  }

  async scanBuffer(buf: Buffer, where: string, depth: number, report: ScanReport): Promise<void> {
    for (const f of this.exact) {
      const at = buf.indexOf(f.bytes);
      if (at >= 0) report.hits.push({ kind: `${f.kind} (${f.label})`, where, excerpt: excerpt(buf.toString('latin1', at, at + f.bytes.length)) });
    }
    const text = buf.toString('latin1');
    for (const p of this.patterns) {
      for (const m of text.matchAll(p.pattern!)) report.hits.push({ kind: p.kind, where: `${where}@${m.index}`, excerpt: excerpt(m[0]) });
    }
    if (depth >= MAX_DEPTH) return;
    if (buf.length > 4 && buf.readUInt32LE(0) === 0x04034b50) await this.scanZip(buf, where, depth, report);
    else if (buf.length > 2 && buf[0] === 0x1f && buf[1] === 0x8b) {
      try {
        await this.scanBuffer(gunzipSync(buf), `${where}!gunzip`, depth + 1, report);
      } catch (err) {
        report.notes.push(`${where}: not a readable gzip stream (${(err as Error).message})`);
      }
    }
    for (const m of text.matchAll(BASE64_RUN)) {
      const run = m[0];
      const decoded = Buffer.from(run.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
      if (decoded.length < 12) continue;
      report.decodedRuns++;
      await this.scanBuffer(decoded, `${where}#base64@${m.index}`, depth + 1, report);
    }
  }

  private async scanZip(buf: Buffer, where: string, depth: number, report: ScanReport): Promise<void> {
    if (!yauzl) {
      report.notes.push(`${where}: a zip archive, but no zip reader is installed: only its raw bytes were scanned`);
      return;
    }
    const entries = await new Promise<{ name: string; data: Buffer }[]>((resolve, reject) => {
      yauzl.fromBuffer(buf, { lazyEntries: true }, (err, zip) => {
        if (err) return reject(err);
        const out: { name: string; data: Buffer }[] = [];
        zip.on('error', reject);
        zip.on('end', () => resolve(out));
        zip.on('entry', (entry: any) => {
          if (/\/$/.test(entry.fileName)) return zip.readEntry();
          zip.openReadStream(entry, (e: Error | null, stream: NodeJS.ReadableStream) => {
            if (e) return reject(e);
            const chunks: Buffer[] = [];
            stream.on('data', (c: Buffer) => chunks.push(c));
            stream.on('error', reject);
            stream.on('end', () => {
              out.push({ name: entry.fileName, data: Buffer.concat(chunks) });
              zip.readEntry();
            });
          });
        });
        zip.readEntry();
      });
    }).catch((err: Error) => {
      report.notes.push(`${where}: zip could not be read (${err.message}); only its raw bytes were scanned`);
      return [];
    });
    for (const e of entries) {
      report.archiveEntries++;
      await this.scanBuffer(e.data, `${where}!${e.name}`, depth + 1, report);
    }
  }
}

function excerpt(s: string): string {
  return s.length > 24 ? `${s.slice(0, 16)}…(${s.length} chars)` : s;
}

// --- the needles every golive run is scanned for -------------------------------------------

/** The JWT header every access token of the golive sandbox starts with (`{"typ":"JWT",…`). */
export const SANDBOX_TOKEN_PREFIX = 'eyJ0eXAiOiJKV1Qi';

/** Patterns for the secret kinds whose values the run's outputs may never show. */
export function patternNeedles(): Needle[] {
  return [
    // Access tokens: every token the sandbox issues starts with the same base64url JWT header.
    { kind: 'sandbox access token', pattern: new RegExp(`${SANDBOX_TOKEN_PREFIX}[A-Za-z0-9_-]*`, 'g') },
    // Any JWT-shaped value (three base64url parts, header starting `{"`).
    { kind: 'JWT', pattern: /eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}/g },
    // Webhook secrets: 64 random bytes in base64 = exactly 86 characters and `==`.
    { kind: 'webhook secret (64 bytes, base64)', pattern: /(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{86}==(?![A-Za-z0-9+/=])/g },
    // HMAC Authorization values of webhook deliveries, unredacted.
    { kind: 'HMAC Authorization value', pattern: /SignedHeaders=[^&\s"]*&Signature=(?!\[REDACTED)[A-Za-z0-9+/=]{8,}/g },
    // Bearer credentials, unredacted.
    { kind: 'Bearer credential', pattern: /Bearer\s+(?!\[REDACTED)[A-Za-z0-9._~+/-]{16,}=*/g },
  ];
}
