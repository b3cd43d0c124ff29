import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControlClient } from '../../src/sandbox/client.ts';
import type { Sandbox } from '../../src/sandbox/index.ts';
import { exchangesOfFlow } from '../../src/traffic/flow-scope.ts';
import { call, merchantHeaders, startSandbox, TEST_MERCHANT } from '../helpers/sandbox.ts';

/** Two flows running at once on one sandbox, each told to the sandbox through the control API. */
describe('the sandbox tags exchanges with their flow at record time', () => {
  let sandbox: Sandbox;
  let control: ControlClient;
  let api: Record<string, string>;
  const msn = TEST_MERCHANT.msn;

  beforeAll(async () => {
    sandbox = await startSandbox({ settings: { rateLimits: { enabled: false } } });
    control = new ControlClient(sandbox.url);
    api = await merchantHeaders(sandbox.url);
  });
  afterAll(() => sandbox.close());

  const create = (amount: number, body: Record<string, unknown> = {}) => {
    const reference = `tag-${randomUUID()}`;
    return call(sandbox.url, 'POST', '/epayment/v1/payments', {
      headers: { ...api, 'Idempotency-Key': randomUUID() },
      body: { amount: { currency: 'NOK', value: amount }, paymentMethod: { type: 'WALLET' }, reference, userFlow: 'WEB_REDIRECT', returnUrl: 'https://shop.example/return', ...body },
    }).then((res) => ({ reference, status: res.status }));
  };
  const get = (reference: string) => call(sandbox.url, 'GET', `/epayment/v1/payments/${reference}`, { headers: api });
  const flowIdsOf = async (reference: string) => (await control.traffic({ reference })).exchanges.map((e) => e.flowId);

  it('tags creates of a flow’s amount, its payments’ later exchanges, and leaves partner-wide calls untagged', async () => {
    const startedAt = (await control.clock()).now;
    await control.startFlowTags({ label: 'suite/a/1', flowId: 'a', msn, amount: 10_001 });
    await control.startFlowTags({ label: 'suite/b/1', flowId: 'b', msn, amount: 10_002 });
    const [a, b, refusedOfA] = await Promise.all([create(10_001), create(10_002), create(10_001, { returnUrl: 'not a url' })]);
    expect([a.status, b.status, refusedOfA.status]).toEqual([201, 201, 400]);
    await Promise.all([get(a.reference), get(b.reference), merchantHeaders(sandbox.url)]);
    await control.customer('approve', msn, a.reference, { phoneNumber: '4791234567' });

    expect(await flowIdsOf(a.reference)).toEqual(['a', 'a']); // create, GET
    const [approval] = (await control.traffic({ api: 'sandbox-control', operation: 'approvePayment', reference: a.reference })).exchanges;
    expect(approval.flowId).toBe('a');
    expect(await flowIdsOf(b.reference)).toEqual(['b', 'b']);
    const refused = (await control.traffic({ operation: 'createPayment', since: startedAt })).exchanges.find((e) => e.response?.status === 400)!;
    expect(refused.flowId).toBe('a');
    const tokens = (await control.traffic({ api: 'access-token', since: startedAt })).exchanges;
    expect(tokens.length).toBeGreaterThan(0);
    expect(tokens.every((e) => e.flowId === undefined)).toBe(true);

    // The runner's rule reads the tag first: b's exchanges are never a's.
    const all = (await control.traffic({ since: startedAt })).exchanges;
    const scopeOfA = { references: [a.reference], startedAt, endedAt: 0, msn, amount: 10_001, flowId: 'a' };
    const ofA = exchangesOfFlow(all, scopeOfA);
    expect(ofA.some((e) => e.flowId === 'b')).toBe(false);
    expect(ofA.filter((e) => e.flowId === 'a')).toHaveLength(3); // create, refused create, GET
    expect(ofA.filter((e) => e.flowId === undefined).every((e) => e.api === 'access-token')).toBe(true);

    // After the flow ended: its payment is still its own; a create of its amount is no longer.
    await control.endFlowTags('suite/a/1');
    await get(a.reference);
    expect((await flowIdsOf(a.reference)).at(-1)).toBe('a');
    const after = await create(10_001);
    expect(await flowIdsOf(after.reference)).toEqual([undefined]);
    await control.endFlowTags('suite/b/1');
  });

  it("keeps a payment with the flow that created it when another flow's create reuses its reference and is refused", async () => {
    await control.startFlowTags({ label: 'dup/c', flowId: 'c', msn, amount: 30_001 });
    await control.startFlowTags({ label: 'dup/d', flowId: 'd', msn, amount: 30_002 });
    const reference = `tag-${randomUUID()}`;
    const body = (value: number) => ({ amount: { currency: 'NOK', value }, paymentMethod: { type: 'WALLET' }, reference, userFlow: 'WEB_REDIRECT', returnUrl: 'https://shop.example/return' });
    const first = await call(sandbox.url, 'POST', '/epayment/v1/payments', { headers: { ...api, 'Idempotency-Key': randomUUID() }, body: body(30_001) });
    // d's create reuses c's reference (a duplicate): refused, and it is d's exchange…
    const duplicate = await call(sandbox.url, 'POST', '/epayment/v1/payments', { headers: { ...api, 'Idempotency-Key': randomUUID() }, body: body(30_002) });
    expect([first.status, duplicate.status]).toEqual([201, 409]);
    await get(reference);
    // …but the payment, and what follows of it, stays c's.
    expect(await flowIdsOf(reference)).toEqual(['c', 'd', 'c']);
    await Promise.all([control.endFlowTags('dup/c'), control.endFlowTags('dup/d')]);
  });

  it('leaves a create two running flows could both claim untagged (the rule infers it)', async () => {
    await control.startFlowTags({ label: 'run1/x', flowId: 'x', msn, amount: 20_000 });
    await control.startFlowTags({ label: 'run2/x', flowId: 'y', msn, amount: 20_000 });
    const { reference } = await create(20_000);
    expect(await flowIdsOf(reference)).toEqual([undefined]);
    await Promise.all([control.endFlowTags('run1/x'), control.endFlowTags('run2/x')]);
  });

  it('answers 404 when ending a flow it does not run, 400 for an incomplete one', async () => {
    await expect(control.endFlowTags('never-started')).rejects.toMatchObject({ status: 404 });
    await expect(control.startFlowTags({ label: 'l', flowId: 'f', msn } as never)).rejects.toMatchObject({ status: 400 });
  });
});
