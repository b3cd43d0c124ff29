import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { httpProfileYaml } from '../helpers/profiles.ts';

const root = resolve(import.meta.dirname, '../..');

function golive(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) =>
    execFile(process.execPath, ['bin/golive.mjs', ...args], { cwd: root, env: { ...process.env, ...env }, timeout: 60_000 }, (err, stdout, stderr) =>
      done({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    ),
  );
}

/** A reports folder whose `latest` points at an earlier run: a usage error must leave it as it is. */
function reportsWithLatest(): string {
  const out = mkdtempSync(join(tmpdir(), 'golive-usage-'));
  mkdirSync(join(out, 'earlier-run'));
  symlinkSync('earlier-run', join(out, 'latest'));
  return out;
}

describe('golive run: usage and configuration errors', () => {
  const dir = mkdtempSync(join(tmpdir(), 'golive-usage-profile-'));
  const missingEnvProfile = join(dir, 'needs-env.profile.yaml');
  writeFileSync(missingEnvProfile, httpProfileYaml({ id: 'needs-env', baseUrl: 'http://127.0.0.1:9', credentials: ['GOLIVE_USAGE_TEST_UNSET_ID', 'GOLIVE_USAGE_TEST_UNSET_SECRET', 'GOLIVE_USAGE_TEST_UNSET_KEY'] }));

  const unsetTemplateProfile = join(dir, 'unset-template.profile.yaml');
  writeFileSync(unsetTemplateProfile, httpProfileYaml({ id: 'unset-template', baseUrl: 'http://{{env.GOLIVE_USAGE_TEST_UNSET_HOST}}:{{env.GOLIVE_USAGE_TEST_PORT:-4100}}' }));

  it.each([
    [['--workers', 'abc'], /^golive: --workers "abc": expected a whole number/],
    [['--workers', '0'], /^golive: --workers "0": expected a whole number/],
    [['--shard', '3/2'], /^golive: --shard "3\/2": expected i\/n with 1 ≤ i ≤ n/],
    [['--shard', 'x'], /^golive: --shard "x"/],
    [['--action-timeout', 'abc'], /^golive: --action-timeout "abc": expected a duration/],
    [['--status-timeout', '-5'], /^golive: --status-timeout "-5": expected a duration/],
    [['--grep', 'no-flow-is-called-like-this'], /^golive: --grep "no-flow-is-called-like-this" matches no flow/],
    [['--grep', '('], /^golive: --grep "\(": not a regular expression/],
    [['--profile', missingEnvProfile], /needs-env\.profile\.yaml: .*GOLIVE_USAGE_TEST_UNSET_ID/],
    [['--profile', unsetTemplateProfile], /^golive: environment variable not set: GOLIVE_USAGE_TEST_UNSET_HOST \(.*unset-template\.profile\.yaml: baseUrl\) — set it, or write \{\{env\.NAME:-default\}\}$/],
    [['--no-such-option'], /^error: unknown option '--no-such-option'$/],
    // A platform's installations: only ids its profile declares; a merchant's profile has none.
    [['--profile', 'config/reference-platform.profile.yaml', '--installations', 'alpha,delta'], /^golive: --installations: unknown installation delta; profile reference-platform has alpha, beta, gamma$/],
    [['--installations', 'alpha'], /^golive: --installations: profile reference-merchant declares no installations/],
    // A suite of another API than the profile's: refused before anything starts.
    [['--profile', 'config/ecom-shop.profile.yaml', '--suite', 'suites/epayment'], /^golive: suites\/epayment\/checklist\.yaml is a epayment-v1 suite, but config\/ecom-shop\.profile\.yaml describes a ecom-v2 integration \(its api and kind\); run it with a epayment-v1 profile, or pick a ecom-v2 suite$/],
    [['--profile', 'config/reference-psp.profile.yaml', '--suite', 'suites/epayment'], /^golive: suites\/epayment\/checklist\.yaml is a epayment-v1 suite, but config\/reference-psp\.profile\.yaml describes a epayment-v1 PSP \(card passthrough\) integration \(its api and kind\); run it with a epayment-v1 profile, or pick a epayment-psp suite$/],
    [['--profile', 'config/reference-merchant.profile.yaml', '--suite', 'suites/psp/card-passthrough.yaml'], /^golive: suites\/psp\/card-passthrough\.yaml is a epayment-psp suite, but config\/reference-merchant\.profile\.yaml describes a epayment-v1 integration \(its api and kind\); run it with a epayment-v1 PSP \(kind: psp\) profile, or pick a epayment-v1\/webhooks-v1 suite$/],
    [['--profile', 'config/reference-merchant.profile.yaml', '--suite', 'suites/ecom-v2/checklist.yaml'], /^golive: suites\/ecom-v2\/checklist\.yaml is a ecom-v2 suite, but .*reference-merchant\.profile\.yaml describes a epayment-v1 integration/],
  ])('%j exits 2 with one line, no stack, and reports/latest untouched', async (args, message) => {
    const out = reportsWithLatest();
    const r = await golive(['run', '--out', out, ...args]);
    expect(r.code, r.stderr).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines, r.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at |ZodError|SecretResolutionError/);
    expect(readlinkSync(join(out, 'latest'))).toBe('earlier-run');
    expect(readdirSync(out).sort()).toEqual(['earlier-run', 'latest']);
  }, 60_000);

  it('prints the version', async () => {
    const r = await golive(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
