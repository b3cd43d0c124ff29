import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { evidenceReferencesOf } from '../checks/support/orders.ts';
import { evaluateRun, itemById, mergeResults, type ItemResult } from '../checks/index.ts';
import type { InstallationFacts, ProfileFacts } from '../checks/types.ts';
import { trafficOfInstallation } from '../checks/support/platform.ts';
import { flowsPerInstallation, foldInstallations, installationSummary } from './installations.ts';
import { installationRef, selectInstallations } from '../suite/index.ts';
import type { Exchange } from '../traffic/types.ts';
import { environmentProblemOf } from '../traffic/environment.ts';
import { ControlClient } from '../sandbox/client.ts';
import type { Environment } from './environment.ts';
import { profileFacts } from './flow-runner.ts';
import type { RunConfig } from './run-config.ts';
import type { FlowEvidence, FlowNotRun, RunSummary, SummaryItem } from '../report/run-summary.ts';
import { loadSuite } from '../suite/index.ts';
import { PLANNED_FLOWS_FILE, type PlannedFlow } from './live-reporter.ts';
import { readFlowEvidence } from './flow-evidence.ts';
import { awaitFirstPolls, awaitFirstPollsProxied } from './first-polls.ts';
import { provenIn, testApiResults } from './test-api-verdicts.ts';
import { recordPhase } from './timings.ts';

const withProof = (environment: 'test-api' | 'sandbox' | undefined) => (environment ? { environment } : {});

export { readFlowEvidence };

/** Written by `golive run` when a signal interrupts the run: `{ signal, at }` (ms). */
export const INTERRUPTED_FILE = 'interrupted.json';

export function readInterruption(runDir: string): { signal: string; at: number } | undefined {
  const file = join(runDir, INTERRUPTED_FILE);
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
}

/**
 * What judging a run needs besides its traffic and flow evidence, written as run-facts.json so
 * that `golive report` can judge several shards' folders again as one run (no secret in it).
 */
export interface RunFacts {
  runId: string;
  startedAt: string;
  profile: RunSummary['profile'];
  facts: ProfileFacts;
  target: string;
  /** Where the run's references live: the real test API, or a sandbox only (absent in older runs: sandbox). */
  environment?: 'test-api' | 'sandbox';
  timeouts: { action: number; status: number };
  /** Every flow of the run's suites, and those Playwright selected (after --grep, --shard). */
  suiteFlows: PlannedFlow[];
  planned: PlannedFlow[];
  interruption?: { signal: string; at: number };
  trafficDropped: number;
  /** A platform's run: the installations it covered (judged each, then over all). */
  installations?: InstallationFacts[];
  /** --target test-api: the delivery relay's public URL (`{{relay.url}}`), where deliveries golive observes go. */
  relayUrl?: string;
}
export const RUN_FACTS_FILE = 'run-facts.json';

/** Judge run-scoped items over all traffic and write run-facts.json, traffic.json and summary.json. */
export async function finishRun(config: RunConfig, env: Environment): Promise<RunSummary> {
  let traffic: Exchange[];
  let dropped = 0;
  const interrupted = readInterruption(config.runDir);
  const pollsStart = Date.now();
  // Judge only after every payment that reached a final state had its first polling window.
  if (!interrupted && env.profile.capabilities.polling !== false && env.testApi) {
    const pace = profileFacts(env.profile).polling;
    await awaitFirstPollsProxied(new ControlClient(env.controlUrl), { msn: env.profile.merchant.msn, since: Date.parse(config.startedAt), ...(pace ? { pace } : {}) });
  } else if (!interrupted && env.profile.capabilities.polling !== false) {
    const pace = profileFacts(env.profile).polling;
    const msns = env.profile.installations?.length ? env.profile.installations.map((i) => i.msn) : [env.profile.merchant.msn];
    for (const msn of msns) await awaitFirstPolls(new ControlClient(env.sandboxUrl), { msn, since: env.sandbox ? 0 : Date.parse(config.startedAt), ...(pace ? { pace } : {}) });
  }
  const judgingStart = Date.now();
  recordPhase(config.runDir, { phase: 'first-polls', start: pollsStart, end: judgingStart });
  if (env.sandbox) {
    traffic = env.sandbox.traffic.all().map((e) => env.sandbox!.redactor.exchange(e));
    dropped = env.sandbox.traffic.dropped;
  } else {
    const answer = await new ControlClient(env.controlUrl).traffic({ limit: 10_000 });
    traffic = answer.exchanges;
    dropped = answer.dropped;
  }
  const interruption = readInterruption(config.runDir);
  const evidence = evidenceBeforeInterruption(readFlowEvidence(config.runDir), interruption);
  const all = [...traffic, ...evidence.flatMap((f) => f.merchantTraffic)].sort((a, b) => a.startedAt - b.startedAt || a.seq - b.seq);
  const installations = selectInstallations(env.profile, config.installations).flatMap((i) => (i ? [installationRef(env.profile, i)] : []));
  const suiteFlows = flowsPerInstallation((await Promise.all(config.suiteFiles.map((f) => loadSuite(f)))).flatMap((s) => s.flows.map((f) => ({ suite: s.suite, id: f.id, title: f.title }))), installations);
  const plannedFile = join(config.runDir, PLANNED_FLOWS_FILE);
  const run: RunFacts = {
    runId: config.runId,
    startedAt: config.startedAt,
    profile: { id: env.profile.profile, name: env.profile.name, kind: env.profile.kind, api: env.profile.api, msn: env.profile.merchant.msn },
    facts: profileFacts(env.profile),
    target: env.testApi
      ? `test environment via recording proxy to ${env.testApi.upstream}`
      : env.sandbox
        ? `embedded sandbox (${env.sandboxUrl})`
        : `sandbox at ${env.sandboxUrl}`,
    environment: env.testApi ? 'test-api' : 'sandbox',
    ...(env.testApi ? { relayUrl: env.testApi.relayUrl } : {}),
    timeouts: { action: config.actionTimeoutMs, status: config.statusTimeoutMs },
    suiteFlows,
    planned: existsSync(plannedFile) ? JSON.parse(readFileSync(plannedFile, 'utf8')) : suiteFlows,
    ...(interruption ? { interruption } : {}),
    trafficDropped: dropped,
    ...(installations.length ? { installations } : {}),
  };
  writeFileSync(join(config.runDir, RUN_FACTS_FILE), JSON.stringify(run, null, 2));
  // Compact: the largest JSON of a run, read by programs (the report shows each exchange readably).
  writeFileSync(join(config.runDir, 'traffic.json'), JSON.stringify(all));
  // Upstream failures stay in traffic.json as evidence but are the test environment's: never judged against the integration.
  const summary = judgeRun(run, all.filter((e) => !environmentProblemOf(e)), evidence);
  writeFileSync(join(config.runDir, 'summary.json'), JSON.stringify(summary, null, 2));
  recordPhase(config.runDir, { phase: 'judging', start: judgingStart, end: Date.now() });
  return summary;
}

/**
 * The flows that ended before the interruption. A flow still running when the signal came
 * (ending up to 1 s before it, for clocks and file writes) proves nothing either way and counts
 * as not run — also one that "completed": the signal reaches its browser too, and a page read
 * while Chromium exits comes back empty rather than failing, which would judge a correct return
 * page FAILED.
 */
export function evidenceBeforeInterruption(evidence: FlowEvidence[], interruption: { at: number } | undefined): FlowEvidence[] {
  if (!interruption) return evidence;
  return evidence.filter((f) => f.record.endedAt < interruption.at - 1000);
}

/**
 * The run's verdicts from its facts, all its traffic (sandbox and merchant side, in time order)
 * and its flows' evidence: run-scoped items judged, flow results folded in, coverage stated.
 */
export function judgeRun(run: RunFacts, traffic: Exchange[], evidence: FlowEvidence[]): RunSummary {
  const coverage = runCoverage(run, evidence);
  const summary = run.installations?.length
    ? judgeInstallations(run, run.installations, traffic, evidence)
    : buildSummary(run, judgeOne(run, run.facts, coverage.partial, traffic, evidence), evidence, traffic);
  const notRunItems = summary.items.filter((i) => i.verdict === 'NOT_RUN').length;
  const reasons = [
    ...(run.interruption ? [`interrupted by ${run.interruption.signal}`] : []),
    ...coverage.reasons,
    ...(notRunItems ? [`${notRunItems} item${notRunItems === 1 ? ' was' : 's were'} exercised by no flow of the run (NOT RUN)`] : []),
  ];
  if (reasons.length) summary.partial = { reasons, flowsNotRun: coverage.flowsNotRun };
  if (run.interruption) summary.interrupted = run.interruption.signal;
  return summary;
}

/** One sales unit's verdicts: its flows' results and the run-scoped items over its traffic. */
function judgeOne(run: RunFacts, facts: ProfileFacts, partial: boolean, traffic: Exchange[], evidence: FlowEvidence[]): ItemResult[] {
  const runResults = evaluateRun({ traffic, flows: evidence.map((f) => f.record), profile: facts }, { partial });
  const judged = mergeResults(...evidence.map((f) => f.results), runResults);
  // Against the real test API, what only the sandbox could have shown is not applicable there.
  return run.environment === 'test-api' ? testApiResults(judged, evidence, { traffic, relayUrl: run.relayUrl, api: run.profile.api }) : judged;
}

/**
 * A platform's run: each installation judged on its own flows and traffic with its MSN
 * (trafficOfInstallation), then every item over all of them (foldInstallations: the worst
 * installation's verdict, naming each installation's).
 */
/** Items about the platform's one shared API client (its partner token), not about one sales unit. */
const PLATFORM_WIDE_ITEMS: ReadonlySet<string> = new Set(['EP-TOKEN-CACHE']);

function judgeInstallations(run: RunFacts, installations: InstallationFacts[], traffic: Exchange[], evidence: FlowEvidence[]): RunSummary {
  let wide: ItemResult[] | undefined;
  const platformWide = () => (wide ??= judgeOne(run, run.facts, false, traffic, evidence));
  const per = installations.map((installation) => {
    const own = evidence.filter((f) => f.record.installation === installation.id);
    const flows = own.map((f) => f.record);
    const facts: ProfileFacts = { ...run.facts, msn: installation.msn, installation };
    const others = evidence.filter((f) => f.record.installation !== installation.id).map((f) => f.record);
    const mine = trafficOfInstallation(traffic, flows, installation.msn, others);
    const coverage = runCoverage({ suiteFlows: run.suiteFlows.filter((f) => f.id.endsWith(`@${installation.id}`)), planned: run.planned.filter((f) => f.id.endsWith(`@${installation.id}`)) }, own);
    const ownResults = judgeOne(run, facts, coverage.partial, mine, own);
    // What the platform's one shared client does is judged on all its traffic: a token refresh
    // another installation's 401 caused is no fault of this one.
    const results = ownResults.map((r) => (PLATFORM_WIDE_ITEMS.has(r.item) ? (platformWide().find((w) => w.item === r.item) ?? r) : r));
    return { installation, results, summary: installationSummary(installation, results, flows, evidenceReferencesOf({ traffic: mine, flows, profile: facts })) };
  });
  const folded = foldInstallations(per);
  const summary = buildSummary(run, folded, evidence, traffic);
  const verdicts = new Map(folded.map((r) => [r.item, r.installations]));
  for (const item of summary.items) item.installations = verdicts.get(item.id);
  summary.installations = per.map((p) => p.summary);
  // The orders by ending are each installation's (the review asks for them by MSN); here all of them.
  for (const key of Object.keys(summary.evidenceReferences) as (keyof RunSummary['evidenceReferences'])[])
    summary.evidenceReferences[key] = [...new Set(per.flatMap((p) => p.summary.evidenceReferences[key]))];
  return summary;
}

const flowKey = (f: { suite: string; id: string }) => `${f.suite}/${f.id}`;

/**
 * How much of the suites this run executed: the flows Playwright selected (planned-flows.json,
 * written by the live reporter after --grep/--shard) against every flow of the suites, and the
 * selected flows that left no evidence (an interruption, a crashed worker).
 */
export function runCoverage(run: Pick<RunFacts, 'suiteFlows' | 'planned'>, evidence: FlowEvidence[]): { partial: boolean; reasons: string[]; flowsNotRun: FlowNotRun[] } {
  const ran = new Set(evidence.map((e) => flowKey(e.record)));
  const flowsNotRun = run.planned.filter((f) => !ran.has(flowKey(f)));
  const reasons: string[] = [];
  if (run.planned.length < run.suiteFlows.length) reasons.push(`the run selected ${run.planned.length} of the suites' ${run.suiteFlows.length} flows (--grep, --shard)`);
  if (flowsNotRun.length) reasons.push(`${flowsNotRun.length} selected flow${flowsNotRun.length === 1 ? '' : 's'} did not run (${flowsNotRun.map((f) => f.id).join(', ')})`);
  return { partial: reasons.length > 0, reasons, flowsNotRun };
}

function buildSummary(run: RunFacts, merged: ItemResult[], evidence: FlowEvidence[], traffic: Exchange[]): RunSummary {
  const flowsByItem = new Map<string, string[]>();
  for (const f of evidence) for (const id of f.record.checklist) flowsByItem.set(id, [...(flowsByItem.get(id) ?? []), flowKey(f.record)]);
  const items: SummaryItem[] = merged.map((r) => {
    const item = itemById(r.item);
    return {
      id: r.item,
      title: item?.title ?? r.item,
      area: item?.area ?? 'Custom',
      severity: item?.severity ?? 'recommended',
      docs: item?.docs,
      verdict: r.verdict,
      flows: flowsByItem.get(r.item) ?? [],
      findings: r.findings,
      ...withProof(provenIn(r.verdict, run.environment ?? 'sandbox')),
    };
  });
  const counts: Record<string, number> = {};
  for (const i of items) counts[i.verdict] = (counts[i.verdict] ?? 0) + 1;
  return {
    runId: run.runId,
    startedAt: run.startedAt,
    finishedAt: new Date().toISOString(),
    profile: run.profile,
    target: run.target,
    environment: run.environment ?? 'sandbox',
    trafficDropped: run.trafficDropped,
    timeouts: run.timeouts,
    items,
    flows: evidence.map((f) => ({
      suite: f.record.suite,
      id: f.record.id,
      title: f.record.title,
      outcome: f.record.outcome,
      error: f.record.error,
      references: f.record.references,
      checklist: f.record.checklist,
      ...(f.record.installation ? { installation: f.record.installation } : {}),
    })),
    evidenceReferences: evidenceReferencesOf({ traffic, flows: evidence.map((f) => f.record), profile: run.facts }),
    counts,
  };
}
