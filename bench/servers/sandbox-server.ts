// The golive sandbox as a standalone process for benchmarks: prints its URL on stdout.
import { createSandbox } from '../../src/sandbox/index.ts';

const sandbox = await createSandbox({
  // Per-reference rate limits would turn a load test on one reference into 429s.
  settings: { rateLimits: { enabled: false } },
});
const url = await sandbox.listen({ port: 0 });
process.stdout.write(`${url}\n`);
process.on('SIGTERM', () => sandbox.close().then(() => process.exit(0)));
// Memory probe for the benchmark driver.
process.on('message', (m: any) => {
  if (m === 'memory') process.send?.({ rss: process.memoryUsage().rss, heapUsed: process.memoryUsage().heapUsed, traffic: sandbox.traffic.length, dropped: sandbox.traffic.dropped });
});
