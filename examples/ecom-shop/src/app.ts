import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BackOffice } from './back-office.ts';
import type { ShopConfig } from './config.ts';
import { OrderBook } from './orders.ts';
import { createShopServer } from './server.ts';
import { type Log, Shop } from './shop.ts';
import { VippsClient } from './vipps/client.ts';
import { EcomApi } from './vipps/ecom-api.ts';
import { OrderManagementApi } from './vipps/order-management.ts';

export interface RunningShop {
  url: string;
  shop: Shop;
  client: VippsClient;
  server: Server;
  stop(): Promise<void>;
}

/** Builds the shop from its config and listens (main.ts, and the tests in-process). */
export async function startShop(config: ShopConfig, log?: Log): Promise<RunningShop> {
  const client = new VippsClient(config);
  const orders = new OrderBook(config.orderPrefix, config.faults);
  const shop = new Shop(config, new EcomApi(client, config.msn), orders, log, undefined, new OrderManagementApi(client));
  const server = createShopServer(shop, new BackOffice(shop));
  await new Promise<void>((resolve) => server.listen(config.port, config.host, resolve));
  // Port 0: the callback and fallBack URLs must carry the port the OS chose.
  const { port } = server.address() as AddressInfo;
  if (config.port === 0 && new URL(config.publicUrl).port === '0') config.publicUrl = `http://${config.host}:${port}`;
  return {
    url: config.publicUrl,
    shop,
    client,
    server,
    async stop() {
      shop.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
