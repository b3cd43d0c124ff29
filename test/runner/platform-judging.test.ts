import { describe, expect, it } from 'vitest';
import type { ItemResult } from '../../src/checks/index.ts';
import type { FlowRecord, ProfileFacts } from '../../src/checks/types.ts';
import type { FlowEvidence } from '../../src/report/run-summary.ts';
import { judgeRun, type RunFacts } from '../../src/runner/finish.ts';
import { flowsPerInstallation, foldInstallations } from '../../src/runner/installations.ts';
import type { Exchange } from '../../src/traffic/types.ts';

/**
 * A platform's run (src/runner/finish.ts judgeRun with installations): every flow once per
 * installation, each installation judged on its own flows and traffic with its MSN, every item
 * over all installations as its worst installation's verdict, naming each installation's.
 */

const ALPHA = { id: 'alpha', msn: '123456', title: 'Alpha' };
const BETA = { id: 'beta', msn: '234567', title: 'Beta' };
const SYSTEM = { 'vipps-system-name': 'acme', 'vipps-system-version': '1', 'vipps-system-plugin-name': 'acme-platform', 'vipps-system-plugin-version': '1' };

describe('flows × installations', () => {
  it('runs every flow once per installation under <flow>@<installation>', () => {
    const flows = [{ suite: 's', id: 'order-captured', title: 'Captured' }, { suite: 's', id: 'order-cancelled', title: 'Cancelled' }];
    expect(flowsPerInstallation(flows, [ALPHA, BETA]).map((f) => f.id)).toEqual(['order-captured@alpha', 'order-cancelled@alpha', 'order-captured@beta', 'order-cancelled@beta']);
    expect(flowsPerInstallation(flows, undefined)).toBe(flows);
  });
});

describe('the platform verdict of an item', () => {
  const result = (item: string, verdict: ItemResult['verdict']): ItemResult => ({ item, verdict, findings: [{ item, verdict, message: `${verdict.toLowerCase()} here` }] });
  it('is the worst installation verdict; one installation not run is not proven; NOT APPLICABLE only when so everywhere', () => {
    const folded = foldInstallations([
      { installation: ALPHA, results: [result('EP-HEADERS', 'PASSED'), result('EP-POLLING', 'PASSED'), result('EP-RECEIPT', 'NOT_APPLICABLE')] },
      { installation: BETA, results: [result('EP-HEADERS', 'FAILED'), result('EP-POLLING', 'NOT_RUN'), result('EP-RECEIPT', 'NOT_APPLICABLE')] },
    ]);
    expect(folded.map((r) => [r.item, r.verdict])).toEqual([
      ['EP-HEADERS', 'FAILED'],
      ['EP-POLLING', 'NOT_RUN'],
      ['EP-RECEIPT', 'NOT_APPLICABLE'],
    ]);
    expect(folded[0].installations).toEqual([
      { id: 'alpha', verdict: 'PASSED' },
      { id: 'beta', verdict: 'FAILED' },
    ]);
    expect(folded[0].findings.map((f) => f.message)).toEqual(['Alpha (MSN 123456): passed here', 'Beta (MSN 234567): failed here']);
  });
});

describe('judging a platform run', () => {
  let seq = 0;
  const create = (msn: string, reference: string, flowId: string, headers: Record<string, string>): Exchange => {
    const s = ++seq;
    return {
      seq: s,
      id: `e-${s}`,
      kind: 'api',
      api: 'epayment',
      operation: 'createPayment',
      msn,
      reference,
      flowId,
      request: { method: 'POST', url: 'http://sandbox/epayment/v1/payments', path: '/epayment/v1/payments', headers: { 'merchant-serial-number': msn, ...headers }, body: { reference, amount: { value: 1000, currency: 'NOK' } } },
      response: { status: 201, headers: {}, body: { reference } },
      startedAt: s * 1000,
      durationMs: 10,
    };
  };
  const record = (id: string, installation: typeof ALPHA, reference: string): FlowRecord => ({
    suite: 'partner-platform',
    id: `${id}@${installation.id}`,
    installation: installation.id,
    msn: installation.msn,
    title: 'Routing',
    checklist: ['PARTNER-HEADERS'],
    references: [reference],
    observations: [],
    startedAt: 0,
    endedAt: 1e9,
    outcome: 'completed',
  });
  const facts: ProfileFacts = { id: 'platform', kind: 'partner', api: 'epayment-v1', msn: '123456', capabilities: { webhooks: true, polling: true }, installations: [ALPHA, BETA] };
  const flows = [{ suite: 'partner-platform', id: 'routing', title: 'Routing' }];
  const run: RunFacts = {
    runId: 'r',
    startedAt: new Date(0).toISOString(),
    profile: { id: 'platform', kind: 'partner', msn: '123456', api: 'epayment-v1' },
    facts,
    target: 'test',
    timeouts: { action: 1, status: 1 },
    suiteFlows: flowsPerInstallation(flows, [ALPHA, BETA]),
    planned: flowsPerInstallation(flows, [ALPHA, BETA]),
    trafficDropped: 0,
    installations: [ALPHA, BETA],
  };
  // Beta's shop sends no system headers; alpha's sends all four.
  const traffic = [create(ALPHA.msn, 'a-1', 'routing@alpha', SYSTEM), create(BETA.msn, 'b-1', 'routing@beta', {})];
  const evidence: FlowEvidence[] = [
    { record: record('routing', ALPHA, 'a-1'), results: [], merchantTraffic: [] },
    { record: record('routing', BETA, 'b-1'), results: [], merchantTraffic: [] },
  ];

  it('judges each installation on its own traffic and MSN, and the platform as its worst installation', () => {
    const summary = judgeRun(run, traffic, evidence);
    const headers = summary.items.find((i) => i.id === 'PARTNER-HEADERS')!;
    expect(headers.verdict).toBe('FAILED');
    expect(headers.installations).toEqual([
      { id: 'alpha', verdict: 'PASSED' },
      { id: 'beta', verdict: 'FAILED' },
    ]);
    expect(headers.findings.find((f) => f.verdict === 'FAILED')?.message).toMatch(/^Beta \(MSN 234567\): /);
    // Each installation judged with its own MSN: neither is failed for the other's.
    const msn = summary.items.find((i) => i.id === 'PARTNER-MSN')!;
    expect(msn.installations).toEqual([
      { id: 'alpha', verdict: 'PASSED' },
      { id: 'beta', verdict: 'PASSED' },
    ]);
    expect(summary.installations?.map((i) => [i.id, i.msn, i.flows, i.flowsFailed])).toEqual([
      ['alpha', '123456', 1, 0],
      ['beta', '234567', 1, 0],
    ]);
    // Beta fails two items more than alpha: PARTNER-HEADERS and EP-HEADERS (the thin traffic fails other run-scoped items for both).
    expect(summary.installations![1].counts.FAILED).toBe((summary.installations![0].counts.FAILED ?? 0) + 2);
    expect(summary.flows.map((f) => [f.id, f.installation])).toEqual([
      ['routing@alpha', 'alpha'],
      ['routing@beta', 'beta'],
    ]);
    // Every planned flow of both installations ran: only items no flow exercises make the run partial (NOT RUN).
    expect(summary.partial?.flowsNotRun).toEqual([]);
    expect(summary.partial?.reasons.join('; ')).not.toMatch(/selected|did not run/);
  });

  it('a run of some installations only judges those (the others are not in the run)', () => {
    const one = { ...run, installations: [ALPHA], suiteFlows: flowsPerInstallation(flows, [ALPHA]), planned: flowsPerInstallation(flows, [ALPHA]) };
    const summary = judgeRun(one, traffic, evidence.slice(0, 1));
    expect(summary.installations?.map((i) => i.id)).toEqual(['alpha']);
    expect(summary.items.find((i) => i.id === 'PARTNER-HEADERS')?.verdict).toBe('PASSED');
  });
});
