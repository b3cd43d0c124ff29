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
