/**
 * Recorded runs as check fixtures: what a real `golive run` against the reference merchant gave
 * the checks — the profile facts, every flow's record and traffic, the run's traffic — small
 * enough to commit, and replayed through the checks exactly as the runner calls them
 * (flow-runner.ts: `evaluateFlow` per flow on that flow's traffic; finish.ts: `evaluateRun` on all
 * traffic; then `mergeResults`).
 *
 * `recordRun(runDir)` builds one from a run folder (traffic.json, flows/*.json, summary.json,
 * run-config.json). The run folder does not keep each flow's own traffic, so it is rebuilt by the
 * runner's own rule (`exchangesOfFlow`, src/traffic/flow-scope.ts: its payments' exchanges, refused
 * creates of its amount, token and Webhooks API calls during the flow); the one thing the folder
 * cannot tell — when the flow's traffic was read, which bounds the exchanges of its payments — is
 * found by replaying: the earliest cut-off that reproduces the flow's recorded findings word for
 * word. Then the traffic is compacted (`compactExchange`), and the whole fixture is replayed and
 * compared with the run's summary: a fixture that does not reproduce its run is refused.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { evaluateFlow, evaluateRun, mergeResults, type ItemResult } from '../../src/checks/index.ts';
import type { FlowRecord, ProfileFacts, Verdict } from '../../src/checks/types.ts';
import type { FlowEvidence, RunSummary } from '../../src/report/run-summary.ts';
import { RunConfigSchema } from '../../src/runner/run-config.ts';
import { exchangesOfFlow, type FlowTrafficScope } from '../../src/traffic/flow-scope.ts';
import { qrIdsOf } from '../../src/checks/support/payments.ts';
import type { Exchange } from '../../src/traffic/types.ts';

export const RECORDED_FORMAT = 'golive-recorded-run/1';

export interface RecordedFlow {
  record: FlowRecord;
  /** `seq`s of this flow's exchanges in `RecordedRun.traffic` (what its flow-scoped checks saw). */
  traffic: number[];
  /** golive's own calls to the integration during the flow (their `seq`s restart per flow). */
  merchantTraffic: Exchange[];
}

export interface RecordedRun {
  format: typeof RECORDED_FORMAT;
  /** `baseline` or the fault switch that was on. */
  name: string;
  faults: string[];
  runId: string;
  recordedAt: string;
  profile: ProfileFacts;
  /** The sandbox's traffic log of the run (compacted), oldest first. */
  traffic: Exchange[];
  flows: RecordedFlow[];
  /** The run's verdict per checklist item (summary.json). */
  verdicts: Record<string, Verdict>;
}

const byTime = (a: Exchange, b: Exchange) => a.startedAt - b.startedAt || a.seq - b.seq;

/** The flow's traffic as `evaluateFlow` got it. */
export function flowTraffic(run: Pick<RecordedRun, 'traffic'>, flow: RecordedFlow, bySeq = new Map(run.traffic.map((e) => [e.seq, e]))): Exchange[] {
  const own = flow.traffic.map((s) => bySeq.get(s)).filter((e): e is Exchange => e !== undefined);
  return [...own, ...flow.merchantTraffic].sort(byTime);
}

/** Replay the checks over a recorded run, as the runner does. */
export function replay(run: RecordedRun): ItemResult[] {
  const bySeq = new Map(run.traffic.map((e) => [e.seq, e]));
  const perFlow = run.flows.map((f) => replayFlow(run, f, bySeq));
  const all = [...run.traffic, ...run.flows.flatMap((f) => f.merchantTraffic)].sort(byTime);
  const runResults = evaluateRun({ traffic: all, flows: run.flows.map((f) => f.record), profile: run.profile });
  return mergeResults(...perFlow, runResults);
}

function replayFlow(run: Pick<RecordedRun, 'traffic' | 'profile'>, flow: RecordedFlow, bySeq?: Map<number, Exchange>): ItemResult[] {
  if (flow.record.outcome === 'not-applicable') {
    // flows.spec.ts writes these without calling the checks.
    const why = flow.record.error ?? '';
    return flow.record.checklist.map((item) => ({ item, verdict: 'NOT_APPLICABLE', findings: [{ item, verdict: 'NOT_APPLICABLE', message: `Not applicable: ${why}.`, flowId: flow.record.id }] }));
  }
  return evaluateFlow(flow.record.checklist, { traffic: flowTraffic(run, flow, bySeq), flows: [flow.record], profile: run.profile });
}

export const verdictsOf = (results: readonly { item?: string; id?: string; verdict: string }[]): Record<string, Verdict> =>
  Object.fromEntries(results.map((r) => [r.item ?? r.id, r.verdict as Verdict]));

/** Verdict differences between two item → verdict maps (`ITEM: A → B`). */
export function verdictDiff(expected: Record<string, string>, actual: Record<string, string>): string[] {
  const ids = [...new Set([...Object.keys(expected), ...Object.keys(actual)])];
  return ids.filter((id) => expected[id] !== actual[id]).map((id) => `${id}: ${expected[id] ?? '—'} → ${actual[id] ?? '—'}`);
}

/** What a finding list says, for comparing replays with the record (cites and messages, not order). */
const findingsKey = (results: readonly ItemResult[]): string =>
  JSON.stringify(
    results
      .map((r) => [r.item, r.verdict, r.findings.map((f) => [f.verdict, f.message, f.cites ?? [], f.details ?? []])])
      .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
  );

// --- compaction ----------------------------------------------------------------------------

/** Request headers some check reads (the rest — host, user-agent, lengths … — is dropped). */
const KEPT_REQUEST_HEADERS = /^(authorization|idempotency-key|merchant-serial-number|x-request-id|ocp-apim-subscription-key|vipps-.*|x-ms-.*|content-type)$/i;
const KEPT_RESPONSE_HEADERS = /^(retry-after)$/i;
/** Merchant-actor calls whose answers EP-ERRORS-LOG reads (an error log or audit export). */
const LOG_PATH = /\/(error-?)?logs?\b|audit/i;

const keepHeaders = (h: Exchange['request']['headers'] | undefined, keep: RegExp) =>
  Object.fromEntries(Object.entries(h ?? {}).filter(([k, v]) => v !== undefined && keep.test(k)));

/**
 * Keep what checks read: API exchanges whole (bodies carry state, aggregate, amounts), webhook
 * deliveries with their payload and verdict, the merchant actor's calls without their answers
 * (the observations hold what they showed) except log exports; drop ids, most headers, and the
 * sandbox control / landing page traffic. `recordRun` proves the result still gives the run's
 * verdicts and findings.
 */
export function compactExchange(e: Exchange): Exchange | undefined {
  if (e.kind === 'control') return undefined;
  const { id: _id, request, response: _response, ...rest } = e;
  const { url, ...req } = request;
  // `id` and a `url` equal to the path are put back by decodeRecordedRun.
  const out = { ...rest, request: { ...req, ...(url !== request.path ? { url } : {}), headers: keepHeaders(request.headers, KEPT_REQUEST_HEADERS) } } as Exchange;
  if (e.response) {
    const keepBody = e.kind === 'api' || (e.kind === 'merchant' && LOG_PATH.test(e.request.path));
    out.response = { status: e.response.status, headers: keepHeaders(e.response.headers, KEPT_RESPONSE_HEADERS) };
    if (keepBody && e.response.body !== undefined) out.response.body = e.response.body;
  }
  return out;
}

/** Put back what compaction left implied (`request.url` = path, `id`), so checks see full shapes. */
function expandExchange(e: Exchange): Exchange {
  return { ...e, id: e.id ?? `${e.kind}-${e.seq}`, request: { ...e.request, url: e.request.url ?? e.request.path } };
}

// --- reading and writing -------------------------------------------------------------------

export function encodeRecordedRun(run: RecordedRun): Buffer {
  return gzipSync(JSON.stringify(run), { level: 9 });
}

export function decodeRecordedRun(buf: Buffer): RecordedRun {
  const run = JSON.parse(gunzipSync(buf).toString('utf8')) as RecordedRun;
  if (run.format !== RECORDED_FORMAT) throw new Error(`not a recorded run (format ${String(run.format)})`);
  return {
    ...run,
    traffic: run.traffic.map(expandExchange),
    flows: run.flows.map((f) => ({ ...f, merchantTraffic: f.merchantTraffic.map(expandExchange) })),
  };
}

export function readRecordedRun(file: string): RecordedRun {
  return decodeRecordedRun(readFileSync(file));
}

// --- building one from a run folder --------------------------------------------------------

export interface RecordOutcome {
  run: RecordedRun;
  /** Why the fixture must not be used (its replay does not reproduce the run); empty when good. */
  problems: string[];
}

/**
 * Build a compact recorded run from a `golive run` folder, and prove it: replaying it must give
 * every flow's recorded findings and the summary's verdicts.
 */
export async function recordRun(runDir: string, name: string, faults: string[] = []): Promise<RecordOutcome> {
  const read = <T>(f: string): T => JSON.parse(readFileSync(join(runDir, f), 'utf8')) as T;
  const problems: string[] = [];
  const config = RunConfigSchema.parse(read('run-config.json'));
  const summary = read<RunSummary>('summary.json');
  if (summary.trafficDropped > 0) problems.push(`the sandbox dropped ${summary.trafficDropped} exchanges from its log, so the run cannot be replayed`);
  const all = read<Exchange[]>('traffic.json');
  const sandboxTraffic = all.filter((e) => e.kind !== 'merchant');
  // Loaded here, not at the top: replaying a fixture needs none of the runner.
  const { readFlowEvidence } = await import('../../src/runner/finish.ts');
  const { profileFacts } = await import('../../src/runner/flow-runner.ts');
  const { loadProfile } = await import('../../src/suite/index.ts');
  const evidence = readFlowEvidence(runDir);
  // profileFacts reads no secrets, so the unresolved profile will do.
  const profile = profileFacts((await loadProfile(config.profileFile)) as Parameters<typeof profileFacts>[0]);
  const amounts = await flowAmounts(config.suiteFiles);

  const flows: RecordedFlow[] = [];
  for (const ev of evidence) {
    const amount = amounts.get(`${ev.record.suite}/${ev.record.id}`);
    const built = selectFlowTraffic(sandboxTraffic, ev, profile, amount);
    if (!built.ok) problems.push(`flow ${ev.record.id}: no cut-off of its traffic reproduces its recorded findings`);
    flows.push({ record: ev.record, traffic: built.seqs, merchantTraffic: ev.merchantTraffic });
  }

  // Compact, then prove the compact fixture still judges like the run.
  const traffic = sandboxTraffic.map(compactExchange).filter((e): e is Exchange => e !== undefined);
  const kept = new Set(traffic.map((e) => e.seq));
  const run: RecordedRun = {
    format: RECORDED_FORMAT,
    name,
    faults,
    runId: summary.runId,
    recordedAt: summary.startedAt,
    profile,
    traffic,
    flows: flows.map((f) => ({
      record: f.record,
      traffic: f.traffic.filter((s) => kept.has(s)),
      merchantTraffic: f.merchantTraffic.map(compactExchange).filter((e): e is Exchange => e !== undefined),
    })),
    verdicts: verdictsOf(summary.items),
  };
  const decoded = decodeRecordedRun(encodeRecordedRun(run));
  const replayed = replay(decoded);
  const diff = verdictDiff(run.verdicts, verdictsOf(replayed));
  if (diff.length > 0) problems.push(`the compact fixture does not reproduce the run's verdicts: ${diff.join('; ')}`);
  if (diff.length === 0) {
    const recorded = new Map(summary.items.map((i) => [i.id, findingsKey([{ item: i.id, verdict: i.verdict as Verdict, findings: i.findings }])]));
    const differ = replayed.filter((r) => recorded.get(r.item) !== findingsKey([r])).map((r) => r.item);
    if (differ.length > 0) problems.push(`the compact fixture gives the run's verdicts but not the same findings (messages, cites or details) for ${differ.join(', ')}`);
  }
  return { run, problems };
}

/** Each flow's payment amount, as flows.spec.ts + FlowRunner number them: suite vars.amount + ordinal. */
async function flowAmounts(suiteFiles: string[]): Promise<Map<string, number>> {
  const { loadSuite } = await import('../../src/suite/index.ts');
  const out = new Map<string, number>();
  let ordinal = 0;
  for (const file of suiteFiles) {
    const suite = await loadSuite(file);
    for (const flow of suite.flows) {
      const vars = { ...suite.vars, ...flow.vars } as Record<string, unknown>;
      out.set(`${suite.suite}/${flow.id}`, Number(vars.amount ?? 10_000) + ++ordinal);
    }
  }
  return out;
}

/**
 * The flow's share of the sandbox traffic by the runner's rule (`exchangesOfFlow`,
 * src/traffic/flow-scope.ts), as `FlowRunner.collectTraffic` read it at the end of the flow. The
 * run folder does not say when that was, which bounds the exchanges of its payments: the earliest
 * read time (`readAt`: the flow's end, then each later exchange of its payments) that reproduces
 * the flow's recorded findings is the one.
 */
function selectFlowTraffic(traffic: Exchange[], ev: FlowEvidence, profile: ProfileFacts, amount: number | undefined): { seqs: number[]; ok: boolean } {
  const { record } = ev;
  if (record.outcome === 'not-applicable') return { seqs: [], ok: true };
  const scope: FlowTrafficScope = { ...record, msn: profile.msn, amount: amount ?? Number.NaN, qrIds: qrIdsOf(record) };
  const refs = new Set(record.references);
  const later = [...new Set(traffic.filter((e) => e.reference !== undefined && refs.has(e.reference) && e.startedAt > record.endedAt).map((e) => e.startedAt))].sort((a, b) => a - b);
  const wanted = findingsKey(ev.results);
  const seqsAt = (readAt: number) => exchangesOfFlow(traffic, { ...scope, readAt }).map((e) => e.seq).sort((a, b) => a - b);
  const bySeq = new Map(traffic.map((e) => [e.seq, e]));
  for (const readAt of [record.endedAt, ...later]) {
    const seqs = seqsAt(readAt);
    const results = replayFlow({ traffic, profile }, { record, traffic: seqs, merchantTraffic: ev.merchantTraffic }, bySeq);
    if (findingsKey(results) === wanted) return { seqs, ok: true };
  }
  return { seqs: seqsAt(record.endedAt), ok: false };
}
