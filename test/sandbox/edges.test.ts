import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from '../../src/sandbox/index.ts';
import { loadSpec, specAvailable } from '../helpers/openapi.ts';
import { call, merchantHeaders, startSandbox, TEST_MERCHANT, type CallResult } from '../helpers/sandbox.ts';

/**
 * The sandbox's edges as the API gateway has them, over real HTTP on 127.0.0.1: paths matched
 * case-insensitively, framework-level refusals (404, 405, 413, 431, a path parameter too long,
 * bad JSON, a body that is not JSON) in the error shape of the API the path belongs to.
 */

const PAYMENTS = '/epayment/v1/payments';
const tokenHeaders = {
  client_id: TEST_MERCHANT.clientId,
  client_secret: TEST_MERCHANT.clientSecret,
  'Ocp-Apim-Subscription-Key': TEST_MERCHANT.subscriptionKeys[0],
  'Merchant-Serial-Number': TEST_MERCHANT.msn,
};
const NO_REFERENCE = Symbol('no reference');
const createBody = (reference: unknown = `edge-${randomUUID().slice(0, 8)}`) => ({
  amount: { currency: 'NOK', value: 1000 },
  paymentMethod: { type: 'WALLET' },
  ...(reference === NO_REFERENCE ? {} : { reference }),
  userFlow: 'WEB_REDIRECT',
  returnUrl: 'http://127.0.0.1:3000/return',
  paymentDescription: 'edge test',
});

function expectProblem(res: CallResult, status: number) {
  expect(res.status, res.text).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ type: `https://httpstatuses.io/${status}`, status, title: expect.any(String), traceId: expect.any(String) });
}

function expectEcomError(res: CallResult, status: number) {
  expect(res.status, res.text).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  expect(Array.isArray(res.body), res.text).toBe(true);
  expect(res.body[0]).toEqual({ errorGroup: expect.any(String), errorCode: expect.any(String), errorMessage: expect.any(String), contextId: expect.any(String) });
}

describe('sandbox edges', () => {
  let sandbox: Sandbox;
  let headers: Record<string, string>;
  beforeAll(async () => {
    sandbox = await startSandbox();
    headers = await merchantHeaders(sandbox.url);
  });
  afterAll(() => sandbox.close());

  it('matches paths case-insensitively and records the path as sent', async () => {
    const before = sandbox.traffic.lastSeq;
    const token = await call(sandbox.url, 'POST', '/accessToken/get', { headers: tokenHeaders });
    expect(token.status, token.text).toBe(200);
    const [e] = sandbox.traffic.query({ afterSeq: before, api: 'access-token' });
    expect(e.request.path).toBe('/accessToken/get');
    expect(e.operation).toBe('fetchAuthorizationTokenUsingPost');

    // Path parameters keep their case; other APIs' and the control API's routes match too.
    const reference = `Edge-MiXeD-${randomUUID().slice(0, 6)}`;
    const created = await call(sandbox.url, 'POST', '/ePayment/V1/Payments', { headers: { ...headers, 'Idempotency-Key': randomUUID() }, body: createBody(reference) });
    expect(created.status, created.text).toBe(201);
    expect((await call(sandbox.url, 'GET', `/EPAYMENT/v1/payments/${reference}`, { headers })).body.reference).toBe(reference);
    expect((await call(sandbox.url, 'GET', `/epayment/v1/payments/${reference.toLowerCase()}`, { headers })).status).toBe(404);
    expect((await call(sandbox.url, 'GET', '/_SANDBOX/v1/Health')).status).toBe(200);
    expect((await call(sandbox.url, 'GET', '/Webhooks/v1/webhooks', { headers })).status).toBe(200);
    expectEcomError(await call(sandbox.url, 'GET', '/EcomM/v2/payments/nope/details', { headers }), 404);
  });

  it('does not put creates without a readable reference in one rate-limit bucket', async () => {
    for (const reference of [NO_REFERENCE, 42, '', null, { a: 1 }, '  ', NO_REFERENCE, 42, '', null]) {
      const res = await call(sandbox.url, 'POST', PAYMENTS, { headers: { ...headers, 'Idempotency-Key': randomUUID() }, body: createBody(reference) });
      expectProblem(res, 400);
      expect(res.text).not.toContain('Rate limit');
    }
  });

  it('names the content type when a JSON body comes without application/json', async () => {
    for (const contentType of ['application/x-www-form-urlencoded', 'text/plain']) {
      const res = await call(sandbox.url, 'POST', PAYMENTS, { headers: { ...headers, 'Idempotency-Key': randomUUID(), 'content-type': contentType }, body: createBody() });
      expectProblem(res, 400);
      expect(res.body.detail).toContain(contentType);
      expect(res.body.extraDetails).toContainEqual({ name: 'Content-Type', reason: expect.stringContaining(contentType) });
    }
    const ecom = await call(sandbox.url, 'POST', '/ecomm/v2/payments', { headers: { ...headers, 'content-type': 'text/plain' }, body: '{"a":1}' });
    expectEcomError(ecom, 400);
    expect(ecom.body[0]).toMatchObject({ errorGroup: 'InvalidRequest', errorCode: 'Content-Type', errorMessage: expect.stringContaining('text/plain') });
    // The token endpoint takes any content type (vipps-facts §1.1).
    expect((await call(sandbox.url, 'POST', '/accesstoken/get', { headers: { ...tokenHeaders, 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials' })).status).toBe(200);
  });

  it('answers bad JSON, 413 and an over-long path parameter in the API shape', async () => {
    const bad = await call(sandbox.url, 'POST', PAYMENTS, { headers: { ...headers, 'Idempotency-Key': randomUUID() }, body: '{"amount":' });
    expectProblem(bad, 400);
    const big = await call(sandbox.url, 'POST', PAYMENTS, { headers: { ...headers, 'Idempotency-Key': randomUUID() }, body: { ...createBody(), x: 'a'.repeat(1_100_000) } });
    expectProblem(big, 413);
    expect(big.body.title).toBe('Payload Too Large');
    expectEcomError(await call(sandbox.url, 'POST', '/ecomm/v2/payments', { headers, body: { x: 'a'.repeat(1_100_000) } }), 413);

    const long = 'r'.repeat(101);
    const problem = await call(sandbox.url, 'GET', `${PAYMENTS}/${long}`, { headers });
    expectProblem(problem, 400);
    expect(problem.text).not.toContain('FST_');
    const ecom = await call(sandbox.url, 'GET', `/ecomm/v2/payments/${long}/details`, { headers });
    expectEcomError(ecom, 400);
    expect(ecom.text).not.toContain('FST_');
  });

  it('answers 404 and 405 (with Allow) per API prefix; paths under no API get the gateway answer', async () => {
    expectProblem(await call(sandbox.url, 'GET', '/epayment/v1/nothing', { headers }), 404);
    expectProblem(await call(sandbox.url, 'GET', '/webhooks/v1/nothing', { headers }), 404);
    const method = await call(sandbox.url, 'DELETE', PAYMENTS, { headers });
    expectProblem(method, 405);
    expect(method.headers.allow).toBe('POST');
    const ecom = await call(sandbox.url, 'DELETE', '/ecomm/v2/payments/x/cancel', { headers });
    expectEcomError(ecom, 405);
    expect(ecom.headers.allow).toBe('PUT');
    expectEcomError(await call(sandbox.url, 'GET', '/ecomm/v2/nothing', { headers }), 404);
    const elsewhere = await call(sandbox.url, 'GET', '/nothing/here');
    expect(elsewhere.status).toBe(404);
    expect(elsewhere.body).toEqual({ statusCode: 404, message: 'Resource not found' });
  });

  it('answers a header block over the limit (431) in the API shape, and goes on serving', async () => {
    const huge = { 'x-filler': 'h'.repeat(20_000) };
    expectProblem(await call(sandbox.url, 'GET', `${PAYMENTS}/whatever`, { headers: { ...headers, ...huge } }), 431);
    expectEcomError(await call(sandbox.url, 'GET', '/ecomm/v2/payments/x/details', { headers: { ...headers, ...huge } }), 431);
    expect((await call(sandbox.url, 'GET', '/_sandbox/v1/health')).status).toBe(200);
  });

  it('notes Vipps-System-* headers over 30 characters on the exchange', async () => {
    const before = sandbox.traffic.lastSeq;
    await call(sandbox.url, 'GET', `${PAYMENTS}/nope`, { headers: { ...headers, 'Vipps-System-Name': 's'.repeat(31), 'Vipps-System-Plugin-Version': 'v'.repeat(40) } });
    await call(sandbox.url, 'GET', `${PAYMENTS}/nope`, { headers });
    const [long, fine] = sandbox.traffic.query({ afterSeq: before, api: 'epayment' });
    expect(long.notes?.systemHeaderTooLong).toEqual(['Vipps-System-Name', 'Vipps-System-Plugin-Version']);
    expect(fine.notes?.systemHeaderTooLong).toBeUndefined();
  });

  it.skipIf(!specAvailable())('edge errors are valid in the spec error schemas', async () => {
    const epayment = await loadSpec('epayment-v1');
    const webhooks = await loadSpec('webhooks-v1');
    const ecomSpec = await loadSpec('ecom-v2');
    const long = 'r'.repeat(101);
    for (const [spec, method, path] of [
      [epayment, 'GET', `${PAYMENTS}/${long}`],
      [epayment, 'DELETE', PAYMENTS],
      [epayment, 'GET', '/epayment/v1/nothing'],
      [webhooks, 'GET', '/webhooks/v1/nothing'],
      [webhooks, 'PATCH', '/webhooks/v1/webhooks'],
      [ecomSpec, 'GET', `/ecomm/v2/payments/${long}/details`],
      [ecomSpec, 'DELETE', '/ecomm/v2/payments/x/cancel'],
    ] as const) {
      const res = await call(sandbox.url, method, path, { headers });
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(spec.validateError(res.status, res.body), `${method} ${path}: ${res.text}`).toMatchObject({ outcome: 'valid' });
    }
  });
});

describe('the control API and non-loopback clients', () => {
  it('refuses them unless the sandbox was started with an explicit host', async () => {
    const local = await createSandbox();
    const remote = await createSandbox({ settings: { controlAllowRemote: true } });
    try {
      const refused = await local.app.inject({ method: 'GET', url: '/_sandbox/v1/health', remoteAddress: '10.1.2.3' });
      expect(refused.statusCode).toBe(403);
      expect(refused.json().details).toContain('--host');
      expect((await local.app.inject({ method: 'GET', url: '/_SANDBOX/v1/clock', remoteAddress: '192.168.0.9' })).statusCode).toBe(403);
      expect((await local.app.inject({ method: 'GET', url: '/_sandbox/v1/health', remoteAddress: '127.0.0.1' })).statusCode).toBe(200);
      expect((await local.app.inject({ method: 'GET', url: '/_sandbox/v1/health', remoteAddress: '::1' })).statusCode).toBe(200);
      // The Vipps APIs answer everyone (the credentials decide).
      expect((await local.app.inject({ method: 'POST', url: '/accesstoken/get', headers: tokenHeaders, remoteAddress: '10.1.2.3' })).statusCode).toBe(200);
      expect((await remote.app.inject({ method: 'GET', url: '/_sandbox/v1/health', remoteAddress: '10.1.2.3' })).statusCode).toBe(200);
    } finally {
      await local.close();
      await remote.close();
    }
  });
});
