import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from '../../src/sandbox/index.ts';
import { TEST_MERCHANT } from '../helpers/sandbox.ts';

/**
 * Model-based money test of ePayment (fast-check commands against a small reference model): on
 * one payment per run, random sequences of captures, refunds, cancels, approvals and expiries (the
 * sandbox clock), with repeated and fresh Idempotency-Keys, some sent concurrently (Promise.all).
 * A concurrent batch must be explained by some serial order of its requests (linearizable).
 * After every command: the sandbox's state and aggregate are the model's, and
 * - captured ≤ authorized, refunded ≤ captured, cancelled + captured ≤ authorized (a payment
 *   TERMINATED before authorization has cancelled = amount, authorized = 0: vipps-facts §2.9);
 * - one effect per Idempotency-Key (a repeat replays the first answer byte for byte);
 * - the event log adds up to the aggregate;
 * and at the end the webhooks delivered to a real receiver on 127.0.0.1 are the event log, in order.
 * Seeded and bounded (GOLIVE_FUZZ_RUNS=<n> for more runs, GOLIVE_FUZZ_SEED=<n> for another seed).
 */

const SEED = Number(process.env.GOLIVE_FUZZ_SEED ?? 20261201) + 10;
const RUNS = process.env.GOLIVE_FUZZ_RUNS ? Math.max(1, Math.round(Number(process.env.GOLIVE_FUZZ_RUNS) / 5)) : 250;
const AMOUNT = 1000;
const EXPIRY_MS = 10 * 60_000;
const PAYMENTS = '/epayment/v1/payments';

type State = 'CREATED' | 'AUTHORIZED' | 'ABORTED' | 'EXPIRED' | 'TERMINATED';
type Op = 'capturePayment' | 'refundPayment' | 'cancelPayment';
interface Model {
  state: State;
  U: number;
  C: number;
  R: number;
  X: number;
  elapsed: number;
  /** (operation, key) → body fingerprint, status and exact text of the first answer. */
  keys: Map<string, { fp: string; status: number; text: string }>;
}
interface Real {
  reference: string;
}

/** One request of a command: a modification with a key, or an approval. */
type Action = { op: Op; key: string; value: number; cancelTransactionOnly?: boolean } | { op: 'approve' };
/** An amount as generated: absolute, or relative to what is left when the command runs (to hit the edges). */
type Amount = number | 'rest' | 'rest+1' | 'rest-1' | 'half';
type GeneratedAction = { op: Op; key: string; value: Amount; cancelTransactionOnly?: boolean } | { op: 'approve' };

/** Resolve relative amounts against the model: what is left to capture, or to refund. */
function resolve(m: Model, a: GeneratedAction): Action {
  if (a.op === 'approve' || typeof a.value === 'number') return a as Action;
  const left = a.op === 'refundPayment' ? m.C - m.R : m.U - m.C - m.X;
  let v = { rest: left, 'rest+1': left + 1, 'rest-1': left - 1, half: Math.floor(left / 2) }[a.value];
  if (v < 1) v = 1;
  if (v === 123 || v === 124) v = 125; // magic test amounts (refund not possible / period expired)
  return { ...a, value: v };
}

const figures = { runs: 0, commands: 0, requests: 0, concurrentBatches: 0, replays: 0, conflicts: 0, effects: 0 };

let sandbox: Sandbox;
let headers: Record<string, string>;
const deliveries = new Map<string, Record<string, any>[]>();
const eventLogs = new Map<string, Record<string, any>[]>();

const bodyOf = (a: Action): unknown =>
  a.op === 'approve' ? { customer: { phoneNumber: '4791234567' } } : a.op === 'cancelPayment' ? (a.cancelTransactionOnly ? { cancelTransactionOnly: true } : undefined) : { modificationAmount: { currency: 'NOK', value: a.value } };

async function send(reference: string, a: Action) {
  figures.requests++;
  const body = bodyOf(a);
  const path = a.op === 'approve' ? `/epayment/v1/test/payments/${reference}/approve` : `${PAYMENTS}/${reference}/${a.op.replace('Payment', '')}`;
  const h: Record<string, string> = { ...headers, ...(a.op === 'approve' ? {} : { 'idempotency-key': a.key }), ...(body === undefined ? {} : { 'content-type': 'application/json' }) };
  const res = await sandbox.app.inject({ method: 'POST', url: path, headers: h, payload: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.statusCode, text: res.body };
}

/** The model's answer to one action (status), applying its effect. `observedText` is stored for a new key. */
function step(m: Model, a: Action, observed: { status: number; text: string }): string | undefined {
  if (a.op === 'approve') {
    const ok = m.state === 'CREATED';
    if (ok) Object.assign(m, { state: 'AUTHORIZED', U: AMOUNT });
    return observed.status === (ok ? 200 : 400) ? undefined : `approve: model ${ok ? 200 : 400}, sandbox ${observed.status}`;
  }
  const scope = `${a.op}\u0000${a.key}`;
  const fp = JSON.stringify(bodyOf(a) ?? null);
  const seen = m.keys.get(scope);
  if (seen) {
    if (seen.fp !== fp) return observed.status === 409 ? undefined : `${a.op} key ${a.key} with another body: model 409, sandbox ${observed.status}`;
    if (observed.status !== seen.status || observed.text !== seen.text) return `${a.op} key ${a.key} repeated: not the first answer replayed (${seen.status} → ${observed.status})`;
    return undefined;
  }
  const status = apply(m, a);
  m.keys.set(scope, { fp, status, text: observed.text });
  return observed.status === status ? undefined : `${a.op} ${a.op === 'cancelPayment' ? (a.cancelTransactionOnly ? 'transaction only' : '') : a.value}: model ${status}, sandbox ${observed.status} ${observed.text.slice(0, 160)}`;
}

/** The money rules (vipps-facts §2.9), as the model's own few lines. */
function apply(m: Model, a: Exclude<Action, { op: 'approve' }>): number {
  if (a.op === 'capturePayment') {
    if (m.state !== 'AUTHORIZED' || m.X > 0 || m.C + a.value > m.U) return 400;
    m.C += a.value;
    return 200;
  }
  if (a.op === 'refundPayment') {
    if (m.state !== 'AUTHORIZED' || m.R + a.value > m.C) return 400;
    m.R += a.value;
    return 200;
  }
  if (m.state === 'CREATED') return Object.assign(m, { state: 'TERMINATED', X: AMOUNT }) && 200;
  if (m.state !== 'AUTHORIZED' || a.cancelTransactionOnly || m.C >= m.U || m.X > 0) return 400;
  m.X = m.U - m.C;
  return 200;
}

async function checkAgainst(m: Model, r: Real): Promise<void> {
  const p = (await sandbox.app.inject({ method: 'GET', url: `${PAYMENTS}/${r.reference}`, headers })).json();
  const events: Record<string, any>[] = (await sandbox.app.inject({ method: 'GET', url: `${PAYMENTS}/${r.reference}/events`, headers })).json();
  const a = p.aggregate;
  const [U, C, R, X] = [a.authorizedAmount.value, a.capturedAmount.value, a.refundedAmount.value, a.cancelledAmount.value];
  expect({ state: p.state, U, C, R, X }, 'sandbox = model').toEqual({ state: m.state, U: m.U, C: m.C, R: m.R, X: m.X });
  expect(C).toBeLessThanOrEqual(U);
  expect(R).toBeLessThanOrEqual(C);
  if (p.state === 'TERMINATED') expect({ U, C, X }).toEqual({ U: 0, C: 0, X: AMOUNT });
  else expect(X + C).toBeLessThanOrEqual(U);
  // One effect per key: an (event, key) pair at most once.
  const keyed = events.filter((e) => e.idempotencyKey).map((e) => `${e.name}\u0000${e.idempotencyKey}`);
  expect(new Set(keyed).size, 'one effect per Idempotency-Key').toBe(keyed.length);
  // The event log adds up to the aggregate.
  const sum = (name: string) => events.filter((e) => e.name === name).reduce((s, e) => s + e.amount.value, 0);
  expect({ C: sum('CAPTURED'), R: sum('REFUNDED'), X: sum('CANCELLED') + sum('TERMINATED'), U: sum('AUTHORIZED') }).toEqual({ C, R, X, U });
  expect(events[0].name).toBe('CREATED');
  const finals = events.filter((e) => ['AUTHORIZED', 'ABORTED', 'EXPIRED', 'TERMINATED'].includes(e.name)).map((e) => e.name);
  expect(finals.length).toBeLessThanOrEqual(1);
  expect(finals[0] ?? 'CREATED').toBe(p.state);
  eventLogs.set(r.reference, events);
}

class Send implements fc.AsyncCommand<Model, Real> {
  private actions: Action[] = [];
  constructor(readonly generated: GeneratedAction[]) {}
  check = () => true;
  async run(m: Model, r: Real) {
    figures.commands++;
    const actions = (this.actions = this.generated.map((a) => resolve(m, a)));
    if (actions.length === 1) {
      const observed = await send(r.reference, actions[0]);
      count(m, actions[0], observed.status, new Set());
      const failure = step(m, actions[0], observed);
      if (failure) throw new Error(failure);
    } else {
      figures.concurrentBatches++;
      const observed = await Promise.all(actions.map((a) => send(r.reference, a)));
      const inBatch = new Set<string>();
      actions.forEach((a, i) => count(m, a, observed[i].status, inBatch));
      // Linearizable: some serial order of the batch gives exactly these answers.
      const explained = permutations(actions.map((_, i) => i)).map((order) => {
        const clone: Model = { ...m, keys: new Map(m.keys) };
        const failure = order.map((i) => step(clone, actions[i], observed[i])).find((f) => f !== undefined);
        return { clone, failure };
      });
      const fit = explained.find((e) => e.failure === undefined);
      if (!fit) throw new Error(`no serial order explains the concurrent batch: ${explained[0].failure}`);
      Object.assign(m, fit.clone);
    }
    await checkAgainst(m, r);
  }
  toString = () => {
    const shown = this.actions.length > 0 ? this.actions.map(label) : this.generated.map((a) => label(a as Action));
    return shown.length > 1 ? `concurrent(${shown.join(', ')})` : shown[0];
  };
}

class Expire implements fc.AsyncCommand<Model, Real> {
  constructor(readonly ms: number) {}
  check = () => true;
  async run(m: Model, r: Real) {
    figures.commands++;
    const res = await sandbox.app.inject({ method: 'POST', url: '/_sandbox/v1/clock/advance', payload: { ms: this.ms } });
    expect(res.statusCode).toBe(200);
    m.elapsed += this.ms;
    if (m.state === 'CREATED' && m.elapsed >= EXPIRY_MS) m.state = 'EXPIRED';
    await checkAgainst(m, r);
  }
  toString = () => `advance ${this.ms / 60_000} min`;
}

/** Figures only: replays and conflicts (also between requests of one batch), effects. */
function count(m: Model, a: Action, status: number, inBatch: Set<string>) {
  if (a.op === 'approve') return;
  const scope = `${a.op}\u0000${a.key}`;
  const seen = m.keys.get(scope);
  if (status === 409) figures.conflicts++;
  else if (seen || inBatch.has(scope)) figures.replays++;
  else if (status === 200) figures.effects++;
  inBatch.add(scope);
}

const label = (a: Action) => (a.op === 'approve' ? 'approve' : `${a.op.replace('Payment', '')}(${a.op === 'cancelPayment' ? (a.cancelTransactionOnly ? 'tx-only' : '') : a.value}, ${a.key})`);

function permutations(xs: number[]): number[][] {
  if (xs.length <= 1) return [xs];
  return xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));
}

// Keys from a small pool, so repeats (same body → replay, another body → conflict) are frequent.
const key = fc.oneof({ weight: 2, arbitrary: fc.constantFrom('k-1', 'k-2', 'k-3', 'k-4') }, { weight: 3, arbitrary: fc.uuid() });
const value: fc.Arbitrary<Amount> = fc.oneof(
  fc.constantFrom<Amount>('rest', 'rest+1', 'rest-1', 'half'),
  fc.constantFrom(1, 100, 250, 500, 999, AMOUNT, AMOUNT + 1),
  fc.integer({ min: 1, max: AMOUNT }).filter((v) => v !== 123 && v !== 124),
);
const action: fc.Arbitrary<GeneratedAction> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('capturePayment' as const), key, value }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('refundPayment' as const), key, value }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('cancelPayment' as const), key, value: fc.constant(0), cancelTransactionOnly: fc.boolean() }) },
  { weight: 1, arbitrary: fc.constant({ op: 'approve' as const }) },
);
const commands = [
  action.map((a) => new Send([a])),
  fc.constant(new Send([{ op: 'approve' }])),
  fc.array(action, { minLength: 2, maxLength: 4 }).map((as) => new Send(as)),
  // The same request twice at once: exactly one effect.
  fc.record({ op: fc.constantFrom('capturePayment' as const, 'refundPayment' as const), key, value }).map((a) => new Send([a, { ...a }])),
  fc.constantFrom(60_000, 5 * 60_000, EXPIRY_MS).map((ms) => new Expire(ms)),
];

describe('ePayment money rules against a reference model', () => {
  let receiver: Server;
  beforeAll(async () => {
    receiver = createServer((req, res) => {
      let text = '';
      req.on('data', (c) => (text += c));
      req.on('end', () => {
        const body = JSON.parse(text);
        deliveries.set(body.reference, [...(deliveries.get(body.reference) ?? []), body]);
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
    sandbox = await createSandbox({ settings: { rateLimits: { enabled: false }, tokenLifetimeSeconds: 10 * 365 * 86_400, webhookRetryDelaysMs: [50, 100, 200] } });
    const token = await sandbox.app.inject({
      method: 'POST',
      url: '/accesstoken/get',
      headers: { client_id: TEST_MERCHANT.clientId, client_secret: TEST_MERCHANT.clientSecret, 'ocp-apim-subscription-key': TEST_MERCHANT.subscriptionKeys[0] },
    });
    headers = { authorization: `Bearer ${token.json().access_token}`, 'ocp-apim-subscription-key': TEST_MERCHANT.subscriptionKeys[0], 'merchant-serial-number': TEST_MERCHANT.msn };
    const events = ['created', 'authorized', 'aborted', 'expired', 'cancelled', 'captured', 'refunded', 'terminated'].map((e) => `epayments.payment.${e}.v1`);
    const hook = await sandbox.app.inject({ method: 'POST', url: '/webhooks/v1/webhooks', headers: { ...headers, 'content-type': 'application/json' }, payload: JSON.stringify({ url: hookUrl, events }) });
    expect(hook.statusCode).toBe(201);
  });
  afterAll(async () => {
    await sandbox?.close();
    await new Promise((r) => receiver?.close(r));
    console.log(`money model: seed ${SEED}, ${figures.runs} runs, ${figures.commands} commands, ${figures.requests} modification/approve requests (${figures.concurrentBatches} concurrent batches), ${figures.effects} effects, ${figures.replays} replays, ${figures.conflicts} key conflicts`);
  });

  it('keeps the money invariants under random and concurrent captures, refunds, cancels, approvals and expiries', async () => {
    await fc.assert(
      fc.asyncProperty(fc.boolean(), fc.commands(commands, { maxCommands: 20 }), async (approved, cmds) => {
        figures.runs++;
        const reference = `model-${randomUUID().slice(0, 13)}`;
        const create = await sandbox.app.inject({
          method: 'POST',
          url: PAYMENTS,
          headers: { ...headers, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
          payload: JSON.stringify({ amount: { currency: 'NOK', value: AMOUNT }, paymentMethod: { type: 'WALLET' }, reference, userFlow: 'WEB_REDIRECT', returnUrl: 'https://example.com/r', paymentDescription: 'model' }),
        });
        expect(create.statusCode).toBe(201);
        const model: Model = { state: 'CREATED', U: 0, C: 0, R: 0, X: 0, elapsed: 0, keys: new Map() };
        // Half the runs start from an authorized payment, where the money moves.
        if (approved) {
          expect((await send(reference, { op: 'approve' })).status).toBe(200);
          Object.assign(model, { state: 'AUTHORIZED', U: AMOUNT });
        }
        await fc.asyncModelRun(() => ({ model, real: { reference } }), cmds);
        eventLogs.set(reference, []);
      }),
      { seed: SEED, numRuns: RUNS, interruptAfterTimeLimit: process.env.GOLIVE_FUZZ_RUNS ? 30 * 60_000 : 15_000, markInterruptAsFailure: false },
    );
    expect(figures.runs).toBeGreaterThan(5);
  }, 120_000);

  it('delivered webhooks that are the event log, in order, for every payment', async () => {
    // Later runs moved the clock: read every log now (late expiries are events too).
    for (const reference of eventLogs.keys()) eventLogs.set(reference, (await sandbox.app.inject({ method: 'GET', url: `${PAYMENTS}/${reference}/events`, headers })).json());
    const expected = () => [...eventLogs.entries()].reduce((n, [, e]) => n + e.length, 0);
    const got = () => [...deliveries.values()].reduce((n, d) => n + d.length, 0);
    for (let i = 0; i < 100 && got() < expected(); i++) await new Promise((r) => setTimeout(r, 50));
    expect(eventLogs.size).toBeGreaterThan(5);
    for (const [reference, events] of eventLogs) {
      const pick = (e: Record<string, any>) => ({ name: e.name, pspReference: e.pspReference, amount: e.amount.value, idempotencyKey: e.idempotencyKey ?? null });
      expect((deliveries.get(reference) ?? []).map(pick), reference).toEqual(events.map(pick));
    }
  }, 30_000);
});
