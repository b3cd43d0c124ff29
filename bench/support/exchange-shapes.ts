/**
 * Realistic traffic-log inputs for bench/traffic-memory.ts: a create and a GET payment sent to a
 * real in-process sandbox, read back from its log, then replayed N times with fresh strings (as
 * Node's HTTP parser hands every request fresh ones) and a unique reference, Idempotency-Key and
 * pspReference per payment — in the two shapes src/sandbox/http.ts has built: before issue #17
 * (parsed request body, response body behind a lazy getter) and now (bodies as text).
 */
import { randomUUID } from 'node:crypto';
import { request } from 'undici';
import { createSandbox, DEFAULT_TEST_MERCHANT as M } from '../../src/sandbox/index.ts';
import type { BodyText, RawBodies } from '../../src/traffic/log.ts';
import type { ExchangeInput, Headers } from '../../src/traffic/types.ts';

const REF = 'bench-ref-0000000000';
const KEY = 'bench-key-0000000000-0000';

export interface Shape {
  operation: string;
  method: string;
  url: string;
  requestHeaders: Headers;
  requestText?: string;
  status: number;
  responseHeaders: Headers;
  responseText: string;
  pspReference?: string;
}

/** One create and one GET payment as the sandbox records them. */
export async function captureShapes(): Promise<Shape[]> {
  const sandbox = await createSandbox({ settings: { rateLimits: { enabled: false } } });
  const base = await sandbox.listen({ port: 0 });
  try {
    const tokenRes = await request(`${base}/accesstoken/get`, {
      method: 'POST',
      headers: { client_id: M.clientId, client_secret: M.clientSecret, 'ocp-apim-subscription-key': M.subscriptionKeys[0], 'merchant-serial-number': M.msn },
    });
    const token = ((await tokenRes.body.json()) as { access_token: string }).access_token;
    const headers = {
      authorization: `Bearer ${token}`,
      'ocp-apim-subscription-key': M.subscriptionKeys[0],
      'merchant-serial-number': M.msn,
      'content-type': 'application/json',
      'vipps-system-name': 'bench-shop',
      'vipps-system-version': '1.0.0',
      'vipps-system-plugin-name': 'bench-plugin',
      'vipps-system-plugin-version': '1.0.0',
    };
    const body = { amount: { currency: 'NOK', value: 49900 }, paymentMethod: { type: 'WALLET' }, reference: REF, userFlow: 'WEB_REDIRECT', returnUrl: `https://shop.example/return?ref=${REF}`, paymentDescription: 'Order 1234 at the bench shop' };
    await (await request(`${base}/epayment/v1/payments`, { method: 'POST', headers: { ...headers, 'idempotency-key': KEY }, body: JSON.stringify(body) })).body.dump();
    await (await request(`${base}/epayment/v1/payments/${REF}`, { headers })).body.dump();
    return sandbox.traffic.query({ api: 'epayment' }).map((e) => ({
      operation: e.operation!,
      method: e.request.method,
      url: e.request.url,
      requestHeaders: e.request.headers,
      requestText: e.request.body === undefined ? undefined : JSON.stringify(e.request.body),
      status: e.response!.status,
      responseHeaders: e.response!.headers,
      responseText: JSON.stringify(e.response!.body),
      pspReference: (e.response!.body as { pspReference?: string }).pspReference,
    }));
  } finally {
    await sandbox.close();
  }
}

const fresh = (s: string): string => Buffer.from(s).toString();

function freshHeaders(h: Headers, ref: string, key: string): Headers {
  const out: Headers = {};
  for (const [k, v] of Object.entries(h)) out[fresh(k)] = typeof v === 'string' ? fresh(v.replace(REF, ref).replace(KEY, key)) : v;
  return out;
}

/** The pre-#17 response body: the raw text behind a getter that parses it on first read. */
function legacyLazyBody(raw: string): { value: unknown } {
  let parsed: unknown;
  let done = false;
  return {
    get value() {
      if (!done) {
        done = true;
        parsed = raw;
        try {
          parsed = JSON.parse(raw);
        } catch {
          /* keep the raw text */
        }
      }
      return parsed;
    },
  };
}

/** The n-th payment's exchange of a shape, as http.ts hands it to the log (`legacy`: before #17). */
export function exchangeOf(shape: Shape, n: number, legacy: boolean): { input: ExchangeInput; bodies?: RawBodies; bodyBytes: number } {
  const ref = `bench-ref-${String(n).padStart(10, '0')}`;
  const key = `bench-key-${String(n).padStart(10, '0')}-0000`;
  const psp = shape.pspReference ? randomUUID() : '';
  const url = fresh(shape.url.replace(REF, ref));
  const requestText = shape.requestText && fresh(shape.requestText.replaceAll(REF, ref));
  const responseText = fresh(psp ? shape.responseText.replaceAll(REF, ref).replace(shape.pspReference!, psp) : shape.responseText.replaceAll(REF, ref));
  const responseHeaders = freshHeaders(shape.responseHeaders, ref, key);
  const input: ExchangeInput = {
    kind: 'api',
    api: 'epayment',
    operation: shape.operation,
    msn: M.msn,
    reference: ref,
    idempotencyKey: shape.method === 'POST' ? key : undefined,
    request: { method: shape.method, url, path: url.split('?')[0], headers: freshHeaders(shape.requestHeaders, ref, key), body: requestText ? JSON.parse(requestText) : undefined },
    response: { status: shape.status, headers: responseHeaders },
    error: undefined,
    fault: undefined,
    startedAt: Date.now(),
    durationMs: performance.now() % 3,
    notes: undefined,
  };
  const bodyBytes = (requestText?.length ?? 0) + responseText.length;
  if (legacy) {
    const body = legacyLazyBody(responseText);
    input.response = {
      status: shape.status,
      headers: responseHeaders,
      get body() {
        return body.value;
      },
    };
    return { input, bodyBytes };
  }
  const text = (t: string): BodyText => ({ text: t, json: true });
  return { input, bodies: { request: requestText ? text(requestText) : undefined, response: text(responseText) }, bodyBytes };
}
