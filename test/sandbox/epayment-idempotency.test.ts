import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.ts';
import { specAvailable, SPEC_MISSING_MESSAGE, validateTraffic } from '../helpers/openapi.ts';
import { call, merchantHeaders, startSandbox, TEST_MERCHANT, type CallResult } from '../helpers/sandbox.ts';

/** Idempotency-Key semantics (vipps-facts §2.2) and rate limits (§2.15), over real HTTP. */

const PAYMENTS = '/epayment/v1/payments';
let seq = 0;
const newRef = (prefix = 'idem') => `${prefix}-${Date.now().toString(36)}-${++seq}`;

function createBody(overrides: Record<string, unknown> = {}) {
  return {
    amount: { currency: 'NOK', value: 1000 },
    paymentMethod: { type: 'WALLET' },
    reference: newRef(),
    userFlow: 'WEB_REDIRECT',
    returnUrl: 'https://example.com/return',
    ...overrides,
  };
}

function codeOf(res: CallResult): string | undefined {
  return res.body?.extraDetails?.find((d: any) => d.name === 'ErrorCode')?.reason;
}

function client(sandbox: () => Sandbox, headers: () => Record<string, string>) {
  const api = (method: string, path: string, options: { headers?: Record<string, string>; body?: unknown } = {}) =>
    call(sandbox().url, method, path, { ...options, headers: { ...headers(), ...options.headers } });
  const modify = (op: string) => (ref: string, key: string, body?: unknown) => api('POST', `${PAYMENTS}/${ref}/${op}`, { headers: { 'Idempotency-Key': key }, body });
  return {
    api,
    create: (body: unknown, key: string = randomUUID()) => api('POST', PAYMENTS, { headers: { 'Idempotency-Key': key }, body }),
    get: (ref: string) => api('GET', `${PAYMENTS}/${ref}`),
    events: (ref: string) => api('GET', `${PAYMENTS}/${ref}/events`),
    capture: modify('capture'),
    refund: modify('refund'),
    cancel: modify('cancel'),
    approve: (ref: string) => api('POST', `/epayment/v1/test/payments/${ref}/approve`, { body: { customer: { phoneNumber: '4791234567' } } }),
  };
}

const amount = (value: number) => ({ modificationAmount: { currency: 'NOK', value } });

if (!specAvailable()) console.warn(SPEC_MISSING_MESSAGE);

describe('ePayment idempotency', () => {
  let sandbox: Sandbox;
  let H: Record<string, string>;
  const c = client(() => sandbox, () => H);

  beforeAll(async () => {
    sandbox = await startSandbox({ settings: { rateLimits: { enabled: false } } });
    H = await merchantHeaders(sandbox.url);
  });
  afterAll(() => sandbox.close());

  async function authorizedPayment(value = 1000) {
    const body = createBody({ amount: { currency: 'NOK', value } });
    expect((await c.create(body)).status).toBe(201);
    expect((await c.approve(body.reference)).status).toBe(200);
    return body.reference;
  }

  it('create: same key + same body replays the 201; a different body is 4020; another key for the reference is 4150', async () => {
    const body = createBody();
    const first = await c.create(body, 'create-1');
    expect(first.status).toBe(201);
    const again = await c.create(JSON.parse(JSON.stringify({ ...body, reference: body.reference })), 'create-1');
    expect([again.status, again.text]).toEqual([first.status, first.text]);
    const reordered = await c.api('POST', PAYMENTS, {
      headers: { 'Idempotency-Key': 'create-1' },
      body: { userFlow: body.userFlow, returnUrl: body.returnUrl, reference: body.reference, paymentMethod: body.paymentMethod, amount: { value: 1000, currency: 'NOK' } },
    });
    expect(reordered.text).toBe(first.text);

    const changed = await c.create({ ...body, amount: { currency: 'NOK', value: 2000 } }, 'create-1');
    expect(changed.status).toBe(409);
    expect(codeOf(changed)).toBe('4020');
    expect(changed.body.title).toBe('Idempotency error');

    const otherKey = await c.create(body, 'create-2');
    expect([otherKey.status, codeOf(otherKey)]).toEqual([409, '4150']);
    const otherKeyAgain = await c.create(body, 'create-2');
    expect(otherKeyAgain.text).toBe(otherKey.text); // the 4xx outcome sticks to its key (same traceId)

    // One payment, one CREATED event, carrying the first key.
    const events = (await c.events(body.reference)).body;
    expect(events.map((e: any) => [e.name, e.idempotencyKey])).toEqual([['CREATED', 'create-1']]);
    expect(sandbox.traffic.query({ operation: 'createPayment', reference: body.reference }).map((e) => e.notes?.idempotency)).toEqual([
      undefined,
      'replay',
      'replay',
      'conflict',
      undefined,
      'replay',
    ]);

    // Keys are scoped to the reference: the same key creates another payment.
    const second = createBody();
    expect((await c.create(second, 'create-1')).status).toBe(201);
  });

  it('a rejected create stays rejected for its key, even once the body is fixed', async () => {
    const body = createBody({ amount: { currency: 'NOK', value: 10.5 } });
    const bad = await c.create(body, 'bad-create');
    expect([bad.status, codeOf(bad)]).toEqual([400, '4040']);
    const replay = await c.create(body, 'bad-create');
    expect(replay.text).toBe(bad.text);
    const fixed = await c.create({ ...body, amount: { currency: 'NOK', value: 1000 } }, 'bad-create');
    expect([fixed.status, codeOf(fixed)]).toEqual([409, '4020']);
    expect((await c.create({ ...body, amount: { currency: 'NOK', value: 1000 } }, 'good-create')).status).toBe(201);
  });

  it('create: the replayed 201 is the first one byte for byte after the payment moved on (authorized, captured)', async () => {
    const body = createBody();
    const first = await c.create(body, 'create-moved');
    expect(first.status).toBe(201);
    expect((await c.approve(body.reference)).status).toBe(200);
    expect((await c.capture(body.reference, 'cap-moved', amount(400))).status).toBe(200);
    const again = await c.create(body, 'create-moved');
    expect([again.status, again.text, again.headers['content-type']]).toEqual([201, first.text, first.headers['content-type']]);
    expect(again.body.redirectUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
  });

  it('capture: replay without a second capture; different body 4010; a 4xx outcome is replayed too', async () => {
    const ref = await authorizedPayment();
    const first = await c.capture(ref, 'cap-1', amount(300));
    expect(first.status).toBe(200);
    const replay = await c.capture(ref, 'cap-1', amount(300));
    expect([replay.status, replay.text]).toEqual([200, first.text]);
    const conflict = await c.capture(ref, 'cap-1', amount(400));
    expect([conflict.status, codeOf(conflict), conflict.body.title]).toEqual([409, '4010', 'Capture idempotency conflict']);

    const tooMuch = await c.capture(ref, 'cap-2', amount(800));
    expect([tooMuch.status, codeOf(tooMuch)]).toEqual([400, '6090']);
    expect((await c.capture(ref, 'cap-2', amount(800))).text).toBe(tooMuch.text);
    expect(codeOf(await c.capture(ref, 'cap-2', amount(700)))).toBe('4010');

    // A later capture with a new key changes the payment, but the old key still replays the old answer.
    expect((await c.capture(ref, 'cap-3', amount(700))).body.aggregate.capturedAmount.value).toBe(1000);
    expect((await c.capture(ref, 'cap-1', amount(300))).text).toBe(first.text);
    expect((await c.get(ref)).body.aggregate.capturedAmount.value).toBe(1000);
    expect((await c.events(ref)).body.filter((e: any) => e.name === 'CAPTURED').map((e: any) => e.idempotencyKey)).toEqual(['cap-1', 'cap-3']);
  });

  it('refund and cancel: replays and conflicts (4150 "Refund idempotency conflict", 4020)', async () => {
    const ref = await authorizedPayment();
    await c.capture(ref, 'cap', amount(600));
    const refund = await c.refund(ref, 'ref-1', amount(100));
    expect((await c.refund(ref, 'ref-1', amount(100))).text).toBe(refund.text);
    const refundConflict = await c.refund(ref, 'ref-1', amount(200));
    expect([refundConflict.status, codeOf(refundConflict), refundConflict.body.title]).toEqual([409, '4150', 'Refund idempotency conflict']);
    expect((await c.get(ref)).body.aggregate.refundedAmount.value).toBe(100);

    const cancel = await c.cancel(ref, 'can-1');
    expect(cancel.body.aggregate.cancelledAmount.value).toBe(400);
    expect((await c.cancel(ref, 'can-1')).text).toBe(cancel.text); // not 6190: it is a replay
    expect((await c.cancel(ref, 'can-1', {})).text).toBe(cancel.text); // `{}` means the same as no body
    const cancelConflict = await c.cancel(ref, 'can-1', { cancelTransactionOnly: true });
    expect([cancelConflict.status, codeOf(cancelConflict)]).toEqual([409, '4020']);
    expect(codeOf(await c.cancel(ref, 'can-2'))).toBe('6190');

    // Scope is per operation: the same key on another operation of the payment is a new request.
    expect((await c.refund(ref, 'cap', amount(50))).status).toBe(200);
    expect((await c.get(ref)).body.aggregate.refundedAmount.value).toBe(150);
  });

  it('20 identical concurrent captures held back by a delay fault apply once and all get the same answer', async () => {
    const ref = await authorizedPayment();
    sandbox.faults.add({ match: { api: 'epayment', operation: 'capturePayment', reference: ref }, effect: { type: 'delay', ms: 400 } });
    const started = performance.now();
    const answers = await Promise.all(Array.from({ length: 20 }, () => c.capture(ref, 'concurrent-key', amount(100))));
    const elapsed = performance.now() - started;
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(new Set(answers.map((a) => a.text)).size).toBe(1);
    expect(answers[0].body.aggregate.capturedAmount.value).toBe(100);
    expect((await c.get(ref)).body.aggregate.capturedAmount.value).toBe(100);
    expect((await c.events(ref)).body.filter((e: any) => e.name === 'CAPTURED')).toHaveLength(1);

    const recorded = sandbox.traffic.query({ operation: 'capturePayment', reference: ref });
    expect(recorded).toHaveLength(20);
    expect(recorded.every((e) => e.fault === 'delay')).toBe(true);
    expect(recorded.filter((e) => e.notes?.idempotency === 'replay')).toHaveLength(19);
    // They really were in flight together: 20 × 400 ms of delay took well under 20 × 400 ms.
    expect(elapsed).toBeLessThan(2000);
  });

  it('20 identical concurrent creates make one payment; 20 different concurrent captures never exceed the authorization', async () => {
    const body = createBody({ amount: { currency: 'NOK', value: 7777 } });
    sandbox.faults.add({ match: { api: 'epayment', operation: 'createPayment', amount: 7777 }, effect: { type: 'delay', ms: 100 } });
    const creates = await Promise.all(Array.from({ length: 20 }, () => c.create(body, 'same-create')));
    expect(new Set(creates.map((r) => `${r.status} ${r.text}`))).toEqual(new Set([`201 ${creates[0].text}`]));
    expect((await c.events(body.reference)).body).toHaveLength(1);

    const ref = await authorizedPayment(1000);
    sandbox.faults.add({ match: { api: 'epayment', operation: 'capturePayment', reference: ref }, effect: { type: 'delay', ms: 100 } });
    const captures = await Promise.all(Array.from({ length: 20 }, (_, i) => c.capture(ref, `distinct-${i}`, amount(100))));
    expect(captures.filter((r) => r.status === 200)).toHaveLength(10);
    expect(captures.filter((r) => r.status === 400).map(codeOf).sort()).toEqual([...Array(10)].map(() => '6170'));
    expect((await c.get(ref)).body.aggregate.capturedAmount.value).toBe(1000);
  });

  it.skipIf(!specAvailable())('every recorded response validates against epayment-v1.yaml', async () => {
    const { validated, failures } = await validateTraffic(sandbox.traffic.all());
    expect(failures).toEqual([]);
    expect(validated).toBeGreaterThan(40);
  });
});

describe('ePayment rate limits', () => {
  let sandbox: Sandbox;
  let H: Record<string, string>;
  const c = client(() => sandbox, () => H);

  beforeAll(async () => {
    sandbox = await startSandbox();
    H = await merchantHeaders(sandbox.url);
  });
  afterAll(() => sandbox.close());

  it('create: 5 per minute per reference + MSN; the 6th is 429 (not 4150) with Retry-After, the window resets', async () => {
    const body = createBody();
    const answers: CallResult[] = [];
    for (let i = 0; i < 5; i++) answers.push(await c.create(body, `rl-create-${i}`));
    expect(answers.map((a) => a.status)).toEqual([201, 409, 409, 409, 409]);
    expect(answers.slice(1).map(codeOf)).toEqual(['4150', '4150', '4150', '4150']);

    const limited = await c.create(body, 'rl-create-5');
    expect(limited.status).toBe(429);
    expect(limited.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(limited.body).toMatchObject({ status: 429, title: 'Too Many Requests' });
    const retryAfter = Number(limited.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    // Even a replay of a stored answer is counted: the limit sits in front of everything.
    expect((await c.create(body, 'rl-create-0')).status).toBe(429);
    // Other references are not affected.
    expect((await c.create(createBody(), 'rl-other')).status).toBe(201);

    sandbox.clock.advance(60_000);
    const after = await c.create(body, 'rl-create-6');
    expect([after.status, codeOf(after)]).toEqual([409, '4150']);
    expect(sandbox.traffic.query({ operation: 'createPayment', reference: body.reference }).filter((e) => e.notes?.rateLimited)).toHaveLength(2);
  });

  it('capture: 5 per minute per reference; the 6th is not applied; other operations count separately', async () => {
    const body = createBody();
    await c.create(body);
    await c.approve(body.reference);
    const answers: CallResult[] = [];
    for (let i = 0; i < 6; i++) answers.push(await c.capture(body.reference, `rl-cap-${i}`, amount(100)));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 429]);
    expect(answers[5].headers['retry-after']).toBeDefined();
    expect((await c.refund(body.reference, 'rl-ref-0', amount(100))).status).toBe(200);
    expect((await c.get(body.reference)).body.aggregate).toMatchObject({ capturedAmount: { value: 500 }, refundedAmount: { value: 100 } });
    sandbox.clock.advance(60_000);
    expect((await c.capture(body.reference, 'rl-cap-6', amount(100))).status).toBe(200);
  });

  it('reads: 120 per minute per reference + subscription key, for GET payment and the event log each', async () => {
    const body = createBody();
    await c.create(body);
    for (let i = 0; i < 120; i++) {
      const res = await c.get(body.reference);
      if (res.status !== 200) throw new Error(`read ${i + 1} answered ${res.status}`);
    }
    const limited = await c.get(body.reference);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect((await c.events(body.reference)).status).toBe(200);
    // The secondary subscription key of the same sales unit has its own budget.
    const secondary = await c.api('GET', `${PAYMENTS}/${body.reference}`, { headers: { 'Ocp-Apim-Subscription-Key': TEST_MERCHANT.subscriptionKeys[1] } });
    expect(secondary.status).toBe(200);
    sandbox.clock.advance(60_000);
    expect((await c.get(body.reference)).status).toBe(200);
  });

  it.skipIf(!specAvailable())('every recorded response validates against epayment-v1.yaml', async () => {
    const { validated, failures } = await validateTraffic(sandbox.traffic.all());
    expect(failures).toEqual([]);
    expect(validated).toBeGreaterThan(100);
  });
});
