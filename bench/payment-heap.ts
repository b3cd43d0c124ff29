/**
 * Heap per payment (issue #17): one sandbox in this process, traffic log capped at one exchange so
 * only the payments stay; `--payments` creates through the real routes (`app.inject`, the whole
 * Fastify path: auth, idempotency, the machine); heap used after a full GC before and after,
 * divided by the count. Optionally a heap snapshot to see what a payment is made of.
 *
 *   node --expose-gc bin/run-ts.mjs bench/payment-heap.ts [--payments 20000] [--snapshot file.heapsnapshot]
 *
 * Writes bench/results/payment-heap.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';
import { createSandbox, DEFAULT_TEST_MERCHANT as M } from '../src/sandbox/index.ts';
import { flatString } from '../src/shared/strings.ts';
import { root } from './support/processes.ts';

const args = process.argv.slice(2);
const at = (name: string) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : undefined);
const count = Number(at('payments') ?? 20_000);
const snapshot = at('snapshot');
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) {
  console.error('payment-heap: run with node --expose-gc');
  process.exit(2);
}
const settle = () => {
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed;
};

const sandbox = await createSandbox({ settings: { rateLimits: { enabled: false }, trafficCapacity: 1 } });
const app = sandbox.app;
await app.ready();
const tokenRes = await app.inject({
  method: 'POST',
  url: '/accesstoken/get',
  headers: { client_id: M.clientId, client_secret: M.clientSecret, 'ocp-apim-subscription-key': M.subscriptionKeys[0], 'merchant-serial-number': M.msn },
});
const headers = {
  authorization: `Bearer ${tokenRes.json().access_token}`,
  'ocp-apim-subscription-key': M.subscriptionKeys[0],
  'merchant-serial-number': M.msn,
  'content-type': 'application/json',
  'vipps-system-name': 'bench',
};
// Bodies as an integration sends them: unique reference, returnUrl and key per payment.
const create = (n: number) =>
  app.inject({
    method: 'POST',
    url: '/epayment/v1/payments',
    // Flat, as a header parsed off the wire is (inject would pass the template's rope through).
    headers: { ...headers, 'idempotency-key': flatString(`heap-key-${n}`) },
    payload: JSON.stringify({
      amount: { currency: 'NOK', value: 1000 + (n % 50_000) },
      paymentMethod: { type: 'WALLET' },
      reference: `heap-ref-${String(n).padStart(8, '0')}`,
      userFlow: 'WEB_REDIRECT',
      returnUrl: `https://shop.example/return?order=${n}`,
    }),
  });

// Warm up (JIT, first-use caches, the merchant's maps) so the delta is the payments alone.
for (let n = 0; n < 200; n++) await create(-1 - n);
const before = settle();
for (let n = 0; n < count; n++) {
  const res = await create(n);
  if (res.statusCode !== 201) throw new Error(`create ${n}: ${res.statusCode} ${res.body}`);
}
const after = settle();
const perPayment = (after - before) / count;
if (snapshot) writeHeapSnapshot(snapshot);
await sandbox.close();

console.log(`\npayment heap — ${count} payments created through the routes, traffic log cap 1, after a full GC\n`);
console.log(`heap used before ${(before / 2 ** 20).toFixed(1)} MiB, after ${(after / 2 ** 20).toFixed(1)} MiB`);
console.log(`heap per payment: ${Math.round(perPayment)} B (100k payments ≈ ${((perPayment * 100_000) / 2 ** 20).toFixed(0)} MiB)`);
mkdirSync(resolve(root, 'bench/results'), { recursive: true });
writeFileSync(resolve(root, 'bench/results/payment-heap.json'), JSON.stringify({ payments: count, heapBefore: before, heapAfter: after, bytesPerPayment: perPayment }, null, 2));
console.log('results: bench/results/payment-heap.json');
