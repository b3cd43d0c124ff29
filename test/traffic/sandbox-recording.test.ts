import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.ts';
import { call, merchantHeaders, startSandbox } from '../helpers/sandbox.ts';

// What the sandbox records through the compact traffic log (issue #17): bodies handed over as text
// read back as what was sent and answered; a non-JSON body stays text; redaction applies on read.

let sandbox: Sandbox;
let headers: Record<string, string>;

beforeAll(async () => {
  sandbox = await startSandbox({ settings: { rateLimits: { enabled: false } } });
  headers = await merchantHeaders(sandbox.url);
});
afterAll(() => sandbox.close());

describe('sandbox traffic through the compact log', () => {
  it('records the create request body as sent and both answers as answered', async () => {
    const body = { amount: { currency: 'NOK', value: 4321 }, paymentMethod: { type: 'WALLET' }, reference: 'recording-ref-0001', userFlow: 'WEB_REDIRECT', returnUrl: 'https://shop.example/r?x=1' };
    const created = await call(sandbox.url, 'POST', '/epayment/v1/payments', { headers: { ...headers, 'Idempotency-Key': 'recording-key-0001' }, body });
    expect(created.status).toBe(201);
    const got = await call(sandbox.url, 'GET', '/epayment/v1/payments/recording-ref-0001?trace=1', { headers });
    expect(got.status).toBe(200);

    const [create, get] = sandbox.traffic.query({ reference: 'recording-ref-0001' });
    expect(create.request.body).toEqual(body);
    expect(create.response!.body).toEqual(created.body);
    expect(create.idempotencyKey).toBe('recording-key-0001');
    expect(create.request.headers['idempotency-key']).toBe('recording-key-0001');
    expect(get.request).toMatchObject({ method: 'GET', url: '/epayment/v1/payments/recording-ref-0001?trace=1', path: '/epayment/v1/payments/recording-ref-0001' });
    expect(get.request.body).toBeUndefined();
    expect(get.response!.body).toEqual(got.body);
    expect(get.response!.headers['content-type']).toMatch(/json/);
  });

  it('keeps a body that is not JSON as text, and serves the log redacted over the control API', async () => {
    const res = await call(sandbox.url, 'POST', '/epayment/v1/payments', { headers: { ...headers, 'content-type': 'text/plain', 'Idempotency-Key': 'recording-key-0002' }, body: 'plain words' });
    expect(res.status).toBeGreaterThanOrEqual(400);
    const e = sandbox.traffic.get(sandbox.traffic.lastSeq)!;
    expect(e.idempotencyKey).toBe('recording-key-0002');
    expect(e.request.body).toBe('plain words');

    const served = await call(sandbox.url, 'GET', '/_sandbox/v1/traffic?reference=recording-ref-0001');
    const text = JSON.stringify(served.body);
    expect(text).not.toContain(headers.Authorization.slice('Bearer '.length));
    expect(served.body.exchanges[0].request.headers.authorization).toMatch(/^Bearer \[REDACTED:[0-9a-f]{8}\]$/);
    expect(served.body.exchanges[0].request.body.amount).toEqual({ currency: 'NOK', value: 4321 });
  });
});
