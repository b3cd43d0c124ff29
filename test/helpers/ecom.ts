import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Sandbox } from '../../src/sandbox/index.ts';
import type { Exchange } from '../../src/traffic/types.ts';
import { call, type CallResult } from './sandbox.ts';

/** Test helpers for the sandbox's eCom v2 API: a client and a real callback receiver on 127.0.0.1. */

export const ECOM = '/ecomm/v2/payments';
let seq = 0;
export const newOrderId = (prefix = 'ecom') => `${prefix}-${Date.now().toString(36)}-${++seq}`;

export function initiateBody(callbackPrefix: string, overrides: { merchantInfo?: Record<string, unknown>; transaction?: Record<string, unknown>; customerInfo?: Record<string, unknown> } = {}) {
  return {
    customerInfo: { mobileNumber: '91234567', ...overrides.customerInfo },
    merchantInfo: {
      merchantSerialNumber: '123456',
      callbackPrefix,
      fallBack: 'http://127.0.0.1:3000/fallback?order=1',
      authToken: 'callback-auth-token-123',
      ...overrides.merchantInfo,
    },
    transaction: { amount: 49900, orderId: newOrderId(), transactionText: 'One pair of socks.', ...overrides.transaction },
  };
}

export const actionBody = (amount?: number, msn = '123456', text = 'golive test') => ({
  merchantInfo: { merchantSerialNumber: msn },
  transaction: { ...(amount !== undefined ? { amount } : {}), transactionText: text },
});

export function ecomClient(sandbox: () => Sandbox, headers: () => Record<string, string>) {
  const api = (method: string, path: string, options: { headers?: Record<string, string>; body?: unknown } = {}): Promise<CallResult> =>
    call(sandbox().url, method, path, { ...options, headers: { ...headers(), ...options.headers } });
  return {
    api,
    initiate: (body: unknown) => api('POST', ECOM, { body }),
    details: (orderId: string) => api('GET', `${ECOM}/${orderId}/details`),
    status: (orderId: string) => api('GET', `${ECOM}/${orderId}/status`),
    capture: (orderId: string, amount?: number, requestId: string = randomUUID(), body: unknown = actionBody(amount)) =>
      api('POST', `${ECOM}/${orderId}/capture`, { headers: { 'X-Request-Id': requestId }, body }),
    refund: (orderId: string, amount?: number, requestId: string = randomUUID(), body: unknown = actionBody(amount)) =>
      api('POST', `${ECOM}/${orderId}/refund`, { headers: { 'X-Request-Id': requestId }, body }),
    cancel: (orderId: string, shouldReleaseRemainingFunds?: boolean) =>
      api('PUT', `${ECOM}/${orderId}/cancel`, { body: { ...actionBody(), ...(shouldReleaseRemainingFunds !== undefined ? { shouldReleaseRemainingFunds } : {}) } }),
    forceApprove: (orderId: string, body: unknown = {}) => api('POST', `/ecomm/v2/integration-test/payments/${orderId}/approve`, { body }),
    /** The customer approves through the sandbox control API. */
    approve: (orderId: string, msn = '123456') => call(sandbox().url, 'POST', `/_sandbox/v1/payments/${msn}/${orderId}/approve`, { body: {} }),
    reject: (orderId: string, msn = '123456') => call(sandbox().url, 'POST', `/_sandbox/v1/payments/${msn}/${orderId}/reject`, { body: {} }),
    record: (orderId: string, msn = '123456') => call(sandbox().url, 'GET', `/_sandbox/v1/payments/${msn}/${orderId}`),
  };
}

export interface ReceivedCallback {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: any;
}

/** A merchant's callback endpoint; `respond` decides how it answers (default 200 at once). */
export class CallbackReceiver {
  readonly received: ReceivedCallback[] = [];
  respond: (cb: ReceivedCallback) => { status?: number; delayMs?: number; json?: unknown } = () => ({});
  private server: Server | undefined;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      let text = '';
      req.on('data', (c) => (text += c));
      req.on('end', () => {
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          /* keep text */
        }
        const cb = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body };
        this.received.push(cb);
        const { status = 200, delayMs = 0, json } = this.respond(cb);
        const answer = () =>
          json === undefined ? res.writeHead(status, { 'content-type': 'text/plain' }).end('ok') : res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(json));
        const timer = setTimeout(answer, delayMs);
        res.on('close', () => clearTimeout(timer));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/vipps/cb`;
    return this;
  }

  forOrder(orderId: string): ReceivedCallback[] {
    return this.received.filter((c) => c.path.endsWith(`/v2/payments/${orderId}`));
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** Wait (real time) until `pick` finds something, or fail after `ms`. */
export async function waitFor<T>(pick: () => T | undefined | false, ms = 5000, what = 'condition'): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = pick();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export const callbacksOf = (sandbox: Sandbox, orderId: string): Exchange[] =>
  sandbox.traffic.query({ kind: 'callback', api: 'ecom-v2', reference: orderId });
