/**
 * Configuration of the reference merchant: defaults < environment variables < command-line flags.
 *
 * The defaults talk to golive's embedded sandbox on its default port with the sandbox's public
 * test-merchant keys, so `node bin/run-ts.mjs examples/reference-merchant/src/main.ts` works
 * out of the box next to `golive sandbox`. For the real test environment set VIPPS_BASE_URL=
 * https://apitest.vipps.no and your own keys from portal.vipps.no.
 */
import { z } from 'zod';

/**
 * Fault switches: each one breaks one go-live checklist item on purpose, so that golive's
 * self-tests can prove every check is able to fail (a few cannot help taking other items with
 * them). Never enable them in a real shop. What each one breaks is listed in the README and,
 * exactly, in golive's test/self-test/expected-detections.ts.
 */
export const FAULT_SWITCHES = [
  'no-system-headers',
  'no-idempotency-key',
  'new-idempotency-key-on-retry',
  'token-per-request',
  'webhooks-only',
  'redirect-only',
  'return-page-needs-session',
  'ignore-aborted-expired',
  'no-event-log',
  'no-refund',
  'weak-references',
  'swallow-errors',
  'accept-bad-webhook-signature',
  'capture-more-than-authorized',
  'poll-too-fast',
  // In person (PUSH_MESSAGE, QR, merchant-redirect QR):
  'scope-without-userinfo',
  'phone-without-consent',
  'receipt-lines-mismatch',
  'push-without-polling',
  'qr-session-url',
] as const;
export type FaultSwitch = (typeof FAULT_SWITCHES)[number];

/**
 * Fault switches of the platform mode only (several tenants on partner keys, see platform.ts).
 * Kept apart from FAULT_SWITCHES, whose every entry is a row of golive's single-shop detection
 * matrix; the single shop refuses them.
 */
export const PLATFORM_FAULT_SWITCHES = [
  /** The second tenant sends the first tenant's MSN on its Vipps calls. */
  'foreign-msn',
  /** Partner-wide deliveries go to whichever tenant has an order with that reference, whatever the payload's msn. */
  'webhooks-by-reference-only',
  /** The second tenant sends no Vipps-System-* headers. */
  'tenant-without-system-headers',
] as const;
export type PlatformFaultSwitch = (typeof PLATFORM_FAULT_SWITCHES)[number];
export type AnyFaultSwitch = FaultSwitch | PlatformFaultSwitch;

/** The sandbox's public default test merchant (values copied, not imported: this shop knows nothing of golive). */
export const SANDBOX_TEST_KEYS = {
  msn: '123456',
  clientId: 'b3ae2a3c-9c1f-4d2e-8f6a-0a5e1d7c9b21',
  clientSecret: 'golive-sandbox-client-secret',
  subscriptionKey: '0123456789abcdef0123456789abcdef',
} as const;

/** A platform tenant: a shop of its own under /shops/<id>/, acting as sales unit `msn`. */
export const TenantSchema = z.object({
  id: z.string().regex(/^[a-z][a-z0-9-]{0,30}$/, 'a tenant id is lower-case letters, digits and -'),
  msn: z.string().regex(/^[0-9]{4,6}$/, 'an MSN is 4–6 digits'),
});
export type Tenant = z.output<typeof TenantSchema>;

/** `alpha:123456,beta:234567` ⇒ [{id: 'alpha', msn: '123456'}, …]. */
export function parseTenants(value: string): { id: string; msn: string }[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry) => {
      const [id, msn, ...rest] = entry.split(':').map((s) => s.trim());
      if (!id || !msn || rest.length) throw new Error(`a platform tenant is id:msn, not "${entry}"`);
      return { id, msn };
    });
}

/**
 * The sandbox's public default test partner (DEFAULT_TEST_PARTNER, values copied as above):
 * partner keys acting for the sales units 123456, 234567 and 345678. The platform mode's defaults.
 */
export const SANDBOX_TEST_PARTNER = {
  id: '900100',
  clientId: '7e3b9c51-2a4d-4f86-b0c7-93d1e5a8f264',
  clientSecret: 'golive-sandbox-partner-client-secret',
  subscriptionKey: 'c0ffee00c0ffee00c0ffee00c0ffee00',
  tenants: [
    { id: 'alpha', msn: '123456' },
    { id: 'beta', msn: '234567' },
    { id: 'gamma', msn: '345678' },
  ],
} as const;

const systemHeaderValue = z.string().min(1).max(30);
const ms = z.coerce.number().int().nonnegative();

export const ConfigSchema = z.object({
  /** Base URL of the Vipps MobilePay API (test: https://apitest.vipps.no). */
  vippsBaseUrl: z.string().url().default('http://127.0.0.1:8089'),
  clientId: z.string().min(1).default(SANDBOX_TEST_KEYS.clientId),
  clientSecret: z.string().min(1).default(SANDBOX_TEST_KEYS.clientSecret),
  subscriptionKey: z.string().min(1).default(SANDBOX_TEST_KEYS.subscriptionKey),
  msn: z.string().regex(/^[0-9]{4,6}$/, 'an MSN is 4–6 digits').default(SANDBOX_TEST_KEYS.msn),

  /** Where the shop listens. Port 0 picks a free port (tests). */
  host: z.string().default('127.0.0.1'),
  port: z.coerce.number().int().min(0).max(65535).default(4100),
  /** Base URL customers and Vipps reach the shop at (returnUrl, webhook URL). Defaults to the listen address. */
  publicUrl: z.string().url().optional(),

  /** Vipps-System-* headers: identify this shop in Vipps' logs (mandatory for plugins/partners). */
  systemName: systemHeaderValue.default('acme'),
  systemVersion: systemHeaderValue.default('1.0.0'),
  pluginName: systemHeaderValue.default('acme-reference-shop'),
  pluginVersion: systemHeaderValue.default('1.0.0'),

  /** Shop identity, used in references and on the pages. */
  shopName: z.string().min(1).default('Acme Coffee Roasters'),
  referencePrefix: z.string().regex(/^[a-zA-Z][a-zA-Z0-9-]{1,30}$/).default('acme-shop'),
  currency: z.enum(['NOK', 'DKK', 'EUR']).default('NOK'),
  /**
   * Deterministic order numbers (tests only): counter from 1001 plus a suffix derived from this
   * seed and the counter, so two shops (platform tenants) with the same seed make the same
   * references in the same order — a reference collision on purpose. Unset: time + random.
   */
  referenceSeed: z.string().min(1).optional(),

  /**
   * Platform mode: several shops on one process with partner keys (clientId/secret/subscription
   * key are then the partner's; `msn` is unused). Each tenant is a full shop under /shops/<id>/.
   */
  platformTenants: z
    .array(TenantSchema)
    .min(1)
    .refine((t) => new Set(t.map((x) => x.id)).size === t.length, 'tenant ids must be distinct')
    .refine((t) => new Set(t.map((x) => x.msn)).size === t.length, 'tenant MSNs must be distinct')
    .optional(),

  /** Polling guideline: first GET 5 s after create, then every 2 s until a final state. */
  pollInitialDelayMs: ms.default(5000),
  pollIntervalMs: ms.default(2000),
  /** Stop polling a payment that never reaches a final state (the default expiry is 10 min). */
  pollGiveUpAfterMs: ms.default(20 * 60_000),
  /** The return page reloads itself this often while the payment is still pending. */
  returnPageRefreshSeconds: z.coerce.number().int().min(1).default(2),

  /** Client timeout per HTTP request to Vipps. */
  requestTimeoutMs: ms.default(10_000),
  /** Retries after a timeout, network error, 5xx, 423 or 429 (same Idempotency-Key each time). */
  maxRetries: z.coerce.number().int().min(0).max(10).default(3),
  /** First back-off delay; doubles on each retry. Retry-After wins when Vipps sends one. */
  retryBaseDelayMs: ms.default(500),
  /** Longest wait we accept from a Retry-After header before giving up on the request. */
  maxRetryAfterMs: ms.default(30_000),

  /** Register the webhook receiver with the Webhooks API at start-up. */
  registerWebhooks: z.boolean().default(true),
  /** Delete our webhook registration on shutdown (orders live in memory, so nothing survives a restart anyway). */
  unregisterWebhooksOnClose: z.boolean().default(true),
  /** Webhooks whose x-ms-date is further off than this are rejected as replays. */
  webhookMaxClockSkewMs: ms.default(5 * 60_000),

  faults: z.array(z.enum([...FAULT_SWITCHES, ...PLATFORM_FAULT_SWITCHES])).default([]),
});

export type MerchantConfig = z.output<typeof ConfigSchema>;
export type MerchantConfigInput = z.input<typeof ConfigSchema>;

/** Command-line flag ⇄ environment variable ⇄ config key. */
const SETTINGS: { key: keyof MerchantConfigInput; flag: string; env: string }[] = [
  { key: 'vippsBaseUrl', flag: 'vipps-base-url', env: 'VIPPS_BASE_URL' },
  { key: 'clientId', flag: 'client-id', env: 'VIPPS_CLIENT_ID' },
  { key: 'clientSecret', flag: 'client-secret', env: 'VIPPS_CLIENT_SECRET' },
  { key: 'subscriptionKey', flag: 'subscription-key', env: 'VIPPS_SUBSCRIPTION_KEY' },
  { key: 'msn', flag: 'msn', env: 'VIPPS_MSN' },
  { key: 'host', flag: 'host', env: 'REFERENCE_MERCHANT_HOST' },
  { key: 'port', flag: 'port', env: 'REFERENCE_MERCHANT_PORT' },
  { key: 'publicUrl', flag: 'public-url', env: 'REFERENCE_MERCHANT_PUBLIC_URL' },
  { key: 'systemName', flag: 'system-name', env: 'VIPPS_SYSTEM_NAME' },
  { key: 'systemVersion', flag: 'system-version', env: 'VIPPS_SYSTEM_VERSION' },
  { key: 'pluginName', flag: 'plugin-name', env: 'VIPPS_SYSTEM_PLUGIN_NAME' },
  { key: 'pluginVersion', flag: 'plugin-version', env: 'VIPPS_SYSTEM_PLUGIN_VERSION' },
  { key: 'shopName', flag: 'shop-name', env: 'REFERENCE_MERCHANT_SHOP_NAME' },
  { key: 'referencePrefix', flag: 'reference-prefix', env: 'REFERENCE_MERCHANT_REFERENCE_PREFIX' },
  { key: 'currency', flag: 'currency', env: 'REFERENCE_MERCHANT_CURRENCY' },
  { key: 'referenceSeed', flag: 'reference-seed', env: 'REFERENCE_MERCHANT_REFERENCE_SEED' },
  { key: 'platformTenants', flag: 'platform-tenants', env: 'REFERENCE_PLATFORM_TENANTS' },
  { key: 'pollInitialDelayMs', flag: 'poll-initial-delay-ms', env: 'REFERENCE_MERCHANT_POLL_INITIAL_DELAY_MS' },
  { key: 'pollIntervalMs', flag: 'poll-interval-ms', env: 'REFERENCE_MERCHANT_POLL_INTERVAL_MS' },
  { key: 'pollGiveUpAfterMs', flag: 'poll-give-up-after-ms', env: 'REFERENCE_MERCHANT_POLL_GIVE_UP_AFTER_MS' },
  { key: 'returnPageRefreshSeconds', flag: 'return-page-refresh-seconds', env: 'REFERENCE_MERCHANT_RETURN_PAGE_REFRESH_SECONDS' },
  { key: 'requestTimeoutMs', flag: 'request-timeout-ms', env: 'REFERENCE_MERCHANT_REQUEST_TIMEOUT_MS' },
  { key: 'maxRetries', flag: 'max-retries', env: 'REFERENCE_MERCHANT_MAX_RETRIES' },
  { key: 'retryBaseDelayMs', flag: 'retry-base-delay-ms', env: 'REFERENCE_MERCHANT_RETRY_BASE_DELAY_MS' },
  { key: 'webhookMaxClockSkewMs', flag: 'webhook-max-clock-skew-ms', env: 'REFERENCE_MERCHANT_WEBHOOK_MAX_CLOCK_SKEW_MS' },
  { key: 'registerWebhooks', flag: 'register-webhooks', env: 'REFERENCE_MERCHANT_REGISTER_WEBHOOKS' },
  { key: 'faults', flag: 'fault', env: 'REFERENCE_MERCHANT_FAULTS' },
];

export const CONFIG_SETTINGS = SETTINGS;

function convert(key: keyof MerchantConfigInput, value: string): unknown {
  if (key === 'faults') return value.split(',').map((s) => s.trim()).filter(Boolean);
  if (key === 'registerWebhooks') return !/^(0|false|no|off)$/i.test(value);
  if (key === 'platformTenants') return parseTenants(value);
  return value;
}

/**
 * Reads `--flag value` / `--flag=value` arguments and environment variables. Unknown flags are
 * an error (a typo in a fault switch name should not silently run a healthy shop).
 */
export function configFromArgs(argv: string[], env: NodeJS.ProcessEnv = {}): MerchantConfigInput {
  const input: Record<string, unknown> = {};
  for (const s of SETTINGS) {
    const v = env[s.env];
    if (v !== undefined && v !== '') input[s.key] = convert(s.key, v);
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new Error(`unexpected argument ${arg}`);
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    const setting = SETTINGS.find((s) => s.flag === name || (s.key === 'faults' && name === 'faults'));
    if (!setting) throw new Error(`unknown flag --${name}`);
    let value: string | undefined = eq === -1 ? undefined : arg.slice(eq + 1);
    if (value === undefined) {
      const next = argv[i + 1];
      // `--register-webhooks` alone means true.
      if (setting.key === 'registerWebhooks' && (next === undefined || next.startsWith('--'))) value = 'true';
      else {
        if (next === undefined) throw new Error(`--${name} needs a value`);
        value = next;
        i++;
      }
    }
    input[setting.key] = convert(setting.key, value);
  }
  return input as MerchantConfigInput;
}

export function resolveConfig(input: MerchantConfigInput = {}): MerchantConfig {
  const parsed = ConfigSchema.safeParse(input);
  if (!parsed.success) throw new Error(`invalid reference-merchant configuration:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/** Fault switches as a quick lookup: `faults.has('no-refund')`. */
export type Faults = ReadonlySet<AnyFaultSwitch>;
