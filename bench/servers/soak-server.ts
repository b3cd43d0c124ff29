// The golive sandbox as a standalone process for the soak (bench/soak.ts): rate limits on, as the
// real API has them; prints its URL on stdout and answers memory probes over IPC.
import { createSandbox } from '../../src/sandbox/index.ts';

const sandbox = await createSandbox({ settings: { webhookTimeoutMs: 2000 } });
const url = await sandbox.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(`${url}\n`);
process.on('SIGTERM', () => sandbox.close().then(() => process.exit(0)));
process.on('message', (m: { type?: string; gc?: boolean }) => {
  if (m?.type !== 'memory') return;
  if (m.gc) (globalThis as { gc?: () => void }).gc?.();
  const mem = process.memoryUsage();
  process.send?.({
    rss: mem.rss,
    heapUsed: mem.heapUsed,
    heapTotal: mem.heapTotal,
    external: mem.external,
    payments: sandbox.ctx.payments.list().length,
    traffic: sandbox.traffic.length,
    trafficDropped: sandbox.traffic.dropped,
  });
});
