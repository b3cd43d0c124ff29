import { appendChecklistSuite, EMPTY_JUNIT } from '../report/junit-checklist.ts';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { loadProfile, loadSuite, SuiteError, type Suite } from '../suite/index.ts';
import { DEFAULT_TEST_MERCHANT } from '../sandbox/merchants.ts';
import { freePort } from '../runner/environment.ts';
import { RUN_CONFIG_ENV, RUN_MARKER_ENV, RUNTIME_ENV, type RunConfig } from '../runner/run-config.ts';
import type { RunSummary } from '../report/run-summary.ts';
import { expandPaths } from '../suite/loader.ts';
import { resolveSecrets, SecretResolutionError, type Profile } from '../suite/profile.ts';
import { DURATION_EXPECTATION, formatDuration, parseDuration } from '../suite/duration.ts';
import { colourOn, oneLine, palette, type Palette } from '../report/terminal.ts';
import { PLANNED_FLOWS_FILE } from '../runner/live-reporter.ts';
import { SETUP_ERROR_FILE } from '../runner/global-setup.ts';
import { INTERRUPTED_FILE } from '../runner/finish.ts';
import { signalGroup, stopGroup } from '../runner/process-group.ts';
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
  /** Per-request timeout for golive's calls to the integration (ms or a duration; default: the profile's timeouts.action). */
  actionTimeout?: string | number;
  /** Default `within` of expect steps (ms or a duration; default: the profile's timeouts.status). */
  statusTimeout?: string | number;
  quiet?: boolean;
  /** Extra environment for the integration (self-tests use it for fault switches). */
  integrationEnv?: Record<string, string>;
}

export interface RunOutcome {
  exitCode: 0 | 1 | 2 | 130 | 143;
  runDir?: string;
  summary?: RunSummary;
}

const VERDICT_MARK: Record<string, string> = { PASSED: 'PASS', FAILED: 'FAIL', WARNING: 'WARN', REVIEW: 'REVIEW', NOT_APPLICABLE: 'N/A', NOT_RUN: 'NOT RUN' };

/** A usage or configuration problem: one line, exit 2, nothing written. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Check the command-line values before anything starts; throws UsageError with one line. */
export function parseRunOptions(options: RunOptions, profile?: Profile): { workers?: string; shard?: string; actionTimeoutMs: number; statusTimeoutMs: number } {
  const out: { workers?: string; shard?: string; actionTimeoutMs: number; statusTimeoutMs: number } = {
    actionTimeoutMs: profile?.timeouts.action ?? 15_000,
    statusTimeoutMs: profile?.timeouts.status ?? 15_000,
  };
  if (options.workers !== undefined) {
    const w = String(options.workers).trim();
    if (!/^[1-9]\d*$/.test(w) && !/^(?:[1-9]\d?|100)%$/.test(w)) throw new UsageError(`--workers ${JSON.stringify(options.workers)}: expected a whole number ≥ 1 or a percentage of the cores such as 50%`);
    out.workers = w;
  }
  if (options.shard !== undefined) {
    const m = /^(\d+)\/(\d+)$/.exec(String(options.shard).trim());
    if (!m || Number(m[2]) < 1 || Number(m[1]) < 1 || Number(m[1]) > Number(m[2])) throw new UsageError(`--shard ${JSON.stringify(options.shard)}: expected i/n with 1 ≤ i ≤ n, e.g. 1/2`);
    out.shard = `${Number(m[1])}/${Number(m[2])}`;
  }
  const duration = (flag: string, v: string | number | undefined, fallback: number): number => {
    if (v === undefined) return fallback;
    let ms: number;
    try {
      ms = parseDuration(typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : v);
    } catch {
      throw new UsageError(`${flag} ${JSON.stringify(v)}: ${DURATION_EXPECTATION}`);
    }
    if (ms < 1) throw new UsageError(`${flag} ${JSON.stringify(v)}: must be longer than 0 ms`);
    return ms;
  };
  out.actionTimeoutMs = duration('--action-timeout', options.actionTimeout, out.actionTimeoutMs);
  out.statusTimeoutMs = duration('--status-timeout', options.statusTimeout, out.statusTimeoutMs);
  if (options.grep !== undefined) {
    try {
      new RegExp(options.grep);
    } catch (err) {
      throw new UsageError(`--grep ${JSON.stringify(options.grep)}: not a regular expression (${(err as Error).message})`);
    }
  }
  return out;
}

/**
 * `golive run`: validate the suites and profile, start Playwright with a run config, and turn
 * the run's summary into a table and an exit code: 0 when every required item that ran passes,
 * 1 when any fails (or a flow could not complete), 2 for usage or configuration errors, 130/143
 * when interrupted by SIGINT/SIGTERM (after writing what exists).
 */
export async function runCommand(options: RunOptions): Promise<RunOutcome> {
  const log = (s: string) => options.quiet || console.log(s);
  const usage = (message: string): RunOutcome => {
    console.error(`golive: ${oneLine(message, 400)}`);
    return { exitCode: 2 };
  };
  const profileFile = resolve(options.profile ?? DEFAULT_PROFILE);
  const suiteFiles = (await expandPaths(options.suite?.length ? options.suite : [DEFAULT_SUITES])).filter((f) => !/\.profile\.ya?ml$/i.test(f)).map((f) => resolve(f));
  if (suiteFiles.length === 0) return usage(`no suite files found in ${(options.suite ?? [DEFAULT_SUITES]).join(', ')}`);
  if (!existsSync(profileFile)) return usage(`profile ${profileFile} not found (write one with \`golive init\`)`);
  // Fail fast, before any browser starts, on anything malformed.
  let profileDoc: Profile;
  let suites: Suite[];
  try {
    profileDoc = await loadProfile(profileFile);
    suites = [];
    for (const f of suiteFiles) suites.push(await loadSuite(f));
  } catch (err) {
    console.error(err instanceof SuiteError ? err.format() : `golive: ${oneLine((err as Error).message, 400)}`);
    return { exitCode: 2 };
  }
  let parsed: ReturnType<typeof parseRunOptions>;
  try {
    parsed = parseRunOptions(options, profileDoc);
  } catch (err) {
    if (err instanceof UsageError) return usage(err.message);
    throw err;
  }

  if (options.grep !== undefined && !suites.some((suite) => suite.flows.some((flow) => grepMatches(options.grep!, suite, flow))))
    return usage(`--grep ${JSON.stringify(options.grep)} matches no flow (flows match by title or by tag: @flow-id, @ITEM-ID, @suite)`);

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    [RUNTIME_ENV.integrationPort]: process.env[RUNTIME_ENV.integrationPort] ?? String(await freePort()),
    // The bundled profiles use the sandbox's public test keys unless the caller gives others.
    GOLIVE_TEST_CLIENT_ID: process.env.GOLIVE_TEST_CLIENT_ID ?? DEFAULT_TEST_MERCHANT.clientId,
    GOLIVE_TEST_CLIENT_SECRET: process.env.GOLIVE_TEST_CLIENT_SECRET ?? DEFAULT_TEST_MERCHANT.clientSecret,
    GOLIVE_TEST_SUBSCRIPTION_KEY: process.env.GOLIVE_TEST_SUBSCRIPTION_KEY ?? DEFAULT_TEST_MERCHANT.subscriptionKeys[0],
    // Playwright and its workers print no colours of their own: golive's live lines decide (on a TTY only).
    FORCE_COLOR: '0',
    GOLIVE_COLOR: colourOn() ? '1' : '0',
  };
  const redactor = new Redactor();
  try {
    resolveSecrets(profileDoc, env).secretValues.forEach((v) => redactor.addSecret(v));
  } catch (err) {
    if (err instanceof SecretResolutionError) return usage(`${relative(process.cwd(), profileFile)}: ${err.message}`);
    throw err;
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
    actionTimeoutMs: parsed.actionTimeoutMs,
    statusTimeoutMs: parsed.statusTimeoutMs,
    integrationEnv: options.integrationEnv ?? {},
    golivVersion: goliveVersion(),
  };
  const configFile = join(runDir, 'run-config.json');
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  env[RUN_CONFIG_ENV] = configFile;
  // Every process of the run (Playwright, workers, browsers, ffmpeg, the integration) inherits it.
  env[RUN_MARKER_ENV] = runId;

  const args = [join(GOLIVE_ROOT, 'node_modules/@playwright/test/cli.js'), 'test', '-c', join(GOLIVE_ROOT, 'playwright.config.ts')];
  if (options.grep) args.push('--grep', options.grep);
  if (parsed.workers) args.push('--workers', parsed.workers);
  if (parsed.shard) args.push('--shard', parsed.shard);
  log(`golive: run ${runId}\n  profile  ${relative(process.cwd(), profileFile)}\n  suites   ${suiteFiles.map((f) => relative(process.cwd(), f)).join(', ')}\n  timeouts action ${formatDuration(parsed.actionTimeoutMs)}, status ${formatDuration(parsed.statusTimeoutMs)}\n`);
  const { exitCode: playwrightExit, interrupted } = await runPlaywright(args, env, runDir, options.quiet);

  const plannedFile = join(runDir, PLANNED_FLOWS_FILE);
  const planned = existsSync(plannedFile) ? (JSON.parse(readFileSync(plannedFile, 'utf8')) as unknown[]) : undefined;
  if (!interrupted && options.grep !== undefined && (planned === undefined || planned.length === 0)) {
    // Nothing ran: a usage error, and no run folder to mistake for evidence.
    rmSync(runDir, { recursive: true, force: true });
    return usage(`--grep ${JSON.stringify(options.grep)} matches no flow (flows match by title or by tag: @flow-id, @ITEM-ID, @suite)`);
  }

  const latest = join(reportsDir, 'latest');
  rmSync(latest, { force: true });
  symlinkSync(runId, latest);

  const summaryFile = join(runDir, 'summary.json');
  let summary = existsSync(summaryFile) ? (JSON.parse(readFileSync(summaryFile, 'utf8')) as RunSummary) : undefined;
  if (summary && interrupted) {
    summary = markInterrupted(summary, interrupted);
    writeFileSync(summaryFile, JSON.stringify(summary, null, 2));
  }
  if (summary) log(formatSummary(summary));
  else {
    const setupError = join(runDir, SETUP_ERROR_FILE);
    const why = existsSync(setupError) ? `: ${oneLine(redactor.text(readFileSync(setupError, 'utf8')), 600)}` : ` (Playwright exit code ${playwrightExit}); see the output above and ${runDir}`;
    console.error(`golive: the run ended without a summary${why}`);
  }

  // Post-processing: the printable summaries, the Allure HTML report, and the manifest (last).
  const reports = await writeRunReports({ runDir, config, summary, profile: profileDoc, redactor, interrupted });
  log(formatReportLocations(reports, latest));

  if (interrupted) {
    console.error(`golive: ${interrupted === 'SIGINT' ? 'interrupted' : 'terminated'} (${interrupted}); ${summary ? 'the summary, junit.xml and manifest cover the flows that ran' : 'no summary could be written'} — ${relative(process.cwd(), runDir) || '.'}`);
    return { exitCode: interrupted === 'SIGINT' ? 130 : 143, runDir, summary };
  }
  if (!summary) return { exitCode: playwrightExit === 0 ? 2 : 1, runDir };
  const requiredFailed = summary.items.filter((i) => i.verdict === 'FAILED');
  const flowsFailed = summary.flows.filter((f) => f.outcome === 'step-failed');
  const exitCode = requiredFailed.length > 0 || flowsFailed.length > 0 || playwrightExit !== 0 ? 1 : 0;
  return { exitCode, runDir, summary };
}

/**
 * Whether Playwright's --grep selects this flow: the same matching as Playwright's (a /re/flags
 * literal or a case-insensitive pattern over "file describe title tags", see src/runner/flows.spec.ts).
 */
export function grepMatches(grep: string, suite: Suite, flow: Suite['flows'][number]): boolean {
  const literal = /^\/(.*)\/([gi]*)$/.exec(grep);
  const re = literal ? new RegExp(literal[1], literal[2]) : new RegExp(grep, 'i');
  return re.test(['flows.spec.ts', suite.title, flow.title, `@${suite.suite}`, `@${flow.id}`, ...flow.checklist.map((id) => `@${id}`)].join(' '));
}

/** An interrupted run's summary says so, with the flows that did not run. */
function markInterrupted(summary: RunSummary, signal: string): RunSummary {
  const reason = `interrupted by ${signal}`;
  const partial = summary.partial ?? { reasons: [], flowsNotRun: [] };
  return { ...summary, interrupted: signal, partial: { ...partial, reasons: [reason, ...partial.reasons.filter((r) => r !== reason)] } };
}

/**
 * Playwright in its own process group, so a terminal's Ctrl+C reaches golive only and golive
 * forwards exactly one SIGINT: Playwright then stops its workers and browsers and runs the global
 * teardown (summary, integration stop). A second signal forces: the Playwright group and the
 * integration's group (from environment.json) are killed.
 */
async function runPlaywright(args: string[], env: NodeJS.ProcessEnv, runDir: string, quiet?: boolean): Promise<{ exitCode: number; interrupted?: NodeJS.Signals }> {
  const child = spawn(process.execPath, args, { env, stdio: quiet ? ['ignore', 'ignore', 'inherit'] : ['ignore', 'inherit', 'inherit'], detached: true });
  const pgid = child.pid ?? -1;
  let interrupted: NodeJS.Signals | undefined;
  let forceTimer: NodeJS.Timeout | undefined;
  const force = () => {
    signalGroup(pgid, 'SIGKILL');
    const integration = integrationPgid(runDir);
    if (integration) signalGroup(integration, 'SIGKILL');
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) {
      console.error('golive: stopping now (forced)');
      force();
      return;
    }
    interrupted = signal;
    // Global teardown reads it: flows cut short by the interruption are "not run", not failures.
    writeFileSync(join(runDir, INTERRUPTED_FILE), JSON.stringify({ signal, at: Date.now() }));
    console.error(`\ngolive: ${signal === 'SIGINT' ? 'interrupted' : 'terminated'} — stopping the flows, browsers and the integration, then writing what exists (${signal === 'SIGINT' ? 'Ctrl+C' : 'signal'} again to stop at once)`);
    signalGroup(pgid, 'SIGINT');
    // Playwright's own teardown is bounded; past this, nothing is left to wait for.
    forceTimer = setTimeout(force, 60_000);
    forceTimer.unref();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // If golive itself dies, its Playwright group must not run on alone.
  const onExit = () => signalGroup(pgid, 'SIGKILL');
  process.once('exit', onExit);
  try {
    const exitCode = await new Promise<number>((done) => child.once('exit', (code, signal) => done(code ?? (signal ? 128 + (signal === 'SIGKILL' ? 9 : 15) : 1))));
    // Anything of the group still alive after Playwright (a stuck worker or browser) is ended too.
    await stopGroup(pgid, 2000);
    return { exitCode, interrupted };
  } finally {
    if (forceTimer) clearTimeout(forceTimer);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('exit', onExit);
  }
}

function integrationPgid(runDir: string): number | undefined {
  try {
    return JSON.parse(readFileSync(join(runDir, 'environment.json'), 'utf8')).integrationPgid;
  } catch {
    return undefined;
  }
}

export function goliveVersion(): string {
  return JSON.parse(readFileSync(join(GOLIVE_ROOT, 'package.json'), 'utf8')).version;
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
export async function writeRunReports(o: { runDir: string; config: RunConfig; summary?: RunSummary; profile: Profile; redactor: Redactor; now?: Date; interrupted?: string }): Promise<RunReports> {
  const goliveVersion = o.config.golivVersion;
  let summaryHtml: string | undefined;
  let summaryMarkdown: string | undefined;
  const junit = join(o.runDir, 'junit.xml');
  // Playwright writes junit.xml at its end; a forced stop leaves none, and CI still gets one.
  if (o.summary && !existsSync(junit)) writeFileSync(junit, EMPTY_JUNIT);
  if (o.summary) appendChecklistSuite(junit, o.redactor.value(o.summary) as RunSummary);
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

export function formatSummary(summary: RunSummary, c: Palette = palette()): string {
  const colour: Record<string, (t: string) => string> = { PASSED: c.green, FAILED: c.red, WARNING: c.yellow, REVIEW: c.yellow, NOT_APPLICABLE: c.dim, NOT_RUN: c.dim };
  const lines = [`\nChecklist verdicts — profile ${oneLine(summary.profile.id, 60)} (MSN ${oneLine(summary.profile.msn, 20)}), ${summary.target}\n`];
  const width = Math.max(...summary.items.map((i) => i.id.length));
  for (const item of summary.items) {
    const mark = (VERDICT_MARK[item.verdict] ?? item.verdict).padEnd(7);
    lines.push(`  ${(colour[item.verdict] ?? ((t: string) => t))(mark)} ${item.id.padEnd(width)}  ${oneLine(item.title, 100)}`);
  }
  lines.push('');
  lines.push(`  ${Object.entries(summary.counts).map(([k, v]) => `${v} ${VERDICT_MARK[k] ?? k}`).join(', ')}`);
  if (summary.timeouts) lines.push(`  timeouts: action ${formatDuration(summary.timeouts.action)}, status ${formatDuration(summary.timeouts.status)}`);
  const failedFlows = summary.flows.filter((f) => f.outcome === 'step-failed');
  if (failedFlows.length) {
    lines.push(`  flows that could not complete:`);
    for (const f of failedFlows) lines.push(`    ${f.suite}/${f.id}: ${oneLine(f.error ?? 'failed', 160)}`);
  }
  const refs = summary.evidenceReferences;
  lines.push(`\n  evidence references: AUTHORIZED ${refs.AUTHORIZED.length}, CAPTURED ${refs.CAPTURED.length}, REFUNDED ${refs.REFUNDED.length}, CANCELLED ${refs.CANCELLED.length}`);
  if (summary.partial) {
    lines.push(`\n  ${c.yellow('PARTIAL RUN')} — not evidence for the checklist submission: ${summary.partial.reasons.join('; ')}.`);
    lines.push('  NOT RUN items count neither for nor against the exit code; run the full suite for the submission.');
  }
  return lines.join('\n');
}
