/**
 * Sandbox at scale (issue #17): two real sandboxes side by side (child processes, traffic log at
 * its default cap of 50,000), one holding 1k payments, the other 100k, created over several MSNs.
 * GET payment on random payments takes turns between them in `--rounds` rounds, so the p99s
 * compare under the same machine load (medians of the rounds); then the large sandbox's RSS and
 * heap after a full GC. Prints a table and writes bench/results/sandbox-scale.json.
 *
 *   node bin/run-ts.mjs bench/sandbox-scale.ts [--payments 100000] [--msns 4] [--duration 6] [--rounds 3] [--connections 50]
 *
 * --duration is the GET load per sandbox in all (split over the rounds). RSS is split into
 * anonymous memory and mapped files (node's own code), the heap into used and committed. Memory
 * is read twice: right after the load with a forced full GC (V8 still holds the pages it freed),
 * and settled — the sandbox left idle until V8's memory reducer has released them (~10–30 s),
 * which is what a sandbox holding these payments occupies between loads.
 * BENCH_SANDBOX_JS=<file.mjs> runs the sandbox server from precompiled JavaScript (e.g.
 * `npx esbuild bench/servers/sandbox-server.ts --bundle --platform=node --format=esm
 * --packages=external --outfile=.tmp/bundle/sandbox-server.mjs`) instead of through tsx.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import autocannon from 'autocannon';
import { request } from 'undici';
import { DEFAULT_TEST_MERCHANT } from '../src/sandbox/merchants.ts';
import { apiHeaders, memoryOf, MiB, settledMemoryOf, startServer, type Credentials } from './support/processes.ts';

const args = process.argv.slice(2);
const opt = (name: string, fallback: number) => (args.includes(`--${name}`) ? Number(args[args.indexOf(`--${name}`) + 1]) : fallback);
const payments = opt('payments', 100_000);
const msns = opt('msns', 4);
const rounds = Math.max(1, opt('rounds', 3));
const slice = Math.max(1, Math.round(opt('duration', 6) / rounds));
const connections = opt('connections', 50);
const SMALL = Math.min(1000, payments);

const refOf = (n: number) => `scale-ref-${String(n).padStart(8, '0')}`;
const createBody = (n: number) =>
  JSON.stringify({ amount: { currency: 'NOK', value: 1000 + (n % 50_000) }, paymentMethod: { type: 'WALLET' }, reference: refOf(n), userFlow: 'WEB_REDIRECT', returnUrl: `https://shop.example/return?order=${n}` });
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

interface Filled {
  url: string;
  child: ChildProcess;
  headers: Record<string, string>[];
  count: number;
  createRps: number;
  createErrors: number;
}

/** A sandbox with `count` payments, round-robin over the MSNs: payment n belongs to merchant n % msns. */
async function filledSandbox(count: number): Promise<Filled> {
  const { url, child } = await startServer(process.execPath, ['--expose-gc', ...(process.env.BENCH_SANDBOX_JS ? [process.env.BENCH_SANDBOX_JS] : ['bin/run-ts.mjs', 'bench/servers/sandbox-server.ts'])]);
  const merchants: Credentials[] = [DEFAULT_TEST_MERCHANT as Credentials];
  for (let i = 1; i < msns; i++) {
    const m: Credentials = { msn: String(200000 + i), clientId: `scale-client-${i}`, clientSecret: `scale-secret-${i}-0123456789`, subscriptionKeys: [`scale-key-${i}-0123456789abcdef`] };
    const res = await request(`${url}/_sandbox/v1/merchants`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(m) });
    if (res.statusCode !== 201) throw new Error(`add merchant: ${res.statusCode} ${await res.body.text()}`);
    await res.body.dump();
    merchants.push(m);
  }
  const headers = await Promise.all(merchants.map((m) => apiHeaders(url, m)));
  let next = 0;
  const result = await autocannon({
    url: `${url}/epayment/v1/payments`,
    connections,
    amount: count,
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
  return { url, child, headers, count, createRps: result.requests.average, createErrors: result.errors + result.timeouts + result.non2xx };
}

async function getLoad(s: Filled) {
  const result = await autocannon({
    url: s.url,
    connections,
    duration: slice,
    requests: [
      {
        method: 'GET',
        setupRequest: (req: any) => {
          const n = Math.floor(Math.random() * s.count);
          return { ...req, path: `/epayment/v1/payments/${refOf(n)}`, headers: s.headers[n % msns] };
        },
      },
    ],
  });
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors: result.errors + result.timeouts + result.non2xx };
}

const children: ChildProcess[] = [];
try {
  const t0 = performance.now();
  const small = await filledSandbox(SMALL);
  children.push(small.child);
  const large = await filledSandbox(payments);
  children.push(large.child);
  const gets: { small: Awaited<ReturnType<typeof getLoad>>; large: Awaited<ReturnType<typeof getLoad>> }[] = [];
  for (let r = 0; r < rounds; r++) gets.push({ small: await getLoad(small), large: await getLoad(large) });
  const memories = [await memoryOf(small.child), await memoryOf(large.child)];
  const settled = await Promise.all([settledMemoryOf(small.child, memories[0]), settledMemoryOf(large.child, memories[1])]);
  const seconds = (performance.now() - t0) / 1000;
  const mem = (m: (typeof memories)[number]) => ({
    rssMiB: MiB(m.rss),
    heapMiB: MiB(m.heapUsed),
    heapTotalMiB: m.heapTotal === undefined ? undefined : MiB(m.heapTotal),
    rssAnonMiB: m.rssAnon === undefined ? undefined : MiB(m.rssAnon),
    rssFileMiB: m.rssFile === undefined ? undefined : MiB(m.rssFile),
    spaces: m.spaces,
  });

  const rows = [small, large].map((s, k) => {
    const g = gets.map((x) => (k === 0 ? x.small : x.large));
    const m = memories[k];
    return {
      payments: s.count,
      createRps: s.createRps,
      getRps: median(g.map((x) => x.rps)),
      getP50: median(g.map((x) => x.p50)),
      getP99: median(g.map((x) => x.p99)),
      errors: s.createErrors + g.reduce((a, x) => a + x.errors, 0),
      ...mem(m),
      settled: { ...mem(settled[k]), afterMs: settled[k].settledAfterMs, released: settled[k].released },
      traffic: m.traffic,
      dropped: m.dropped,
    };
  });
  console.log(`\nsandbox at scale — ${msns} MSNs, ${connections} connections, GET on random payments: ${rounds} rounds × ${slice}s per sandbox (medians), memory after a full GC and settled (${seconds.toFixed(0)} s in all)\n`);
  console.log('payments  create/s  GET/s  GET p50  GET p99  errors  memory   RSS MiB (anon+file)  heap used/committed MiB  log kept/dropped');
  const memCells = (m: ReturnType<typeof mem>) => `${`${m.rssMiB} (${m.rssAnonMiB ?? '?'}+${m.rssFileMiB ?? '?'})`.padStart(19)} ${`${m.heapMiB}/${m.heapTotalMiB ?? '?'}`.padStart(23)}`;
  for (const r of rows) {
    console.log(
      `${String(r.payments).padStart(8)} ${r.createRps.toFixed(0).padStart(9)} ${r.getRps.toFixed(0).padStart(6)} ${String(r.getP50).padStart(8)} ${String(r.getP99).padStart(8)} ${String(r.errors).padStart(7)}  full GC  ${memCells(r)}  ${r.traffic}/${r.dropped}`,
    );
    const how = r.settled.released ? `after ${(r.settled.afterMs / 1000).toFixed(0)} s idle` : `not released in ${(r.settled.afterMs / 1000).toFixed(0)} s`;
    console.log(`${''.padStart(50)}  settled  ${memCells(r.settled)}  (${how})`);
  }
  const [s, l] = rows;
  const p99Growth = s.getP99 > 0 ? l.getP99 / s.getP99 - 1 : 0;
  const rssOk = settled[1].rss <= 300 * 1e6;
  const p99Ok = p99Growth <= 0.2;
  console.log(`\nGET p99 per round, ${SMALL} vs ${payments} payments: ${gets.map((g) => `${g.small.p99}/${g.large.p99}`).join(', ')} ms`);
  console.log(`${payments} payments + full log: RSS ${l.settled.rssMiB} MiB settled, ${l.rssMiB} MiB right after the load (target ≤ 300 MB, settled: ${rssOk ? 'met' : 'NOT met'}); GET p99 ${s.getP99} → ${l.getP99} ms (${(p99Growth * 100).toFixed(0)} %, target ≤ 20 %: ${p99Ok ? 'met' : 'NOT met'})`);
  const out = resolve(import.meta.dirname, 'results');
  mkdirSync(out, { recursive: true });
  writeFileSync(resolve(out, 'sandbox-scale.json'), JSON.stringify({ at: new Date().toISOString(), node: process.version, msns, connections, rounds, slice, rows, gets, targets: { rssOk, p99Ok, p99Growth } }, null, 2));
  console.log('results: bench/results/sandbox-scale.json');
} finally {
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
}
