import { Faults } from './faults.ts';

/** Everything the shop reads from its environment, checked once at start-up. */
export interface ShopConfig {
  port: number;
  host: string;
  /** How Vipps (and the customer's browser) reach this shop: returnUrl and webhook URL. */
  publicUrl: string;
  /** The Vipps API base URL (the golive sandbox in tests); requests are routed there by the intercept helper. */
  vippsBaseUrl: string | undefined;
  clientId: string;
  clientSecret: string;
  subscriptionKey: string;
  msn: string;
  referencePrefix: string;
  faults: Faults;
  /** Polling pace (ms): first GET after create, then the interval. Guideline 5 s / 2 s. */
  firstPollMs: number;
  pollIntervalMs: number;
}

export const SYSTEM = { name: 'sdkshop', version: '1.0.0', pluginName: 'sdkshop-checkout', pluginVersion: '1.0.0' } as const;

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): ShopConfig {
  const port = Number(env.GOLIVE_INTEGRATION_PORT ?? env.PORT ?? 4200);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid port ${port}`);
  const host = env.SDK_SHOP_HOST ?? '127.0.0.1';
  return {
    port,
    host,
    publicUrl: (env.SDK_SHOP_PUBLIC_URL ?? `http://${host}:${port}`).replace(/\/$/, ''),
    vippsBaseUrl: env.VIPPS_BASE_URL ?? env.GOLIVE_SANDBOX_URL,
    clientId: required(env, 'VIPPS_CLIENT_ID'),
    clientSecret: required(env, 'VIPPS_CLIENT_SECRET'),
    subscriptionKey: required(env, 'VIPPS_SUBSCRIPTION_KEY'),
    msn: required(env, 'VIPPS_MSN'),
    referencePrefix: env.SDK_SHOP_REFERENCE_PREFIX ?? 'sdkshop',
    faults: Faults.parse(env.SDK_SHOP_FAULTS),
    firstPollMs: Number(env.SDK_SHOP_FIRST_POLL_MS ?? 5000),
    pollIntervalMs: Number(env.SDK_SHOP_POLL_INTERVAL_MS ?? 2000),
  };
}
