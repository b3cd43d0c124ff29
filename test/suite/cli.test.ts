import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'golive.mjs');

function golive(args: string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const GOOD_SUITE = `suite: good\ntitle: Good\napi: epayment-v1\nflows:\n  - id: a\n    title: A\n    steps:\n      - merchant.checkout: {}\n      - customer.approve: {}\n`;
const BAD_SUITE = `suite: bad\ntitle: Bad\napi: epayment-v1\nflows:\n  - id: a\n    title: A\n    steps:\n      - merchant.checkout: {}\n      - expect.payment: { state: PAID }\n`;

describe('golive validate / init', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'golive-cli-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('exit 0 and an ok line for valid files', async () => {
    await writeFile(join(dir, 'good.yaml'), GOOD_SUITE);
    const r = await golive(['validate', 'good.yaml'], dir);
    expect(r.stdout).toContain('ok good.yaml (suite good: 1 flow, 2 steps)');
    expect(r.stdout).toContain('1 file: 0 errors, 0 warnings');
    expect(r.code).toBe(0);
  });

  it('exit 2 and file:line:col: message lines for invalid files', async () => {
    await writeFile(join(dir, 'bad.yaml'), BAD_SUITE);
    const r = await golive(['validate', 'good.yaml', 'bad.yaml'], dir);
    expect(r.code).toBe(2);
    expect(r.stdout.split('\n')).toContain(
      'bad.yaml:9:34: flows[0].steps[1].expect.payment.state: expected one of CREATED, AUTHORIZED, ABORTED, EXPIRED, TERMINATED, INITIATE, RESERVE, SALE, CAPTURE, REFUND, CANCEL, VOID, REJECTED, FAILED, INITIATED, RESERVED, CAPTURED, REFUNDED, CANCELLED, got "PAID" (did you mean VOID?)',
    );
    expect(r.stdout).toContain('ok good.yaml');
    expect(r.stdout).toContain('2 files: 1 error, 0 warnings');
  });

  it('defaults to suites/ and config/, tells profiles from suites, and flags duplicate ids across files', async () => {
    const project = join(dir, 'project');
    await mkdir(join(project, 'suites', 'epayment'), { recursive: true });
    await mkdir(join(project, 'config'), { recursive: true });
    await writeFile(join(project, 'suites', 'epayment', 'one.yaml'), GOOD_SUITE);
    await writeFile(join(project, 'config', 'shop.profile.yaml'), (await readFile(join(ROOT, 'config', 'template.profile.yaml'), 'utf8')).replace('clientSecret: ${env:VIPPS_CLIENT_SECRET}', 'clientSecret: sup3r-s3cret'));
    // Other YAML in config/ (a sandbox config) is skipped, not judged as a suite.
    await writeFile(join(project, 'config', 'sandbox.yaml'), 'merchants: []\n');
    let r = await golive(['validate'], project);
    expect(r.stdout).toContain('skipped config/sandbox.yaml (neither a suite nor a profile');
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/^config\/shop\.profile\.yaml:\d+:\d+: merchant\.clientSecret: expected \$\{env:NAME\}: a literal secret is not allowed here/m);
    expect(r.stdout).not.toContain('sup3r-s3cret');
    expect(r.stdout).toContain('ok suites/epayment/one.yaml');

    await writeFile(join(project, 'config', 'shop.profile.yaml'), await readFile(join(ROOT, 'config', 'template.profile.yaml'), 'utf8'));
    r = await golive(['validate', '--quiet'], project);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe('2 files: 0 errors, 0 warnings');

    await writeFile(join(project, 'suites', 'two.yaml'), GOOD_SUITE);
    r = await golive(['validate', 'suites/**/*.yaml'], project);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/^suites\/two\.yaml:1:8: suite: duplicate suite id "good" \(also in suites\/epayment\/one\.yaml\)$/m);
  });

  it('warnings pass unless --strict', async () => {
    await writeFile(join(dir, 'warn.yaml'), GOOD_SUITE.replace('    title: A\n', '    title: A\n    checklist: [EC-CALLBACK]\n'));
    let r = await golive(['validate', 'warn.yaml'], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('warn.yaml:7:17: warning: flows[0].checklist[0]: EC-CALLBACK is a checklist item for ecom-v2');
    r = await golive(['validate', '--strict', 'warn.yaml'], dir);
    expect(r.code).toBe(2);
  });

  it('usage errors and missing files exit 2', async () => {
    expect((await golive(['validate', '--bogus'], dir)).code).toBe(2);
    const missing = await golive(['validate', 'nope.yaml'], dir);
    expect(missing.code).toBe(2);
    expect(missing.stdout).toMatch(/^nope\.yaml:1:1: cannot read: ENOENT/m);
    const empty = join(dir, 'empty');
    await mkdir(empty);
    const none = await golive(['validate'], empty);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no suite or profile files found');
  });

  it('init writes a starter profile that validates, and never overwrites without --force', async () => {
    const out = join('config', 'acme-shop.profile.yaml');
    let r = await golive(['init', '--out', out], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`wrote ${out} (profile acme-shop)`);
    const text = await readFile(join(dir, out), 'utf8');
    expect(text).toMatch(/^profile: acme-shop$/m);
    expect(text).toMatch(/^name: Acme Shop$/m);
    // The editor hint points at this package's schema from wherever the file is.
    const hint = /^# yaml-language-server: \$schema=(.*)$/m.exec(text)![1];
    expect(JSON.parse(await readFile(join(dir, 'config', hint), 'utf8')).title).toBe('golive merchant profile');

    expect((await golive(['validate', out], dir)).code).toBe(0);

    await writeFile(join(dir, out), 'mine\n');
    r = await golive(['init', '--out', out], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('already exists; use --force to overwrite it');
    expect(await readFile(join(dir, out), 'utf8')).toBe('mine\n');

    r = await golive(['init', '--out', out, '--force'], dir);
    expect(r.code).toBe(0);
    expect(await readFile(join(dir, out), 'utf8')).toMatch(/^profile: acme-shop$/m);
  });

  it('init --api ecom-v2 starts an eCom profile; an unknown API exits 2', async () => {
    const out = join('config', 'legacy-shop.profile.yaml');
    const r = await golive(['init', '--out', out, '--api', 'ecom-v2'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('suites/ecom-v2');
    const text = await readFile(join(dir, out), 'utf8');
    expect(text).toMatch(/^api: ecom-v2$/m);
    expect((await golive(['validate', out], dir)).code).toBe(0);
    const bad = await golive(['init', '--out', join('config', 'x.profile.yaml'), '--api', 'ecom-v3'], dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe('golive init: --api must be one of epayment-v1, ecom-v2, psp-v2 (got "ecom-v3")');
  });

  it('init --kind psp starts a PSP profile (Psp-Id, test cards) that validates; an unknown kind exits 2', async () => {
    const out = join('config', 'my-psp.profile.yaml');
    const r = await golive(['init', '--out', out, '--kind', 'psp'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('suites/psp/card-passthrough.yaml');
    const text = await readFile(join(dir, out), 'utf8');
    expect(text).toMatch(/^kind: psp$/m);
    expect(text).toMatch(/^  pspId: \$\{env:VIPPS_PSP_ID\}/m);
    expect(text).toMatch(/^cardPassthrough:\n  cards:\n    approved:/m);
    expect((await golive(['validate', out], dir)).code).toBe(0);
    const bad = await golive(['init', '--out', join('config', 'y.profile.yaml'), '--kind', 'bank'], dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe('golive init: --kind must be one of direct, partner, psp (got "bank")');
  });
});
