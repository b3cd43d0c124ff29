// Test helpers: golive's sandbox (the only import from golive's src/, as allowed for tests),
// a reference merchant with its own sales unit on it, and small HTTP/wait utilities.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSandbox, type Sandbox } from '../../../src/sandbox/index.ts';
import { startReferenceMerchant, type ReferenceMerchant, type StartOptions } from '../src/index.ts';

export const SCREENSHOT_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../test-results/reference-merchant');
mkdirSync(SCREENSHOT_DIR, { recursive: true });

export const CHROMIUM = {
  executablePath: '/usr/bin/chromium',
  args: ['--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
};

export async function startSandbox(): Promise<Sandbox> {
  const sandbox = await createSandbox();
  await sandbox.listen({ port: 0, host: '127.0.0.1' });
  return sandbox;
}

/** Fast polling for tests: first GET after 300 ms, then every 250 ms. */
export const FAST = { pollInitialDelayMs: 300, pollIntervalMs: 250, retryBaseDelayMs: 50, returnPageRefreshSeconds: 1 } as const;

let msnCounter = 0;
/**
 * A merchant with a sales unit of its own on the sandbox: parallel merchants do not see each
 * other's webhooks, and traffic can be filtered by MSN.
 */
export async function startMerchant(sandbox: Sandbox, options: StartOptions = {}): Promise<ReferenceMerchant & { msn: string }> {
  const msn = String(300000 + ++msnCounter);
  const keys = { clientId: randomUUID(), clientSecret: randomBytes(16).toString('base64'), subscriptionKey: randomBytes(16).toString('hex') };
  sandbox.merchants.add({ msn, name: 'Acme Coffee Roasters', clientId: keys.clientId, clientSecret: keys.clientSecret, subscriptionKeys: [keys.subscriptionKey] });
  const merchant = await startReferenceMerchant({ vippsBaseUrl: sandbox.url, port: 0, msn, ...keys, ...FAST, ...options });
  return Object.assign(merchant, { msn });
}

/** Start a merchant against `sandbox`, run `fn`, and always close it. */
export async function withMerchant(sandbox: Sandbox, options: StartOptions, fn: (m: ReferenceMerchant & { msn: string }) => Promise<void>): Promise<void> {
  const m = await startMerchant(sandbox, options);
  try {
    await fn(m);
  } finally {
    await m.close();
  }
}

export interface Json {
  status: number;
  body: any;
  headers: Headers;
}

export async function http(base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Json> {
  const res = await fetch(base + path, {
    method,
    redirect: 'manual',
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    /* HTML or text */
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

/** The customer acts through the sandbox control API (no browser, no redirect). */
export async function customer(sandbox: Sandbox, msn: string, reference: string, action: 'approve' | 'reject' | 'expire') {
  const res = await http(sandbox.url, 'POST', `/_sandbox/v1/payments/${msn}/${encodeURIComponent(reference)}/${action}`, {});
  if (res.status !== 200) throw new Error(`${action} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

export async function checkout(merchant: ReferenceMerchant, amount = 49900, description = 'Ethiopia Yirgacheffe, 250 g') {
  const res = await http(merchant.url, 'POST', '/api/checkout', { amount, description });
  if (res.status !== 201) throw new Error(`checkout failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { reference: string; redirectUrl: string; orderUrl: string; returnUrl: string };
}

export async function order(merchant: ReferenceMerchant, reference: string) {
  return (await http(merchant.url, 'GET', `/api/orders/${encodeURIComponent(reference)}`)).body;
}

export async function waitFor<T>(what: string, fn: () => Promise<T> | T, ok: (v: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: T;
  do {
    last = await fn();
    if (ok(last)) return last;
    await sleep(50);
  } while (Date.now() < end);
  throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(last, null, 1)?.slice(0, 1500)}`);
}

export async function waitForStatus(merchant: ReferenceMerchant, reference: string, status: string, timeoutMs = 10_000) {
  return waitFor(`order ${reference} to be ${status}`, () => order(merchant, reference), (o) => o?.status === status, timeoutMs);
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Header value from a recorded exchange (header names are lower-case in Node). */
export function header(exchange: { request: { headers: Record<string, unknown> } }, name: string): string | undefined {
  const v = exchange.request.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : (v as string | undefined);
}
