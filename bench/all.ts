/**
 * `npm run bench`: every benchmark in turn, each in its own process (the memory bench needs
 * --expose-gc), with the arguments given passed on (e.g. `npm run bench -- --duration 5`).
 * Each prints its table and writes bench/results/<name>.json.
 *
 *   sandbox-http     sandbox vs bare Fastify (vs Prism with --prism): GET, create — ratios
 *   traffic-memory   traffic-log heap bytes per kept exchange, before #17 vs now
 *   request-validation  ePayment create validation (spec-compiled shapes + rules) vs JSON.parse of the body
 *   sandbox-scale    100k payments over 4 MSNs: RSS with the log at its cap (after a full GC, settled), GET p99 at 1k vs 100k
 *   payment-heap     heap bytes per payment, created through the routes in one process
 *   soak             mixed traffic from many simulated merchants (60 s by default): memory growth, errors
 *   proxy-latency    recording proxy vs direct calls to the same local upstream: added p50/p99 ms
 *   suite-wall-time  full default golive run at 1, 2, 4 workers: wall vs sum/longest flow, phases, Allure share (~5 min)
 */
import { spawnSync } from 'node:child_process';
import { root } from './support/processes.ts';

const args = process.argv.slice(2);
const only = args.includes('--only') ? args[args.indexOf('--only') + 1].split(',') : undefined;
const passOn = args.filter((a, i) => a !== '--only' && args[i - 1] !== '--only');
const benches: { name: string; node: string[]; args: string[] }[] = [
  { name: 'sandbox-http', node: [], args: passOn },
  { name: 'traffic-memory', node: ['--expose-gc'], args: [] },
  { name: 'request-validation', node: [], args: [] },
  { name: 'sandbox-scale', node: [], args: passOn.filter((a) => a !== '--prism') },
  { name: 'payment-heap', node: ['--expose-gc'], args: [] },
  { name: 'soak', node: [], args: passOn.filter((a) => a !== '--prism') },
  { name: 'proxy-latency', node: [], args: [] },
  { name: 'suite-wall-time', node: [], args: [] },
];
let failed = 0;
for (const b of benches) {
  if (only && !only.includes(b.name)) continue;
  console.log(`\n=== ${b.name}`);
  const run = spawnSync(process.execPath, [...b.node, 'bin/run-ts.mjs', `bench/${b.name}.ts`, ...b.args], { cwd: root, stdio: 'inherit' });
  if (run.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
