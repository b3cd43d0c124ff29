// The golive sandbox as a standalone process for benchmarks: prints its URL on stdout.
import { createSandbox } from '../../src/sandbox/index.ts';

const sandbox = await createSandbox({
  // Per-reference rate limits would turn a load test on one reference into 429s.
  settings: { rateLimits: { enabled: false } },
});
const url = await sandbox.listen({ port: 0 });
process.stdout.write(`${url}\n`);
process.on('SIGTERM', () => sandbox.close().then(() => process.exit(0)));
// Memory probe for the benchmark driver (after a full GC when run with --expose-gc).
process.on('message', (m: any) => {
  if (m !== 'memory') return;
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  const { rss, heapUsed } = process.memoryUsage();
  process.send?.({ rss, heapUsed, traffic: sandbox.traffic.length, dropped: sandbox.traffic.dropped });
});
