/**
 * Platform mode: one process, several shops (tenants) of one partner. vipps-facts §1.1, §1.4, §3.1.
 *
 * - PARTNER KEYS: one client id, secret and subscription key act for every tenant's sales unit.
 *   One access token for the partner (fetched once per expiry, without a Merchant-Serial-Number:
 *   the token acts for all the partner's units), shared by every tenant; each tenant's calls name
 *   ITS OWN sales unit in Merchant-Serial-Number and carry the platform's Vipps-System-* headers.
 * - Each tenant is the single shop, unchanged (shop-app.ts), mounted under /shops/<tenant>/: its
 *   own orders, pollers, returnUrl, pages, JSON API and back office. Root-relative links and
 *   redirects in its answers get the prefix here, so the shop's code knows nothing of it.
 * - ONE partner-wide webhook: registered at start-up with partner keys and NO MSN (it then gets
 *   the events of all the partner's units), delivered to /webhooks/vipps, verified with that
 *   registration's secret, routed to the tenant by the payload's `msn`, then to the order by
 *   reference within that tenant (references are unique per sales unit only: two tenants may
 *   well have the same one). Deleted again on shutdown.
 *
 *   const platform = await startReferencePlatform({ vippsBaseUrl: sandbox.url, port: 0 });
 *   platform.tenant('beta').url   // http://127.0.0.1:PORT/shops/beta
 */
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import {
  PLATFORM_FAULT_SWITCHES,
  resolveConfig,
  SANDBOX_TEST_PARTNER,
  type AnyFaultSwitch,
  type Faults,
  type MerchantConfig,
  type MerchantConfigInput,
} from './config.ts';
import type { InPerson } from './in-person.ts';
import shopRoutes, { assembleShop, backgroundWork, listen, registerReceiver } from './shop-app.ts';
import type { Shop } from './shop.ts';
import { VippsClient, type Logger } from './vipps/client.ts';
import { deleteWebhook, type WebhookRegistration } from './vipps/webhooks.ts';
import { readWebhookEvent } from './routes/webhooks.ts';

/** Where the partner-wide webhook is delivered. */
export const PLATFORM_WEBHOOK_PATH = '/webhooks/vipps';
/** A tenant's shop lives under this prefix. */
export const tenantPath = (id: string) => `/shops/${encodeURIComponent(id)}`;

export interface PlatformStartOptions extends MerchantConfigInput {
  logger?: FastifyServerOptions['logger'];
}

export interface PlatformTenantShop {
  id: string;
  /** The tenant's sales unit. */
  msn: string;
  /** The MSN its Vipps calls carry: `msn`, except for the second tenant with `foreign-msn`. */
  sentMsn: string;
  /** Its base URL, e.g. http://127.0.0.1:4100/shops/alpha (golive's `{{baseUrl}}` for this tenant). */
  url: string;
  /** Its base in returnUrl and order URLs. */
  publicUrl: string;
  config: MerchantConfig;
  faults: Faults;
  shop: Shop;
  inPerson: InPerson;
}

export interface ReferencePlatform {
  url: string;
  publicUrl: string;
  port: number;
  config: MerchantConfig;
  /** The platform's fault switches (tenants get the single-shop ones, see tenantFaults). */
  faults: Faults;
  tenants: PlatformTenantShop[];
  tenant(id: string): PlatformTenantShop;
  /** The partner-wide webhook registration, when it succeeded. */
  webhook: Omit<WebhookRegistration, 'secret'> | undefined;
  close(): Promise<void>;
}

const isPlatformFault = (f: AnyFaultSwitch) => (PLATFORM_FAULT_SWITCHES as readonly string[]).includes(f);

/**
 * A tenant's fault switches: every single-shop switch given to the platform, and
 * `tenant-without-system-headers` turned into the second tenant's `no-system-headers`.
 */
function tenantFaults(faults: Faults, index: number): Faults {
  const own = new Set([...faults].filter((f) => !isPlatformFault(f)));
  if (index === 1 && faults.has('tenant-without-system-headers')) own.add('no-system-headers');
  return own;
}

/** Root-relative links, form actions, redirects and cookie paths of a tenant's answers, under its prefix. */
function mountUnder(scope: FastifyInstance, base: string) {
  scope.addHook('onSend', async (_request, reply, payload) => {
    const location = reply.getHeader('location');
    if (typeof location === 'string' && location.startsWith('/') && !location.startsWith('//')) reply.header('location', base + location);
    const cookie = reply.getHeader('set-cookie');
    if (typeof cookie === 'string') reply.header('set-cookie', cookie.replace(/Path=\/(?=;|$)/, `Path=${base}/`));
    if (typeof payload === 'string' && String(reply.getHeader('content-type') ?? '').startsWith('text/html'))
      return payload.replace(/(\s(?:href|action|src)=")\/(?!\/)/g, `$1${base}/`);
    return payload;
  });
}

export async function startReferencePlatform(options: PlatformStartOptions = {}): Promise<ReferencePlatform> {
  const { logger = false, ...input } = options;
  // Partner keys and tenants default to the sandbox's test partner.
  const config = resolveConfig({
    clientId: SANDBOX_TEST_PARTNER.clientId,
    clientSecret: SANDBOX_TEST_PARTNER.clientSecret,
    subscriptionKey: SANDBOX_TEST_PARTNER.subscriptionKey,
    platformTenants: SANDBOX_TEST_PARTNER.tenants.map((t) => ({ ...t })),
    ...input,
  });
  const tenantList = config.platformTenants!;
  const faults: Faults = new Set(config.faults);
  if ((faults.has('foreign-msn') || faults.has('tenant-without-system-headers')) && tenantList.length < 2)
    throw new Error('foreign-msn and tenant-without-system-headers act on the second tenant: configure at least two');

  const app = Fastify({ logger, forceCloseConnections: true });
  const log = app.log;
  // The partner's own client: the token (no MSN) and the partner-wide webhook (no MSN).
  const partner = new VippsClient(config, faults, log, { msn: null });
  const clients: VippsClient[] = [partner];
  let publicUrl = '';
  let url = '';

  let webhook: WebhookRegistration | undefined;
  const { track, settle } = backgroundWork();

  const tenants: PlatformTenantShop[] = tenantList.map((t, index) => {
    const tenantConfig: MerchantConfig = { ...config, msn: t.msn, shopName: `${config.shopName} (${t.id})`, platformTenants: undefined };
    const own = tenantFaults(faults, index);
    const sentMsn = index === 1 && faults.has('foreign-msn') ? tenantList[0].msn : t.msn;
    const tenantLog: Logger = log.child({ tenant: t.id, msn: t.msn });
    const client = new VippsClient(tenantConfig, own, tenantLog, { msn: sentMsn, tokenFrom: partner });
    clients.push(client);
    const path = tenantPath(t.id);
    const tenantBase = () => `${publicUrl}${path}`;
    const parts = assembleShop(tenantConfig, own, client, tenantBase, track, tenantLog);
    const tenant: PlatformTenantShop = {
      id: t.id,
      msn: t.msn,
      sentMsn,
      get url() {
        return `${url}${path}`;
      },
      get publicUrl() {
        return tenantBase();
      },
      config: tenantConfig,
      faults: own,
      ...parts,
    };
    app.register(
      async (scope) => {
        mountUnder(scope, path);
        await scope.register(shopRoutes, { config: tenantConfig, faults: own, ...parts, webhookRegistered: () => webhook !== undefined });
      },
      { prefix: path },
    );
    return tenant;
  });

  app.register(async (scope) => {
    // Raw bytes: the signature is over the body exactly as sent.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    scope.post(PLATFORM_WEBHOOK_PATH, async (request, reply) => {
      const read = readWebhookEvent(request, webhook?.secret, { verify: !faults.has('accept-bad-webhook-signature'), maxClockSkewMs: config.webhookMaxClockSkewMs, log });
      if ('status' in read) return reply.code(read.status).send(read.body);
      const { event } = read;
      // The fault: the reference alone picks the order, in whichever tenant has one by that name.
      const tenant = faults.has('webhooks-by-reference-only')
        ? tenants.find((t) => t.shop.orders.get(event.reference))
        : tenants.find((t) => t.msn === event.msn);
      if (!tenant) {
        // A sales unit of the partner that is not on this platform (or a payload without msn).
        log.info({ msn: event.msn, reference: event.reference }, 'webhook for no tenant of ours: ignored');
        return reply.code(200).send({ ok: true, ignored: 'no such tenant' });
      }
      track(tenant.shop.onWebhook(event).catch((err) => log.error({ err: String(err), tenant: tenant.id, reference: event.reference }, 'webhook processing failed')));
      return reply.code(200).send({ ok: true });
    });
  });

  app.get('/health', async () => ({ status: 'ok', mode: 'platform', tenants: tenants.length }));
  app.get('/shops', async () => ({
    tenants: tenants.map((t) => ({ id: t.id, msn: t.msn, baseUrl: t.publicUrl })),
    webhook: webhook ? { id: webhook.id, url: webhook.url } : null,
  }));
  app.get('/', async (_request, reply) => reply.redirect('/shops', 302));

  const listening = await listen(app, config);
  const { port } = listening;
  url = listening.url;
  publicUrl = listening.publicUrl;
  webhook = await registerReceiver(partner, `${publicUrl}${PLATFORM_WEBHOOK_PATH}`, config, faults, log, 'partner-wide webhook');

  let closed = false;
  return {
    url,
    publicUrl,
    port,
    config,
    faults,
    tenants,
    tenant(id: string) {
      const t = tenants.find((x) => x.id === id);
      if (!t) throw new Error(`no tenant ${id}`);
      return t;
    },
    get webhook() {
      return webhook ? { id: webhook.id, url: webhook.url } : undefined;
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const t of tenants) t.shop.pollers.stopAll();
      await settle();
      if (webhook && config.unregisterWebhooksOnClose) {
        await deleteWebhook(partner, webhook.id).catch((err) => log.warn({ err: String(err) }, 'could not delete the partner-wide webhook registration'));
      }
      await app.close();
      await Promise.all(clients.map((c) => c.close()));
    },
  };
}
