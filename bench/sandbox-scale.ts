/**
 * Sandbox at scale (issue #17): payments created over several MSNs against the real sandbox (a
 * child process, traffic log at its default cap of 50,000), GET payment p99 on random payments
 * at 1k payments and again at the full count, and the sandbox's RSS and heap after a full GC.
 * Prints a table and writes bench/results/sandbox-scale.json.
 *
 *   node bin/run-ts.mjs bench/sandbox-scale.ts [--payments 100000] [--msns 4] [--duration 5] [--connections 50]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import autocannon from 'autocannon';
import { request } from 'undici';
import { DEFAULT_TEST_MERCHANT } from '../src/sandbox/merchants.ts';
import { apiHeaders, memoryOf, MiB, startServer, type Credentials } from './support/processes.ts';

const args = process.argv.slice(2);
const opt = (name: string, fallback: number) => (args.includes(`--${name}`) ? Number(args[args.indexOf(`--${name}`) + 1]) : fallback);
const payments = opt('payments', 100_000);
const msns = opt('msns', 4);
const duration = opt('duration', 5);
const connections = opt('connections', 50);
const FIRST = Math.min(1000, payments);

const sandbox = await startServer(process.execPath, ['--expose-gc', 'bin/run-ts.mjs', 'bench/servers/sandbox-server.ts']);
try {
  const base = sandbox.url;
  const merchants: Credentials[] = [DEFAULT_TEST_MERCHANT as Credentials];
  for (let i = 1; i < msns; i++) {
    const m: Credentials = { msn: String(200000 + i), clientId: `scale-client-${i}`, clientSecret: `scale-secret-${i}-0123456789`, subscriptionKeys: [`scale-key-${i}-0123456789abcdef`] };
    const res = await request(`${base}/_sandbox/v1/merchants`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(m) });
    if (res.statusCode !== 201) throw new Error(`add merchant: ${res.statusCode} ${await res.body.text()}`);
    await res.body.dump();
    merchants.push(m);
  }
  const headers = await Promise.all(merchants.map((m) => apiHeaders(base, m)));
  const refOf = (n: number) => `scale-ref-${String(n).padStart(8, '0')}`;
  const createBody = (n: number) =>
    JSON.stringify({ amount: { currency: 'NOK', value: 1000 + (n % 50_000) }, paymentMethod: { type: 'WALLET' }, reference: refOf(n), userFlow: 'WEB_REDIRECT', returnUrl: `https://shop.example/return?order=${n}` });

  let created = 0;
  /** Create payments `from`…`to`-1, round-robin over the MSNs; n-th payment belongs to merchant n % msns. */
  const createUpTo = async (to: number) => {
    const from = created;
    let next = from;
    const result = await autocannon({
      url: `${base}/epayment/v1/payments`,
      connections,
      amount: to - from,
      requests: [
        {
          method: 'POST',
          setupRequest: (req: any) => {
            const n = next++;
            return { ...req, headers: { ...headers[n % msns], 'idempotency-key': `scale-key-${n}` }, body: createBody(n) };
          },
        },
      ],
    });
    created = to;
    if (process.env.BENCH_DEBUG) console.error('create', JSON.stringify(result.statusCodeStats), result.errors, result.timeouts);
    return { rps: result.requests.average, errors: result.errors + result.timeouts + result.non2xx };
  };

  const getLoad = async () => {
    const result = await autocannon({
      url: base,
      connections,
      duration,
      requests: [
        {
          method: 'GET',
          setupRequest: (req: any) => {
            const n = Math.floor(Math.random() * created);
            return { ...req, path: `/epayment/v1/payments/${refOf(n)}`, headers: headers[n % msns] };
          },
        },
      ],
    });
    if (process.env.BENCH_DEBUG) console.error('get', JSON.stringify(result.statusCodeStats), result.errors, result.timeouts);
    return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors: result.errors + result.timeouts + result.non2xx };
  };

  const t0 = performance.now();
  const createSmall = await createUpTo(FIRST);
  const getSmall = await getLoad();
  const memSmall = await memoryOf(sandbox.child);
  const createLarge = await createUpTo(payments);
  const getLarge = await getLoad();
  const memLarge = await memoryOf(sandbox.child);
  const seconds = (performance.now() - t0) / 1000;

  const rows = [
    { payments: FIRST, createRps: createSmall.rps, createErrors: createSmall.errors, getRps: getSmall.rps, getP50: getSmall.p50, getP99: getSmall.p99, getErrors: getSmall.errors, rssMiB: MiB(memSmall.rss), heapMiB: MiB(memSmall.heapUsed), traffic: memSmall.traffic, dropped: memSmall.dropped },
    { payments, createRps: createLarge.rps, createErrors: createLarge.errors, getRps: getLarge.rps, getP50: getLarge.p50, getP99: getLarge.p99, getErrors: getLarge.errors, rssMiB: MiB(memLarge.rss), heapMiB: MiB(memLarge.heapUsed), traffic: memLarge.traffic, dropped: memLarge.dropped },
  ];
  console.log(`\nsandbox at scale — ${msns} MSNs, ${connections} connections, GET on random payments for ${duration}s, memory after full GC (${seconds.toFixed(0)} s in all)\n`);
  console.log('payments  create/s  GET/s  GET p50  GET p99  errors  RSS MiB  heap MiB  log kept/dropped');
  for (const r of rows)
    console.log(
      `${String(r.payments).padStart(8)} ${r.createRps.toFixed(0).padStart(9)} ${r.getRps.toFixed(0).padStart(6)} ${String(r.getP50).padStart(8)} ${String(r.getP99).padStart(8)} ${String(r.createErrors + r.getErrors).padStart(7)} ${String(r.rssMiB).padStart(8)} ${String(r.heapMiB).padStart(9)}  ${r.traffic}/${r.dropped}`,
    );
  const [small, large] = rows;
  const p99Growth = small.getP99 > 0 ? large.getP99 / small.getP99 - 1 : 0;
  const rssOk = memLarge.rss <= 300 * 1e6;
  const p99Ok = p99Growth <= 0.2;
  console.log(`\n${payments} payments + full log: RSS ${large.rssMiB} MiB (target ≤ 300 MB: ${rssOk ? 'met' : 'NOT met'}); GET p99 ${small.getP99} → ${large.getP99} ms (${(p99Growth * 100).toFixed(0)} %, target ≤ 20 %: ${p99Ok ? 'met' : 'NOT met'})`);
  const out = resolve(import.meta.dirname, 'results');
  mkdirSync(out, { recursive: true });
  writeFileSync(resolve(out, 'sandbox-scale.json'), JSON.stringify({ at: new Date().toISOString(), node: process.version, msns, connections, duration, rows, targets: { rssOk, p99Ok, p99Growth } }, null, 2));
  console.log('results: bench/results/sandbox-scale.json');
} finally {
  sandbox.child.kill('SIGTERM');
}
