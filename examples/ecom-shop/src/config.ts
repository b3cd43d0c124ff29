/**
 * Everything the shop reads from its environment, checked once at start-up, and its fault
 * switches (ECOM_SHOP_FAULTS=a,b): each breaks one eCom checklist item on purpose, so golive's
 * detection can be proven on a shop it was not written for. README.md lists the item each breaks.
 */
export const FAULT_NAMES = [
  'no-system-headers',
  'new-request-id-on-retry',
  'callback-only',
  'slow-callback',
  'session-return-page',
  'success-on-error',
  'reuse-order-id',
  'digits-order-id',
  'poll-after-final',
  'no-partial-capture',
] as const;
export type FaultName = (typeof FAULT_NAMES)[number];

export interface ShopConfig {
  port: number;
  host: string;
  /** How Vipps (callbacks) and the customer's browser (fallBack) reach this shop. */
  publicUrl: string;
  vippsBaseUrl: string;
  clientId: string;
  clientSecret: string;
  subscriptionKey: string;
  msn: string;
  orderPrefix: string;
  faults: ReadonlySet<FaultName>;
  /** Guideline pace (ms): first details read 5 s after initiate, then every 2 s. */
  firstPollMs: number;
  pollIntervalMs: number;
  /** The customer's time to act (the initiate url is valid 5 min); after it an open order is checked for a timeout. */
  paymentWindowMs: number;
  /** Stop polling an unresolved order after this long (landing link 5 min + app 5 min + margin). */
  pollGiveUpMs: number;
  /** Capture/refund retries after a lost answer or 5xx, and the first backoff (doubles). */
  retries: number;
  retryBackoffMs: number;
  /** Per-call timeout towards Vipps (the guide: ≥ 5 s read timeout). */
  requestTimeoutMs: number;
}

/** The Vipps-System-* values: short, stable, one lowercase word each (≤ 30 characters). */
export const SYSTEM_HEADERS = {
  'Vipps-System-Name': 'ecomshop',
  'Vipps-System-Version': '1.0.0',
  'Vipps-System-Plugin-Name': 'ecomshop-checkout',
  'Vipps-System-Plugin-Version': '1.0.0',
} as const;

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

function number(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const value = Number(env[name] ?? fallback);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number`);
  return value;
}

/** Unknown names stop the shop: a typo must not silently run the clean shop. */
export function parseFaults(raw: string | undefined): Set<FaultName> {
  const names = (raw ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = names.filter((n) => !(FAULT_NAMES as readonly string[]).includes(n));
  if (unknown.length) throw new Error(`unknown ECOM_SHOP_FAULTS: ${unknown.join(', ')} (known: ${FAULT_NAMES.join(', ')})`);
  return new Set(names as FaultName[]);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): ShopConfig {
  const port = Number(env.GOLIVE_INTEGRATION_PORT ?? env.PORT ?? 4300);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid port ${port}`);
  const host = env.ECOM_SHOP_HOST ?? '127.0.0.1';
  return {
    port,
    host,
    publicUrl: (env.ECOM_SHOP_PUBLIC_URL ?? `http://${host}:${port}`).replace(/\/$/, ''),
    vippsBaseUrl: (env.VIPPS_BASE_URL ?? 'https://apitest.vipps.no').replace(/\/$/, ''),
    clientId: required(env, 'VIPPS_CLIENT_ID'),
    clientSecret: required(env, 'VIPPS_CLIENT_SECRET'),
    subscriptionKey: required(env, 'VIPPS_SUBSCRIPTION_KEY'),
    msn: required(env, 'VIPPS_MSN'),
    orderPrefix: env.ECOM_SHOP_ORDER_PREFIX ?? 'ecomshop',
    faults: parseFaults(env.ECOM_SHOP_FAULTS),
    firstPollMs: number(env, 'ECOM_SHOP_FIRST_POLL_MS', 5000),
    pollIntervalMs: number(env, 'ECOM_SHOP_POLL_INTERVAL_MS', 2000),
    paymentWindowMs: number(env, 'ECOM_SHOP_PAYMENT_WINDOW_MS', 5 * 60_000),
    pollGiveUpMs: number(env, 'ECOM_SHOP_POLL_GIVE_UP_MS', 11 * 60_000),
    retries: number(env, 'ECOM_SHOP_RETRIES', 2),
    retryBackoffMs: number(env, 'ECOM_SHOP_RETRY_BACKOFF_MS', 500),
    requestTimeoutMs: number(env, 'ECOM_SHOP_REQUEST_TIMEOUT_MS', 10_000),
  };
}
