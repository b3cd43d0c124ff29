import { describe, expect, it } from 'vitest';
import { evidenceBeforeInterruption } from '../../src/runner/finish.ts';
import type { FlowEvidence } from '../../src/report/run-summary.ts';

/**
 * Which flows an interrupted run judges. Found in CI: SIGINT reached Chromium while the
 * order-captured flow read its fresh-browser return page; the read came back "" instead of
 * failing, the flow "completed", and EP-REDIRECT and EP-STATES-AUTHORIZED were judged FAILED
 * against a correct shop.
 */
const at = 1_796_232_777_388;
const flow = (id: string, outcome: 'completed' | 'step-failed', endedAt: number): FlowEvidence =>
  ({
    record: { suite: 'epayment-checklist', id, title: id, outcome, references: [], checklist: ['EP-REDIRECT'], startedAt: endedAt - 5000, endedAt, observations: [] },
    results: [{ item: 'EP-REDIRECT', verdict: 'FAILED', reason: 'returnPage does not show a successful payment: "".' }],
    merchantTraffic: [],
  }) as unknown as FlowEvidence;

describe('evidence of an interrupted run', () => {
  const evidence = [
    flow('ended-before', 'completed', at - 5000),
    flow('failed-before', 'step-failed', at - 3000),
    flow('completed-after-the-signal', 'completed', at + 800),
    flow('cut-short', 'step-failed', at + 200),
    flow('ending-as-the-signal-came', 'completed', at - 400),
  ];

  it('keeps only flows that ended before the signal, whatever their outcome', () => {
    expect(evidenceBeforeInterruption(evidence, { at }).map((f) => f.record.id)).toEqual(['ended-before', 'failed-before']);
  });

  it('keeps every flow of a run that was not interrupted', () => {
    expect(evidenceBeforeInterruption(evidence, undefined)).toHaveLength(evidence.length);
  });
});
