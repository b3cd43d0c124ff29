/**
 * `awaitFirstPolls` (src/runner/first-polls.ts): before the run is judged, wait until every
 * payment of the run that reached a final state (AUTHORIZED, ABORTED, EXPIRED, TERMINATED) was
 * read with GET payment after that change, or its polling window (by the declared pace) passed on
 * the sandbox clock since the change; bounded by the wall clock so a frozen sandbox clock cannot
 * hold the run. Driven by fake clocks and a fake control API that answers like the sandbox's.
 */
import { describe, expect, it } from 'vitest';
import { awaitFirstPolls, type FirstPollsControl } from '../../src/runner/first-polls.ts';
import type { Exchange } from '../../src/traffic/types.ts';

const T0 = Date.parse('2026-03-02T09:00:00.000Z');
const MSN = '123456';

interface Pay {
  reference: string;
  state: string;
  createdAt: number;
  msn?: string;
  events: [name: string, at: number][];
}

interface Call {
  operation: string;
  reference: string;
  at: number;
}

function harness(o: { payments: Pay[]; calls?: Call[]; frozenClock?: boolean; start?: number }) {
  let sandbox = o.start ?? T0;
  let wall = 50_000;
  let sleeps = 0;
  const asked: unknown[] = [];
  const calls = o.calls ?? [];
  const control: FirstPollsControl = {
    payments: async (msn: string) => {
      const payments = o.payments
        .filter((p) => (p.msn ?? MSN) === msn)
        .map((p) => ({ reference: p.reference, state: p.state, createdAt: p.createdAt, events: p.events.map(([name, at]) => ({ name, timestamp: new Date(at).toISOString() })) }));
      return { payments, count: payments.length };
    },
    clock: async () => ({ now: sandbox, offsetMs: 0 }),
    traffic: async (q = {}) => {
      asked.push(q);
      const exchanges = calls
        .filter((c) => c.at <= sandbox && (q.operation === undefined || [q.operation].flat().includes(c.operation)) && (q.reference === undefined || c.reference === q.reference) && (q.since === undefined || c.at >= q.since))
        .slice(0, q.limit ?? Infinity)
        .map((c, i) => ({ seq: i + 1, operation: c.operation, reference: c.reference, startedAt: c.at }) as Exchange);
      return { exchanges, lastSeq: exchanges.length, dropped: 0 };
    },
  };
  const time = {
    wallNow: () => wall,
    sleep: async (ms: number) => {
      if (++sleeps > 10_000) throw new Error('awaitFirstPolls did not stop');
      wall += ms;
      if (!o.frozenClock) sandbox += ms;
    },
  };
  return { control, time, asked, sandboxNow: () => sandbox, waited: () => wall - 50_000 };
}

const authorized = (reference: string, at: number, createdAt = T0 - 1_000): Pay => ({ reference, state: 'AUTHORIZED', createdAt, events: [['CREATED', createdAt], ['AUTHORIZED', at]] });
const get = (reference: string, at: number): Call => ({ operation: 'getPayment', reference, at });

const wait = (h: ReturnType<typeof harness>, o: { since?: number; pace?: { firstAfterMs: number; intervalMs: number } } = {}) =>
  awaitFirstPolls(h.control, { msn: MSN, since: o.since ?? 0, ...(o.pace ? { pace: o.pace } : {}) }, h.time);

describe('awaitFirstPolls', () => {
  it('no payment in a final state: no wait', async () => {
    const h = harness({ payments: [{ reference: 'a', state: 'CREATED', createdAt: T0, events: [['CREATED', T0]] }] });
    await wait(h);
    expect(h.waited()).toBe(0);
    expect(h.asked).toEqual([]);
  });

  it('a final payment already read with GET after its change: no wait', async () => {
    const h = harness({ payments: [authorized('a', T0 - 500)], calls: [get('a', T0 - 100)] });
    await wait(h);
    expect(h.waited()).toBe(0);
    expect(h.asked).toEqual([{ operation: ['getPayment', 'getPaymentDetailsUsingGET', 'getOrderStatusUsingGET', 'getPSPPaymentDetailsUsingGET'], reference: 'a', since: T0 - 500, limit: 1 }]);
  });

  it('waits for the first GET after the change, and no longer', async () => {
    const h = harness({ payments: [authorized('a', T0)], calls: [get('a', T0 + 5_000)] });
    await wait(h);
    expect(h.sandboxNow()).toBeGreaterThanOrEqual(T0 + 5_000);
    expect(h.sandboxNow()).toBeLessThan(T0 + 5_000 + 500 + 1);
  });

  it('a GET before the change, or another operation after it, is not its first poll', async () => {
    const h = harness({ payments: [authorized('a', T0)], calls: [get('a', T0 - 1), { operation: 'capturePayment', reference: 'a', at: T0 + 100 }, get('b', T0 + 100)] });
    await wait(h);
    expect(h.sandboxNow()).toBeGreaterThanOrEqual(T0 + 11_000); // the whole window
  });

  it('a payment never read: waits its polling window (5 s + 3 × 2 s) from the change, then gives up', async () => {
    const h = harness({ payments: [authorized('a', T0 - 3_000)] });
    await wait(h);
    expect(h.sandboxNow()).toBeGreaterThanOrEqual(T0 - 3_000 + 11_000);
    expect(h.sandboxNow()).toBeLessThan(T0 - 3_000 + 11_000 + 500);
  });

  it('boundary: a window that closes exactly now costs no wait; one ms later costs one round', async () => {
    const closed = harness({ payments: [authorized('a', T0 - 11_000)] });
    await wait(closed);
    expect(closed.waited()).toBe(0);
    const open = harness({ payments: [authorized('a', T0 - 10_999)] });
    await wait(open);
    expect(open.waited()).toBe(500);
  });

  it('the change is the last final event: a GET after AUTHORIZED but before TERMINATED is not the poll after termination', async () => {
    const p: Pay = { reference: 'a', state: 'TERMINATED', createdAt: T0 - 9_000, events: [['CREATED', T0 - 9_000], ['AUTHORIZED', T0 - 8_000], ['TERMINATED', T0]] };
    const h = harness({ payments: [p], calls: [get('a', T0 - 7_000), get('a', T0 + 2_000)] });
    await wait(h);
    expect(h.sandboxNow()).toBeGreaterThanOrEqual(T0 + 2_000);
    expect(h.sandboxNow()).toBeLessThan(T0 + 2_500 + 1);
  });

  it('ABORTED and EXPIRED count as final; payments created before the run did not belong to it', async () => {
    const aborted: Pay = { reference: 'ab', state: 'ABORTED', createdAt: T0 - 2_000, events: [['CREATED', T0 - 2_000], ['ABORTED', T0]] };
    const expired: Pay = { reference: 'ex', state: 'EXPIRED', createdAt: T0 - 2_000, events: [['CREATED', T0 - 2_000], ['EXPIRED', T0]] };
    const old = authorized('old', T0, T0 - 60_000);
    const h = harness({ payments: [aborted, expired, old], calls: [get('ab', T0 + 1_000), get('ex', T0 + 3_000)] });
    await wait(h, { since: T0 - 30_000 });
    expect(h.sandboxNow()).toBeGreaterThanOrEqual(T0 + 3_000);
    expect(h.sandboxNow()).toBeLessThan(T0 + 3_500 + 1); // "old" (created before since) would have held it to T0 + 11 s
    expect(h.asked.some((q) => (q as { reference?: string }).reference === 'old')).toBe(false);
  });

  it('waits for the slowest payment and stops asking about the ones already read', async () => {
    const h = harness({ payments: [authorized('a', T0), authorized('b', T0)], calls: [get('a', T0 + 500), get('b', T0 + 4_000)] });
    await wait(h);
    expect(h.sandboxNow()).toBeGreaterThanOrEqual(T0 + 4_000);
    const asks = (ref: string) => h.asked.filter((q) => (q as { reference?: string }).reference === ref).length;
    expect(asks('a')).toBe(2);
    expect(asks('b')).toBeGreaterThan(asks('a'));
  });

  it("the declared pace sets the window", async () => {
    const pace = { firstAfterMs: 20_000, intervalMs: 5_000 }; // 35 s
    const h = harness({ payments: [authorized('a', T0)], calls: [get('a', T0 + 30_000)] });
    await wait(h, { pace });
    expect(h.sandboxNow()).toBeGreaterThanOrEqual(T0 + 30_000);
    const guideline = harness({ payments: [authorized('a', T0)], calls: [get('a', T0 + 30_000)] });
    await wait(guideline);
    expect(guideline.sandboxNow()).toBeLessThan(T0 + 11_500 + 1); // the guideline window gives up long before
  });

  it('a frozen sandbox clock does not hold the run: the wall clock ends the wait after the window + 1 s', async () => {
    const h = harness({ payments: [authorized('a', T0)], frozenClock: true });
    await wait(h);
    expect(h.waited()).toBeGreaterThanOrEqual(12_000);
    expect(h.waited()).toBeLessThan(12_000 + 500 + 1);
  });

  it('a payment without a readable final event time is not waited for', async () => {
    const p: Pay = { reference: 'a', state: 'AUTHORIZED', createdAt: T0, events: [['CREATED', T0]] };
    const h = harness({ payments: [p] });
    await wait(h);
    expect(h.waited()).toBe(0);
  });
});
