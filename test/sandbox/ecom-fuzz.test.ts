import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from '../../src/sandbox/index.ts';
import { actionBody, initiateBody } from '../helpers/ecom.ts';
import { specAvailable, validateTraffic } from '../helpers/openapi.ts';

/**
 * Malformed input never crashes the eCom routes: a few hundred bodies (random JSON, valid bodies
 * with a field removed or replaced by another type, broken JSON text) on every route, each
 * answered 2xx or 4xx in the eCom error shape. Seeded, so a failure repeats.
 */

function prng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const random = prng(20261201);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
const ODD_VALUES = [null, true, false, 0, -1, 99, 100.5, 1e308, Number.MAX_SAFE_INTEGER + 2, '', ' ', 'x'.repeat(300), '91234567', '123456', '<script>', '\u0000', [], [1, 'a'], {}, { nested: { deep: [null] } }];

function randomJson(depth = 0): unknown {
  const r = random();
  if (depth > 3 || r < 0.4) return pick(ODD_VALUES);
  if (r < 0.7) return Array.from({ length: Math.floor(random() * 4) }, () => randomJson(depth + 1));
  return Object.fromEntries(Array.from({ length: Math.floor(random() * 5) }, () => [pick(['merchantInfo', 'transaction', 'customerInfo', 'amount', 'orderId', 'x', '__proto__', 'constructor']), randomJson(depth + 1)]));
}

/** A valid body with one leaf removed or replaced. */
function mutate(body: Record<string, any>): unknown {
  const copy = JSON.parse(JSON.stringify(body));
  const paths: string[][] = [];
  const walk = (o: any, path: string[]) => {
    for (const [k, v] of Object.entries(o)) {
      paths.push([...path, k]);
      if (v && typeof v === 'object') walk(v, [...path, k]);
    }
  };
  walk(copy, []);
  const path = pick(paths);
  const parent = path.slice(0, -1).reduce((o, k) => o[k], copy);
  if (random() < 0.3) delete parent[path[path.length - 1]];
  else parent[path[path.length - 1]] = pick(ODD_VALUES);
  return copy;
}

const BROKEN_TEXT = ['{', '{"merchantInfo":', 'null', '"text"', '[]', '{"a":1}}', 'NaN', '\u00ff\u00fe', '{"transaction":{"amount":1e999}}'];

describe('eCom v2 routes with malformed input', () => {
  let sandbox: Sandbox;
  let headers: Record<string, string>;
  let orderId: string;

  beforeAll(async () => {
    // Hundreds of requests on one order on purpose: rate limits would answer most of them.
    sandbox = await createSandbox({ settings: { rateLimits: { enabled: false } } });
    const token = await sandbox.app.inject({
      method: 'POST',
      url: '/accesstoken/get',
      headers: { client_id: 'b3ae2a3c-9c1f-4d2e-8f6a-0a5e1d7c9b21', client_secret: 'golive-sandbox-client-secret', 'ocp-apim-subscription-key': '0123456789abcdef0123456789abcdef' },
    });
    headers = { authorization: `Bearer ${token.json().access_token}`, 'ocp-apim-subscription-key': '0123456789abcdef0123456789abcdef', 'merchant-serial-number': '123456' };
    const body = initiateBody('https://example.com/cb');
    orderId = body.transaction.orderId;
    expect((await sandbox.app.inject({ method: 'POST', url: '/ecomm/v2/payments', headers, payload: body })).statusCode).toBe(200);
    await sandbox.app.inject({ method: 'POST', url: `/ecomm/v2/integration-test/payments/${orderId}/approve`, headers, payload: {} });
  });
  afterAll(async () => {
    if (specAvailable()) expect((await validateTraffic(sandbox.traffic.query({ api: 'ecom-v2' }))).failures).toEqual([]);
    await sandbox.close();
  });

  it('answers every malformed body 2xx/4xx in the eCom shape', async () => {
    const routes = [
      { method: 'POST' as const, url: '/ecomm/v2/payments', valid: initiateBody('https://example.com/cb') },
      { method: 'POST' as const, url: `/ecomm/v2/payments/${orderId}/capture`, valid: actionBody(100) },
      { method: 'POST' as const, url: `/ecomm/v2/payments/${orderId}/refund`, valid: actionBody(100) },
      { method: 'PUT' as const, url: `/ecomm/v2/payments/${orderId}/cancel`, valid: { ...actionBody(), shouldReleaseRemainingFunds: true } },
      { method: 'POST' as const, url: `/ecomm/v2/integration-test/payments/${orderId}/approve`, valid: { customerPhoneNumber: '91234567' } },
    ];
    let sent = 0;
    for (let i = 0; i < 400; i++) {
      const route = routes[i % routes.length];
      const kind = random();
      const payload = kind < 0.15 ? pick(BROKEN_TEXT) : JSON.stringify(kind < 0.45 ? randomJson() : mutate(route.valid));
      const res = await sandbox.app.inject({ method: route.method, url: route.url, headers: { ...headers, 'content-type': 'application/json', 'x-request-id': `fuzz-${i}` }, payload });
      sent++;
      expect(res.statusCode, `${route.url} ${payload}: ${res.body}`).toBeLessThan(500);
      if (res.statusCode >= 400) {
        const body = res.json();
        expect(Array.isArray(body), res.body).toBe(true);
        expect(body[0]).toEqual({ errorGroup: expect.any(String), errorCode: expect.any(String), errorMessage: expect.any(String), contextId: expect.any(String) });
      }
    }
    expect(sent).toBe(400);
    // Still serving.
    expect((await sandbox.app.inject({ method: 'GET', url: `/ecomm/v2/payments/${orderId}/details`, headers })).statusCode).toBe(200);
  });

  it('odd path parameters and headers are refused, not crashed on', async () => {
    for (const id of ['%00', '..%2F..', 'x'.repeat(2000), '%F0%9F%92%A9', 'a b']) {
      const res = await sandbox.app.inject({ method: 'GET', url: `/ecomm/v2/payments/${id}/details`, headers });
      expect(res.statusCode).toBeLessThan(500);
    }
    const res = await sandbox.app.inject({ method: 'POST', url: `/ecomm/v2/payments/${orderId}/capture`, headers: { ...headers, 'content-type': 'text/plain' }, payload: 'capture please' });
    expect(res.statusCode).toBe(400);
    expect(res.json()[0]).toMatchObject({ errorGroup: 'InvalidRequest' });
  });
});
