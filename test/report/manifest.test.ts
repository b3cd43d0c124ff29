import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GOLIVE_ROOT } from '../../src/cli/run.ts';
import { runEvidenceVerifyCommand } from '../../src/cli/evidence.ts';
import { addOneMonth, evidenceFreshness, MANIFEST_FILE, readManifest, verifyEvidence, writeManifest, type ManifestMeta } from '../../src/report/manifest.ts';

const meta = (runDate = '2026-11-21T06:06:32.238Z'): ManifestMeta => ({
  runId: '2026-11-21T06-06-32-238Z-0d62',
  runDate,
  finishedAt: '2026-11-21T06:07:02.662Z',
  golive: '0.1.0',
  profile: { id: 'reference-merchant', name: 'Acme', kind: 'partner', msn: '123456' },
});

/** A run folder: text, JSON, binary, nested folders. */
function runFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'golive-manifest-'));
  writeFileSync(join(dir, 'summary.json'), JSON.stringify({ items: [] }));
  writeFileSync(join(dir, 'junit.xml'), '<testsuites/>');
  mkdirSync(join(dir, 'flows'));
  writeFileSync(join(dir, 'flows', 'a__order-captured.json'), '{"record":{}}');
  mkdirSync(join(dir, 'test-results', 'flow-1'), { recursive: true });
  writeFileSync(join(dir, 'test-results', 'flow-1', 'shot.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 255]));
  writeFileSync(join(dir, 'test-results', '.last-run.json'), '{}');
  return dir;
}

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

function collect() {
  const lines: string[] = [];
  return { lines, out: { log: (l: string) => lines.push(l), error: (l: string) => lines.push(l) } };
}

describe('manifest.json', () => {
  it('lists every file but itself with size and SHA-256, the run date, golive version and profile', async () => {
    const dir = runFolder();
    const { manifest, file, sha256: own } = await writeManifest(dir, meta(), new Date('2026-11-21T06:08:00Z'));
    expect(file).toBe(join(dir, MANIFEST_FILE));
    expect(own).toBe(sha256(file));
    expect(manifest.files.map((f) => f.path)).toEqual(['flows/a__order-captured.json', 'junit.xml', 'summary.json', 'test-results/.last-run.json', 'test-results/flow-1/shot.png']);
    for (const f of manifest.files) {
      expect(f.sha256).toBe(sha256(join(dir, f.path)));
      expect(f.size).toBe(readFileSync(join(dir, f.path)).length);
    }
    const onDisk = readManifest(dir);
    expect(onDisk).toEqual(JSON.parse(JSON.stringify(manifest)));
    expect(onDisk).toMatchObject({ manifest: 'golive-evidence-manifest', runDate: '2026-11-21T06:06:32.238Z', golive: '0.1.0', profile: { id: 'reference-merchant', msn: '123456' }, algorithm: 'sha256', createdAt: '2026-11-21T06:08:00.000Z' });
    expect(onDisk.digest).toMatch(/^[0-9a-f]{64}$/);
  });

  it('verifies an untouched folder, also through a symbolic link to it', async () => {
    const dir = runFolder();
    await writeManifest(dir, meta());
    const link = `${dir}-latest`;
    symlinkSync(dir, link);
    for (const d of [dir, link]) {
      const r = await verifyEvidence(d, new Date('2026-11-22T00:00:00Z'));
      expect(r).toMatchObject({ ok: true, changed: [], missing: [], added: [], manifestEdited: false });
    }
  });

  it('detects a changed file (same size too), a missing file and an added file', async () => {
    const dir = runFolder();
    await writeManifest(dir, meta());
    writeFileSync(join(dir, 'junit.xml'), '<testsuitez/>'); // same length, other bytes
    writeFileSync(join(dir, 'summary.json'), JSON.stringify({ items: [1] }));
    unlinkSync(join(dir, 'flows', 'a__order-captured.json'));
    mkdirSync(join(dir, 'extra'));
    writeFileSync(join(dir, 'extra', 'note.txt'), 'added later');
    const r = await verifyEvidence(dir);
    expect(r.ok).toBe(false);
    expect(r.changed.map((c) => c.path)).toEqual(['junit.xml', 'summary.json']);
    expect(r.changed[0]!.expected.size).toBe(r.changed[0]!.actual.size);
    expect(r.missing).toEqual(['flows/a__order-captured.json']);
    expect(r.added).toEqual(['extra/note.txt']);
  });

  it('detects a manifest edited to match a changed file', async () => {
    const dir = runFolder();
    await writeManifest(dir, meta());
    writeFileSync(join(dir, 'summary.json'), '{"items":["forged"]}');
    const m = JSON.parse(readFileSync(join(dir, MANIFEST_FILE), 'utf8'));
    const entry = m.files.find((f: { path: string }) => f.path === 'summary.json');
    entry.sha256 = sha256(join(dir, 'summary.json'));
    entry.size = readFileSync(join(dir, 'summary.json')).length;
    writeFileSync(join(dir, MANIFEST_FILE), JSON.stringify(m));
    const r = await verifyEvidence(dir);
    expect(r.changed).toEqual([]);
    expect(r.manifestEdited).toBe(true);
    expect(r.ok).toBe(false);
  });

  it('records a symbolic link inside the folder by its target, and notices a retargeted one', async () => {
    const dir = runFolder();
    symlinkSync('summary.json', join(dir, 'alias.json'));
    const { manifest } = await writeManifest(dir, meta());
    expect(manifest.files.find((f) => f.path === 'alias.json')).toMatchObject({ link: 'summary.json' });
    unlinkSync(join(dir, 'alias.json'));
    symlinkSync('junit.xml', join(dir, 'alias.json'));
    expect((await verifyEvidence(dir)).changed.map((c) => c.path)).toEqual(['alias.json']);
  });

  it('refuses folders without a usable manifest', async () => {
    const dir = runFolder();
    await expect(verifyEvidence(dir)).rejects.toThrow(/manifest\.json not found/);
    writeFileSync(join(dir, MANIFEST_FILE), '{"files": [');
    await expect(verifyEvidence(dir)).rejects.toThrow(/not valid JSON/);
    writeFileSync(join(dir, MANIFEST_FILE), JSON.stringify({ manifest: 'something-else' }));
    await expect(verifyEvidence(dir)).rejects.toThrow(/not a golive evidence manifest/);
    await expect(verifyEvidence(join(dir, 'nope'))).rejects.toThrow(/not found/);
  });
});

describe('evidence freshness (one month)', () => {
  it('adds one calendar month, clamping to the end of shorter months', () => {
    expect(addOneMonth(new Date('2026-11-21T06:06:32Z')).toISOString()).toBe('2026-12-21T06:06:32.000Z');
    expect(addOneMonth(new Date('2026-12-15T00:00:00Z')).toISOString()).toBe('2027-01-15T00:00:00.000Z');
    expect(addOneMonth(new Date('2027-01-31T12:00:00Z')).toISOString()).toBe('2027-02-28T12:00:00.000Z');
    expect(addOneMonth(new Date('2028-01-31T12:00:00Z')).toISOString()).toBe('2028-02-29T12:00:00.000Z');
  });

  it('is fresh up to one month after the run and stale after', () => {
    const run = '2026-11-21T06:00:00.000Z';
    const fresh = evidenceFreshness(run, new Date('2026-12-21T06:00:00.000Z'));
    expect(fresh).toMatchObject({ stale: false, ageDays: 30 });
    expect(fresh.message).toMatch(/recorded on 2026-11-21 06:00 UTC \(30 days ago\).*until 2026-12-21/);
    const stale = evidenceFreshness(run, new Date('2026-12-21T06:00:00.001Z'));
    expect(stale.stale).toBe(true);
    expect(stale.message).toMatch(/older than the one month the checklist review accepts/);
    expect(evidenceFreshness(run, new Date('2026-11-21T07:00:00Z')).message).toMatch(/\(today\)/);
  });
});

describe('golive evidence verify', () => {
  it('exit 0 and OK for an intact folder; a warning (still 0) when older than one month; 1 with --strict', async () => {
    const dir = runFolder();
    await writeManifest(dir, meta('2026-09-01T10:00:00Z'));
    const fresh = collect();
    expect(await runEvidenceVerifyCommand(dir, { now: new Date('2026-09-02T10:00:00Z') }, fresh.out)).toBe(0);
    expect(fresh.lines.join('\n')).toMatch(/OK +all 5 files match the manifest/);
    expect(fresh.lines.join('\n')).toMatch(/run date +2026-09-01 10:00 UTC/);
    expect(fresh.lines.join('\n')).not.toMatch(/WARNING/);
    const old = collect();
    expect(await runEvidenceVerifyCommand(dir, { now: new Date('2026-11-21T00:00:00Z') }, old.out)).toBe(0);
    expect(old.lines.join('\n')).toMatch(/WARNING +The evidence was recorded on 2026-09-01 10:00 UTC \(80 days ago\) and is older than the one month/);
    expect(await runEvidenceVerifyCommand(dir, { now: new Date('2026-11-21T00:00:00Z'), strict: true }, collect().out)).toBe(1);
  });

  it('exit 1 listing every changed, missing and added file; JSON output for scripts', async () => {
    const dir = runFolder();
    await writeManifest(dir, meta());
    writeFileSync(join(dir, 'summary.json'), '{}');
    rmSync(join(dir, 'junit.xml'));
    writeFileSync(join(dir, 'new.txt'), 'x');
    const text = collect();
    expect(await runEvidenceVerifyCommand(dir, {}, text.out)).toBe(1);
    const out = text.lines.join('\n');
    expect(out).toMatch(/CHANGED +summary\.json/);
    expect(out).toMatch(/MISSING +junit\.xml/);
    expect(out).toMatch(/ADDED +new\.txt/);
    expect(out).toMatch(/FAILED +3 problems/);
    const json = collect();
    expect(await runEvidenceVerifyCommand(dir, { json: true }, json.out)).toBe(1);
    expect(JSON.parse(json.lines.join('\n'))).toMatchObject({ ok: false, changed: ['summary.json'], missing: ['junit.xml'], added: ['new.txt'], exitCode: 1 });
  });

  it('exit 2 without a manifest', async () => {
    const c = collect();
    expect(await runEvidenceVerifyCommand(runFolder(), {}, c.out)).toBe(2);
    expect(c.lines.join('\n')).toMatch(/manifest\.json not found/);
  });

  it('sets the process exit code through the CLI (0, 1, 2)', async () => {
    const dir = runFolder();
    await writeManifest(dir, meta(new Date().toISOString()));
    const cli = (...args: string[]) => spawnSync(process.execPath, [join(GOLIVE_ROOT, 'bin/golive.mjs'), 'evidence', 'verify', ...args], { encoding: 'utf8', timeout: 60_000 });
    const ok = cli(dir);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/OK/);
    writeFileSync(join(dir, 'junit.xml'), 'tampered');
    const bad = cli(dir);
    expect(bad.status).toBe(1);
    expect(bad.stdout).toMatch(/CHANGED +junit\.xml/);
    expect(cli(join(dir, 'flows')).status).toBe(2);
    expect(cli().status).toBe(2);
  }, 120_000);
});
