/**
 * Traffic-log memory per kept exchange (issue #17): the log before the compact representation
 * (bench/support/legacy-traffic-log.ts, a copy of src/traffic/log.ts at fddf130, fed the shapes
 * http.ts built then) against src/traffic/log.ts now, on the same realistic create/GET payment
 * exchanges (bench/support/exchange-shapes.ts). Heap bytes after a full GC, so the figure is
 * the same on a busy machine. Prints a table and writes bench/results/traffic-memory.json.
 *
 *   node --expose-gc bin/run-ts.mjs bench/traffic-memory.ts [--exchanges 50000]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { TrafficLog } from '../src/traffic/log.ts';
import { LegacyTrafficLog } from './support/legacy-traffic-log.ts';
import { captureShapes, exchangeOf, type Shape } from './support/exchange-shapes.ts';

const args = process.argv.slice(2);
const opt = (name: string, fallback: number) => (args.includes(`--${name}`) ? Number(args[args.indexOf(`--${name}`) + 1]) : fallback);
const N = opt('exchanges', 50_000);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) {
  console.error('run with node --expose-gc (see the header of this file)');
  process.exit(2);
}

const heap = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};

/** A payment's traffic: the create, then two GETs (the integration polling once, then the final read). */
const mix = (shapes: Shape[]) => {
  const create = shapes.find((s) => s.operation === 'createPayment')!;
  const get = shapes.find((s) => s.operation === 'getPayment')!;
  return [create, get, get];
};

function measure(legacy: boolean, shapes: Shape[]) {
  const seq = mix(shapes);
  const before = heap();
  const log = legacy ? new LegacyTrafficLog({ capacity: N }) : new TrafficLog({ capacity: N });
  let bodyBytes = 0;
  let appendNs = 0;
  // Built in batches, then appended, so the append time is the log's own (not the inputs' building).
  for (let i = 0; i < N; ) {
    const batch = [];
    for (const end = Math.min(N, i + 1000); i < end; i++) batch.push(exchangeOf(seq[i % seq.length], Math.floor(i / seq.length), legacy));
    const t0 = process.hrtime.bigint();
    for (const { input, bodies } of batch) {
      if (legacy) log.append(input);
      else (log as TrafficLog).append(input, bodies);
    }
    appendNs += Number(process.hrtime.bigint() - t0);
    for (const b of batch) bodyBytes += b.bodyBytes;
  }
  const after = heap();
  const t0 = performance.now();
  const all = log.all();
  const readMs = performance.now() - t0;
  // A query by reference scans the whole log: the best of five, after a GC.
  heap();
  let queryMs = Infinity;
  let one: unknown[] = [];
  for (let r = 0; r < 5; r++) {
    const t1 = performance.now();
    one = log.query({ reference: `bench-ref-${String(Math.floor(N / 6) + r).padStart(10, '0')}` });
    queryMs = Math.min(queryMs, performance.now() - t1);
  }
  if (all.length !== N || one.length === 0) throw new Error('log lost exchanges');
  const perExchange = (after - before) / N;
  return {
    representation: legacy ? 'before #17 (fddf130)' : 'compact (now)',
    exchanges: N,
    heapBytes: after - before,
    bytesPerExchange: Math.round(perExchange),
    bodyBytesPerExchange: Math.round(bodyBytes / N),
    overheadPerExchange: Math.round(perExchange - bodyBytes / N),
    appendUs: +(appendNs / N / 1000).toFixed(2),
    allMs: +readMs.toFixed(1),
    queryByReferenceMs: +queryMs.toFixed(2),
  };
}

const shapes = await captureShapes();
const rows = [measure(true, shapes), measure(false, shapes)];

console.log(`\ntraffic log memory — ${N} kept exchanges (create + 2× GET payment per payment), heap after full GC\n`);
console.log('representation           bytes/exch  body bytes  overhead  append µs  all() ms  query(ref) ms');
for (const r of rows)
  console.log(
    `${r.representation.padEnd(24)} ${String(r.bytesPerExchange).padStart(11)} ${String(r.bodyBytesPerExchange).padStart(11)} ${String(r.overheadPerExchange).padStart(9)} ${String(r.appendUs).padStart(10)} ${String(r.allMs).padStart(9)} ${String(r.queryByReferenceMs).padStart(14)}`,
  );
const [old, now] = rows;
const target = now.overheadPerExchange <= 1024;
console.log(`\n${(old.bytesPerExchange / now.bytesPerExchange).toFixed(1)}× less heap per exchange; overhead beyond body bytes ${now.overheadPerExchange} B (target ≤ 1024 B: ${target ? 'met' : 'NOT met'})`);

const out = resolve(import.meta.dirname, 'results');
mkdirSync(out, { recursive: true });
writeFileSync(resolve(out, 'traffic-memory.json'), JSON.stringify({ at: new Date().toISOString(), node: process.version, exchanges: N, rows, targetMet: target }, null, 2));
console.log(`results: bench/results/traffic-memory.json`);
