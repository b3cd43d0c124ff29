/**
 * Recording-proxy latency: what the proxy adds to a call, against direct calls to the same local
 * upstream (bench/servers/baseline-server.ts, bare Fastify) in the same run. Upstream and proxy
 * run in their own processes; this script is the client: keep-alive undici clients, `--concurrency`
 * requests in flight per target, GET payment and POST create taking turns with their direct
 * twins in `--rounds` rounds, so machine load hits both alike. Reports p50/p99 per scenario,
 * the proxy's added latency in ms (proxied − direct) and as a ratio. Target: ≤ 1 ms added at p50.
 *
 *   node bin/run-ts.mjs bench/proxy-latency.ts [--requests 2000] [--rounds 5] [--concurrency 1]
 *
 * Writes bench/results/proxy-latency.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { Pool } from 'undici';
import { root, startServer } from './support/processes.ts';

const args = process.argv.slice(2);
const opt = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const requests = opt('requests', 2000);
const rounds = Math.max(1, opt('rounds', 5));
const concurrency = Math.max(1, opt('concurrency', 1));
const perRound = Math.max(1, Math.round(requests / rounds));

const createBody = JSON.stringify({ amount: { currency: 'NOK', value: 49900 }, paymentMethod: { type: 'WALLET' }, reference: 'bench-order-000002', userFlow: 'WEB_REDIRECT', returnUrl: 'https://example.com/r' });
const headers = { authorization: 'Bearer bench-token-not-a-secret', 'ocp-apim-subscription-key': 'bench-key', 'merchant-serial-number': '123456', 'content-type': 'application/json' };

type Kind = 'get' | 'create';
async function timed(client: Pool, kind: Kind, n: number): Promise<number[]> {
  const out: number[] = [];
  let next = 0;
  const worker = async () => {
    while (next < n) {
      next++;
      const t0 = performance.now();
      const res = await client.request(
        kind === 'get'
          ? { path: '/epayment/v1/payments/bench-order-000001', method: 'GET', headers }
          : { path: '/epayment/v1/payments', method: 'POST', headers: { ...headers, 'idempotency-key': `k-${next}` }, body: createBody },
      );
      await res.body.dump();
      out.push(performance.now() - t0);
      if (res.statusCode >= 300) throw new Error(`${kind}: status ${res.statusCode}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return out;
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

const children: ChildProcess[] = [];
const clients: Pool[] = [];
try {
  const upstream = await startServer(process.execPath, ['bin/run-ts.mjs', 'bench/servers/baseline-server.ts']);
  children.push(upstream.child);
  const proxy = await startServer(process.execPath, ['bin/run-ts.mjs', 'bench/servers/proxy-server.ts', upstream.url]);
  children.push(proxy.child);
  const direct = new Pool(upstream.url, { connections: concurrency });
  const proxied = new Pool(proxy.url, { connections: concurrency });
  clients.push(direct, proxied);
  // Warm-up (JIT, connections), not measured.
  for (const c of [direct, proxied]) for (const k of ['get', 'create'] as const) await timed(c, k, 300);

  const samples: Record<string, number[]> = { directGet: [], proxiedGet: [], directCreate: [], proxiedCreate: [] };
  for (let r = 0; r < rounds; r++) {
    samples.directGet.push(...(await timed(direct, 'get', perRound)));
    samples.proxiedGet.push(...(await timed(proxied, 'get', perRound)));
    samples.directCreate.push(...(await timed(direct, 'create', perRound)));
    samples.proxiedCreate.push(...(await timed(proxied, 'create', perRound)));
  }
  const recorded = await new Promise<number>((ok) => {
    proxy.child.once('message', (m) => ok((m as { recorded: number }).recorded));
    proxy.child.send('count');
  });

  const stats = Object.fromEntries(Object.entries(samples).map(([k, xs]) => [k, { n: xs.length, p50: pct(xs, 50), p99: pct(xs, 99) }]));
  const added = (kind: 'Get' | 'Create') => {
    const d = stats[`direct${kind}`];
    const p = stats[`proxied${kind}`];
    return { p50Ms: p.p50 - d.p50, p99Ms: p.p99 - d.p99, p50Ratio: p.p50 / d.p50, p99Ratio: p.p99 / d.p99 };
  };
  const result = { get: added('Get'), create: added('Create') };

  console.log(`\nrecording proxy latency — ${rounds} rounds × ${perRound} requests per scenario, ${concurrency} in flight, keep-alive\n`);
  console.log('scenario         n       p50 ms   p99 ms');
  for (const [k, s] of Object.entries(stats)) console.log(`${k.padEnd(15)} ${String(s.n).padStart(6)} ${s.p50.toFixed(3).padStart(8)} ${s.p99.toFixed(3).padStart(8)}`);
  console.log('\nadded by the proxy (proxied − direct, same run):');
  for (const [k, a] of Object.entries(result))
    console.log(`  ${k.padEnd(7)} p50 +${a.p50Ms.toFixed(3)} ms (${a.p50Ratio.toFixed(2)}×)   p99 +${a.p99Ms.toFixed(3)} ms (${a.p99Ratio.toFixed(2)}×)   ${a.p50Ms <= 1 ? 'within' : 'OVER'} the 1 ms p50 target`);
  console.log(`\nexchanges recorded by the proxy: ${recorded}`);
  mkdirSync(resolve(root, 'bench/results'), { recursive: true });
  writeFileSync(resolve(root, 'bench/results/proxy-latency.json'), JSON.stringify({ at: new Date().toISOString(), node: process.version, rounds, perRound, concurrency, stats, added: result, recorded }, null, 2));
  console.log('results: bench/results/proxy-latency.json');
} finally {
  await Promise.all(clients.map((c) => c.close()));
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
}
