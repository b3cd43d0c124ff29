import { appendChecklistSuite, EMPTY_JUNIT } from '../report/junit-checklist.ts';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { loadProfile, loadSuite, SuiteError, type Suite } from '../suite/index.ts';
import { missingEnvironment } from '../suite/template.ts';

export { formatSummary } from './run-output.ts';
export { parseRunOptions, UsageError } from './run-options.ts';
import { DEFAULT_TEST_MERCHANT } from '../sandbox/merchants.ts';
import { DEFAULT_TEST_PSP } from '../sandbox/psps.ts';
import { DEFAULT_TEST_PARTNER } from '../sandbox/partners.ts';
import { freePort } from '../runner/environment.ts';
import { RUN_CONFIG_ENV, RUN_MARKER_ENV, RUNTIME_ENV, type RunConfig } from '../runner/run-config.ts';
import type { RunSummary } from '../report/run-summary.ts';
import { expandPaths } from '../suite/loader.ts';
import { resolveSecrets, SecretResolutionError, type Profile } from '../suite/profile.ts';
import { checklistsOf, integrationApiOf, type ChecklistApi } from '../checklist/index.ts';
import { formatDuration } from '../suite/duration.ts';
import { colourOn, oneLine } from '../report/terminal.ts';
import { grepMatches, parseRunOptions, UsageError } from './run-options.ts';
import { runPlaywright } from './playwright-process.ts';
import { formatReportLocations, formatSummary } from './run-output.ts';
import { PLANNED_FLOWS_FILE } from '../runner/live-reporter.ts';
import { SETUP_ERROR_FILE } from '../runner/global-setup.ts';
import { Redactor } from '../traffic/redact.ts';
import { renderSummaryHtml } from '../report/summary-html.ts';
import { renderSummaryMarkdown } from '../report/summary-markdown.ts';
import { formatUtc, writeManifest } from '../report/manifest.ts';
import { ALLURE_RESULTS, generateAllureHtml } from '../report/allure.ts';
import { writeChecklistResults } from '../report/allure-checklist.ts';
import { dropDuplicateAttachments } from '../report/run-folder.ts';
import { markVerdictSteps } from '../report/allure-verdict-step.ts';
import { linkNamedScreenshots } from '../report/screenshots.ts';
import { recordPhase } from '../runner/timings.ts';

export const GOLIVE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const DEFAULT_PROFILE = join(GOLIVE_ROOT, 'config/reference-merchant.profile.yaml');
export const DEFAULT_SUITES = join(GOLIVE_ROOT, 'suites');

export interface RunOptions {
  profile?: string;
  suite?: string[];
  grep?: string;
  workers?: string;
  shard?: string;
  /** A platform's installations to run (comma-separated ids; default: all). */
  installations?: string;
  out?: string;
  sandboxUrl?: string;
  /** sandbox (default: the profile's target) or test-api. */
  target?: string;
  /** --target test-api: where the recording proxy forwards (default https://apitest.vipps.no). */
  upstream?: string;
  /** --target test-api: requests per second at most. */
  rateLimit?: string | number;
  /** --target test-api: a person approves in the MT app. */
  interactive?: boolean;
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



/**
 * `golive run`: validate the suites and profile, start Playwright with a run config, and turn
 * the run's summary into a table and an exit code: 0 when every required item that ran passes,
 * 1 when any fails (or a flow could not complete), 2 for usage or configuration errors, 130/143
 * when interrupted by SIGINT/SIGTERM (after writing what exists).
 */
/** The sandbox's public test keys as the GOLIVE_TEST_* variables the bundled profiles read (the caller's own win). */
function testKeys(keys: { clientId: string; clientSecret: string; subscriptionKeys: readonly string[] }): NodeJS.ProcessEnv {
  return {
    GOLIVE_TEST_CLIENT_ID: process.env.GOLIVE_TEST_CLIENT_ID ?? keys.clientId,
    GOLIVE_TEST_CLIENT_SECRET: process.env.GOLIVE_TEST_CLIENT_SECRET ?? keys.clientSecret,
    GOLIVE_TEST_SUBSCRIPTION_KEY: process.env.GOLIVE_TEST_SUBSCRIPTION_KEY ?? keys.subscriptionKeys[0],
  };
}

/** Who a suite of `api` is for, in a usage message. */
function suiteAudience(api: ChecklistApi): string {
  return api === 'epayment-psp' ? 'epayment-v1 PSP (kind: psp)' : integrationApiOf(api);
}

export async function runCommand(options: RunOptions): Promise<RunOutcome> {
  const log = (s: string) => options.quiet || console.log(s);
  const usage = (message: string): RunOutcome => {
    console.error(`golive: ${oneLine(message, 400)}`);
    return { exitCode: 2 };
  };
  const profileFile = resolve(options.profile ?? DEFAULT_PROFILE);
  let suiteFiles = (await expandPaths(options.suite?.length ? options.suite : [DEFAULT_SUITES])).filter((f) => !/\.profile\.ya?ml$/i.test(f)).map((f) => resolve(f));
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
  // A suite drives one API: the default suites are those of the profile's API; a named suite of
  // another API is a usage error, not a run that fails every flow.
  // A PSP on ePayment is judged on the PSP checklist, not the merchant's (checklistsOf).
  const checklists = checklistsOf(profileDoc);
  const integration = profileDoc.kind === 'psp' && profileDoc.api === 'epayment-v1' ? 'epayment-v1 PSP (card passthrough)' : `${profileDoc.api}`;
  const fitting = suites.map((suite) => checklists.includes(suite.api));
  if (!options.suite?.length) {
    suiteFiles = suiteFiles.filter((_, i) => fitting[i]);
    suites = suites.filter((_, i) => fitting[i]);
    if (suites.length === 0) return usage(`no suite in ${DEFAULT_SUITES} tests ${integration} integrations (the profile's api and kind); name one with --suite`);
  } else {
    const wrong = suites.findIndex((_, i) => !fitting[i]);
    if (wrong >= 0)
      return usage(
        `${relative(process.cwd(), suiteFiles[wrong])} is a ${suites[wrong].api} suite, but ${relative(process.cwd(), profileFile)} describes a ${integration} integration (its api and kind); run it with a ${suiteAudience(suites[wrong].api)} profile, or pick a ${checklists.join('/')} suite`,
      );
  }
  let parsed: ReturnType<typeof parseRunOptions>;
  try {
    parsed = parseRunOptions(options, profileDoc);
  } catch (err) {
    if (err instanceof UsageError) return usage(err.message);
    throw err;
  }

  const installationIds = (parsed.installations ?? profileDoc.installations?.map((i) => i.id)) ?? [];
  if (options.grep !== undefined && !suites.some((suite) => suite.flows.some((flow) => grepMatches(options.grep!, suite, flow, installationIds))))
    return usage(`--grep ${JSON.stringify(options.grep)} matches no flow (flows match by title or by tag: @flow-id, @ITEM-ID, @suite)`);

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    [RUNTIME_ENV.integrationPort]: process.env[RUNTIME_ENV.integrationPort] ?? String(await freePort()),
    // The bundled profiles use the sandbox's public test keys unless the caller gives others: a
    // PSP's profile the test PSP's (its token acts for the PSP's sales units, with its Psp-Id).
    // Against the real test API the keys are the caller's own, from the environment only.
    ...(parsed.target === 'test-api' ? {} : testKeys(profileDoc.kind === 'psp' ? DEFAULT_TEST_PSP : DEFAULT_TEST_MERCHANT)),
    GOLIVE_TEST_PSP_ID: process.env.GOLIVE_TEST_PSP_ID ?? DEFAULT_TEST_PSP.pspId,
    // A platform's profile reads the test partner's keys (one set for all its installations).
    GOLIVE_TEST_PARTNER_CLIENT_ID: process.env.GOLIVE_TEST_PARTNER_CLIENT_ID ?? DEFAULT_TEST_PARTNER.clientId,
    GOLIVE_TEST_PARTNER_CLIENT_SECRET: process.env.GOLIVE_TEST_PARTNER_CLIENT_SECRET ?? DEFAULT_TEST_PARTNER.clientSecret,
    GOLIVE_TEST_PARTNER_SUBSCRIPTION_KEY: process.env.GOLIVE_TEST_PARTNER_SUBSCRIPTION_KEY ?? DEFAULT_TEST_PARTNER.subscriptionKeys[0],
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

  // Every {{env.NAME}} without a default must be set now: an unset one is a configuration error.
  const unset = [profileDoc, ...suites].flatMap((doc, i) => missingEnvironment(doc, env).map((m) => ({ ...m, file: i === 0 ? profileFile : suiteFiles[i - 1] })));
  if (unset.length)
    return usage(
      `environment variable${unset.length > 1 ? 's' : ''} not set: ${unset.map((m) => `${m.name} (${relative(process.cwd(), m.file)}: ${m.paths.slice(0, 3).join(', ')})`).join('; ')} — set ${unset.length > 1 ? 'them' : 'it'}, or write {{env.NAME:-default}}`,
    );

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
    target: parsed.target,
    ...(parsed.testApi ? { testApi: { ...parsed.testApi, customerTimeoutMs: profileDoc.testApi.customerTimeout, relay: profileDoc.testApi.relay ?? {} } } : {}),
    ...(parsed.shard ? { shard: parsed.shard } : {}),
    ...(parsed.installations ? { installations: parsed.installations } : {}),
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
  const targetLine = parsed.testApi ? `\n  target   test environment via recording proxy to ${parsed.testApi.upstream} (≤ ${parsed.testApi.requestsPerSecond} req/s, ${parsed.workers} worker${parsed.workers === '1' ? '' : 's'}, customer: ${parsed.testApi.customer})` : '';
  log(`golive: run ${runId}${targetLine}\n  profile  ${relative(process.cwd(), profileFile)}\n  suites   ${suiteFiles.map((f) => relative(process.cwd(), f)).join(', ')}\n  timeouts action ${formatDuration(parsed.actionTimeoutMs)}, status ${formatDuration(parsed.statusTimeoutMs)}\n`);
  const playwrightStart = Date.now();
  // From golive's own process start: module loading and validation are part of the run's wall time.
  recordPhase(runDir, { phase: 'golive-start', start: Math.round(performance.timeOrigin), end: playwrightStart });
  const playwright = await runPlaywright(args, env, runDir, options.quiet);
  recordPhase(runDir, { phase: 'playwright', start: playwrightStart, end: Date.now() });
  const playwrightExit = playwright.exitCode;
  let interrupted = playwright.interrupted;

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
  // An interrupted run's summary is marked by the teardown itself (finishRun reads interrupted.json).
  const summary = existsSync(summaryFile) ? (JSON.parse(readFileSync(summaryFile, 'utf8')) as RunSummary) : undefined;
  if (summary) log(formatSummary(summary));
  else {
    const setupError = join(runDir, SETUP_ERROR_FILE);
    const why = existsSync(setupError) ? `: ${oneLine(redactor.text(readFileSync(setupError, 'utf8')), 600)}` : ` (Playwright exit code ${playwrightExit}); see the output above and ${runDir}`;
    console.error(`golive: the run ended without a summary${why}`);
  }

  // Post-processing: the printable summaries, the Allure HTML report, and the manifest (last).
  // A signal now lets the report finish (a second one stops at once, the Allure CLI with it).
  let lateSignal: NodeJS.Signals | undefined;
  const onLateSignal = (signal: NodeJS.Signals) => {
    if (lateSignal) process.exit(signal === 'SIGINT' ? 130 : 143);
    lateSignal = signal;
    console.error(`\ngolive: ${signal} — finishing the report of the flows that ran (again to stop at once)`);
  };
  process.on('SIGINT', onLateSignal);
  process.on('SIGTERM', onLateSignal);
  let reports: RunReports;
  try {
    reports = await writeRunReports({ runDir, config, summary, profile: profileDoc, redactor, timings: true });
  } finally {
    process.off('SIGINT', onLateSignal);
    process.off('SIGTERM', onLateSignal);
  }
  log(formatReportLocations(reports, latest, summary));
  interrupted ??= lateSignal;

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
export async function writeRunReports(o: { runDir: string; config: RunConfig; summary?: RunSummary; profile: Profile; redactor: Redactor; now?: Date; timings?: boolean }): Promise<RunReports> {
  const reportsStart = Date.now();
  const timingsDir = o.timings ? o.runDir : undefined;
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
  // One stored copy of each video and screenshot in the results (Playwright keeps its own besides).
  dropDuplicateAttachments(o.runDir);
  // Every checklist item as an Allure result of its own, so Allure shows every verdict, not only the flows'.
  if (o.summary) writeChecklistResults(join(o.runDir, ALLURE_RESULTS), o.redactor.value(o.summary) as RunSummary);
  // Each flow's "checklist verdicts" step failed, broken or unknown as its worst item (Playwright passes it).
  markVerdictSteps(join(o.runDir, ALLURE_RESULTS));
  // The Allure HTML (src/report/allure.ts; never throws), before the manifest so the manifest covers it.
  const allureStart = Date.now();
  recordPhase(timingsDir, { phase: 'reports', start: reportsStart, end: allureStart });
  const allure = await generateAllureHtml(o.runDir);
  recordPhase(timingsDir, { phase: 'allure', start: allureStart, end: Date.now() });
  // The screenshots findings cite, under those names: links to their one stored copy.
  linkNamedScreenshots(o.runDir, join(o.runDir, ALLURE_RESULTS));
  const { manifest, file, sha256 } = await writeManifest(
    o.runDir,
    {
      runId: o.config.runId,
      runDate: o.config.startedAt,
      finishedAt: o.summary?.finishedAt,
      golive: goliveVersion ?? 'unknown',
      profile: o.summary?.profile ?? { id: o.profile.profile, name: o.profile.name, kind: o.profile.kind, api: o.profile.api, msn: o.profile.merchant.msn },
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

