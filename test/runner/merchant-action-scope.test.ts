/**
 * The `merchant.action` step (src/runner/steps/merchant.ts) must fill in every template variable
 * `golive validate` allows in a custom action (ACTION_SCOPES.custom, src/suite/checking.ts): a
 * template that validates must not fail at run time for an unknown variable. Where a variable
 * cannot exist (no order yet, a param the step does not pass), the step says so in the flow's
 * words, not as golive's crash. Runs the real handler and MerchantActor against a stub on
 * 127.0.0.1 that records what it was sent.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MerchantActor } from '../../src/actors/merchant.ts';
import { MERCHANT_STEPS } from '../../src/runner/steps/merchant.ts';
import { StepFailure, type FlowContext, type Order } from '../../src/runner/flow-context.ts';
import { ACTION_SCOPES } from '../../src/suite/checking.ts';
import { parseProfile } from '../../src/suite/index.ts';
import { flowScope } from '../../src/suite/scope.ts';
import type { Observation } from '../../src/checks/types.ts';
import type { ActionRole, ResolvedProfile } from '../../src/suite/index.ts';
import { DEFAULT_CUSTOMER_PHONE_NUMBER } from '../../src/contract/in-person.ts';
import { IntegrationDefect } from '../../src/shared/errors.ts';

let server: Server;
let base: string;
const received: { method: string; url: string; body: unknown }[] = [];

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res) => {
    let text = '';
    req.on('data', (c) => (text += c));
    req.on('end', () => {
      received.push({ method: req.method ?? '', url: req.url ?? '', body: text ? JSON.parse(text) : undefined });
      // `/refuse…` answers as a shop that has nothing to send; `/push…` as one that sent a payment.
      if (req.url?.startsWith('/refuse')) res.writeHead(409, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'no shared phone number' }));
      else if (req.url?.startsWith('/push')) res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ reference: 'push-1' }));
      else if (req.url?.startsWith('/qr')) res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ qrId: 'taxi-1', url: 'http://qr/1' }));
      else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((r) => server?.close(r));
});

/** Every variable ACTION_SCOPES.custom allows, one template each: `{{env.X}}`, `{{flow.id}}`, `{{params.p}}` … */
function everyAllowedVariable(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [root, spec] of Object.entries(ACTION_SCOPES.custom)) {
    if (spec === 'leaf') out[root] = `{{${root}}}`;
    else if (spec === 'any') out[root] = `{{${root}.${root === 'env' ? 'GOLIVE_SCOPE_TEST' : root === 'vars' ? 'x' : 'p'}}}`;
    else for (const leaf of spec) out[`${root}.${leaf}`] = `{{${root}.${leaf}}}`;
  }
  return out;
}

function profileWith(actions: Record<string, unknown>): ResolvedProfile {
  return { profile: 'scope-test', baseUrl: base, merchant: { msn: '123456' }, actions, secretValues: [], capabilities: {} } as unknown as ResolvedProfile;
}

function fakeContext(profile: ResolvedProfile) {
  const observations: Observation[] = [];
  const suite = { suite: 's', title: 'Suite', vars: { x: 7, amount: 10_000 } };
  const flow = { id: 'f', title: 'Flow', vars: {} };
  const scope = flowScope({ suite, flow, profile, sandboxUrl: 'http://127.0.0.1:1', env: { GOLIVE_SCOPE_TEST: 'from-env' } });
  const flowAmount = 10_003;
  scope.amount = flowAmount;
  const orders = new Map<string, Order>();
  const ctx = {
    o: { profile, flow, suite },
    merchant: new MerchantActor(profile, { timeoutMs: 5_000, record: () => {} }),
    scope,
    flowAmount,
    orders,
    current: undefined as Order | undefined,
    now: () => Date.now(),
    observe: (o: Observation) => observations.push(o),
    addOrder(order: Order) {
      orders.set(order.reference, order);
      this.current = order;
    },
    ensurePage: async () => {
      throw new Error('no browser in this test');
    },
    recordPage: async () => {},
    recordRefusal: async (action: string) => {
      observations.push({ type: 'page', at: Date.now(), name: `${action}-error`, url: '', text: 'refused', answer: true });
    },
  };
  return { ctx, observations };
}

const runAction = (ctx: unknown, args: { name?: string; role?: ActionRole; params?: Record<string, unknown>; as?: string; expectRefusal?: boolean }) =>
  MERCHANT_STEPS['merchant.action'](ctx as FlowContext, { params: {}, expectRefusal: false, ...args } as never, 'merchant.action');

describe('merchant.action supplies what validation allows', () => {
  it('a profile using every variable of a custom action validates', () => {
    const body = everyAllowedVariable();
    const yaml = `profile: p
name: P
kind: direct
merchant:
  msn: "123456"
  clientId: \${env:A}
  clientSecret: \${env:B}
  subscriptionKey: \${env:C}
baseUrl: "http://127.0.0.1:1"
capabilities: { capture: false, refund: false, cancel: false }
actions:
  checkout: { http: { method: POST, url: "{{baseUrl}}/c", extract: { reference: $.reference } } }
  orderStatus: { http: { url: "{{baseUrl}}/o/{{reference}}", extract: { status: $.status } } }
  everything: { http: { method: POST, url: "{{baseUrl}}/all", body: ${JSON.stringify(body)} } }
`;
    const parsed = parseProfile(yaml, 'p.profile.yaml');
    expect(parsed.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  });

  it('at run time, after the flow has an order, every allowed variable has its value', async () => {
    const { ctx } = fakeContext(profileWith({ everything: { http: { method: 'POST', url: '{{baseUrl}}/all', headers: {}, extract: {}, body: everyAllowedVariable() } } }));
    ctx.addOrder({ reference: 'order-1', redirectUrl: 'http://127.0.0.1:1/landing', amount: 12_345 });
    received.length = 0;
    await runAction(ctx, { name: 'everything', params: { p: 'param-value' } });
    expect(received).toHaveLength(1);
    const sent = received[0].body as Record<string, unknown>;
    expect(Object.keys(sent).sort()).toEqual(Object.keys(everyAllowedVariable()).sort());
    expect(sent).toMatchObject({
      env: 'from-env',
      'sandbox.url': 'http://127.0.0.1:1',
      baseUrl: base,
      msn: '123456',
      'flow.id': 'f',
      'flow.title': 'Flow',
      'suite.id': 's',
      'suite.title': 'Suite',
      vars: 7,
      reference: 'order-1',
      amount: 12_345, // the current order's amount
      params: 'param-value',
      // IN_PERSON_SCOPE: the customer's phone, the amount in major units, a description, no QR scanned yet
      phoneNumber: DEFAULT_CUSTOMER_PHONE_NUMBER,
      amountMajor: '123.45',
      description: 'golive f',
      qrTarget: '',
    });
  });

  it("{{reference}} and {{amount}} are the current order's, also when an earlier scope held another order", async () => {
    const { ctx } = fakeContext(profileWith({ ship: { http: { method: 'POST', url: '{{baseUrl}}/orders/{{reference}}/ship', headers: {}, extract: {}, body: { amount: '{{amount}}' } } } }));
    Object.assign(ctx.scope, { reference: 'stale-order', amount: 1 });
    ctx.addOrder({ reference: 'order-2', amount: 20_000 });
    received.length = 0;
    await runAction(ctx, { name: 'ship' });
    expect(received[0]).toMatchObject({ method: 'POST', url: '/orders/order-2/ship', body: { amount: 20_000 } });
  });

  it('before any order, {{amount}} is the flow\'s own amount', async () => {
    const { ctx } = fakeContext(profileWith({ hello: { http: { method: 'POST', url: '{{baseUrl}}/hello', headers: {}, extract: {}, body: { amount: '{{amount}}' } } } }));
    received.length = 0;
    await runAction(ctx, { name: 'hello' });
    expect(received[0].body).toEqual({ amount: 10_003 });
  });

  it('{{reference}} before the flow has an order: a step failure that says so, not a golive crash', async () => {
    const { ctx } = fakeContext(profileWith({ ship: { http: { method: 'POST', url: '{{baseUrl}}/orders/{{reference}}/ship', headers: {}, extract: {} } } }));
    received.length = 0;
    const err = await runAction(ctx, { name: 'ship' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StepFailure);
    expect(err).toBeInstanceOf(IntegrationDefect);
    expect((err as Error).message).toMatch(/merchant action ship uses \{\{reference\}\}, but the flow has no order yet: a merchant\.checkout step must come before it/);
    expect(received).toHaveLength(0);
  });

  it('{{params.x}} the step does not pass: a step failure naming the param and what the step passes', async () => {
    const { ctx } = fakeContext(profileWith({ complete: { role: 'completeOrder', http: { method: 'POST', url: '{{baseUrl}}/orders/{{reference}}/complete', headers: {}, extract: {}, body: { qty: '{{params.qty}}' } } } }));
    ctx.addOrder({ reference: 'order-3', amount: 20_000 });
    const err = await runAction(ctx, { role: 'completeOrder', params: { shipped: 100 } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StepFailure);
    expect((err as Error).message).toContain('merchant action complete (role completeOrder) uses {{params.qty}}, which this merchant.action step does not pass (it passes params.shipped)');
  });

  it('the params a step passes reach the action with their types', async () => {
    const { ctx } = fakeContext(profileWith({ complete: { role: 'completeOrder', http: { method: 'POST', url: '{{baseUrl}}/orders/{{reference}}/complete', headers: {}, extract: {}, body: { shipped: '{{params.shipped}}' } } } }));
    ctx.addOrder({ reference: 'order-4', amount: 20_000 });
    received.length = 0;
    await runAction(ctx, { role: 'completeOrder', params: { shipped: 20_000 } });
    expect(received[0]).toMatchObject({ url: '/orders/order-4/complete', body: { shipped: 20_000 } });
  });

  it('expectRefusal: an error answer is the right one, recorded, and no order', async () => {
    const { ctx, observations } = fakeContext(profileWith({ again: { role: 'returningCheckout', http: { method: 'POST', url: '{{baseUrl}}/refuse', headers: {}, extract: { reference: '$.reference' } } } }));
    await runAction(ctx, { role: 'returningCheckout', params: { previousReference: 'p1' }, expectRefusal: true });
    expect(observations).toContainEqual(expect.objectContaining({ type: 'role-action', role: 'returningCheckout', refused: true, answer: expect.stringMatching(/409/) }));
    expect(observations).toContainEqual(expect.objectContaining({ type: 'page', name: 'again-error' }));
    expect(ctx.current).toBeUndefined();
  });

  it('expectRefusal: a payment sent anyway fails the step; without expectRefusal the same refusal is a failure', async () => {
    const sent = fakeContext(profileWith({ again: { role: 'returningCheckout', http: { method: 'POST', url: '{{baseUrl}}/push', headers: {}, extract: { reference: '$.reference' } } } }));
    const err = await runAction(sent.ctx, { role: 'returningCheckout', expectRefusal: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StepFailure);
    expect((err as Error).message).toBe('again (role returningCheckout) was expected to refuse, but it sent payment push-1');
    expect(sent.observations).toContainEqual(expect.objectContaining({ type: 'role-action', refused: false }));
    const refused = fakeContext(profileWith({ again: { role: 'returningCheckout', http: { method: 'POST', url: '{{baseUrl}}/refuse', headers: {}, extract: { reference: '$.reference' } } } }));
    await expect(runAction(refused.ctx, { role: 'returningCheckout' })).rejects.toThrow(/answered 409/);
  });

  it('a qrId the action extracts becomes {{qrId}} for customer.scanQr', async () => {
    const { ctx } = fakeContext(profileWith({ qr: { role: 'merchantRedirectQr', http: { method: 'POST', url: '{{baseUrl}}/qr', headers: {}, extract: { qrId: '$.qrId' } } } }));
    await runAction(ctx, { role: 'merchantRedirectQr', params: { qrId: 'taxi-1' } });
    expect(ctx.scope.qrId).toBe('taxi-1');
    expect(ctx.current).toBeUndefined(); // a QR is no order
  });
});
