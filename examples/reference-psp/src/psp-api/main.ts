// The reference PSP, PSP API mode: `PSP_API_VERSION=v2|v3 node bin/run-ts.mjs examples/reference-psp/src/psp-api/main.ts` (README.md).
import { startPspApi } from './app.ts';
import { loadPspApiConfig } from './config.ts';

let config: ReturnType<typeof loadPspApiConfig>;
try {
  config = loadPspApiConfig();
} catch (err) {
  // A bad environment (missing key, unknown fault switch, bad version) stops the PSP with one clear line.
  process.stderr.write(`reference-psp (PSP API): ${(err as Error).message}\n`);
  process.exit(1);
}
const running = await startPspApi(config);
const faults = [...config.faults];
process.stdout.write(`reference-psp (PSP API ${config.version}) listening on ${running.url} for MSN ${config.msn}${faults.length ? ` (faults: ${faults.join(', ')})` : ''}\n`);

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
