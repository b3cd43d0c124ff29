import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_TEST_PARTNER, type Sandbox } from '../../src/sandbox/index.ts';
import { verify, type VerifyVerdict } from '../../src/sandbox/webhooks/signer.ts';
import { loadSpec, specAvailable, validateTraffic } from '../helpers/openapi.ts';
import { call, merchantHeaders, partnerHeaders, startSandbox } from '../helpers/sandbox.ts';

/** Partner-wide webhooks (vipps-facts §3.1): registered with partner keys and no MSN, they get every sales unit's events. */

const HOOKS = '/webhooks/v1/webhooks';
const EVENTS = ['epayments.payment.created.v1', 'epayments.payment.authorized.v1'];

interface Received {
  path: string;
  raw: Buffer;
  json: any;
  headers: IncomingMessage['headers'];
  verdict?: VerifyVerdict;
}

/** A receiver on 127.0.0.1 that verifies every delivery with the secret registered for its path. */
class Receiver {
  readonly received: Received[] = [];
  readonly secrets = new Map<string, string[]>();
  private server: Server | undefined;
  base = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        const path = (req.url ?? '/').split('?')[0];
        // A path may carry two registrations (both ways): the delivery must verify with one of their secrets.
        const verdicts = (this.secrets.get(path) ?? []).map((secret) => verify({ secret, body, headers: req.headers, pathAndQuery: req.url ?? '/' }));
        this.received.push({ path, raw: body, json: JSON.parse(body.toString('utf8')), headers: req.headers, verdict: verdicts.find((v) => v.ok) ?? verdicts[0] });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  on(path: string): Received[] {
    return this.received.filter((r) => r.path === path);
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

async function waitFor<T>(fn: () => T | undefined | false, what: string, timeoutMs = 5000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('partner-wide webhooks', () => {
  let sandbox: Sandbox;
  let partnerWide: Record<string, string>;
  const receiver = new Receiver();
  const forUnit = (msn: string) => ({ ...partnerWide, 'Merchant-Serial-Number': msn });

  const register = async (headers: Record<string, string>, path: string, events = EVENTS) => {
    const res = await call(sandbox.url, 'POST', HOOKS, { headers, body: { url: receiver.base + path, events } });
    expect(res.status, res.text).toBe(201);
    receiver.secrets.set(path, [...(receiver.secrets.get(path) ?? []), res.body.secret]);
    return res.body as { id: string; secret: string };
  };
  const list = async (headers: Record<string, string>) => {
    const res = await call(sandbox.url, 'GET', HOOKS, { headers });
    expect(res.status, res.text).toBe(200);
    return (res.body.webhooks as { id: string }[]).map((w) => w.id);
  };
  /** A payment of `msn` created with the partner's token and approved: CREATED and AUTHORIZED. */
  const payAndApprove = async (msn: string) => {
    const reference = `pw-${msn}-${randomUUID().slice(0, 8)}`;
    const created = await call(sandbox.url, 'POST', '/epayment/v1/payments', {
      headers: { ...forUnit(msn), 'Idempotency-Key': randomUUID() },
      body: { amount: { currency: 'NOK', value: 2500 }, paymentMethod: { type: 'WALLET' }, reference, userFlow: 'WEB_REDIRECT', returnUrl: 'http://127.0.0.1:3000/r' },
    });
    expect(created.status, created.text).toBe(201);
    const approved = await call(sandbox.url, 'POST', `/_sandbox/v1/payments/${msn}/${reference}/approve`, { body: {} });
    expect(approved.status, approved.text).toBe(200);
    return reference;
  };
  const namesOf = (path: string, reference: string) => receiver.on(path).filter((r) => r.json.reference === reference).map((r) => r.json.name);

  beforeAll(async () => {
    await receiver.start();
    sandbox = await startSandbox({ settings: { rateLimits: { enabled: false }, webhooksPerEvent: 2 } });
    partnerWide = await partnerHeaders(sandbox.url, { msn: null });
  });
  beforeEach(() => {
    receiver.received.length = 0;
  });
  // Every test starts without registrations (one that failed half-way must not fill the limits of the next).
  afterEach(async () => {
    const all = (await call(sandbox.url, 'GET', '/_sandbox/v1/webhooks')).body.webhooks as { id: string; msn?: string; partnerId?: string }[];
    const merchant = await merchantHeaders(sandbox.url);
    for (const r of all) {
      const headers = r.partnerId ? partnerWide : r.msn === '123456' ? merchant : forUnit(r.msn!);
      expect((await call(sandbox.url, 'DELETE', `${HOOKS}/${r.id}`, { headers })).status).toBe(204);
    }
  });
  afterAll(async () => {
    if (specAvailable()) {
      const result = await validateTraffic(sandbox.traffic.query({ api: ['webhooks', 'epayment'] }));
      expect(result.failures).toEqual([]);
      expect(result.validated).toBeGreaterThan(10);
    }
    await sandbox.close();
    await receiver.close();
  });

  it('registers without MSN (201 {id, secret}); lists and deletes within the partner-wide scope only', async () => {
    const { id } = await register(partnerWide, '/scoped');
    expect(await list(partnerWide)).toEqual([id]);
    // Not one sales unit's registration: neither the unit (partner or merchant keys) sees nor deletes it.
    expect(await list(forUnit('123456'))).not.toContain(id);
    expect(await list(await merchantHeaders(sandbox.url))).not.toContain(id);
    const wrongScope = await call(sandbox.url, 'DELETE', `${HOOKS}/${id}`, { headers: forUnit('123456') });
    expect(wrongScope.status).toBe(404);
    expect(wrongScope.body.detail).toContain('merchant 123456');
    const exchange = sandbox.traffic.query({ api: ['webhooks'], operation: ['registerWebhook'] }).at(-1)!;
    expect(exchange.msn).toBeUndefined();
    expect(exchange.notes).toEqual({ webhookId: id, scope: 'partner', partner: DEFAULT_TEST_PARTNER.id });
    const gone = await call(sandbox.url, 'DELETE', `${HOOKS}/${id}`, { headers: partnerWide });
    expect(gone.status).toBe(204);
    expect(await list(partnerWide)).toEqual([]);
  });

  it('merchant keys still need the MSN: no partner-wide registration for them', async () => {
    const { 'Merchant-Serial-Number': _msn, ...noMsn } = await merchantHeaders(sandbox.url);
    const res = await call(sandbox.url, 'POST', HOOKS, { headers: noMsn, body: { url: `${receiver.base}/x`, events: EVENTS } });
    expect(res.status).toBe(400);
    expect(res.body.extraDetails[0].name).toBe('Merchant-Serial-Number');
  });

  it('delivers the events of two sales units to the partner-wide webhook, each with its msn and a valid signature; a per-MSN webhook gets only its own', async () => {
    const wide = await register(partnerWide, '/partner');
    const unit = await register(forUnit('234567'), '/unit-234567');
    const [a, b] = [await payAndApprove('123456'), await payAndApprove('234567')];
    await waitFor(() => receiver.on('/partner').length >= 4 && receiver.on('/unit-234567').length >= 2, 'deliveries');

    const partnerGot = receiver.on('/partner');
    expect(partnerGot.map((r) => [r.json.msn, r.json.reference, r.json.name]).sort()).toEqual(
      [['123456', a, 'AUTHORIZED'], ['123456', a, 'CREATED'], ['234567', b, 'AUTHORIZED'], ['234567', b, 'CREATED']].sort(),
    );
    for (const r of partnerGot) expect(r.verdict, JSON.stringify(r.verdict)).toMatchObject({ ok: true });
    expect(receiver.on('/unit-234567').map((r) => r.json.msn)).toEqual(['234567', '234567']);
    expect(namesOf('/unit-234567', a)).toEqual([]);
    for (const r of receiver.on('/unit-234567')) expect(r.verdict).toMatchObject({ ok: true });

    // The payload is ePayment's documented WebhookEvent; the delivery records say whose webhook got it.
    if (specAvailable()) {
      const spec = await loadSpec('epayment-v1');
      for (const r of partnerGot) expect(spec.validateComponent('WebhookEvent', r.json)).toEqual({ outcome: 'valid' });
    }
    // A delivery is recorded once the receiver's answer is in: it can trail the receiver.
    const ours = (e: { notes?: Record<string, unknown> }) => e.notes?.webhookId === wide.id || e.notes?.webhookId === unit.id;
    const records = await waitFor(() => {
      const all = sandbox.traffic.query({ kind: ['webhook'], operation: ['deliverWebhook'] }).filter(ours);
      return all.length >= 6 && all;
    }, 'recorded deliveries');
    expect(records.filter((e) => e.notes?.webhookId === wide.id).map((e) => [e.msn, e.notes?.partner]).sort()).toEqual(
      [['123456', DEFAULT_TEST_PARTNER.id], ['123456', DEFAULT_TEST_PARTNER.id], ['234567', DEFAULT_TEST_PARTNER.id], ['234567', DEFAULT_TEST_PARTNER.id]],
    );
    expect(records.filter((e) => e.notes?.webhookId === unit.id).every((e) => e.notes?.partner === undefined && e.msn === '234567')).toBe(true);
  });

  it('a unit outside the partner gets no partner-wide delivery; a merchant-key webhook only its own MSN’s', async () => {
    await register(partnerWide, '/partner-only');
    await register(await merchantHeaders(sandbox.url), '/merchant-123456');
    // 223344 is the default PSP's sales unit, not the partner's.
    const psp = await call(sandbox.url, 'POST', '/_sandbox/v1/webhooks/deliver', { body: { msn: '223344', name: 'AUTHORIZED', amount: 100 } });
    expect(psp.status).toBe(404); // nobody subscribed for 223344: the partner-wide webhook is not its
    const ref = await payAndApprove('345678');
    await waitFor(() => namesOf('/partner-only', ref).length === 2, 'partner deliveries of 345678');
    expect(receiver.on('/merchant-123456')).toEqual([]);
    expect(namesOf('/partner-only', ref).sort()).toEqual(['AUTHORIZED', 'CREATED']);
  });

  it('the same URL registered both ways gets the event once per registration, each signed with its own secret', async () => {
    const wide = await register(partnerWide, '/both');
    const unit = await register(forUnit('123456'), '/both');
    const ref = await payAndApprove('123456');
    await waitFor(() => namesOf('/both', ref).length === 4, 'two deliveries per event');
    const created = receiver.on('/both').filter((r) => r.json.reference === ref && r.json.name === 'CREATED');
    expect(created).toHaveLength(2);
    const signatures = created.map((r) => r.headers.authorization);
    expect(new Set(signatures).size).toBe(2);
    const secrets = [wide.secret, unit.secret];
    for (const r of created) expect(secrets.filter((secret) => verify({ secret, body: r.raw, headers: r.headers, pathAndQuery: '/both' }).ok)).toHaveLength(1);
  });

  it('counts the per-event limit per registration type: partner-wide apart from each sales unit', async () => {
    const ids = [(await register(partnerWide, '/l1')).id, (await register(partnerWide, '/l2')).id];
    const third = await call(sandbox.url, 'POST', HOOKS, { headers: partnerWide, body: { url: `${receiver.base}/l3`, events: EVENTS } });
    expect(third.status).toBe(400);
    expect(third.body.extraDetails[0].reason).toContain(`partner ${DEFAULT_TEST_PARTNER.id}`);
    await register(forUnit('345678'), '/l4');
    // Deleting frees the partner's places.
    expect((await call(sandbox.url, 'DELETE', `${HOOKS}/${ids[0]}`, { headers: partnerWide })).status).toBe(204);
    await register(partnerWide, '/l3');
  });
});
