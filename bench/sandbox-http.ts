/**
 * Sandbox HTTP benchmark: throughput and latency of GET payment and create payment, against
 * (1) a bare Fastify baseline in the same script (GET, and a POST that parses the same create
 * bodies and answers a create-sized 201) and (2) optionally a Prism mock of the same
 * spec (the issue's comparison point). Figures are reported as ratios, since absolute numbers
 * on a shared 2-core machine are noisy: both servers run side by side and the scenarios take
 * turns in `--rounds` rounds (bare GET, sandbox GET, sandbox create, …), so a change in the
 * machine's load hits every scenario alike; each ratio is the median of its rounds' ratios.
 *
 *   node bin/run-ts.mjs bench/sandbox-http.ts [--duration 10] [--connections 50] [--rounds 3] [--prism]
 *
 * --duration is per scenario in all (split over the rounds). --prism installs
 * @stoplight/prism-cli into .tmp/prism (npm) on first use. Writes bench/results/sandbox-http.json.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import autocannon from 'autocannon';
import { request } from 'undici';
import { DEFAULT_TEST_MERCHANT as M } from '../src/sandbox/merchants.ts';
import { apiHeaders, memoryOf, MiB, root, startServer, type Credentials } from './support/processes.ts';

const args = process.argv.slice(2);
const opt = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const duration = opt('duration', 10);
const connections = opt('connections', 50);
const rounds = Math.max(1, opt('rounds', 3));
const slice = Math.max(1, Math.round(duration / rounds));
const withPrism = args.includes('--prism');

interface Row {
  title: string;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  total: number;
}

async function load(title: string, opts: autocannon.Options, seconds = slice): Promise<Row> {
  const result = await autocannon({ duration: seconds, connections, ...opts });
  const errors = result.errors + result.timeouts + result.non2xx;
  return { title, rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors, total: result.requests.total };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
/** One row from a scenario's rounds: medians of throughput and latency, errors and requests summed. */
const combine = (rows: Row[]): Row => ({
  title: rows[0].title,
  rps: median(rows.map((r) => r.rps)),
  p50: median(rows.map((r) => r.p50)),
  p99: median(rows.map((r) => r.p99)),
  errors: rows.reduce((a, r) => a + r.errors, 0),
  total: rows.reduce((a, r) => a + r.total, 0),
});

const createBody = (reference: string) =>
  JSON.stringify({ amount: { currency: 'NOK', value: 49900 }, paymentMethod: { type: 'WALLET' }, reference, userFlow: 'WEB_REDIRECT', returnUrl: 'https://example.com/r' });

const freePort = () =>
  new Promise<number>((resolvePort) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });

async function untilAnswering(url: string, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      await (await request(url)).body.dump();
      return;
    } catch (err) {
      if (Date.now() > until) throw new Error(`${url} did not answer within ${timeoutMs} ms: ${(err as Error).message}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

const children: ChildProcess[] = [];
try {
  const baseline = await startServer(process.execPath, ['bin/run-ts.mjs', 'bench/servers/baseline-server.ts']);
  children.push(baseline.child);
  const sandbox = await startServer(process.execPath, ['bin/run-ts.mjs', 'bench/servers/sandbox-server.ts']);
  children.push(sandbox.child);
  const headers = await apiHeaders(sandbox.url, M as Credentials);
  const ref = 'bench-order-000001';
  const created = await request(`${sandbox.url}/epayment/v1/payments`, { method: 'POST', headers: { ...headers, 'idempotency-key': 'bench-create-1' }, body: createBody(ref) });
  if (created.statusCode !== 201) throw new Error(`setup create failed: ${created.statusCode} ${await created.body.text()}`);
  await created.body.dump();

  let n = 0;
  // Both servers get the same generated creates (unique reference and key per request).
  const creates = (title: string, url: string) =>
    load(title, {
      url: `${url}/epayment/v1/payments`,
      method: 'POST',
      headers,
      requests: [
        {
          setupRequest: (req: any) => {
            n++;
            return { ...req, headers: { ...headers, 'idempotency-key': `bench-${n}` }, body: createBody(`bench-create-${String(n).padStart(8, '0')}`) };
          },
        },
      ],
    });
  const perRound: { bare: Row; get: Row; bareCreate: Row; create: Row }[] = [];
  for (let r = 0; r < rounds; r++) {
    const bare = await load('baseline GET', { url: `${baseline.url}/epayment/v1/payments/${ref}`, headers });
    const get = await load('sandbox GET payment', { url: `${sandbox.url}/epayment/v1/payments/${ref}`, headers });
    const bareCreate = await creates('baseline POST create', baseline.url);
    const create = await creates('sandbox POST create', sandbox.url);
    perRound.push({ bare, get, bareCreate, create });
  }
  const memory = await memoryOf(sandbox.child);

  const results: Record<string, Row> = {
    baselineGet: combine(perRound.map((p) => p.bare)),
    sandboxGet: combine(perRound.map((p) => p.get)),
    baselineCreate: combine(perRound.map((p) => p.bareCreate)),
    sandboxCreate: combine(perRound.map((p) => p.create)),
  };
  const ratios: Record<string, number> = {
    sandboxGetOverBare: median(perRound.map((p) => p.get.rps / p.bare.rps)),
    sandboxCreateOverBare: median(perRound.map((p) => p.create.rps / p.bare.rps)),
    sandboxCreateOverBareCreate: median(perRound.map((p) => p.create.rps / p.bareCreate.rps)),
  };

  if (withPrism) {
    // Prism as it starts by default (logs every request at info), and quiet (warnings only).
    const prismBin = resolve(root, '.tmp/prism/node_modules/.bin/prism');
    if (!existsSync(prismBin)) execFileSync('npm', ['install', '--prefix', resolve(root, '.tmp/prism'), '--no-audit', '--no-fund', '@stoplight/prism-cli@5'], { stdio: 'inherit' });
    const spec = resolve(root, '../shared/reference/openapi/epayment-v1.yaml');
    for (const [mode, extra] of [['default', []], ['quiet', ['--errors', 'false', '-v', 'warn']]] as const) {
      // Quiet Prism does not print its address: give it a free port and wait until it answers.
      const port = await freePort();
      const child = spawn(prismBin, ['mock', '-h', '127.0.0.1', '-p', String(port), ...extra, spec], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
      children.push(child);
      const prism = { url: `http://127.0.0.1:${port}`, child };
      await untilAnswering(prism.url, 60_000);
      await load('prism warm-up', { url: `${prism.url}/epayment/v1/payments/${ref}`, headers }, 1); // its JIT warms up, not measured
      const key = mode === 'default' ? 'prism' : 'prismQuiet';
      results[`${key}Get`] = await load(`prism ${mode} GET`, { url: `${prism.url}/epayment/v1/payments/${ref}`, headers });
      results[`${key}Create`] = await load(`prism ${mode} create`, {
        url: `${prism.url}/epayment/v1/payments`,
        method: 'POST',
        headers: { ...headers, 'idempotency-key': 'prism-bench-key' },
        body: createBody('prism-bench-reference'),
      });
      ratios[`sandboxGetOver${mode === 'default' ? 'Prism' : 'PrismQuiet'}`] = results.sandboxGet.rps / results[`${key}Get`].rps;
      ratios[`sandboxCreateOver${mode === 'default' ? 'Prism' : 'PrismQuiet'}`] = results.sandboxCreate.rps / results[`${key}Create`].rps;
      prism.child.kill('SIGTERM');
    }
  }

  console.log(`\nsandbox HTTP benchmark — ${rounds} rounds × ${slice}s per scenario, ${connections} connections, autocannon (medians of the rounds)\n`);
  console.log('scenario                 req/s     p50 ms  p99 ms  errors');
  for (const r of Object.values(results)) console.log(`${r.title.padEnd(24)} ${r.rps.toFixed(0).padStart(8)} ${String(r.p50).padStart(8)} ${String(r.p99).padStart(7)} ${String(r.errors).padStart(7)}`);
  const b = results.baselineGet;
  console.log(`\nratios (same script, same machine, median of the rounds):`);
  console.log(`  sandbox GET / bare Fastify GET:    ${ratios.sandboxGetOverBare.toFixed(2)}× throughput (rounds: ${perRound.map((p) => (p.get.rps / p.bare.rps).toFixed(2)).join(', ')}), p99 ${results.sandboxGet.p99} vs ${b.p99} ms`);
  console.log(`  sandbox create / bare Fastify GET: ${ratios.sandboxCreateOverBare.toFixed(2)}× throughput (rounds: ${perRound.map((p) => (p.create.rps / p.bare.rps).toFixed(2)).join(', ')})`);
  console.log(`  sandbox create / bare Fastify POST: ${ratios.sandboxCreateOverBareCreate.toFixed(2)}× throughput (rounds: ${perRound.map((p) => (p.create.rps / p.bareCreate.rps).toFixed(2)).join(', ')}), p99 ${results.sandboxCreate.p99} vs ${results.baselineCreate.p99} ms`);
  if (results.prismGet) {
    console.log(`  sandbox GET / Prism default GET:   ${ratios.sandboxGetOverPrism.toFixed(1)}×, create ${ratios.sandboxCreateOverPrism.toFixed(1)}× throughput`);
    console.log(`  sandbox GET / Prism quiet GET:     ${ratios.sandboxGetOverPrismQuiet.toFixed(1)}×, create ${ratios.sandboxCreateOverPrismQuiet.toFixed(1)}× throughput`);
  }
  console.log(`\nsandbox memory after the run: rss ${MiB(memory.rss)} MiB, heap ${MiB(memory.heapUsed)} MiB, traffic log ${memory.traffic} kept / ${memory.dropped} dropped (cap bounds it)`);
  mkdirSync(resolve(root, 'bench/results'), { recursive: true });
  writeFileSync(resolve(root, 'bench/results/sandbox-http.json'), JSON.stringify({ at: new Date().toISOString(), node: process.version, rounds, slice, connections, results, perRound, ratios, memory }, null, 2));
  console.log('results: bench/results/sandbox-http.json');
} finally {
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
}
