import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { evaluateRun, itemById, mergeResults, type ItemResult } from '../checks/index.ts';
import type { FlowRecord } from '../checks/types.ts';
import type { Exchange } from '../traffic/types.ts';
import { ControlClient } from '../sandbox/client.ts';
import type { Environment } from './environment.ts';
import { profileFacts } from './flow-runner.ts';
import type { RunConfig } from './run-config.ts';

export interface FlowEvidence {
  record: FlowRecord;
  results: ItemResult[];
  merchantTraffic: Exchange[];
}

export interface SummaryItem {
  id: string;
  title: string;
  area: string;
  severity: string;
  docs?: string;
  verdict: string;
  flows: string[];
  findings: ItemResult['findings'];
}

export interface RunSummary {
  runId: string;
  startedAt: string;
  finishedAt: string;
  profile: { id: string; name?: string; kind: string; msn: string };
  target: string;
  trafficDropped: number;
  items: SummaryItem[];
  flows: { suite: string; id: string; title: string; outcome: string; error?: string; references: string[]; checklist: string[] }[];
  /** References that ended in the states the checklist review asks for. */
  evidenceReferences: Record<'AUTHORIZED' | 'CAPTURED' | 'REFUNDED' | 'CANCELLED', string[]>;
  counts: Record<string, number>;
}

export function readFlowEvidence(runDir: string): FlowEvidence[] {
  const dir = join(runDir, 'flows');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as FlowEvidence);
}

/** Judge run-scoped items over all traffic and write traffic.json + summary.json. */
export async function finishRun(config: RunConfig, env: Environment): Promise<RunSummary> {
  let traffic: Exchange[];
  let dropped = 0;
  if (env.sandbox) {
    traffic = env.sandbox.traffic.all().map((e) => env.sandbox!.redactor.exchange(e));
    dropped = env.sandbox.traffic.dropped;
  } else {
    const answer = await new ControlClient(env.sandboxUrl).traffic({ limit: 10_000 });
    traffic = answer.exchanges;
    dropped = answer.dropped;
  }
  const evidence = readFlowEvidence(config.runDir);
  const all = [...traffic, ...evidence.flatMap((f) => f.merchantTraffic)].sort((a, b) => a.startedAt - b.startedAt || a.seq - b.seq);
  const facts = profileFacts(env.profile);
  const runResults = evaluateRun({ traffic: all, flows: evidence.map((f) => f.record), profile: facts });
  const merged = mergeResults(...evidence.map((f) => f.results), runResults);
  writeFileSync(join(config.runDir, 'traffic.json'), JSON.stringify(all, null, 1));
  const summary = buildSummary(config, env, merged, evidence, all, dropped);
  writeFileSync(join(config.runDir, 'summary.json'), JSON.stringify(summary, null, 2));
  return summary;
}

function buildSummary(config: RunConfig, env: Environment, merged: ItemResult[], evidence: FlowEvidence[], traffic: Exchange[], dropped: number): RunSummary {
  const flowsByItem = new Map<string, string[]>();
  for (const f of evidence) for (const id of f.record.checklist) flowsByItem.set(id, [...(flowsByItem.get(id) ?? []), `${f.record.suite}/${f.record.id}`]);
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
    };
  });
  const counts: Record<string, number> = {};
  for (const i of items) counts[i.verdict] = (counts[i.verdict] ?? 0) + 1;
  return {
    runId: config.runId,
    startedAt: config.startedAt,
    finishedAt: new Date().toISOString(),
    profile: { id: env.profile.profile, name: env.profile.name, kind: env.profile.kind, msn: env.profile.merchant.msn },
    target: env.sandbox ? `embedded sandbox (${env.sandboxUrl})` : `sandbox at ${env.sandboxUrl}`,
    trafficDropped: dropped,
    items,
    flows: evidence.map((f) => ({
      suite: f.record.suite,
      id: f.record.id,
      title: f.record.title,
      outcome: f.record.outcome,
      error: f.record.error,
      references: f.record.references,
      checklist: f.record.checklist,
    })),
    evidenceReferences: evidenceReferences(traffic, env.profile.merchant.msn),
    counts,
  };
}

/**
 * From the traffic: payments of this MSN whose latest accepted answer shows them AUTHORIZED,
 * CAPTURED (captured > 0, nothing refunded), REFUNDED (refunded > 0) or CANCELLED (cancelled > 0).
 */
export function evidenceReferences(traffic: Exchange[], msn: string): RunSummary['evidenceReferences'] {
  const latest = new Map<string, any>();
  for (const e of traffic) {
    if (e.kind !== 'api' || e.api !== 'epayment' || e.msn !== msn || !e.reference) continue;
    const body = e.response?.body as any;
    if (e.response && e.response.status < 300 && body && typeof body === 'object' && body.aggregate) latest.set(e.reference, body);
  }
  const out: RunSummary['evidenceReferences'] = { AUTHORIZED: [], CAPTURED: [], REFUNDED: [], CANCELLED: [] };
  for (const [reference, p] of latest) {
    const a = p.aggregate;
    if (p.state !== 'AUTHORIZED' && p.state !== 'TERMINATED') continue;
    if (a.refundedAmount?.value > 0) out.REFUNDED.push(reference);
    else if (a.capturedAmount?.value > 0) out.CAPTURED.push(reference);
    if (a.cancelledAmount?.value > 0 && p.state === 'AUTHORIZED') out.CANCELLED.push(reference);
    else if (p.state === 'AUTHORIZED' && !(a.capturedAmount?.value > 0)) out.AUTHORIZED.push(reference);
  }
  return out;
}
