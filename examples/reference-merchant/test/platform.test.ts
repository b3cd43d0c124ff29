// Platform mode: three tenants (shops) on one process with the sandbox's default test partner's
// keys (DEFAULT_TEST_PARTNER: sales units 123456, 234567, 345678), one partner token, each call
// with the tenant's own MSN, one partner-wide webhook registered without an MSN, deliveries
// routed by the payload's msn — and the platform fault switches, each visibly changing that.
// Real sandbox on 127.0.0.1, the platform in-process.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TEST_PARTNER, type Sandbox } from '../../../src/sandbox/index.ts';
import { configFromArgs, resolveConfig, type AnyFaultSwitch } from '../src/config.ts';
import { startReferenceMerchant } from '../src/index.ts';
import { startReferencePlatform, type PlatformStartOptions, type PlatformTenantShop, type ReferencePlatform } from '../src/platform.ts';
import { customer, FAST, header, http, sleep, startSandbox, waitFor } from './helpers.ts';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(async () => {
  await sandbox?.close();
});

const SYSTEM_HEADERS = ['vipps-system-name', 'vipps-system-version', 'vipps-system-plugin-name', 'vipps-system-plugin-version'];
/** Webhooks only: the first poll far away, so what changes an order is a delivery. */
const NO_POLLING = { pollInitialDelayMs: 60_000 } as const;

async function withPlatform(options: PlatformStartOptions, fn: (p: ReferencePlatform) => Promise<void>): Promise<void> {
  // Each platform's exchanges only: the sandbox (and its traffic) is shared by the file's tests.
  const platform = await startReferencePlatform({ vippsBaseUrl: sandbox.url, port: 0, ...FAST, ...options });
  try {
    await fn(platform);
  } finally {
    await platform.close();
  }
}
const withFault = (fault: AnyFaultSwitch, options: PlatformStartOptions, fn: (p: ReferencePlatform) => Promise<void>) =>
  withPlatform({ ...options, faults: [fault] }, fn);

async function checkout(t: PlatformTenantShop, amount = 24900) {
  const res = await http(t.url, 'POST', '/api/checkout', { amount, description: `Espresso for ${t.id}` });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { reference: string; redirectUrl: string; returnUrl: string; orderUrl: string };
}
const orderOf = async (t: PlatformTenantShop, reference: string) => (await http(t.url, 'GET', `/api/orders/${encodeURIComponent(reference)}`)).body;
const waitForStatus = (t: PlatformTenantShop, reference: string, status: string) =>
  waitFor(`${t.id}'s order ${reference} to be ${status}`, () => orderOf(t, reference), (o) => o?.status === status);
/** ePayment calls recorded for a reference (any MSN). */
const epaymentCalls = (reference: string, afterSeq: number) =>
  sandbox.traffic.query({ kind: 'api', api: 'epayment', afterSeq }).filter((e) => e.reference === reference);
const lastSeq = () => sandbox.traffic.query({}).at(-1)?.seq ?? 0;
/** Wait until the sandbox recorded the partner-wide delivery of `name` for msn/reference, answered 200. */
const delivered = (msn: string, reference: string, name: string, afterSeq: number) =>
  waitFor(`delivery of ${name} for ${msn}/${reference}`, () =>
    sandbox.traffic.query({ kind: 'webhook', afterSeq }).filter((e) => e.msn === msn && e.reference === reference && (e.request.body as any)?.name === name && e.response?.status === 200),
    (list) => list.length > 0,
  );

describe('platform mode: configuration', () => {
  it('reads tenants from --platform-tenants / REFERENCE_PLATFORM_TENANTS, rejects bad ones; the single shop refuses platform switches', async () => {
    expect(configFromArgs(['--platform-tenants', 'alpha:123456,beta:234567']).platformTenants).toEqual([
      { id: 'alpha', msn: '123456' },
      { id: 'beta', msn: '234567' },
    ]);
    expect(configFromArgs([], { REFERENCE_PLATFORM_TENANTS: 'gamma:345678' }).platformTenants).toEqual([{ id: 'gamma', msn: '345678' }]);
    expect(() => configFromArgs(['--platform-tenants', 'alpha'])).toThrow(/id:msn/);
    expect(() => resolveConfig({ platformTenants: [{ id: 'a', msn: '123456' }, { id: 'b', msn: '123456' }] })).toThrow(/distinct/);
    await expect(startReferenceMerchant({ vippsBaseUrl: sandbox.url, port: 0, faults: ['foreign-msn'] })).rejects.toThrow(/platform mode/);
  });
});

describe('platform mode', () => {
  it('three tenants create and capture with ONE partner token, each call with its own MSN and the system headers; one partner-wide webhook without MSN', async () => {
    const since = lastSeq();
    await withPlatform({}, async (p) => {
      expect(p.tenants.map((t) => [t.id, t.msn])).toEqual([['alpha', '123456'], ['beta', '234567'], ['gamma', '345678']]);
      expect((await http(p.url, 'GET', '/health')).body).toMatchObject({ status: 'ok', tenants: 3 });
      const shops = (await http(p.url, 'GET', '/shops')).body;
      expect(shops.tenants).toEqual(p.tenants.map((t) => ({ id: t.id, msn: t.msn, baseUrl: `${p.url}/shops/${t.id}` })));
      expect(shops.webhook.url).toBe(`${p.url}/webhooks/vipps`);

      const refs = new Map<string, string>();
      for (const t of p.tenants) {
        const c = await checkout(t);
        expect(c.returnUrl).toBe(`${t.url}/return?reference=${encodeURIComponent(c.reference)}`);
        expect(c.orderUrl).toBe(`${t.url}/orders/${encodeURIComponent(c.reference)}`);
        refs.set(t.id, c.reference);
        await customer(sandbox, t.msn, c.reference, 'approve');
      }
      for (const t of p.tenants) {
        const reference = refs.get(t.id)!;
        await waitForStatus(t, reference, 'paid');
        const captured = await http(t.url, 'POST', `/api/orders/${encodeURIComponent(reference)}/capture`, {});
        expect(captured.status, JSON.stringify(captured.body)).toBe(200);
        expect(captured.body.status).toBe('captured');
      }

      const ours = sandbox.traffic.query({ kind: 'api', afterSeq: since });
      // One token for the partner, fetched without an MSN, for all three tenants.
      const tokens = ours.filter((e) => e.api === 'access-token');
      expect(tokens).toHaveLength(1);
      expect(header(tokens[0], 'merchant-serial-number')).toBeUndefined();
      expect(header(tokens[0], 'client_id')).toBe(DEFAULT_TEST_PARTNER.clientId);
      expect(tokens[0].notes?.partner).toBe(DEFAULT_TEST_PARTNER.id);
      const bearers = new Set(ours.filter((e) => e.api !== 'access-token').map((e) => header(e, 'authorization')));
      expect(bearers.size).toBe(1);

      for (const t of p.tenants) {
        const calls = epaymentCalls(refs.get(t.id)!, since);
        expect(calls.map((e) => e.operation)).toEqual(expect.arrayContaining(['createPayment', 'capturePayment']));
        for (const e of calls) {
          expect(e.response?.status, `${t.id} ${e.operation}`).toBeLessThan(300);
          expect(header(e, 'merchant-serial-number'), `${t.id} ${e.operation}`).toBe(t.msn);
          expect(header(e, 'ocp-apim-subscription-key')).toBe(DEFAULT_TEST_PARTNER.subscriptionKeys[0]);
          for (const h of SYSTEM_HEADERS) expect(header(e, h), `${t.id} ${e.operation} ${h}`).toBeTruthy();
          expect(e.notes?.partner).toBe(DEFAULT_TEST_PARTNER.id);
        }
        const create = calls.find((e) => e.operation === 'createPayment')!;
        expect((create.request.body as any).returnUrl).toBe(`${t.url}/return?reference=${encodeURIComponent(refs.get(t.id)!)}`);
      }

      // The partner-wide webhook: registered once, with partner keys and no MSN.
      const registrations = ours.filter((e) => e.operation === 'registerWebhook');
      expect(registrations).toHaveLength(1);
      expect(header(registrations[0], 'merchant-serial-number')).toBeUndefined();
      expect(registrations[0].notes).toMatchObject({ scope: 'partner', partner: DEFAULT_TEST_PARTNER.id });
      expect((registrations[0].request.body as any).url).toBe(`${p.url}/webhooks/vipps`);
    });
    // Unregistered on shutdown.
    const deletes = sandbox.traffic.query({ kind: 'api', operation: 'deleteWebhook', afterSeq: since });
    expect(deletes.map((e) => [e.response?.status, header(e, 'merchant-serial-number')])).toContainEqual([204, undefined]);
  });

  it('each tenant is the whole shop under /shops/<tenant>/: pages, links, form posts and redirects carry its prefix', async () => {
    await withPlatform({}, async (p) => {
      const beta = p.tenant('beta');
      const home = await http(beta.url, 'GET', '/');
      expect(home.status).toBe(200);
      expect(home.body).toContain('action="/shops/beta/checkout"');
      expect(home.body).toContain('href="/shops/beta/admin"');
      expect(home.body).not.toMatch(/(href|action)="\/(?!shops\/beta\/)/);
      const form = await fetch(`${beta.url}/checkout`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'amount=149.00&description=Beans' });
      expect(form.status).toBe(303);
      expect(form.headers.get('location')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//); // the redirectUrl, untouched
      const [o] = (await http(beta.url, 'GET', '/api/orders')).body.orders;
      const capture = await fetch(`${beta.url}/orders/${o.reference}/cancel`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '' });
      expect(capture.headers.get('location')).toBe(`/shops/beta/orders/${o.reference}`);
      const admin = await http(beta.url, 'GET', '/admin');
      expect(admin.body).toContain(`href="/shops/beta/orders/${o.reference}"`);
      // Another tenant does not know beta's order.
      expect((await http(p.tenant('alpha').url, 'GET', `/api/orders/${o.reference}`)).status).toBe(404);
    });
  });

  it('partner-wide deliveries for two tenants update the right orders — even when both have the same reference', async () => {
    const since = lastSeq();
    // The same seed in every tenant: each tenant's first order gets the same reference.
    await withPlatform({ ...NO_POLLING, referenceSeed: randomUUID() }, async (p) => {
      const [alpha, beta, gamma] = p.tenants;
      const a = await checkout(alpha);
      const b = await checkout(beta);
      expect(b.reference).toBe(a.reference);
      const g = await checkout(gamma);
      expect(g.reference).toBe(a.reference);
      await customer(sandbox, beta.msn, b.reference, 'approve');
      await customer(sandbox, gamma.msn, g.reference, 'approve');
      await waitForStatus(beta, b.reference, 'paid');
      await waitForStatus(gamma, g.reference, 'paid');
      await delivered(beta.msn, b.reference, 'AUTHORIZED', since);
      await sleep(200);
      expect((await orderOf(alpha, a.reference)).status).toBe('pending');
      // Webhooks brought the news (no poll yet); each tenant re-read ITS payment (its own MSN, same reference).
      for (const [t, r] of [[beta, b], [gamma, g]] as const) {
        const o = await orderOf(t, r.reference);
        expect(o.history.map((h: any) => h.source)).toContain('webhook');
        expect(o.vipps).toMatchObject({ state: 'AUTHORIZED', confirmed: true });
      }
      const gets = epaymentCalls(b.reference, since).filter((e) => e.operation === 'getPayment');
      expect(new Set(gets.map((e) => header(e, 'merchant-serial-number')))).toEqual(new Set([alpha.msn, beta.msn, gamma.msn]));
      expect(gets.every((e) => e.response?.status === 200)).toBe(true);
    });
  });
});

describe('platform fault switches', () => {
  it('foreign-msn: the second tenant (beta) sends the first tenant\'s (alpha\'s) MSN on its calls', async () => {
    const since = lastSeq();
    await withFault('foreign-msn', NO_POLLING, async (p) => {
      const [alpha, beta, gamma] = p.tenants;
      expect(beta.sentMsn).toBe(alpha.msn);
      const b = await checkout(beta);
      const g = await checkout(gamma);
      const creates = epaymentCalls(b.reference, since).filter((e) => e.operation === 'createPayment');
      expect(creates).toHaveLength(1);
      expect(header(creates[0], 'merchant-serial-number')).toBe(alpha.msn);
      expect(creates[0].msn).toBe(alpha.msn); // the payment went to alpha's sales unit
      expect(header(epaymentCalls(g.reference, since)[0], 'merchant-serial-number')).toBe(gamma.msn);
    });
  });

  it('webhooks-by-reference-only: with a colliding reference, beta\'s delivery updates ALPHA\'s order', async () => {
    const since = lastSeq();
    await withFault('webhooks-by-reference-only', { ...NO_POLLING, referenceSeed: randomUUID() }, async (p) => {
      const [alpha, beta] = p.tenants;
      const a = await checkout(alpha);
      const b = await checkout(beta);
      expect(b.reference).toBe(a.reference);
      await customer(sandbox, beta.msn, b.reference, 'approve');
      // Alpha's customer never approved, yet alpha's order turns paid; beta's stays pending.
      await waitForStatus(alpha, a.reference, 'paid');
      await delivered(beta.msn, b.reference, 'AUTHORIZED', since);
      await sleep(200);
      expect((await orderOf(beta, b.reference)).status).toBe('pending');
      expect((await orderOf(alpha, a.reference)).vipps.confirmed).toBe(false);
    });
  });

  it('tenant-without-system-headers: the second tenant\'s requests have no Vipps-System-* headers, the others\' do', async () => {
    const since = lastSeq();
    await withFault('tenant-without-system-headers', NO_POLLING, async (p) => {
      const refs = await Promise.all(p.tenants.map(async (t) => [t, (await checkout(t)).reference] as const));
      for (const [t, reference] of refs) {
        const calls = epaymentCalls(reference, since);
        expect(calls.length).toBeGreaterThan(0);
        for (const e of calls)
          for (const h of SYSTEM_HEADERS) {
            if (t.id === 'beta') expect(header(e, h), `${t.id} ${h}`).toBeUndefined();
            else expect(header(e, h), `${t.id} ${h}`).toBeTruthy();
          }
      }
      // The partner's own calls (token, webhook registration) keep them.
      for (const e of sandbox.traffic.query({ kind: 'api', afterSeq: since }).filter((x) => x.api === 'access-token' || x.api === 'webhooks'))
        for (const h of SYSTEM_HEADERS) expect(header(e, h), `${e.operation} ${h}`).toBeTruthy();
    });
  });
});
