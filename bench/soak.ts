/**
 * Sandbox soak: mixed traffic from many simulated merchants against one sandbox process on
 * loopback, for a bounded time, reporting the sandbox's memory growth (RSS and heap at start,
 * every 10 s and at the end, after a GC) and error counts.
 *
 *   node bin/run-ts.mjs bench/soak.ts [--duration 60] [--merchants 20] [--customers 3]
 *
 * Each merchant registers a webhook (received here) and runs `customers` flows at a time:
 * ePayment (create, poll, force approve, partial captures, refund, event log; or cancel), eCom v2
 * (initiate, approve, capture, refund, details; callbacks received here), and now and then a
 * malformed request (a 4xx is its expected answer). An error is a 5xx, a network failure or any
 * status a step did not expect; 429s are counted apart. Results: bench/results/soak-*.json.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { Agent, request } from 'undici';

const root = resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const opt = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const durationS = opt('duration', 60);
const merchantCount = opt('merchants', 20);
const customers = opt('customers', 3);

interface MemorySample {
  t: number;
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  payments: number;
  traffic: number;
  trafficDropped: number;
}

const counts = { requests: 0, byStatus: {} as Record<string, number>, errors: 0, rateLimited: 0, flows: { epayment: 0, cancel: 0, ecom: 0, malformed: 0 }, webhooks: 0, callbacks: 0 };
const errorSamples: string[] = [];
const agent = new Agent({ connections: 256, keepAliveTimeout: 10_000 });

function startSandbox(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--expose-gc', 'bin/run-ts.mjs', 'bench/servers/soak-server.ts'], { cwd: root, stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  return new Promise((resolvePromise, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      const m = /(http:\/\/127\.0\.0\.1:\d+)/.exec(line);
      if (m) resolvePromise({ url: m[1], child });
    });
    child.once('exit', (code) => reject(new Error(`sandbox exited (${code}) before printing its URL`)));
  });
}

function memory(child: ChildProcess, t: number, gc = false): Promise<MemorySample> {
  return new Promise((resolvePromise) => {
    child.once('message', (m) => resolvePromise({ t, ...(m as Omit<MemorySample, 't'>) }));
    child.send({ type: 'memory', gc });
  });
}

const { url: base, child } = await startSandbox();
const receiver = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    if (req.url?.startsWith('/hook')) counts.webhooks++;
    else counts.callbacks++;
    res.writeHead(200).end();
  });
});
await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

/** One call; `expect` are the statuses the step counts as fine. */
async function call(method: string, path: string, headers: Record<string, string>, body: unknown, expect: number[]): Promise<{ status: number; body: any }> {
  counts.requests++;
  try {
    const res = await request(base + path, {
      method: method as 'GET',
      dispatcher: agent,
      headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.body.text();
    counts.byStatus[res.statusCode] = (counts.byStatus[res.statusCode] ?? 0) + 1;
    if (res.statusCode === 429) counts.rateLimited++;
    else if (res.statusCode >= 500 || !expect.includes(res.statusCode)) {
      counts.errors++;
      if (errorSamples.length < 20) errorSamples.push(`${method} ${path} → ${res.statusCode} ${text.slice(0, 200)}`);
    }
    let parsed: any;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = text;
    }
    return { status: res.statusCode, body: parsed };
  } catch (err) {
    counts.errors++;
    counts.byStatus.network = (counts.byStatus.network ?? 0) + 1;
    if (errorSamples.length < 20) errorSamples.push(`${method} ${path} → ${(err as Error).message}`);
    return { status: 0, body: undefined };
  }
}

interface SimMerchant {
  msn: string;
  clientId: string;
  clientSecret: string;
  key: string;
  headers?: Record<string, string>;
}

async function addMerchant(i: number): Promise<SimMerchant> {
  const m = { msn: String(200000 + i), clientId: `soak-client-${i}`, clientSecret: `soak-secret-${i}-${randomUUID()}`, key: `soak-key-${i}-${randomUUID().slice(0, 8)}` };
  await call('POST', '/_sandbox/v1/merchants', {}, { msn: m.msn, name: `soak shop ${i}`, clientId: m.clientId, clientSecret: m.clientSecret, subscriptionKeys: [m.key] }, [201]);
  return m;
}

async function authenticate(m: SimMerchant): Promise<Record<string, string>> {
  const res = await call('POST', '/accessToken/get', { client_id: m.clientId, client_secret: m.clientSecret, 'ocp-apim-subscription-key': m.key, 'merchant-serial-number': m.msn }, undefined, [200]);
  m.headers = {
    authorization: `Bearer ${res.body?.access_token}`,
    'ocp-apim-subscription-key': m.key,
    'merchant-serial-number': m.msn,
    'vipps-system-name': 'golive-soak',
    'vipps-system-version': '1.0.0',
    'vipps-system-plugin-name': 'soak',
    'vipps-system-plugin-version': '1.0.0',
  };
  return m.headers;
}

const EP = '/epayment/v1/payments';

async function epaymentFlow(m: SimMerchant, h: Record<string, string>) {
  const reference = `soak-${m.msn}-${randomUUID().slice(0, 12)}`;
  const amount = 1000 + Math.floor(Math.random() * 9000);
  const key = () => ({ ...h, 'idempotency-key': randomUUID() });
  await call('POST', EP, key(), { amount: { currency: 'NOK', value: amount }, paymentMethod: { type: 'WALLET' }, reference, userFlow: 'WEB_REDIRECT', returnUrl: 'https://example.com/return', paymentDescription: 'soak' }, [201]);
  await call('GET', `${EP}/${reference}`, h, undefined, [200]);
  if (Math.random() < 0.2) {
    counts.flows.cancel++;
    await call('POST', `${EP}/${reference}/cancel`, key(), undefined, [200]);
    return;
  }
  counts.flows.epayment++;
  await call('POST', `/epayment/v1/test/payments/${reference}/approve`, h, { customer: { phoneNumber: '4791234567' } }, [200]);
  await call('GET', `${EP}/${reference}`, h, undefined, [200]);
  const first = Math.floor(amount / 2);
  await call('POST', `${EP}/${reference}/capture`, key(), { modificationAmount: { currency: 'NOK', value: first } }, [200]);
  await call('POST', `${EP}/${reference}/capture`, key(), { modificationAmount: { currency: 'NOK', value: amount - first } }, [200]);
  await call('POST', `${EP}/${reference}/refund`, key(), { modificationAmount: { currency: 'NOK', value: 500 } }, [200]);
  await call('GET', `${EP}/${reference}/events`, h, undefined, [200]);
}

async function ecomFlow(m: SimMerchant, h: Record<string, string>) {
  counts.flows.ecom++;
  const orderId = `soak-${m.msn}-${randomUUID().slice(0, 12)}`;
  const msn = { merchantSerialNumber: m.msn };
  await call('POST', '/ecomm/v2/payments', h, {
    customerInfo: { mobileNumber: '91234567' },
    merchantInfo: { ...msn, callbackPrefix: `${receiverUrl}/ecom`, fallBack: 'https://example.com/fallback', authToken: 'soak' },
    transaction: { amount: 2000, orderId, transactionText: 'soak order' },
  }, [200]);
  await call('POST', `/ecomm/v2/integration-test/payments/${orderId}/approve`, h, {}, [200]);
  await call('POST', `/ecomm/v2/payments/${orderId}/capture`, { ...h, 'x-request-id': randomUUID() }, { merchantInfo: msn, transaction: { amount: 2000, transactionText: 'capture' } }, [200]);
  await call('POST', `/ecomm/v2/payments/${orderId}/refund`, { ...h, 'x-request-id': randomUUID() }, { merchantInfo: msn, transaction: { amount: 500, transactionText: 'refund' } }, [200]);
  await call('GET', `/ecomm/v2/payments/${orderId}/details`, h, undefined, [200]);
}

async function malformed(h: Record<string, string>) {
  counts.flows.malformed++;
  const pick = Math.floor(Math.random() * 4);
  if (pick === 0) await call('POST', EP, { ...h, 'idempotency-key': randomUUID() }, '{"amount":', [400]);
  else if (pick === 1) await call('GET', `${EP}/no-such-${randomUUID().slice(0, 8)}`, h, undefined, [404]);
  else if (pick === 2) await call('DELETE', EP, h, undefined, [405]);
  else await call('POST', EP, { ...h, 'idempotency-key': randomUUID() }, { reference: 42 }, [400]);
}

const startedAt = Date.now();
const deadline = startedAt + durationS * 1000;
const samples: MemorySample[] = [await memory(child, 0, true)];
const show = (s: MemorySample) =>
  `t=${String(s.t).padStart(3)}s  rss ${(s.rss / 2 ** 20).toFixed(1)} MB  heap ${(s.heapUsed / 2 ** 20).toFixed(1)} MB  payments ${s.payments}  traffic ${s.traffic} (+${s.trafficDropped} dropped)  requests ${counts.requests}  errors ${counts.errors}  429 ${counts.rateLimited}`;
console.log(`soak: ${durationS}s, ${merchantCount} merchants × ${customers} customers against ${base}`);
console.log(show(samples[0]));

const merchants = await Promise.all(Array.from({ length: merchantCount }, (_, i) => addMerchant(i)));
for (const m of merchants) {
  const h = await authenticate(m);
  await call('POST', '/webhooks/v1/webhooks', h, { url: `${receiverUrl}/hook/${m.msn}`, events: ['epayments.payment.authorized.v1', 'epayments.payment.captured.v1', 'epayments.payment.refunded.v1', 'epayments.payment.cancelled.v1', 'epayments.payment.terminated.v1'] }, [201]);
}

const sampler = setInterval(async () => {
  const s = await memory(child, Math.round((Date.now() - startedAt) / 1000));
  samples.push(s);
  console.log(show(s));
}, 10_000);

async function customer(m: SimMerchant) {
  while (Date.now() < deadline) {
    const h = m.headers!;
    const r = Math.random();
    if (r < 0.6) await epaymentFlow(m, h);
    else if (r < 0.85) await ecomFlow(m, h);
    else if (r < 0.95) await malformed(h);
    else await call('GET', '/webhooks/v1/webhooks', h, undefined, [200]);
  }
}
await Promise.all(merchants.flatMap((m) => Array.from({ length: customers }, () => customer(m))));
clearInterval(sampler);
await new Promise((r) => setTimeout(r, 1000)); // let the last webhooks and callbacks land
const end = await memory(child, Math.round((Date.now() - startedAt) / 1000), true);
samples.push(end);
console.log(`${show(end)}  (after GC)`);

const first = samples[0];
const elapsedS = (Date.now() - startedAt) / 1000;
const summary = {
  at: new Date().toISOString(),
  options: { durationS, merchants: merchantCount, customers },
  elapsedS,
  requests: counts.requests,
  requestsPerSecond: Math.round(counts.requests / elapsedS),
  errors: counts.errors,
  rateLimited: counts.rateLimited,
  byStatus: counts.byStatus,
  flows: counts.flows,
  webhooksReceived: counts.webhooks,
  callbacksReceived: counts.callbacks,
  memory: {
    start: first,
    end,
    samples,
    rssGrowthMB: +((end.rss - first.rss) / 2 ** 20).toFixed(1),
    heapGrowthMB: +((end.heapUsed - first.heapUsed) / 2 ** 20).toFixed(1),
    heapBytesPerPayment: end.payments > 0 ? Math.round((end.heapUsed - first.heapUsed) / end.payments) : undefined,
  },
  errorSamples,
};
mkdirSync(resolve(root, 'bench/results'), { recursive: true });
const file = resolve(root, `bench/results/soak-${summary.at.replace(/[:.]/g, '-')}.json`);
writeFileSync(file, JSON.stringify(summary, null, 2));
console.log(
  `\n${counts.requests} requests (${summary.requestsPerSecond}/s), ${counts.errors} errors, ${counts.rateLimited} rate-limited; flows ${JSON.stringify(counts.flows)}; ` +
    `${counts.webhooks} webhooks, ${counts.callbacks} callbacks received\nmemory: rss ${summary.memory.rssGrowthMB >= 0 ? '+' : ''}${summary.memory.rssGrowthMB} MB, heap ${summary.memory.heapGrowthMB >= 0 ? '+' : ''}${summary.memory.heapGrowthMB} MB after GC ` +
    `(${summary.memory.heapBytesPerPayment ?? '?'} bytes per payment held)\n${errorSamples.length ? `error samples:\n  ${errorSamples.slice(0, 5).join('\n  ')}\n` : ''}results: ${file}`,
);
child.kill('SIGTERM');
receiver.close();
await agent.close();
process.exitCode = counts.errors > 0 ? 1 : 0;
