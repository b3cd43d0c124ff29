import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { flowApplicability, loadProfile, loadSuite, pspApiVersionOf, PSP_V2_NO_FORCE_APPROVE, testApiReasons, WEBHOOK_OBSERVED_ITEMS } from '../../src/suite/index.ts';
import { parseRunOptions, UsageError } from '../../src/cli/run-options.ts';

const root = resolve(import.meta.dirname, '../..');
const suite = await loadSuite(resolve(root, 'suites/epayment/checklist.yaml'));
const profile = await loadProfile(resolve(root, 'config/reference-merchant.profile.yaml'));
const flow = (id: string) => suite.flows.find((f) => f.id === id)!;

describe('applicability by run target', () => {
  it('changes nothing against the sandbox (the default target)', () => {
    for (const f of suite.flows) expect(flowApplicability(f, profile).applicable, f.id).toBe(flowApplicability(f, profile, { target: 'sandbox' }).applicable);
    expect(flowApplicability(flow('payment-expires'), profile, { target: 'sandbox' })).toEqual({ applicable: true, reasons: [] });
  });

  it('rules out, with the reason, every flow that needs sandbox control against the test API', () => {
    const na = (id: string, customer?: 'force-approve' | 'interactive') => flowApplicability(flow(id), profile, { target: 'test-api', customer });
    expect(na('payment-expires').reasons).toEqual(['step sandbox.expire needs the sandbox control API, which the real test API does not have']);
    expect(na('polling-without-webhooks-or-redirect').reasons).toEqual(['it injects sandbox faults, which the real test API cannot do']);
    expect(na('lost-capture-response').reasons).toEqual(['step sandbox.fault needs the sandbox control API, which the real test API does not have']);
    expect(na('duplicate-webhooks').reasons).toEqual(['step sandbox.duplicateWebhooks needs the sandbox control API, which the real test API does not have']);
    expect(na('customer-rejects').reasons).toEqual(['the test API has no force reject (only force approve): a person must reject in the MT app (--interactive)']);
    // A person at the app can reject: then the flow applies.
    expect(na('customer-rejects', 'interactive')).toEqual({ applicable: true, reasons: [] });
    for (const id of ['order-captured', 'order-refunded', 'partial-refunds', 'order-cancelled', 'merchant-cancels-before-approval', 'return-while-pending', 'support-view']) expect(na(id), id).toEqual({ applicable: true, reasons: [] });
  });

  it("rules out the in-person flows that answer in the sandbox's simulated app or scan a QR through it", async () => {
    const inPerson = await loadSuite(resolve(root, 'suites/epayment/in-person.yaml'));
    for (const f of inPerson.flows) {
      const r = flowApplicability(f, profile, { target: 'test-api' });
      expect(r.applicable, f.id).toBe(false);
      expect(r.reasons.join(' '), f.id).toMatch(/customer\.scanQr|via: app|sandbox faults/);
    }
  });

  it('treats every Webhooks API item and the eCom callback as unobserved, per item: the flow still applies', () => {
    expect([...WEBHOOK_OBSERVED_ITEMS].sort()).toEqual(['EC-CALLBACK', 'WH-ACK-FAST', 'WH-IDEMPOTENT', 'WH-NOT-TRUTH', 'WH-SUCCESS-FLAG', 'WH-VERIFY-HMAC']);
    const f = { ...flow('order-captured'), checklist: [...flow('order-captured').checklist, 'WH-NOT-TRUTH'] };
    expect(testApiReasons(f)).toEqual([]);
  });
});

describe('the PSP API suite against the test API', async () => {
  const psp = await loadSuite(resolve(root, 'suites/psp/psp-api.yaml'));
  const v2 = await loadProfile(resolve(root, 'config/reference-psp-v2.profile.yaml'));
  const v3 = await loadProfile(resolve(root, 'config/reference-psp-v3.profile.yaml'));
  const applicable = (p: typeof v3, customer?: 'interactive') =>
    psp.flows.filter((f) => flowApplicability(f, p, { target: 'test-api', customer, api: psp.api, pspVersion: pspApiVersionOf(p) }).applicable).map((f) => f.id);
  const reasons = (p: typeof v3, id: string) => flowApplicability(psp.flows.find((f) => f.id === id)!, p, { target: 'test-api', api: psp.api, pspVersion: pspApiVersionOf(p) }).reasons;

  it('v3: the approved card is the test user\'s own (force approve); other cards and forgeries stay sandbox-only', () => {
    expect(pspApiVersionOf(v3)).toBe('v3');
    expect(applicable(v3)).toEqual(['reserved-captured', 'refunded', 'cancelled', 'customer-never-returns']);
    expect(reasons(v3, 'card-declined')).toEqual(["step customer.tryCard pays with a card through the sandbox's card control"]);
    expect(reasons(v3, 'soft-declined')).toEqual(["step customer.approve pays with a card through the sandbox's card control"]);
    expect(reasons(v3, 'customer-cancels')).toEqual(['the test API has no force reject (only force approve): a person must reject in the MT app (--interactive)']);
    expect(applicable(v3, 'interactive')).toContain('customer-cancels');
  });

  it('v2: no force approve, so approving needs a person (--interactive)', () => {
    expect(pspApiVersionOf(v2)).toBe('v2');
    expect(applicable(v2)).toEqual([]);
    for (const id of ['reserved-captured', 'refunded', 'cancelled', 'customer-never-returns']) expect(reasons(v2, id), id).toEqual([PSP_V2_NO_FORCE_APPROVE]);
    expect(applicable(v2, 'interactive')).toEqual(['reserved-captured', 'refunded', 'cancelled', 'customer-cancels', 'customer-never-returns']);
  });

  it("card passthrough: the approved card is the test user's own; other cards, tryCard and sandbox steps stay sandbox-only", async () => {
    const passthrough = await loadSuite(resolve(root, 'suites/psp/card-passthrough.yaml'));
    const flow = (id: string) => passthrough.flows.find((f) => f.id === id)!;
    const card = "step customer.approve pays with a card through the sandbox's card control";
    expect(testApiReasons(flow('card-reserved-captured'), { api: passthrough.api })).toEqual([]);
    for (const id of ['card-soft-declined', 'co-branded-card-type']) expect(testApiReasons(flow(id), { api: passthrough.api }), id).toContain(card);
    expect(testApiReasons(flow('card-declined-then-retried'), { api: passthrough.api })).toContain("step customer.tryCard pays with a card through the sandbox's card control");
    expect(testApiReasons(flow('forged-card-callback-refused'), { api: passthrough.api }).join()).toMatch(/sandbox control API/);
    // Elsewhere a named card is the sandbox's.
    expect(testApiReasons(flow('card-reserved-captured'), { api: 'epayment-v1' })).toContain(card);
  });
});

describe('--target test-api options', () => {
  const parse = (o: Parameters<typeof parseRunOptions>[0], p = profile) => parseRunOptions(o, p);

  it('defaults to the profile target, the real test environment, 10 requests/s and the profile worker cap', () => {
    expect(parse({}).target).toBe('sandbox');
    expect(parse({}).testApi).toBeUndefined();
    const o = parse({ target: 'test-api', workers: '4' });
    expect(o.testApi).toEqual({ upstream: 'https://apitest.vipps.no', requestsPerSecond: 10, customer: 'force-approve' });
    expect(o.workers).toBe('1');
    const capped = parse({ target: 'test-api', workers: '4', upstream: 'http://127.0.0.1:9/', rateLimit: '2.5', interactive: true }, { ...profile, testApi: { ...profile.testApi, maxWorkers: 3 } });
    expect(capped).toMatchObject({ workers: '3', testApi: { upstream: 'http://127.0.0.1:9', requestsPerSecond: 2.5, customer: 'interactive' } });
    expect(parse({ target: 'test-api' }, { ...profile, target: 'test-api', testApi: { ...profile.testApi, maxWorkers: 2 } }).workers).toBe('2');
  });

  it('refuses what does not fit, in one line', () => {
    expect(() => parse({ target: 'prod' })).toThrow(new UsageError('--target "prod": expected sandbox or test-api'));
    expect(() => parse({ upstream: 'http://x' })).toThrow('--upstream applies to --target test-api only');
    expect(() => parse({ target: 'test-api', rateLimit: '0' })).toThrow(/--rate-limit "0": expected requests per second > 0/);
    expect(() => parse({ target: 'test-api', upstream: 'ftp://x' })).toThrow(/expected an http\(s\) URL/);
    expect(() => parse({ target: 'test-api', sandboxUrl: 'http://127.0.0.1:1' })).toThrow(/exclude each other/);
    expect(() => parse({ target: 'test-api', interactive: true }, { ...profile, api: 'ecom-v2' })).toThrow(/--interactive supports ePayment and PSP API/);
    // Card passthrough and the PSP API (both kind psp) run, with a person if need be.
    expect(parse({ target: 'test-api' }, { ...profile, kind: 'psp' }).testApi?.customer).toBe('force-approve');
    expect(parse({ target: 'test-api', interactive: true }, { ...profile, kind: 'psp', api: 'psp-v2' }).testApi?.customer).toBe('interactive');
  });
});
