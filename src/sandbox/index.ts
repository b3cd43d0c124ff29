import Fastify, { type FastifyInstance } from 'fastify';
import { TrafficLog } from '../traffic/log.ts';
import { Redactor } from '../traffic/redact.ts';
import { SandboxClock } from './clock.ts';
import type { SandboxContext } from './context.ts';
import { EventBus } from './events.ts';
import { FaultRegistry } from './faults.ts';
import { FlowTags } from './flow-tags.ts';
import { clientErrorHandler, frameworkErrors } from './edges.ts';
import { installHttpLayer } from './http.ts';
import { DEFAULT_TEST_MERCHANT, MerchantRegistry, type MerchantInput } from './merchants.ts';
import { DEFAULT_TEST_PSP, DEFAULT_TEST_PSP_MERCHANTS, PspRegistry, type PspInput } from './psps.ts';
import { DEFAULT_TEST_PARTNER, DEFAULT_TEST_PARTNER_MERCHANTS, PartnerRegistry, type PartnerInput } from './partners.ts';
import { resolveSettings, type SandboxSettingsInput } from './settings.ts';
import { TokenStore } from './tokens.ts';
import { PaymentDirectory } from './shared/directory.ts';
import { sandboxPlugin } from './shared/plugins.ts';
import accessTokenPlugin from './access-token/plugin.ts';
import epaymentPlugin from './epayment/plugin.ts';
import ecomPlugin from './ecom/plugin.ts';
import pspApiPlugin from './psp-api/plugin.ts';
import webhooksPlugin from './webhooks/plugin.ts';
import landingPlugin from './landing/plugin.ts';
import orderManagementPlugin from './order-management/plugin.ts';
import userinfoPlugin from './userinfo/plugin.ts';
import qrPlugin from './qr/plugin.ts';
import controlPlugin from './control/plugin.ts';

export { DEFAULT_TEST_MERCHANT } from './merchants.ts';
export { DEFAULT_TEST_PSP, DEFAULT_TEST_PSP_MERCHANTS } from './psps.ts';
export { DEFAULT_TEST_PARTNER, DEFAULT_TEST_PARTNER_MERCHANTS } from './partners.ts';
export type { SandboxContext } from './context.ts';

export interface SandboxOptions {
  settings?: SandboxSettingsInput;
  /** Merchants besides the default test merchant (which is always there unless `includeDefaultMerchant: false`). */
  merchants?: MerchantInput[];
  includeDefaultMerchant?: boolean;
  /**
   * PSPs besides the default test PSP (DEFAULT_TEST_PSP, serving MSNs 223344 and 223355, which are
   * registered with it), there unless `includeDefaultPsp: false`. A given merchant or PSP with the
   * default one's MSN or pspId replaces it.
   */
  psps?: PspInput[];
  includeDefaultPsp?: boolean;
  /**
   * Partners (partner keys) besides the default test partner (DEFAULT_TEST_PARTNER, acting for
   * MSNs 123456, 234567 and 345678; the last two are registered with it), there unless
   * `includeDefaultPartner: false`. A given merchant or partner with a default one's MSN or id replaces it.
   */
  partners?: PartnerInput[];
  includeDefaultPartner?: boolean;
}

export interface ListenOptions {
  port?: number;
  host?: string;
}

/**
 * The embedded Vipps MobilePay test-API sandbox. Start it in-process:
 *
 *   const sandbox = await createSandbox();
 *   await sandbox.listen({ port: 0 });   // 127.0.0.1, any free port
 *   sandbox.url                          // http://127.0.0.1:PORT
 */
export class Sandbox {
  readonly app: FastifyInstance;
  readonly ctx: SandboxContext;
  /** Scrubs every secret the sandbox knows of from its outputs (control API, reports). */
  readonly redactor = new Redactor();
  private listening: string | undefined;

  constructor(options: SandboxOptions = {}) {
    const settings = resolveSettings(options.settings);
    const given = options.merchants ?? [];
    const givenPsps = options.psps ?? [];
    const givenPartners = options.partners ?? [];
    const defaultPsp = options.includeDefaultPsp !== false && !givenPsps.some((p) => p.pspId === DEFAULT_TEST_PSP.pspId);
    const defaultPartner = options.includeDefaultPartner !== false && !givenPartners.some((p) => p.id === DEFAULT_TEST_PARTNER.id);
    const notGiven = (d: MerchantInput) => !given.some((m) => m.msn === d.msn);
    const merchants = new MerchantRegistry([
      ...(options.includeDefaultMerchant === false ? [] : [DEFAULT_TEST_MERCHANT]),
      ...(defaultPsp ? DEFAULT_TEST_PSP_MERCHANTS.filter(notGiven) : []),
      ...(defaultPartner ? DEFAULT_TEST_PARTNER_MERCHANTS.filter(notGiven) : []),
      ...given,
    ]);
    const psps = new PspRegistry([...(defaultPsp ? [DEFAULT_TEST_PSP] : []), ...givenPsps]);
    const partners = new PartnerRegistry([...(defaultPartner ? [DEFAULT_TEST_PARTNER] : []), ...givenPartners]);
    // The defaults' keys are public: not scrubbed (a given merchant, PSP or partner reusing them elsewhere still is).
    const publicKeys = new Set<string>([DEFAULT_TEST_MERCHANT, ...DEFAULT_TEST_PSP_MERCHANTS, ...DEFAULT_TEST_PARTNER_MERCHANTS].map((m) => `${m.msn}\u0000${m.clientSecret}`));
    publicKeys.add(`${DEFAULT_TEST_PSP.pspId}\u0000${DEFAULT_TEST_PSP.clientSecret}`);
    publicKeys.add(`${DEFAULT_TEST_PARTNER.id}\u0000${DEFAULT_TEST_PARTNER.clientSecret}`);
    const holders = [...merchants.list().map((m) => ({ id: m.msn, keys: m })), ...psps.list().map((p) => ({ id: p.pspId, keys: p })), ...partners.list().map((p) => ({ id: p.id, keys: p }))];
    for (const { id, keys } of holders) {
      if (publicKeys.has(`${id}\u0000${keys.clientSecret}`)) continue;
      this.redactor.addSecret(keys.clientSecret);
      keys.subscriptionKeys.forEach((k) => this.redactor.addSecret(k));
    }
    const clock = new SandboxClock();
    const flows = new FlowTags();
    this.ctx = {
      clock,
      settings,
      merchants,
      psps,
      partners,
      traffic: new TrafficLog({ capacity: settings.trafficCapacity, annotate: (e) => flows.tag(e) }),
      flows,
      faults: new FaultRegistry(() => clock.now()),
      events: new EventBus(),
      tokens: new TokenStore(),
      payments: new PaymentDirectory(),
      publicUrl: () => (settings.publicUrl ?? this.listening ?? 'http://127.0.0.1').replace(/\/$/, ''),
      onClose: [],
    };
    // Paths match case-insensitively, as the API gateway matches them (`/accessToken/get`); params keep their case.
    this.app = Fastify({
      logger: false,
      bodyLimit: 1024 * 1024,
      forceCloseConnections: true,
      return503OnClosing: false,
      routerOptions: { caseSensitive: false },
      frameworkErrors,
      clientErrorHandler,
    });
    installHttpLayer(this.app, this.ctx);
    // Webhooks v1 carries ePayment's events and payloads; the rest find payments through ctx.payments.
    const opts = { ctx: this.ctx, redactor: this.redactor };
    this.app.register(sandboxPlugin('golive-access-token', accessTokenPlugin), opts);
    this.app.register(sandboxPlugin('golive-epayment', epaymentPlugin), opts);
    this.app.register(sandboxPlugin('golive-webhooks', webhooksPlugin, ['golive-epayment']), opts);
    this.app.register(sandboxPlugin('golive-ecom', ecomPlugin), opts);
    this.app.register(sandboxPlugin('golive-psp-api', pspApiPlugin), opts);
    this.app.register(sandboxPlugin('golive-landing', landingPlugin), opts);
    this.app.register(sandboxPlugin('golive-order-management', orderManagementPlugin), opts);
    this.app.register(sandboxPlugin('golive-userinfo', userinfoPlugin), opts);
    this.app.register(sandboxPlugin('golive-qr', qrPlugin, ['golive-landing']), opts);
    this.app.register(sandboxPlugin('golive-control', controlPlugin), opts);
  }

  get traffic() {
    return this.ctx.traffic;
  }
  get clock() {
    return this.ctx.clock;
  }
  get faults() {
    return this.ctx.faults;
  }
  get merchants() {
    return this.ctx.merchants;
  }

  /** The base URL once listening, e.g. `http://127.0.0.1:41234`. */
  get url(): string {
    if (!this.listening) throw new Error('sandbox is not listening');
    return this.listening;
  }

  async listen({ port = 0, host = '127.0.0.1' }: ListenOptions = {}): Promise<string> {
    await this.app.listen({ port, host });
    const address = this.app.server.address();
    const actualPort = typeof address === 'object' && address ? address.port : port;
    this.listening = `http://${host.includes(':') ? `[${host}]` : host}:${actualPort}`;
    return this.listening;
  }

  /** Without listening: for inject()-based tests. */
  async ready(): Promise<void> {
    await this.app.ready();
  }

  async close(): Promise<void> {
    for (const closer of this.ctx.onClose.splice(0)) await closer();
    this.ctx.clock.dispose();
    await this.app.close();
  }
}

export async function createSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const sandbox = new Sandbox(options);
  await sandbox.ready();
  return sandbox;
}
