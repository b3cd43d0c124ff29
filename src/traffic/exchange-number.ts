import type { Exchange } from './types.ts';

/**
 * How an exchange is numbered for people. The sandbox numbers the exchanges it records (`seq`,
 * one log per sandbox): those are shown as `#42`. golive's own requests to the integration (the
 * merchant actor's, kept per flow in `flows/<suite>__<flow>.json` as `merchantTraffic`) never pass
 * the sandbox; they get `seq` numbers from GOLIVE_SEQ_BASE up, so they sort and cite apart from
 * the sandbox's, and are shown as `G1`, `G2`… — the flow's first, second… request of golive's.
 */
export const GOLIVE_SEQ_BASE = 1_000_000_000;

/** Below this, a `seq` at or above GOLIVE_SEQ_BASE is golive's own (merged shards move the sandbox's by 10¹⁰ per shard). */
const GOLIVE_SEQ_END = 2 * GOLIVE_SEQ_BASE;

/** The `seq` of golive's n-th own exchange of a flow (n from 0). */
export const goliveSeq = (n: number): number => GOLIVE_SEQ_BASE + n;

export const isGoliveSeq = (seq: number): boolean => seq >= GOLIVE_SEQ_BASE && seq < GOLIVE_SEQ_END;

/** `#42` for a sandbox-recorded exchange, `G3` for golive's third own request of the flow. */
export function exchangeNumber(e: Pick<Exchange, 'seq'> | number): string {
  const seq = typeof e === 'number' ? e : e.seq;
  return isGoliveSeq(seq) ? `G${seq - GOLIVE_SEQ_BASE + 1}` : `#${seq}`;
}
