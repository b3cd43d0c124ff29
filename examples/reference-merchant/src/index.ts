/**
 * The reference merchant: a small coffee shop integrated with the Vipps MobilePay ePayment API
 * the way the documentation recommends. Start it in-process:
 *
 *   const shop = await startReferenceMerchant({ vippsBaseUrl: sandbox.url, port: 0 });
 *   shop.url        // http://127.0.0.1:PORT
 *   await shop.close();
 *
 * or from the command line (src/main.ts). It talks to Vipps only over HTTP.
 */
import Fastify, { type FastifyServerOptions } from 'fastify';
import { PLATFORM_FAULT_SWITCHES, resolveConfig, type Faults, type MerchantConfig, type MerchantConfigInput } from './config.ts';
import type { InPerson } from './in-person.ts';
import webhookRoutes, { WEBHOOK_PATH } from './routes/webhooks.ts';
import shopRoutes, { assembleShop, backgroundWork, listen, registerReceiver } from './shop-app.ts';
import type { Shop } from './shop.ts';
import { VippsClient } from './vipps/client.ts';
import { deleteWebhook, type WebhookRegistration } from './vipps/webhooks.ts';

export { configFromArgs, resolveConfig, FAULT_SWITCHES, PLATFORM_FAULT_SWITCHES, SANDBOX_TEST_KEYS, SANDBOX_TEST_PARTNER } from './config.ts';
export type { AnyFaultSwitch, FaultSwitch, MerchantConfig, MerchantConfigInput, PlatformFaultSwitch } from './config.ts';
export { startReferencePlatform, PLATFORM_WEBHOOK_PATH, type PlatformStartOptions, type ReferencePlatform, type PlatformTenantShop } from './platform.ts';
export type { Order, OrderStatus } from './orders.ts';

export interface StartOptions extends MerchantConfigInput {
  /** Fastify/pino logger options; off by default (the CLI turns it on). */
  logger?: FastifyServerOptions['logger'];
}

export interface ReferenceMerchant {
  /** Base URL the shop listens on, e.g. http://127.0.0.1:4100. */
  url: string;
  /** Base URL in returnUrl and the webhook URL (publicUrl, or `url`). */
  publicUrl: string;
  port: number;
  config: MerchantConfig;
  faults: Faults;
  /** The shop's state, for tests and tools (orders, pollers). */
  shop: Shop;
  /** The in-person mode (push and QR payments, kept phone numbers). */
  inPerson: InPerson;
  /** Our webhook registration, when it succeeded. */
  webhook: Omit<WebhookRegistration, 'secret'> | undefined;
  close(): Promise<void>;
}

export async function startReferenceMerchant(options: StartOptions = {}): Promise<ReferenceMerchant> {
  const { logger = false, ...input } = options;
  const config = resolveConfig(input);
  if (config.platformTenants) throw new Error('platformTenants is set: start the platform mode (startReferencePlatform) instead');
  const platformOnly = config.faults.filter((f) => (PLATFORM_FAULT_SWITCHES as readonly string[]).includes(f));
  if (platformOnly.length) throw new Error(`fault switch ${platformOnly.join(', ')} needs the platform mode (--platform-tenants)`);
  const faults: Faults = new Set(config.faults);

  const app = Fastify({ logger, forceCloseConnections: true });
  const log = app.log;
  const client = new VippsClient(config, faults, log);
  let publicUrl = '';

  let webhook: WebhookRegistration | undefined;
  const { track, settle } = backgroundWork();
  const { shop, inPerson } = assembleShop(config, faults, client, () => publicUrl, track, log);

  app.register(shopRoutes, { config, faults, shop, inPerson, webhookRegistered: () => webhook !== undefined });
  app.register(webhookRoutes, { config, faults, shop, secret: () => webhook?.secret, track, log });
  app.get('/health', async () => ({ status: 'ok' }));

  const listening = await listen(app, config);
  const { url, port } = listening;
  publicUrl = listening.publicUrl;
  // Webhooks AND polling: register the receiver now; polling starts with each payment.
  webhook = await registerReceiver(client, `${publicUrl}${WEBHOOK_PATH}`, config, faults, log, 'webhook');

  let closed = false;
  return {
    url,
    publicUrl,
    port,
    config,
    faults,
    shop,
    inPerson,
    get webhook() {
      return webhook ? { id: webhook.id, url: webhook.url } : undefined;
    },
    async close() {
      if (closed) return;
      closed = true;
      shop.pollers.stopAll();
      await settle();
      if (webhook && config.unregisterWebhooksOnClose) {
        // So Vipps does not keep retrying deliveries to a shop that is gone.
        await deleteWebhook(client, webhook.id).catch((err) => log.warn({ err: String(err) }, 'could not delete the webhook registration'));
      }
      await app.close();
      await client.close();
    },
  };
}
