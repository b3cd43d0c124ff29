import type { ItemResult } from '../checks/index.ts';
import type { FlowRecord } from '../checks/types.ts';
import type { Exchange } from '../traffic/types.ts';

/** What one flow leaves in `flows/<suite>__<flow>.json`. */
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
  /** Where the verdict was proven: against the real test API, or only against a sandbox (absent: nothing was proven). */
  environment?: 'test-api' | 'sandbox';
  /** A platform's run: each installation's verdict of the item (`verdict` is the worst of them). */
  installations?: { id: string; verdict: string }[];
}

/** How a platform item's finding names its installation (the fold writes it, the report reads it back). */
export const installationFindingPrefix = (i: { msn: string; title: string }): string => `${i.title} (MSN ${i.msn}): `;

/** One installation of a platform's run: the sales unit, its verdict counts, flows and orders by ending. */
export interface InstallationSummary {
  id: string;
  msn: string;
  title: string;
  counts: Record<string, number>;
  flows: number;
  flowsFailed: number;
  evidenceReferences: Record<'AUTHORIZED' | 'CAPTURED' | 'REFUNDED' | 'CANCELLED', string[]>;
}

/** A flow the run selected but that left no evidence (interrupted, or its worker died). */
export interface FlowNotRun {
  suite: string;
  id: string;
  title: string;
}

/** summary.json: the run's verdicts, read by the terminal table, summary.html/md, JUnit and `golive report`. */
export interface RunSummary {
  runId: string;
  startedAt: string;
  finishedAt: string;
  /** `api`: the integration's API (absent in older summaries: ePayment). */
  profile: { id: string; name?: string; kind: string; msn: string; api?: string };
  target: string;
  /** Where the run's references live: `test-api` (a reviewer can look them up) or `sandbox` (absent in older summaries: sandbox). */
  environment?: 'test-api' | 'sandbox';
  trafficDropped: number;
  items: SummaryItem[];
  flows: { suite: string; id: string; title: string; outcome: string; error?: string; references: string[]; checklist: string[]; installation?: string }[];
  /** References that ended in the states the checklist review asks for. */
  evidenceReferences: Record<'AUTHORIZED' | 'CAPTURED' | 'REFUNDED' | 'CANCELLED', string[]>;
  counts: Record<string, number>;
  /**
   * Set when the run is not evidence for the checklist submission: some selected flows did not
   * run (interruption), only part of the suites' flows were selected (--grep, --shard), or some
   * items were exercised by no flow (NOT_RUN).
   */
  partial?: { reasons: string[]; flowsNotRun: FlowNotRun[] };
  /**
   * Set by `golive evidence combine`: the environment each reference lives in (the test-API run's
   * and the sandbox run's), and the runs it combines.
   */
  referenceEnvironments?: Record<string, 'test-api' | 'sandbox'>;
  combinedFrom?: { runId: string; environment: 'test-api' | 'sandbox'; target: string }[];
  /** The signal that interrupted the run (SIGINT, SIGTERM). */
  interrupted?: string;
  /** A platform's run: the installations it covered, in the profile's order (items carry their verdicts). */
  installations?: InstallationSummary[];
  /** The effective timeouts (ms): profile values unless the command line overrode them. */
  timeouts?: { action: number; status: number };
}
