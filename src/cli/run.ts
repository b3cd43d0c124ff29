import { appendChecklistSuite } from '../report/junit-checklist.ts';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { loadProfile, loadSuite, SuiteError } from '../suite/index.ts';
import { DEFAULT_TEST_MERCHANT } from '../sandbox/merchants.ts';
import { freePort } from '../runner/environment.ts';
import { RUN_CONFIG_ENV, RUNTIME_ENV, type RunConfig } from '../runner/run-config.ts';
import type { RunSummary } from '../runner/finish.ts';
import { expandPaths } from '../suite/loader.ts';
import { resolveSecrets, type Profile } from '../suite/profile.ts';
import { Redactor } from '../traffic/redact.ts';
import { renderSummaryHtml } from '../report/summary-html.ts';
import { renderSummaryMarkdown } from '../report/summary-markdown.ts';
import { formatUtc, writeManifest } from '../report/manifest.ts';
import { generateAllureHtml } from '../report/allure.ts';

export const GOLIVE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const DEFAULT_PROFILE = join(GOLIVE_ROOT, 'config/reference-merchant.profile.yaml');
export const DEFAULT_SUITES = join(GOLIVE_ROOT, 'suites');

export interface RunOptions {
  profile?: string;
  suite?: string[];
  grep?: string;
  workers?: string;
  shard?: string;
  out?: string;
  sandboxUrl?: string;
  /** Per-request timeout for golive's calls to the integration, in ms (default 15000). */
  actionTimeout?: string | number;
  quiet?: boolean;
  /** Extra environment for the integration (self-tests use it for fault switches). */
  integrationEnv?: Record<string, string>;
}

export interface RunOutcome {
  exitCode: 0 | 1 | 2;
  runDir?: string;
  summary?: RunSummary;
}

const VERDICT_MARK: Record<string, string> = { PASSED: 'PASS', FAILED: 'FAIL', WARNING: 'WARN', REVIEW: 'REVIEW', NOT_APPLICABLE: 'N/A' };

/**
 * `golive run`: validate the suites and profile, start Playwright with a run config, and turn
 * the run's summary into a table and an exit code: 0 when every required item passes, 1 when
 * any fails (or a flow could not complete), 2 for usage or configuration errors.
 */
export async function runCommand(options: RunOptions): Promise<RunOutcome> {
  const log = (s: string) => options.quiet || console.log(s);
  const profileFile = resolve(options.profile ?? DEFAULT_PROFILE);
  const suiteFiles = (await expandPaths(options.suite?.length ? options.suite : [DEFAULT_SUITES])).filter((f) => !/\.profile\.ya?ml$/i.test(f)).map((f) => resolve(f));
  if (suiteFiles.length === 0) {
    console.error(`golive: no suite files found in ${(options.suite ?? [DEFAULT_SUITES]).join(', ')}`);
    return { exitCode: 2 };
  }
  if (!existsSync(profileFile)) {
    console.error(`golive: profile ${profileFile} not found (write one with \`golive init\`)`);
    return { exitCode: 2 };
  }
  // Fail fast, before any browser starts, on anything malformed.
  let profileDoc: Profile;
  try {
    profileDoc = await loadProfile(profileFile);
    for (const f of suiteFiles) await loadSuite(f);
  } catch (err) {
    console.error(err instanceof SuiteError ? err.format() : `golive: ${(err as Error).message}`);
    return { exitCode: 2 };
  }

  const startedAt = new Date();
  const runId = `${startedAt.toISOString().replace(/[:.]/g, '-')}-${randomBytes(2).toString('hex')}`;
  const reportsDir = resolve(options.out ?? 'reports');
  const runDir = join(reportsDir, runId);
  mkdirSync(runDir, { recursive: true });
  const config: RunConfig = {
    runId,
    runDir,
    startedAt: startedAt.toISOString(),
    profileFile,
    suiteFiles,
    sandbox: options.sandboxUrl ? { mode: 'external', url: options.sandboxUrl } : { mode: 'embedded' },
    stepTimeoutMs: 60_000,
    actionTimeoutMs: Number(options.actionTimeout ?? 15_000),
    integrationEnv: options.integrationEnv ?? {},
    golivVersion: JSON.parse(readFileSync(join(GOLIVE_ROOT, 'package.json'), 'utf8')).version,
  };
  const configFile = join(runDir, 'run-config.json');
  writeFileSync(configFile, JSON.stringify(config, null, 2));

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    [RUN_CONFIG_ENV]: configFile,
    [RUNTIME_ENV.integrationPort]: process.env[RUNTIME_ENV.integrationPort] ?? String(await freePort()),
    // The bundled profiles use the sandbox's public test keys unless the caller gives others.
    GOLIVE_TEST_CLIENT_ID: process.env.GOLIVE_TEST_CLIENT_ID ?? DEFAULT_TEST_MERCHANT.clientId,
    GOLIVE_TEST_CLIENT_SECRET: process.env.GOLIVE_TEST_CLIENT_SECRET ?? DEFAULT_TEST_MERCHANT.clientSecret,
    GOLIVE_TEST_SUBSCRIPTION_KEY: process.env.GOLIVE_TEST_SUBSCRIPTION_KEY ?? DEFAULT_TEST_MERCHANT.subscriptionKeys[0],
  };
  const args = [join(GOLIVE_ROOT, 'node_modules/@playwright/test/cli.js'), 'test', '-c', join(GOLIVE_ROOT, 'playwright.config.ts')];
  if (options.grep) args.push('--grep', options.grep);
  if (options.workers) args.push('--workers', options.workers);
  if (options.shard) args.push('--shard', options.shard);
  log(`golive: run ${runId}\n  profile ${relative(process.cwd(), profileFile)}\n  suites  ${suiteFiles.map((f) => relative(process.cwd(), f)).join(', ')}\n`);
  const playwrightExit = await new Promise<number>((resolvePromise) => {
    const child = spawn(process.execPath, args, { env, stdio: options.quiet ? ['ignore', 'ignore', 'inherit'] : 'inherit' });
    child.on('exit', (code) => resolvePromise(code ?? 1));
  });

  const latest = join(reportsDir, 'latest');
  rmSync(latest, { force: true });
  symlinkSync(runId, latest);

  const summaryFile = join(runDir, 'summary.json');
  const summary = existsSync(summaryFile) ? (JSON.parse(readFileSync(summaryFile, 'utf8')) as RunSummary) : undefined;
  if (summary) log(formatSummary(summary));
  else console.error(`golive: the run ended without a summary (Playwright exit code ${playwrightExit}); see the output above and ${runDir}`);

  // Post-processing: the printable summaries, the Allure HTML report, and the manifest (last).
  const redactor = new Redactor();
  try {
    resolveSecrets(profileDoc, env).secretValues.forEach((v) => redactor.addSecret(v));
  } catch {
    /* unresolvable secrets never reached the run, so there is nothing of them to scrub */
  }
  const reports = await writeRunReports({ runDir, config, summary, profile: profileDoc, redactor });
  log(formatReportLocations(reports, latest));

  if (!summary) return { exitCode: playwrightExit === 0 ? 2 : 1, runDir };
  const requiredFailed = summary.items.filter((i) => i.verdict === 'FAILED');
  const flowsFailed = summary.flows.filter((f) => f.outcome === 'step-failed');
  const exitCode = requiredFailed.length > 0 || flowsFailed.length > 0 || playwrightExit !== 0 ? 1 : 0;
  return { exitCode, runDir, summary };
}

export interface RunReports {
  runDir: string;
  summaryHtml?: string;
  summaryMarkdown?: string;
  allure: { ok: boolean; htmlDir?: string; message: string };
  manifest: string;
  manifestSha256: string;
  files: number;
  runDate: string;
}

/**
 * After Playwright: write summary.html and summary.md (from summary.json, through the run's
 * Redactor), generate the Allure HTML report, and write manifest.json LAST, covering every other
 * file of the run folder. Anything written into the folder later fails `golive evidence verify`.
 */
export async function writeRunReports(o: { runDir: string; config: RunConfig; summary?: RunSummary; profile: Profile; redactor: Redactor; now?: Date }): Promise<RunReports> {
  const goliveVersion = o.config.golivVersion;
  let summaryHtml: string | undefined;
  let summaryMarkdown: string | undefined;
  if (o.summary) appendChecklistSuite(join(o.runDir, 'junit.xml'), o.redactor.value(o.summary) as RunSummary);
  if (o.summary) {
    // Redact the data, not the rendered text: escaping could otherwise hide a secret from the Redactor.
    const safe = o.redactor.value(o.summary) as RunSummary;
    summaryHtml = join(o.runDir, 'summary.html');
    writeFileSync(summaryHtml, renderSummaryHtml(safe, { goliveVersion, now: o.now }));
    summaryMarkdown = join(o.runDir, 'summary.md');
    writeFileSync(summaryMarkdown, renderSummaryMarkdown(safe, { goliveVersion, now: o.now }));
  }
  // The Allure HTML (src/report/allure.ts; never throws), before the manifest so the manifest covers it.
  const allure = await generateAllureHtml(o.runDir);
  const { manifest, file, sha256 } = await writeManifest(
    o.runDir,
    {
      runId: o.config.runId,
      runDate: o.config.startedAt,
      finishedAt: o.summary?.finishedAt,
      golive: goliveVersion ?? 'unknown',
      profile: o.summary?.profile ?? { id: o.profile.profile, name: o.profile.name, kind: o.profile.kind, msn: o.profile.merchant.msn },
    },
    o.now,
  );
  return {
    runDir: o.runDir,
    summaryHtml,
    summaryMarkdown,
    allure,
    manifest: file,
    manifestSha256: sha256,
    files: manifest.files.length,
    runDate: formatUtc(new Date(o.config.startedAt)),
  };
}

function formatReportLocations(r: RunReports, latest: string): string {
  const rel = (p: string) => relative(process.cwd(), p) || '.';
  const lines = ['', `Report ${rel(r.runDir)}  (also ${rel(latest)})`, `  run date   ${r.runDate}`];
  if (r.summaryHtml) lines.push(`  summary    ${rel(r.summaryHtml)}  (printable; also summary.md, summary.json)`);
  lines.push(r.allure.ok && r.allure.htmlDir ? `  allure     ${rel(join(r.allure.htmlDir, 'index.html'))}` : `  allure     not generated: ${r.allure.message}`);
  lines.push(`  junit      ${rel(join(r.runDir, 'junit.xml'))}`);
  lines.push(`  manifest   ${rel(r.manifest)}  (${r.files} files; sha256 ${r.manifestSha256})`);
  lines.push(`  verify     golive evidence verify ${rel(r.runDir)}`);
  return lines.join('\n');
}

export function formatSummary(summary: RunSummary): string {
  const lines = [`\nChecklist verdicts — profile ${summary.profile.id} (MSN ${summary.profile.msn}), ${summary.target}\n`];
  const width = Math.max(...summary.items.map((i) => i.id.length));
  for (const item of summary.items) {
    lines.push(`  ${(VERDICT_MARK[item.verdict] ?? item.verdict).padEnd(6)} ${item.id.padEnd(width)}  ${item.title}`);
  }
  lines.push('');
  lines.push(`  ${Object.entries(summary.counts).map(([k, v]) => `${v} ${VERDICT_MARK[k] ?? k}`).join(', ')}`);
  const failedFlows = summary.flows.filter((f) => f.outcome === 'step-failed');
  if (failedFlows.length) lines.push(`  flows that could not complete: ${failedFlows.map((f) => `${f.suite}/${f.id} (${f.error})`).join('; ')}`);
  const refs = summary.evidenceReferences;
  lines.push(`\n  evidence references: AUTHORIZED ${refs.AUTHORIZED.length}, CAPTURED ${refs.CAPTURED.length}, REFUNDED ${refs.REFUNDED.length}, CANCELLED ${refs.CANCELLED.length}`);
  return lines.join('\n');
}
