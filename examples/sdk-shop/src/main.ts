// The SDK shop: `node bin/run-ts.mjs examples/sdk-shop/src/main.ts` (README.md for the environment).
import type { AddressInfo } from 'node:net';
import { loadConfig } from './config.ts';
import { OrderBook } from './orders.ts';
import { Payments } from './payments.ts';
import { Poller } from './poller.ts';
import { createShopServer } from './server.ts';
import { VippsApi } from './vipps-api.ts';
import { WebhookReceiver } from './webhooks.ts';

const config = loadConfig();

// The SDK has no base-URL setting (only useTestMode → https://apitest.vipps.no), so a sandbox
// address is reached through golive's intercept helper, exactly as its README documents.
if (config.vippsBaseUrl && new URL(config.vippsBaseUrl).host !== 'apitest.vipps.no') {
  process.env.GOLIVE_SANDBOX_URL = config.vippsBaseUrl;
  process.env.GOLIVE_INTERCEPT_QUIET ??= '1';
  const intercept = 'golive/intercept'; // the package's documented entry (plain .mjs, no types)
  await import(intercept);
}

const api = new VippsApi(config);
const payments = new Payments(config, api, new OrderBook(config.referencePrefix));
const poller = new Poller(config, payments);
const webhooks = new WebhookReceiver(config, api, payments, poller);
const server = createShopServer({ payments, poller, webhooks });

await new Promise<void>((resolve) => server.listen(config.port, config.host, resolve));
const { port } = server.address() as AddressInfo;
if (!process.env.SDK_SHOP_PUBLIC_URL) config.publicUrl = `http://${config.host}:${port}`;

try {
  await webhooks.register();
} catch (err) {
  // Polling still confirms every payment; the shop runs, and says why webhooks are missing.
  process.stderr.write(`sdk-shop: ${(err as Error).message}; continuing with polling only\n`);
}
const faults = config.faults.list();
process.stdout.write(`sdk-shop listening on ${config.publicUrl}${faults.length ? ` (faults: ${faults.join(', ')})` : ''}\n`);

let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  poller.stopAll();
  server.closeAllConnections();
  server.close();
  // Leave no registration pointing at a dead URL; bounded so a gone sandbox cannot hold us.
  await Promise.race([webhooks.unregister().catch(() => undefined), new Promise((r) => setTimeout(r, 1000))]);
  process.stdout.write(`sdk-shop stopped (${signal})\n`);
  process.exit(0);
}
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));
