/**
 * One shop, assembled: the Shop and its in-person mode over a Vipps client, and its routes (web
 * checkout, JSON API, back office, in person). The single shop (index.ts) mounts it at `/`; the
 * platform (platform.ts) once per tenant under `/shops/<tenant>`.
 */
import type { FastifyInstance } from 'fastify';
import type { Faults, MerchantConfig } from './config.ts';
import { InPerson } from './in-person.ts';
import { OrderStore } from './orders.ts';
import { ReferenceGenerator } from './references.ts';
import apiRoutes from './routes/api.ts';
import inPersonRoutes from './routes/in-person.ts';
import pageRoutes from './routes/pages.ts';
import { Shop } from './shop.ts';
import type { Logger, VippsClient } from './vipps/client.ts';
import { EpaymentApi } from './vipps/epayment.ts';
import { QrApi } from './vipps/qr.ts';
import { UserinfoApi } from './vipps/userinfo.ts';
import { registerWebhook, type WebhookRegistration } from './vipps/webhooks.ts';

export interface ShopParts {
  shop: Shop;
  inPerson: InPerson;
}

/** `publicUrl()` is the shop's own base URL (returnUrl, order and bill URLs), known once listening. */
export function assembleShop(
  config: MerchantConfig,
  faults: Faults,
  client: VippsClient,
  publicUrl: () => string,
  track: (work: Promise<unknown>) => void,
  log: Logger,
): ShopParts {
  const references = new ReferenceGenerator(config.referencePrefix, faults, config.referenceSeed);
  const shop = new Shop(config, faults, new EpaymentApi(client), new OrderStore(), references, publicUrl, log);
  const inPerson = new InPerson(config, faults, shop, new QrApi(client), new UserinfoApi(client), publicUrl, track, log);
  return { shop, inPerson };
}

export interface ShopRoutesOptions extends ShopParts {
  config: MerchantConfig;
  faults: Faults;
  webhookRegistered: () => boolean;
}

/** Pages, JSON API and in-person routes of one shop (register it with a `prefix` to mount it elsewhere). */
export default async function shopRoutes(app: FastifyInstance, { config, faults, shop, inPerson, webhookRegistered }: ShopRoutesOptions) {
  // Plain HTML forms post application/x-www-form-urlencoded.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) =>
    done(null, Object.fromEntries(new URLSearchParams(body as string))),
  );
  app.register(pageRoutes, { config, faults, shop, webhookRegistered });
  app.register(apiRoutes, { shop, faults, sharedPhone: (order) => inPerson.hasSharedPhone(order) });
  app.register(inPersonRoutes, { config, faults, shop, inPerson });
}

/** Background work (webhook handling) that shutdown waits for. */
export function backgroundWork(): { track: (work: Promise<unknown>) => void; settle: () => Promise<unknown> } {
  const pending = new Set<Promise<unknown>>();
  return {
    track(work) {
      pending.add(work);
      void work.finally(() => pending.delete(work));
    },
    settle: () => Promise.allSettled([...pending]),
  };
}

/** Listen, then name the address customers and Vipps reach us at (the listen address unless configured). */
export async function listen(app: FastifyInstance, config: MerchantConfig): Promise<{ url: string; publicUrl: string; port: number }> {
  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  return { url, publicUrl: (config.publicUrl ?? url).replace(/\/$/, ''), port };
}

/**
 * Webhooks AND polling: register the receiver once listening (unless switched off). Not fatal
 * when it fails: polling still brings every order to its final state.
 */
export async function registerReceiver(client: VippsClient, url: string, config: MerchantConfig, faults: Faults, log: Logger, what: string): Promise<WebhookRegistration | undefined> {
  if (!config.registerWebhooks || faults.has('redirect-only')) return undefined;
  try {
    const webhook = await registerWebhook(client, url, log);
    log.info({ id: webhook.id, url: webhook.url }, `${what} registered`);
    return webhook;
  } catch (err) {
    log.error({ err: String(err) }, `could not register the ${what}; relying on polling`);
    return undefined;
  }
}
