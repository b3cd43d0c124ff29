import { request } from 'undici';
import { ECOM_OP } from '../../../src/contract/ecom.ts';
import type { FaultSpecInput } from '../../../src/contract/faults.ts';
import type { Sandbox } from '../../../src/sandbox/index.ts';
import type { Exchange } from '../../../src/traffic/types.ts';
import { startSandbox as startLoopbackSandbox, TEST_MERCHANT } from '../../../test/helpers/sandbox.ts';
import { startShop, type RunningShop } from '../src/app.ts';
import { loadConfig, type FaultName } from '../src/config.ts';

export const MSN = TEST_MERCHANT.msn;
export { ECOM_OP };

/** The golive sandbox in-process on 127.0.0.1. */
export const startSandbox = () => startLoopbackSandbox();

export interface TestShop extends RunningShop {
  logs: string[];
}

/** The shop in-process against `sandbox`, with a quick polling pace unless `env` says otherwise. */
export async function startTestShop(sandbox: Sandbox, faults: FaultName[] = [], env: Record<string, string> = {}): Promise<TestShop> {
  const config = loadConfig({
    PORT: '0',
    VIPPS_BASE_URL: sandbox.url,
    VIPPS_CLIENT_ID: TEST_MERCHANT.clientId,
    VIPPS_CLIENT_SECRET: TEST_MERCHANT.clientSecret,
    VIPPS_SUBSCRIPTION_KEY: TEST_MERCHANT.subscriptionKeys[0],
    VIPPS_MSN: MSN,
    ECOM_SHOP_FAULTS: faults.join(','),
    ECOM_SHOP_FIRST_POLL_MS: '400',
    ECOM_SHOP_POLL_INTERVAL_MS: '250',
    ECOM_SHOP_RETRY_BACKOFF_MS: '50',
    ECOM_SHOP_REQUEST_TIMEOUT_MS: '3000',
    ...env,
  });
  const logs: string[] = [];
  const running = await startShop(config, (line) => logs.push(line));
  return Object.assign(running, { logs });
}

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: any;
  text: string;
}

export async function http(method: string, url: string, options: { body?: unknown; form?: Record<string, string>; headers?: Record<string, string> } = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers };
  let body: string | undefined;
  if (options.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(options.form).toString();
  } else if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  const res = await request(url, { method: method as 'GET', headers, body });
  const text = await res.body.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    /* HTML or text */
  }
  return { status: res.statusCode, headers: res.headers, body: parsed, text };
}

/** The sandbox's control API: the customer's actions and faults. */
export function control(sandbox: Sandbox) {
  const base = `${sandbox.url}/_sandbox/v1`;
  return {
    approve: (orderId: string) => http('POST', `${base}/payments/${MSN}/${orderId}/approve`, { body: {} }),
    reject: (orderId: string) => http('POST', `${base}/payments/${MSN}/${orderId}/reject`, { body: {} }),
    expire: (orderId: string) => http('POST', `${base}/payments/${MSN}/${orderId}/expire`, { body: {} }),
    record: async (orderId: string) => (await http('GET', `${base}/payments/${MSN}/${orderId}`)).body,
    fault: (spec: FaultSpecInput) => sandbox.faults.add(spec),
  };
}

/** The eCom exchanges of one order (API calls and callbacks), oldest first. */
export const trafficOf = (sandbox: Sandbox, orderId: string, operation?: string): Exchange[] =>
  sandbox.traffic.query({ api: 'ecom-v2', reference: orderId, ...(operation ? { operation } : {}) });

export async function checkout(shop: RunningShop, amount = 49900, description = 'One pair of socks') {
  const res = await http('POST', `${shop.url}/api/orders`, { body: { amount, description } });
  if (res.status !== 201) throw new Error(`checkout failed: ${res.status} ${res.text}`);
  return res.body as { orderId: string; redirectUrl: string; status: string };
}

export const orderOf = async (shop: RunningShop, orderId: string) => (await http('GET', `${shop.url}/api/orders/${orderId}`)).body;

export async function eventually<T>(probe: () => Promise<T | undefined | false> | T | undefined | false, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value) return value;
    last = value;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(last)})`);
}

export const waitForStatus = (shop: RunningShop, orderId: string, status: string, timeoutMs?: number) =>
  eventually(async () => {
    const order = await orderOf(shop, orderId);
    return order.status === status ? order : undefined;
  }, `order ${orderId} to be ${status}`, timeoutMs);
