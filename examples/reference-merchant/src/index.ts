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
import { resolveConfig, type FaultSwitch, type MerchantConfig, type MerchantConfigInput } from './config.ts';
import { OrderStore } from './orders.ts';
import { ReferenceGenerator } from './references.ts';
import { InPerson } from './in-person.ts';
import apiRoutes from './routes/api.ts';
import inPersonRoutes from './routes/in-person.ts';
import pageRoutes from './routes/pages.ts';
import webhookRoutes, { WEBHOOK_PATH } from './routes/webhooks.ts';
import { Shop } from './shop.ts';
import { VippsClient } from './vipps/client.ts';
import { EpaymentApi } from './vipps/epayment.ts';
import { QrApi } from './vipps/qr.ts';
import { UserinfoApi } from './vipps/userinfo.ts';
import { deleteWebhook, registerWebhook, type WebhookRegistration } from './vipps/webhooks.ts';

export { configFromArgs, resolveConfig, FAULT_SWITCHES, SANDBOX_TEST_KEYS } from './config.ts';
export type { FaultSwitch, MerchantConfig, MerchantConfigInput } from './config.ts';
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
  faults: ReadonlySet<FaultSwitch>;
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
  const faults: ReadonlySet<FaultSwitch> = new Set(config.faults);

  const app = Fastify({ logger, forceCloseConnections: true });
  const log = app.log;
  const client = new VippsClient(config, faults, log);
  const epayment = new EpaymentApi(client);
  let publicUrl = '';
  const shop = new Shop(config, faults, epayment, new OrderStore(), new ReferenceGenerator(config.referencePrefix, faults), () => publicUrl, log);

  let webhook: WebhookRegistration | undefined;
  const background = new Set<Promise<unknown>>();
  const track = (work: Promise<unknown>) => {
    background.add(work);
    void work.finally(() => background.delete(work));
  };
  const inPerson = new InPerson(config, faults, shop, new QrApi(client), new UserinfoApi(client), () => publicUrl, track, log);

  // Plain HTML forms post application/x-www-form-urlencoded.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) =>
    done(null, Object.fromEntries(new URLSearchParams(body as string))),
  );
  app.register(pageRoutes, { config, faults, shop, webhookRegistered: () => webhook !== undefined });
  app.register(apiRoutes, { shop, faults, sharedPhone: (order) => inPerson.hasSharedPhone(order) });
  app.register(inPersonRoutes, { config, faults, shop, inPerson });
  app.register(webhookRoutes, { config, faults, shop, secret: () => webhook?.secret, track, log });
  app.get('/health', async () => ({ status: 'ok' }));

  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  publicUrl = (config.publicUrl ?? url).replace(/\/$/, '');

  // Webhooks AND polling: register the receiver now; polling starts with each payment.
  if (config.registerWebhooks && !faults.has('redirect-only')) {
    try {
      webhook = await registerWebhook(client, `${publicUrl}${WEBHOOK_PATH}`, log);
      log.info({ id: webhook.id, url: webhook.url }, 'webhook registered');
    } catch (err) {
      // Not fatal: polling still brings every order to its final state.
      log.error({ err: String(err) }, 'could not register the webhook; relying on polling');
    }
  }

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
      await Promise.allSettled([...background]);
      if (webhook && config.unregisterWebhooksOnClose) {
        // So Vipps does not keep retrying deliveries to a shop that is gone.
        await deleteWebhook(client, webhook.id).catch((err) => log.warn({ err: String(err) }, 'could not delete the webhook registration'));
      }
      await app.close();
      await client.close();
    },
  };
}
