// The golive sandbox as a standalone process for benchmarks: prints its URL on stdout.
import { getHeapSpaceStatistics } from 'node:v8';
import { readFileSync } from 'node:fs';
import { createSandbox } from '../../src/sandbox/index.ts';

/** RSS split as Linux counts it: anonymous memory (heap, malloc) and mapped files (node's code). */
function rssParts(): { rssAnon?: number; rssFile?: number } {
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    const kib = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]) * 1024 || undefined;
    return { rssAnon: kib('RssAnon'), rssFile: kib('RssFile') };
  } catch {
    return {};
  }
}

const sandbox = await createSandbox({
  // Per-reference rate limits would turn a load test on one reference into 429s.
  settings: { rateLimits: { enabled: false } },
});
const url = await sandbox.listen({ port: 0 });
process.stdout.write(`${url}\n`);
process.on('SIGTERM', () => sandbox.close().then(() => process.exit(0)));
// Memory probe for the benchmark driver: 'memory' after a full GC (when run with --expose-gc),
// 'memory-as-is' without one (to watch V8's memory reducer release pages once the load stops).
process.on('message', (m: any) => {
  if (m !== 'memory' && m !== 'memory-as-is') return;
  const gc = (globalThis as { gc?: () => void }).gc;
  if (m === 'memory') {
    gc?.();
    gc?.();
  }
  const { rss, heapUsed, heapTotal } = process.memoryUsage();
  // Committed and used MiB per V8 space (in the JSON only): where committed-but-free memory sits.
  const spaces = Object.fromEntries(getHeapSpaceStatistics().map((sp) => [sp.space_name, [sp.space_size, sp.space_used_size].map((b) => Math.round(b / 2 ** 20))]));
  process.send?.({ rss, heapUsed, heapTotal, spaces, ...rssParts(), traffic: sandbox.traffic.length, dropped: sandbox.traffic.dropped });
});
