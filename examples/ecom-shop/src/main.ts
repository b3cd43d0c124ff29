// The eCom shop: `node bin/run-ts.mjs examples/ecom-shop/src/main.ts` (README.md for the environment).
import { startShop } from './app.ts';
import { loadConfig } from './config.ts';

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig();
} catch (err) {
  // A bad environment (missing key, unknown fault switch) stops the shop with one clear line.
  process.stderr.write(`ecom-shop: ${(err as Error).message}\n`);
  process.exit(1);
}
const running = await startShop(config);
const faults = [...config.faults];
process.stdout.write(`ecom-shop listening on ${running.url}${faults.length ? ` (faults: ${faults.join(', ')})` : ''}\n`);

let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  await Promise.race([running.stop(), new Promise((r) => setTimeout(r, 1000))]);
  process.stdout.write(`ecom-shop stopped (${signal})\n`);
  process.exit(0);
}
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));
