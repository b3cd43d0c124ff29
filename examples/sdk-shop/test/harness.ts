import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createSandbox, DEFAULT_TEST_MERCHANT, type Sandbox } from '../../../src/sandbox/index.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const MSN = DEFAULT_TEST_MERCHANT.msn;

/** The golive sandbox in-process, on loopback, any free port. */
export async function startSandbox(): Promise<Sandbox> {
  const sandbox = await createSandbox();
  await sandbox.listen({ port: 0, host: '127.0.0.1' });
  return sandbox;
}

export interface RunningShop {
  url: string;
  output: string[];
  stop(): Promise<void>;
}

/** The shop as its own process (as golive starts it), port chosen by the OS, stopped with SIGTERM. */
export async function startShop(sandboxUrl: string, options: { faults?: string[]; env?: Record<string, string> } = {}): Promise<RunningShop> {
  const child: ChildProcess = spawn(process.execPath, ['bin/run-ts.mjs', 'examples/sdk-shop/src/main.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      PORT: '0',
      VIPPS_BASE_URL: sandboxUrl,
      VIPPS_CLIENT_ID: DEFAULT_TEST_MERCHANT.clientId,
      VIPPS_CLIENT_SECRET: DEFAULT_TEST_MERCHANT.clientSecret,
      VIPPS_SUBSCRIPTION_KEY: DEFAULT_TEST_MERCHANT.subscriptionKeys[0],
      VIPPS_MSN: MSN,
      SDK_SHOP_FAULTS: (options.faults ?? []).join(','),
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`shop did not start:\n${output.join('')}`)), 20_000);
    child.stderr!.on('data', (c: Buffer) => output.push(c.toString()));
    child.stdout!.on('data', (c: Buffer) => {
      output.push(c.toString());
      const m = /listening on (http:\/\/\S+)/.exec(output.join(''));
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once('exit', (code) => reject(new Error(`shop exited (${code}) before listening:\n${output.join('')}`)));
  });
  return {
    url,
    output,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(killer);
    },
  };
}

export async function json(method: string, url: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(url, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    /* plain text */
  }
  return { status: res.status, body: parsed };
}

/** The sandbox's control API (the customer, faults, forged webhooks, the traffic log). */
export function control(sandbox: Sandbox) {
  const base = `${sandbox.url}/_sandbox/v1`;
  return {
    approve: (reference: string) => json('POST', `${base}/payments/${MSN}/${reference}/approve`, {}),
    reject: (reference: string) => json('POST', `${base}/payments/${MSN}/${reference}/reject`, {}),
    expire: (reference: string) => json('POST', `${base}/payments/${MSN}/${reference}/expire`, {}),
    fault: (spec: object) => json('POST', `${base}/faults`, spec),
    deliver: (spec: object) => json('POST', `${base}/webhooks/deliver`, { msn: MSN, ...spec }),
    async traffic(query: Record<string, string> = {}): Promise<any[]> {
      const res = await json('GET', `${base}/traffic?${new URLSearchParams({ limit: '10000', ...query })}`);
      return res.body.exchanges;
    },
  };
}

/** Polls `probe` until it returns a truthy value. */
export async function eventually<T>(probe: () => Promise<T | undefined | false>, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value) return value;
    last = value;
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(last)})`);
}

/** Place an order through the shop's JSON API. */
export async function placeOrder(shopUrl: string, amount: number, description = 'Test order') {
  const res = await json('POST', `${shopUrl}/api/orders`, { amount, description });
  if (res.status !== 201) throw new Error(`checkout failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { orderId: string; reference: string; redirectUrl: string; status: string };
}

export async function orderOf(shopUrl: string, reference: string) {
  return (await json('GET', `${shopUrl}/api/orders/${reference}`)).body as { status: string; amounts: Record<string, number> };
}

export async function waitForStatus(shopUrl: string, reference: string, status: string, timeoutMs = 15_000) {
  return eventually(async () => {
    const order = await orderOf(shopUrl, reference);
    return order.status === status ? order : undefined;
  }, `order ${reference} to be ${status}`, timeoutMs);
}
