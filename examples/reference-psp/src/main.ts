// The reference PSP: `node bin/run-ts.mjs examples/reference-psp/src/main.ts` (README.md for the environment).
import { startPsp } from './app.ts';
import { loadConfig } from './config.ts';

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig();
} catch (err) {
  // A bad environment (missing key, unknown fault switch) stops the PSP with one clear line.
  process.stderr.write(`reference-psp: ${(err as Error).message}\n`);
  process.exit(1);
}
const running = await startPsp(config);
const faults = [...config.faults];
process.stdout.write(`reference-psp listening on ${running.url} for MSN ${config.msn}${faults.length ? ` (faults: ${faults.join(', ')})` : ''}\n`);

let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  await Promise.race([running.stop(), new Promise((r) => setTimeout(r, 1500))]);
  process.stdout.write(`reference-psp stopped (${signal})\n`);
  process.exit(0);
}
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));
