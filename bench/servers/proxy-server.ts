// The recording proxy in front of the upstream given as the first argument (bench/proxy-latency.ts).
import { startRecordingProxy } from '../../src/proxy/index.ts';
import { TrafficLog } from '../../src/traffic/log.ts';

const upstream = process.argv[2];
if (!upstream) throw new Error('usage: proxy-server.ts <upstream-url>');
const log = new TrafficLog();
const proxy = await startRecordingProxy({ upstream, log, timeoutMs: 10_000 });
process.stdout.write(`${proxy.url}\n`);
process.on('message', (m) => {
  if (m === 'count') process.send?.({ recorded: log.lastSeq });
});
process.on('SIGTERM', () => proxy.close().then(() => process.exit(0)));
