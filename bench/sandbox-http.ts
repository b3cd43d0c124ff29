/**
 * Sandbox HTTP benchmark: throughput and latency of GET payment and create payment, against
 * (1) a bare Fastify baseline in the same script and (2) optionally a Prism mock of the same
 * spec (the comparison point). Figures are reported as ratios, since absolute numbers
 * on a shared 2-core machine are noisy.
 *
 *   node bin/run-ts.mjs bench/sandbox-http.ts [--duration 10] [--connections 50] [--prism]
 *
 * --prism installs @stoplight/prism-cli into .tmp/prism (npm) on first use.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import { request } from 'undici';
import { DEFAULT_TEST_MERCHANT as M } from '../src/sandbox/merchants.ts';

const root = resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const opt = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const duration = opt('duration', 10);
const connections = opt('connections', 50);
const withPrism = args.includes('--prism');

async function startServer(command: string, commandArgs: string[]): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(command, commandArgs, { cwd: root, stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  const lines = createInterface({ input: child.stdout! });
  for await (const line of lines) {
    const m = /(http:\/\/127\.0\.0\.1:\d+)/.exec(line);
    if (m) return { url: m[1], child };
  }
  throw new Error(`${command} exited before printing its URL`);
}

async function load(title: string, opts: autocannon.Options) {
  const result = await autocannon({ duration, connections, ...opts });
  const errors = result.errors + result.timeouts + result.non2xx;
  return { title, rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors, total: result.requests.total };
}

async function token(base: string): Promise<string> {
  const res = await request(`${base}/accesstoken/get`, {
    method: 'POST',
    headers: { client_id: M.clientId, client_secret: M.clientSecret, 'ocp-apim-subscription-key': M.subscriptionKeys[0], 'merchant-serial-number': M.msn },
  });
  return ((await res.body.json()) as any).access_token;
}

const results: Record<string, Awaited<ReturnType<typeof load>>> = {};
const children: ChildProcess[] = [];
try {
  // --- baseline ---
  const baseline = await startServer(process.execPath, ['bin/run-ts.mjs', 'bench/servers/baseline-server.ts']);
  children.push(baseline.child);
  results.baselineGet = await load('baseline GET', { url: `${baseline.url}/epayment/v1/payments/bench-order-000001` });
  baseline.child.kill('SIGTERM');

  // --- sandbox ---
  const sandbox = await startServer(process.execPath, ['bin/run-ts.mjs', 'bench/servers/sandbox-server.ts']);
  children.push(sandbox.child);
  const headers = {
    authorization: `Bearer ${await token(sandbox.url)}`,
    'ocp-apim-subscription-key': M.subscriptionKeys[0],
    'merchant-serial-number': M.msn,
    'content-type': 'application/json',
    'vipps-system-name': 'bench',
  };
  const ref = 'bench-order-000001';
  const created = await request(`${sandbox.url}/epayment/v1/payments`, {
    method: 'POST',
    headers: { ...headers, 'idempotency-key': 'bench-create-1' },
    body: JSON.stringify({ amount: { currency: 'NOK', value: 49900 }, paymentMethod: { type: 'WALLET' }, reference: ref, userFlow: 'WEB_REDIRECT', returnUrl: 'https://example.com/r' }),
  });
  if (created.statusCode !== 201) throw new Error(`setup create failed: ${created.statusCode} ${await created.body.text()}`);
  await created.body.dump();
  results.sandboxGet = await load('sandbox GET payment', { url: `${sandbox.url}/epayment/v1/payments/${ref}`, headers });
  let n = 0;
  results.sandboxCreate = await load('sandbox POST create', {
    url: `${sandbox.url}/epayment/v1/payments`,
    method: 'POST',
    headers,
    requests: [
      {
        setupRequest: (req: any) => {
          n++;
          return {
            ...req,
            headers: { ...headers, 'idempotency-key': `bench-${n}` },
            body: JSON.stringify({ amount: { currency: 'NOK', value: 49900 }, paymentMethod: { type: 'WALLET' }, reference: `bench-create-${n}`, userFlow: 'WEB_REDIRECT', returnUrl: 'https://example.com/r' }),
          };
        },
      },
    ],
  });
  sandbox.child.send('memory');
  const [memory] = (await once(sandbox.child, 'message')) as [any];
  sandbox.child.kill('SIGTERM');

  // --- Prism (optional) ---
  if (withPrism) {
    const prismBin = resolve(root, '.tmp/prism/node_modules/.bin/prism');
    if (!existsSync(prismBin)) execFileSync('npm', ['install', '--prefix', resolve(root, '.tmp/prism'), '--no-audit', '--no-fund', '@stoplight/prism-cli@5'], { stdio: 'inherit' });
    const spec = resolve(root, '../shared/reference/openapi/epayment-v1.yaml');
    const prism = await startServer(prismBin, ['mock', '-h', '127.0.0.1', '-p', '0', spec]);
    children.push(prism.child);
    results.prismGet = await load('prism GET payment', { url: `${prism.url}/epayment/v1/payments/${ref}`, headers });
    prism.child.kill('SIGTERM');
  }

  const rows = Object.values(results);
  console.log(`\nsandbox HTTP benchmark — ${duration}s per scenario, ${connections} connections, autocannon\n`);
  console.log('scenario                 req/s     p50 ms  p99 ms  errors');
  for (const r of rows) console.log(`${r.title.padEnd(24)} ${r.rps.toFixed(0).padStart(8)} ${String(r.p50).padStart(8)} ${String(r.p99).padStart(7)} ${String(r.errors).padStart(7)}`);
  const b = results.baselineGet;
  console.log(`\nratios (same script, same machine):`);
  console.log(`  sandbox GET / bare Fastify GET:   ${(results.sandboxGet.rps / b.rps).toFixed(2)}× throughput, p99 ${results.sandboxGet.p99} vs ${b.p99} ms`);
  console.log(`  sandbox create / bare Fastify GET: ${(results.sandboxCreate.rps / b.rps).toFixed(2)}× throughput`);
  if (results.prismGet) console.log(`  sandbox GET / Prism mock GET:     ${(results.sandboxGet.rps / results.prismGet.rps).toFixed(1)}× throughput, p99 ${results.sandboxGet.p99} vs ${results.prismGet.p99} ms`);
  console.log(`\nsandbox memory after the run: rss ${(memory.rss / 2 ** 20).toFixed(0)} MiB, heap ${(memory.heapUsed / 2 ** 20).toFixed(0)} MiB, traffic log ${memory.traffic} kept / ${memory.dropped} dropped (cap bounds it)`);
  const ratios = {
    sandboxGetOverBare: results.sandboxGet.rps / b.rps,
    sandboxCreateOverBare: results.sandboxCreate.rps / b.rps,
    sandboxGetOverPrism: results.prismGet ? results.sandboxGet.rps / results.prismGet.rps : undefined,
  };
  mkdirSync(resolve(root, 'bench/results'), { recursive: true });
  writeFileSync(resolve(root, 'bench/results/sandbox-http.json'), JSON.stringify({ at: new Date().toISOString(), node: process.version, duration, connections, results, ratios, memory }, null, 2));
  console.log('results: bench/results/sandbox-http.json');
} finally {
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
}
