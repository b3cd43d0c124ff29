// The eCom shop: `node bin/run-ts.mjs examples/ecom-shop/src/main.ts` (README.md for the environment).
import type { AddressInfo } from 'node:net';
import { BackOffice } from './back-office.ts';
import { loadConfig } from './config.ts';
import { OrderBook } from './orders.ts';
import { createShopServer } from './server.ts';
import { Shop } from './shop.ts';
import { VippsClient } from './vipps/client.ts';
import { EcomApi } from './vipps/ecom-api.ts';

const config = loadConfig();
const shop = new Shop(config, new EcomApi(new VippsClient(config), config.msn), new OrderBook(config.orderPrefix, config.faults));
const server = createShopServer(shop, new BackOffice(shop));

await new Promise<void>((resolve) => server.listen(config.port, config.host, resolve));
// Port 0 (tests): the callback and fallBack URLs must carry the port the OS chose.
const { port } = server.address() as AddressInfo;
if (!process.env.ECOM_SHOP_PUBLIC_URL) config.publicUrl = `http://${config.host}:${port}`;
const faults = [...config.faults];
process.stdout.write(`ecom-shop listening on ${config.publicUrl}${faults.length ? ` (faults: ${faults.join(', ')})` : ''}\n`);

let stopping = false;
function stop(signal: string): void {
  if (stopping) return;
  stopping = true;
  shop.stop();
  server.closeAllConnections();
  server.close();
  process.stdout.write(`ecom-shop stopped (${signal})\n`);
  process.exit(0);
}
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
