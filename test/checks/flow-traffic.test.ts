import { describe, expect, it } from 'vitest';
import { trafficOfFlow } from '../../src/checks/support/payments.ts';
import type { CheckInput, FlowRecord } from '../../src/checks/types.ts';
import type { Exchange } from '../../src/traffic/types.ts';

// Two flows of one MSN running at once: a's window [1000, 5000], b's [2000, 6000].
const MSN = '123456';
const flowRecord = (id: string, amount: number, references: string[], startedAt: number, endedAt: number, withScope = true): FlowRecord => ({
  suite: 's',
  id,
  title: id,
  checklist: [],
  references,
  observations: [],
  startedAt,
  endedAt,
  outcome: 'completed',
  ...(withScope ? { msn: MSN, amount } : {}),
});

let seq = 0;
const exchange = (startedAt: number, extra: Partial<Exchange>): Exchange =>
  ({ seq: ++seq, id: `x${seq}`, kind: 'api', api: 'epayment', request: { method: 'POST', url: 'http://127.0.0.1/x', path: '/x', headers: {} }, startedAt, durationMs: 1, ...extra }) as Exchange;
const create = (startedAt: number, amount: number, extra: Partial<Exchange> = {}) =>
  exchange(startedAt, { operation: 'createPayment', msn: MSN, request: { method: 'POST', url: 'http://127.0.0.1/epayment/v1/payments', path: '/epayment/v1/payments', headers: {}, body: { amount: { value: amount, currency: 'NOK' } } }, ...extra });

const refusedCreateOfA = create(3000, 10_001, { response: { status: 400, headers: {}, body: {} } });
const createOfA = create(3100, 10_001, { reference: 'ref-a' });
const getOfB = exchange(3200, { operation: 'getPayment', reference: 'ref-b', request: { method: 'GET', url: 'http://127.0.0.1/epayment/v1/payments/ref-b', path: '/epayment/v1/payments/ref-b', headers: {} } });
const tokenDuringBoth = exchange(3300, { api: 'access-token', operation: 'fetchToken' });
const tokenAfterA = exchange(5500, { api: 'access-token', operation: 'fetchToken' });
const shipOfB = exchange(3400, { kind: 'merchant', api: 'merchant' as Exchange['api'], flowId: 'b' });
const untaggedMerchant = exchange(1500, { kind: 'merchant', api: 'merchant' as Exchange['api'] });
const traffic = [refusedCreateOfA, createOfA, getOfB, tokenDuringBoth, tokenAfterA, shipOfB, untaggedMerchant];

const input = (flows: FlowRecord[]): CheckInput => ({ traffic, flows, profile: { id: 'p', kind: 'direct', msn: MSN, capabilities: {} } });
const seqs = (es: Exchange[]) => es.map((e) => e.seq);

describe('trafficOfFlow: the runner’s rule (belongsToFlow) for flow records with msn and amount', () => {
  const a = flowRecord('a', 10_001, ['ref-a'], 1000, 5000);
  const b = flowRecord('b', 10_002, ['ref-b'], 2000, 6000);
  it('gives a refused create to the flow of its amount only, token calls to the flows running, payments to their flow', () => {
    expect(seqs(trafficOfFlow(input([a, b]), a))).toEqual(seqs([refusedCreateOfA, createOfA, tokenDuringBoth, untaggedMerchant]));
    expect(seqs(trafficOfFlow(input([a, b]), b))).toEqual(seqs([getOfB, tokenDuringBoth, tokenAfterA, shipOfB]));
  });
  it('reads an exchange’s flowId first', () => {
    const taggedForB = create(3500, 10_001, { reference: 'ref-a', flowId: 'b' });
    const withTagged: CheckInput = { ...input([a, b]), traffic: [...traffic, taggedForB] };
    expect(trafficOfFlow(withTagged, a)).not.toContain(taggedForB);
    expect(trafficOfFlow(withTagged, b)).toContain(taggedForB);
  });
});

describe('trafficOfFlow for older recordings (flow records without msn and amount)', () => {
  it('keeps the time-window rule: an unattributed exchange goes to every flow running then', () => {
    const a = flowRecord('a', 10_001, ['ref-a'], 1000, 5000, false);
    const b = flowRecord('b', 10_002, ['ref-b'], 2000, 6000, false);
    expect(trafficOfFlow(input([a, b]), b)).toContain(refusedCreateOfA);
    expect(trafficOfFlow(input([a, b]), a)).not.toContain(getOfB);
  });
});
