import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join, resolve } from 'node:path';
import { itemById } from '../checks/index.ts';
import type { ChecklistItem } from '../checks/types.ts';
import { videoSupport } from './video.ts';
import { compactResults, isResultFile, missingAttachments, withFullResults } from './results-store.ts';
import { linkNamedScreenshots } from './screenshots.ts';
import { FLOW_LABEL, styleAllureReport, tidyFlowResult } from './allure-flow-page.ts';
import { ControlError } from '../sandbox/client.ts';
import { foreignFailureKind, GoliveError, type FailureKind } from '../shared/errors.ts';

/**
 * The Allure side of a golive run.
 *
 * - During the run, allure-playwright (configured in playwright.config.ts) writes
 *   `<run-dir>/allure-results/`: one result per flow, each suite step an Allure step carrying
 *   its evidence (HTTP exchanges, curl, webhook verdicts, screenshots), the flow's sequence
 *   diagram and video, and the trace on failure. `flowAllureMetadata` gives each flow its labels.
 * - After the run, `generateAllureHtml(runDir)` writes environment.properties, executor.json and
 *   categories.json into the results (`writeAllureMetadata`) and renders `<run-dir>/allure-report/`
 *   with the Allure 2 CLI (allure-commandline, which needs Java). `golive report` does the same
 *   for existing results, and merges several (e.g. `--shard` runs) into one report.
 *
 * Over 300 lines: labels, categories, metadata and the CLI call are the one Allure contract
 * (field names and regexes Allure 2 reads); checklist item results are in allure-checklist.ts,
 * a flow page's verdict table, stylesheet and names in allure-flow-page.ts.
 */

export const ALLURE_RESULTS = 'allure-results';
export const ALLURE_REPORT = 'allure-report';

// --- labels ---------------------------------------------------------------------------

export interface AllureLabel {
  name: string;
  value: string;
}
export interface AllureLink {
  url: string;
  name?: string;
  type?: string;
}
export interface AllureParameter {
  name: string;
  value: string;
  /** Left out of the history id (values that change every run: references, amounts). */
  excluded?: boolean;
}

export interface FlowAllureInput {
  suite: { suite: string; title: string };
  flow: { id: string; title: string; checklist: readonly string[]; description?: string };
  profile: { profile: string; name?: string; msn: string };
  browser: boolean;
  /** A platform's installation the flow ran for: the flows group by it (parentSuite), each with its MSN. */
  installation?: { id: string; msn: string; title: string };
}

/** Allure severity for the checklist's: a required item is critical, a recommended one normal. */
export function allureSeverity(severity: ChecklistItem['severity'] | string | undefined): 'critical' | 'normal' {
  return severity === 'required' ? 'critical' : 'normal';
}

/**
 * Labels and links for one flow.
 *
 * Behaviors: epic = the checklist (the suite), feature = `area › ITEM-ID: title` — one per item
 * the flow gives evidence for, so the flow is listed under every item it covers — and story =
 * the flow. The area sits in the feature, not in an epic of its own, because Allure 2 groups
 * by every epic × every feature of a result: a flow covering items of four areas would list all
 * its items under each of those areas. Features sort by name, so they still group by area.
 *
 * Suites: golive profile › suite › browser-driven or API flows. Severity: critical when the flow
 * covers a required item, else normal (and `checklistSeverity` says which). Links: each item's
 * documentation.
 */
export function flowAllureMetadata(input: FlowAllureInput): { labels: AllureLabel[]; links: AllureLink[]; parameters: AllureParameter[] } {
  const items = input.flow.checklist.map((id) => ({ id, item: itemById(id) }));
  const labels: AllureLabel[] = [
    { name: 'parentSuite', value: input.installation ? installationSuite(input.installation) : `golive: ${input.profile.name ?? input.profile.profile}` },
    { name: 'suite', value: input.suite.title },
    { name: 'subSuite', value: input.browser ? 'browser-driven flows' : 'API flows' },
    { name: 'epic', value: input.suite.title },
    { name: 'story', value: input.flow.title },
    { name: FLOW_LABEL, value: `${input.suite.suite}/${input.flow.id}${input.installation ? `@${input.installation.id}` : ''}` },
  ];
  for (const { id, item } of items) labels.push({ name: 'feature', value: featureName(id, item) });
  const required = items.some(({ item }) => item?.severity === 'required');
  labels.push({ name: 'severity', value: allureSeverity(required ? 'required' : 'recommended') });
  labels.push({ name: 'checklistSeverity', value: required ? 'required' : 'recommended' });
  for (const area of new Set(items.map(({ item }) => item?.area ?? 'Custom items'))) labels.push({ name: 'checklistArea', value: area });
  const links: AllureLink[] = [];
  for (const { id, item } of items) if (item?.docs) links.push({ url: item.docs, name: `${id} — docs`, type: 'docs' });
  const parameters: AllureParameter[] = [{ name: 'MSN', value: input.profile.msn }];
  if (input.installation) {
    labels.push({ name: 'tag', value: `installation:${input.installation.id}` });
    parameters.push({ name: 'installation', value: input.installation.id });
  }
  return { labels, links, parameters };
}

/** A platform installation's Allure suite: its title and MSN. */
export function installationSuite(installation: { id: string; msn: string; title: string }): string {
  return `installation ${installation.title} (MSN ${installation.msn})`;
}

/** The Behaviors feature of a checklist item: `Endpoints to integrate › EP-ENDPOINT-CREATE: Create payment: …`. */
export function featureName(id: string, item = itemById(id)): string {
  return item ? `${item.area} › ${id}: ${item.title}` : `Custom items › ${id}`;
}

// --- attachments Playwright should not print ------------------------------------------

/**
 * Playwright prints every text/* attachment of a failed test to the console (and into JUnit),
 * except those named `_…`. Evidence attached in bulk (a curl script per HTTP exchange) carries
 * that prefix; `allureListeners` removes it again before Allure writes the result.
 */
export const CONSOLE_QUIET_PREFIX = '_';

export const quietName = (name: string): string => `${CONSOLE_QUIET_PREFIX}${name}`;

interface NamedStep {
  name?: string;
  steps?: NamedStep[];
  attachments?: { name: string }[];
}

/** Strip the quiet prefix from attachment names (and from the steps allure-playwright makes of them). */
export function unquietNames(result: NamedStep): void {
  const strip = (name: string) => (name.startsWith(CONSOLE_QUIET_PREFIX) ? name.slice(CONSOLE_QUIET_PREFIX.length) : name);
  const walk = (step: NamedStep, depth: number) => {
    if (depth > 100) return;
    // allure-playwright shows an attachment as a step of the same name holding it.
    if (step.name?.startsWith(CONSOLE_QUIET_PREFIX) && step.attachments?.some((a) => a.name === step.name)) step.name = strip(step.name);
    for (const a of step.attachments ?? []) a.name = strip(a.name);
    for (const child of step.steps ?? []) walk(child, depth + 1);
  };
  walk(result, 0);
}

/** Listeners for the allure-playwright reporter (playwright.config.ts). */
export function allureListeners(): { beforeTestResultWrite: (result: any) => void }[] {
  return [
    {
      beforeTestResultWrite: (result) => {
        unquietNames(result);
        tidyFlowResult(result); // breadcrumbs and Packages by golive's flow names (allure-flow-page.ts)
      },
    },
  ];
}

// --- failure kinds --------------------------------------------------------------------

export type { FailureKind } from '../shared/errors.ts';

const KIND_PREFIX = /^\[(integration defect|environment problem|golive error)\] /;

/**
 * What kind of failure an error is, for Allure's categories, by its class: golive's own errors
 * carry their kind (src/shared/errors.ts: IntegrationDefect, EnvironmentProblem, GoliveError);
 * a sandbox control-API failure is the environment's; anything else (Playwright's, Node's) is
 * judged by `foreignFailureKind`, and is golive's own bug unless recognised there.
 */
export function failureKind(err: unknown): FailureKind {
  const prefixed = err instanceof Error ? KIND_PREFIX.exec(err.message) : null;
  if (prefixed) return prefixed[1] as FailureKind;
  if (err instanceof GoliveError) return err.kind;
  if (err instanceof ControlError) return 'environment problem';
  return foreignFailureKind(err);
}

/** Prefix an error's message with its failure kind (idempotent), so Allure's categories can sort it. */
export function classifyError<T>(err: T): T {
  if (err instanceof Error && !KIND_PREFIX.test(err.message)) {
    const kind = failureKind(err);
    err.message = `[${kind}] ${err.message}`;
  }
  return err;
}

/** Playwright reports a thrown error's message as `Error: …` (or `StepFailure: …`). */
const ERROR_NAME = '(?s)(?:[A-Za-z]*Error: )?';

/** categories.json: Allure sorts failed and broken flows into these (first match wins; Java regexes over the whole message). */
export const ALLURE_CATEGORIES = [
  // The checklist items' own results (src/report/allure-checklist.ts): verdicts that are not a pass.
  {
    name: 'Checklist: needs a person\'s review',
    description: 'REVIEW items: golive cannot judge them alone; the reviewer decides from the evidence attached to the item.',
    matchedStatuses: ['broken', 'unknown'],
    messageRegex: '(?s)REVIEW.*',
  },
  {
    name: 'Checklist: recommendation not met',
    description: 'WARNING items: a recommended practice the integration does not follow (not a go-live blocker).',
    matchedStatuses: ['broken'],
    messageRegex: '(?s)WARNING.*',
  },
  {
    name: 'Checklist: not run or not applicable',
    description: 'NOT RUN: no flow of this run exercised the item (a partial run). NOT APPLICABLE: the profile rules it out.',
    matchedStatuses: ['skipped'],
    messageRegex: '(?s)NOT (RUN|APPLICABLE).*',
  },
  {
    name: 'Integration defect',
    description: 'The integration under test did not meet the go-live checklist: a check failed, or a step it had to perform was not met.',
    matchedStatuses: ['failed', 'broken'],
    messageRegex: `${ERROR_NAME}\\[integration defect\\].*`,
  },
  {
    name: 'Environment problem',
    description: 'The test environment got in the way (sandbox, browser, ports, disk, a test that ran out of time); rerun before blaming the integration.',
    matchedStatuses: ['failed', 'broken'],
    messageRegex: `(?s)((?:[A-Za-z]*Error: )?\\[environment problem\\].*|.*Test timeout of \\d+ms exceeded.*|.*Worker teardown timeout.*)`,
  },
  {
    name: 'golive error',
    description: 'golive itself failed (an unexpected exception): please report it with this flow\'s attachments.',
    matchedStatuses: ['failed', 'broken'],
    messageRegex: `${ERROR_NAME}\\[golive error\\].*`,
  },
  {
    name: 'Unclassified failure',
    description: 'A failure golive did not classify.',
    matchedStatuses: ['failed', 'broken'],
  },
];

// --- environment, executor, categories ------------------------------------------------

export interface AllureRunInfo {
  goliveVersion?: string;
  runId?: string;
  profile?: string;
  profileName?: string;
  msn?: string;
  target?: string;
  shard?: string;
  video?: string;
  [key: string]: string | undefined;
}

/**
 * Write environment.properties, executor.json and categories.json into `<run-dir>/allure-results`,
 * from the run's own files (run-config.json, summary.json) plus `extra`. Called by
 * generateAllureHtml before it renders; safe to call again (files are rewritten).
 */
export function writeAllureMetadata(runDir: string, extra: AllureRunInfo = {}, options: { keepExisting?: boolean } = {}): string {
  const resultsDir = join(runDir, ALLURE_RESULTS);
  mkdirSync(resultsDir, { recursive: true });
  const config = readJson(join(runDir, 'run-config.json')) as { runId?: string; golivVersion?: string; profileFile?: string; sandbox?: { mode?: string; url?: string } } | undefined;
  const summary = readJson(join(runDir, 'summary.json')) as { runId?: string; profile?: { id?: string; name?: string; msn?: string; kind?: string }; target?: string; startedAt?: string; finishedAt?: string } | undefined;
  const info: Record<string, string | undefined> = {
    'golive.version': extra.goliveVersion ?? config?.golivVersion ?? goliveVersion(),
    'run.id': extra.runId ?? summary?.runId ?? config?.runId,
    profile: extra.profile ?? summary?.profile?.id,
    'profile.name': extra.profileName ?? summary?.profile?.name,
    'profile.kind': summary?.profile?.kind,
    msn: extra.msn ?? summary?.profile?.msn,
    target: extra.target ?? summary?.target ?? (config?.sandbox?.mode === 'external' ? `sandbox at ${config.sandbox.url}` : config ? 'embedded sandbox' : undefined),
    // Where the references live: the real test API, or a sandbox only.
    environment: (summary as { environment?: string } | undefined)?.environment ?? (summary ? 'sandbox' : undefined),
    'run.started': summary?.startedAt,
    'run.finished': summary?.finishedAt,
    shard: extra.shard ?? shardOf(runDir),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    playwright: packageVersion('@playwright/test'),
    video: extra.video ?? safeVideoNote(),
  };
  for (const [k, v] of Object.entries(extra)) if (!['goliveVersion', 'runId', 'profile', 'profileName', 'msn', 'target', 'shard', 'video'].includes(k)) info[k] = v;
  const write = (name: string, content: () => string) => {
    const file = join(resultsDir, name);
    if (!(options.keepExisting && existsSync(file))) writeFileSync(file, content());
  };
  write('environment.properties', () => propertiesText(info));
  write('categories.json', () => JSON.stringify(ALLURE_CATEGORIES, null, 2));
  write('executor.json', () => JSON.stringify(executorInfo(info['run.id'], info.profile), null, 2));
  return resultsDir;
}

/**
 * summary.html as seen from the Allure report: the report is `<run-dir>/allure-report/`, the
 * summary `<run-dir>/summary.html` (`golive report --open` serves the run folder, so it resolves).
 */
export const SUMMARY_LINK = '../summary.html';

/**
 * executor.json: golive, plus the CI build when the run happens in one (GitHub Actions, GitLab,
 * Jenkins). Outside CI the executor's build link (the overview's Executors widget) opens
 * summary.html; in CI it opens the build, and the checklist items link the summary. A merged
 * report (`golive report <shards…> --out <dir>`) keeps its summary beside index.html: `summaryLink`.
 */
export function executorInfo(runId: string | undefined, profile: string | undefined, env: NodeJS.ProcessEnv = process.env, options: { summaryLink?: string; merged?: number } = {}): Record<string, unknown> {
  const base: Record<string, unknown> = {
    name: 'golive',
    type: 'golive',
    buildName: `golive run ${runId ?? ''}`.trim(),
    reportName: `golive go-live checklist${profile ? ` — ${profile}` : ''}${options.merged ? ` (${options.merged} shards merged)` : ''}`,
  };
  const local = { ...base, buildName: `${base.buildName as string} — summary.html`, buildUrl: options.summaryLink ?? SUMMARY_LINK };
  if (env.GITHUB_ACTIONS && env.GITHUB_RUN_ID) {
    const url = `${env.GITHUB_SERVER_URL ?? 'https://github.com'}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}`;
    return { ...base, name: 'GitHub Actions', type: 'github', buildOrder: Number(env.GITHUB_RUN_NUMBER) || undefined, buildName: `${env.GITHUB_WORKFLOW ?? 'workflow'} #${env.GITHUB_RUN_NUMBER ?? env.GITHUB_RUN_ID}`, buildUrl: url };
  }
  if (env.GITLAB_CI && env.CI_JOB_URL) return { ...base, name: 'GitLab CI', type: 'gitlab', buildOrder: Number(env.CI_PIPELINE_IID) || undefined, buildName: `${env.CI_JOB_NAME} #${env.CI_PIPELINE_IID}`, buildUrl: env.CI_JOB_URL };
  if (env.JENKINS_URL && env.BUILD_URL) return { ...base, name: 'Jenkins', type: 'jenkins', buildOrder: Number(env.BUILD_NUMBER) || undefined, buildName: `${env.JOB_NAME} #${env.BUILD_NUMBER}`, buildUrl: env.BUILD_URL };
  return local;
}

/** Java .properties text: keys without spaces, values with backslashes and line breaks escaped. */
export function propertiesText(info: Record<string, string | undefined>): string {
  const escKey = (k: string) => k.replace(/[\\=: \t\n#!]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
  const escValue = (v: string) => v.replace(/\\/g, '\\\\').replace(/\r?\n/g, '\\n').replace(/^\s/, (c) => `\\${c}`);
  return (
    Object.entries(info)
      .filter(([, v]) => v !== undefined && v !== '')
      .map(([k, v]) => `${escKey(k)}=${escValue(String(v))}`)
      .join('\n') + '\n'
  );
}

// --- HTML -----------------------------------------------------------------------------

export interface GenerateResult {
  ok: boolean;
  htmlDir?: string;
  message: string;
}

export interface GenerateOptions {
  /** Results to render (default `<run-dir>/allure-results`); several are merged into one report. */
  resultsDirs?: string[];
  /** Where the HTML goes (default `<run-dir>/allure-report`). */
  outDir?: string;
  /** Extra environment.properties entries (written into the run's own results). */
  info?: AllureRunInfo;
  /** The report's one executor (its Executors widget), replacing those of the results folders (a merged report). */
  executor?: Record<string, unknown>;
  /** Leave environment.properties, executor.json and categories.json alone where they exist (re-rendering). */
  keepMetadata?: boolean;
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

/**
 * Render the Allure HTML report of a run: `allure generate <run-dir>/allure-results -o
 * <run-dir>/allure-report --clean` with allure-commandline's bin. Never throws: without Java
 * (or without results) it says so and leaves the raw results and every other output in place.
 */
export async function generateAllureHtml(runDir: string, options: GenerateOptions = {}): Promise<GenerateResult> {
  const own = join(runDir, ALLURE_RESULTS);
  const resultsDirs = (options.resultsDirs ?? [own]).map((d) => resolve(d));
  const outDir = resolve(options.outDir ?? join(runDir, ALLURE_REPORT));
  const missing = resultsDirs.filter((d) => !hasResults(d));
  if (missing.length === resultsDirs.length) return { ok: false, message: `no Allure results in ${missing.join(', ')}: nothing to render (was the run started with golive run?)` };
  try {
    if (existsSync(own) || !options.resultsDirs) writeAllureMetadata(runDir, options.info, { keepExisting: options.keepMetadata });
  } catch (err) {
    return { ok: false, message: `could not write the Allure run metadata into ${own}: ${(err as Error).message}` };
  }
  const env = options.env ?? process.env;
  const java = findJava(env);
  if (!java) {
    return {
      ok: false,
      message:
        `Allure HTML not generated: Java is not installed (the Allure CLI needs a Java runtime; on Debian: apt-get install -y default-jre-headless). ` +
        `The raw results are in ${resultsDirs.join(', ')}; render them later with \`golive report ${runDir}\`.`,
    };
  }
  const bin = allureBin();
  if (!bin) return { ok: false, message: 'Allure HTML not generated: the allure-commandline package is not installed (npm install allure-commandline).' };
  const present = resultsDirs.filter((d) => !missing.includes(d));
  const lost = present.flatMap((d) => missingAttachments(d).map((a) => join(d, a)));
  if (lost.length) return { ok: false, message: `Allure HTML not generated: ${lost.length} attachment(s) are stored only in a report that is gone (first: ${lost[0]})` };
  // Attachments live once, in the rendered report (results-store.ts): bring them back for Allure.
  // The run's own results are restored in place when their report is the one being replaced.
  const ownReport = resolve(join(runDir, ALLURE_REPORT));
  const staged = present.map((d) => withFullResults(d, { inPlace: d === resolve(own) && outDir === ownReport }));
  const args = ['generate', ...staged.map((s) => s.dir), '-o', outDir, '--clean'];
  // ALLURE_NO_ANALYTICS: Allure 2 otherwise phones home while generating and puts a Google tag into the
  // report page; evidence for a go-live review has no business calling third parties.
  const run = await runProcess(bin, args, { ...env, ALLURE_NO_ANALYTICS: 'true', ...(java.home ? { JAVA_HOME: java.home } : {}) }, options.timeoutMs ?? 180_000).finally(() => staged.forEach((s) => s.done()));
  const rendered = run.code === 0 && existsSync(join(outDir, 'index.html'));
  // One copy of each attachment in the run folder: the report's.
  if (rendered) styleAllureReport(outDir); // the verdict tables' colours (allure-flow-page.ts)
  // Allure lists every results folder's executor: a merged report names only its own run.
  if (rendered && options.executor) writeFileSync(join(outDir, 'widgets', 'executors.json'), JSON.stringify([options.executor]));
  if (rendered && outDir === ownReport) {
    compactResults(resolve(own), outDir);
    linkNamedScreenshots(runDir, resolve(own)); // re-rendered: the report's copies have new names
  }
  if (!rendered) {
    return { ok: false, message: `Allure HTML not generated: allure generate exited with ${run.code ?? run.signal}${run.output ? `:\n${run.output.trim().split('\n').slice(-15).join('\n')}` : ''}` };
  }
  const note = missing.length ? ` (no results in ${missing.join(', ')})` : '';
  return { ok: true, htmlDir: outDir, message: `Allure report: ${join(outDir, 'index.html')}${note} — open it with \`golive report ${runDir} --open\`` };
}

/** The Allure 2 CLI of the allure-commandline package (its shell script, or .bat on Windows). */
export function allureBin(): string | undefined {
  try {
    const pkg = createRequire(import.meta.url).resolve('allure-commandline/package.json');
    const bin = join(dirname(pkg), 'dist/bin', process.platform === 'win32' ? 'allure.bat' : 'allure');
    return existsSync(bin) ? bin : undefined;
  } catch {
    return undefined;
  }
}

/** A working `java` (JAVA_HOME first, then PATH), or undefined. */
export function findJava(env: NodeJS.ProcessEnv = process.env): { path: string; home?: string } | undefined {
  const exe = process.platform === 'win32' ? 'java.exe' : 'java';
  const candidates: { path: string; home?: string }[] = [];
  if (env.JAVA_HOME) candidates.push({ path: join(env.JAVA_HOME, 'bin', exe), home: env.JAVA_HOME });
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) candidates.push({ path: join(dir, exe) });
  for (const c of candidates) {
    if (!existsSync(c.path)) continue;
    const r = spawnSync(c.path, ['-version'], { encoding: 'utf8', timeout: 15_000, env });
    if (r.status === 0) return c;
  }
  return undefined;
}

function hasResults(dir: string): boolean {
  try {
    return readdirSync(dir).some(isResultFile);
  } catch {
    return false;
  }
}

function runProcess(command: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ code: number | null; signal?: string; output: string }> {
  return new Promise((resolvePromise) => {
    let output = '';
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'], shell: process.platform === 'win32' });
    child.stdout.on('data', (d) => (output = (output + d).slice(-20_000)));
    child.stderr.on('data', (d) => (output = (output + d).slice(-20_000)));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    // golive exiting (a second Ctrl+C while the report renders) takes the Allure CLI with it.
    const stop = () => child.kill('SIGKILL');
    process.once('exit', stop);
    child.once('close', () => process.off('exit', stop));
    child.on('error', (err) => {
      clearTimeout(timer);
      resolvePromise({ code: null, signal: err.message, output });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal: signal ?? undefined, output });
    });
  });
}

/** `i/n` when the run was a `--shard` run (run-config.json says so; runs before it kept Playwright's JSON report). */
function shardOf(runDir: string): string | undefined {
  const fromConfig = (readJson(join(runDir, 'run-config.json')) as { shard?: string } | undefined)?.shard;
  if (fromConfig) return fromConfig;
  const shard = (readJson(join(runDir, 'playwright-report.json')) as { config?: { shard?: { current: number; total: number } | null } } | undefined)?.config?.shard;
  return shard ? `${shard.current}/${shard.total}` : undefined;
}

function safeVideoNote(): string | undefined {
  try {
    return videoSupport().note;
  } catch {
    return undefined;
  }
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

function packageVersion(name: string): string | undefined {
  try {
    return (createRequire(import.meta.url)(`${name}/package.json`) as { version: string }).version;
  } catch {
    return undefined;
  }
}

function goliveVersion(): string | undefined {
  return (readJson(resolve(dirname(new URL(import.meta.url).pathname), '../../package.json')) as { version?: string } | undefined)?.version;
}
